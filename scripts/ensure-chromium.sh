#!/usr/bin/env bash
# Print the path of a Chromium/Chrome binary, installing Debian's chromium if needed.
# Order: $CORRIDORS_CHROMIUM, $BROWSER_PATH, chromium/chrome on PATH, then apt-get (as root).
set -euo pipefail

for candidate in "${CORRIDORS_CHROMIUM:-}" "${BROWSER_PATH:-}"; do
  if [ -n "$candidate" ]; then
    if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
    echo "error: $candidate (from CORRIDORS_CHROMIUM/BROWSER_PATH) is not an executable browser" >&2
    exit 1
  fi
done

find_browser() {
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if path=$(command -v "$name" 2>/dev/null); then echo "$path"; return 0; fi
  done
  return 1
}

if find_browser; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium with apt-get (about a minute)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  find_browser && exit 0
fi

cat >&2 <<'MSG'
error: no Chromium or Chrome found, and it cannot be installed here.
The browser tests and the PNG/SVG/PDF exports need one. Either
  - run as root on Debian/Ubuntu (this script then runs: apt-get install chromium), or
  - install Chromium/Chrome yourself and set CORRIDORS_CHROMIUM=/path/to/chrome.
MSG
exit 1
