#!/usr/bin/env bash
# Print the path of a Chromium/Chrome binary, installing Debian's chromium if none is found.
# Finding follows the project's one rule (corridors/chromium.py: CORRIDORS_CHROMIUM, BROWSER_PATH,
# then chromium/chrome on PATH); this script only adds the install step. PY names the venv's python.
set -euo pipefail
PY="${PY:-.venv/bin/python}"

if path=$("$PY" -m corridors.chromium 2>/dev/null); then echo "$path"; exit 0; fi
if [ -n "${CORRIDORS_CHROMIUM:-}${BROWSER_PATH:-}" ]; then
  "$PY" -m corridors.chromium  # names the variable that points nowhere, and fails
  exit 1
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium with apt-get (about a minute)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  if path=$("$PY" -m corridors.chromium); then echo "$path"; exit 0; fi
fi

cat >&2 <<'MSG'
error: no Chromium or Chrome found, and it cannot be installed here.
The browser tests and the PNG/SVG/PDF exports need one. Either
  - run as root on Debian/Ubuntu (this script then runs: apt-get install chromium), or
  - install Chromium/Chrome yourself and set CORRIDORS_CHROMIUM=/path/to/chrome.
MSG
exit 1
