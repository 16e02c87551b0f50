#!/usr/bin/env bash
# Install Debian's Redmine (redmine + redmine-sqlite + ruby-webrick) for the
# plugins/itsskit-redmine tests. The tests build and start their own throwaway
# instance on loopback; this script starts no service and creates no database.
# Idempotent: does nothing when the packages are already installed.
set -euo pipefail
packages=(redmine redmine-sqlite ruby-webrick)
installed=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -c "install ok installed" || true)
if [ "$installed" = "${#packages[@]}" ]; then
  echo "redmine: already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "redmine: not installed and cannot be (needs root and apt-get); the Redmine tests will be skipped" >&2
  exit 0
fi
# Without this, dbconfig-common creates and migrates a "default" instance database at
# install time (as www-data, asking questions); the tests do not need it.
echo "redmine redmine/instances/default/dbconfig-install boolean false" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
install() {
  apt-get -o DPkg::Lock::Timeout=1200 install -y -q --no-install-recommends "${packages[@]}" >/dev/null
}
install || { apt-get -o DPkg::Lock::Timeout=1200 update -qq && install; }
echo "redmine: installed $(dpkg-query -W -f='${Version}' redmine)"
