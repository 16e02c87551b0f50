#!/usr/bin/env bash
# Install Prometheus (Debian's package, with promtool) for the itsskit-prometheus tests.
# Idempotent; the tests start their own server on loopback, so the Debian service is
# never started (policy-rc.d forbids it during the install, and it is stopped if running).
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "prometheus not installed (needs root and apt-get); the Prometheus tests will be skipped"
  exit 0
fi
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
install() {
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=1200 install -y -qq \
    --no-install-recommends prometheus >/dev/null
}
install || { timeout 600 apt-get update -qq && install; } || echo "prometheus could not be installed"
[ -n "$created_policy" ] && rm -f "$policy"
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi
exit 0
