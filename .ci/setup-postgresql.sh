#!/usr/bin/env bash
# Install PostgreSQL (Debian's server package) for the register's tests, which start
# their own throwaway cluster on loopback (tests/pg_server.py). Idempotent. Debian's
# own service is never started: policy-rc.d forbids it during the install, and it is
# stopped should it run anyway.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "postgresql not installed (needs root and apt-get); the PostgreSQL tests will be skipped"
  exit 0
fi
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
install() {
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=1200 install -y -qq \
    --no-install-recommends postgresql >/dev/null
}
install || { timeout 600 apt-get update -qq && install; } || echo "postgresql could not be installed"
if [ -n "$created_policy" ]; then rm -f "$policy"; fi
if command -v systemctl >/dev/null && systemctl is-active --quiet postgresql 2>/dev/null; then
  systemctl stop postgresql || true
fi
