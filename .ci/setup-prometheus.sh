#!/usr/bin/env bash
# Install Prometheus (Debian's package, with promtool) and openssl for the
# itsskit-prometheus tests, which start their own servers on loopback. Idempotent.
# The Debian service is never started: policy-rc.d forbids it during the install,
# and it is stopped should it run anyway.
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v openssl >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "prometheus/openssl not installed (needs root and apt-get); the Prometheus tests will be skipped"
  exit 0
fi
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
install() {
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=1200 install -y -qq \
    --no-install-recommends prometheus openssl >/dev/null
}
install || { timeout 600 apt-get update -qq && install; } || echo "prometheus could not be installed"
if [ -n "$created_policy" ]; then rm -f "$policy"; fi
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi
