#!/usr/bin/env bash
# Install what the itsskit-zabbix tests need to run a real Zabbix 6.0 on loopback:
# the server (PostgreSQL flavour) and its schema, zabbix_sender (Debian ships it in
# zabbix-agent), the PHP API frontend with the PHP modules it needs, and PostgreSQL.
# Installs only: no Debian service is started (the tests start their own processes
# in a temporary folder and stop them). Idempotent; a failure leaves the tests to
# skip with the reason.
set -uo pipefail
packages=(zabbix-server-pgsql zabbix-frontend-php zabbix-agent postgresql
          php-cli php-cgi php-pgsql php-gd php-bcmath php-mbstring php-xml)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" = 0 ]; then
  echo "zabbix test packages already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "cannot install ${missing[*]} (needs root and apt-get); the Zabbix tests will be skipped"
  exit 0
fi
# Keep maintainer scripts from starting the daemons they install.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
install() {
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}
install || { timeout 600 apt-get update -qq && install; } \
  || echo "could not install ${missing[*]}; the Zabbix tests will be skipped"
if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
exit 0
