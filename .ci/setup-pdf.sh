#!/usr/bin/env bash
# Install what the pdf renderer and its tests need: Pango (WeasyPrint lays text out
# with it) and poppler-utils (pdftoppm draws pages to check they are not blank).
# Idempotent; never fails the run (the tests then fail loudly, they do not skip).
set -euo pipefail
have_libs() { ldconfig -p | grep -q 'libpango-1.0.so.0' && ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; }
if have_libs && command -v pdftoppm >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Pango/poppler-utils not installed (needs root and apt-get); the pdf tests will fail"
  exit 0
fi
install() {
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=1200 install -y -qq \
    --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null
}
install || { timeout 600 apt-get update -qq && install; } || echo "Pango/poppler-utils could not be installed"
