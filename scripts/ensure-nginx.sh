#!/usr/bin/env bash
# Print the path of nginx, installing Debian's nginx if none is found (for the reverse-proxy test).
# Only the binary is used: the test starts its own nginx on a free port with its own config.
set -euo pipefail

find_nginx() {
  if [ -n "${CORRIDORS_NGINX:-}" ]; then [ -x "$CORRIDORS_NGINX" ] && echo "$CORRIDORS_NGINX" && return 0; return 1; fi
  command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }
}

if path=$(find_nginx); then echo "$path"; exit 0; fi
if [ -n "${CORRIDORS_NGINX:-}" ]; then
  echo "error: CORRIDORS_NGINX=$CORRIDORS_NGINX is not an executable nginx" >&2
  exit 1
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "nginx not found: installing Debian's nginx-light with apt-get…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq nginx-light >&2 || { apt-get update -qq >&2 && apt-get install -y -qq nginx-light >&2; }
  # Only the binary is wanted: the service the package may start is stopped again.
  (service nginx stop || true) >/dev/null 2>&1
  if path=$(find_nginx); then echo "$path"; exit 0; fi
fi
cat >&2 <<'MSG'
error: no nginx found, and it cannot be installed here. The reverse-proxy test needs one:
run as root on Debian/Ubuntu (this script then runs: apt-get install nginx-light), or
install nginx yourself and set CORRIDORS_NGINX=/path/to/nginx.
MSG
exit 1
