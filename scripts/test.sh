#!/usr/bin/env bash
# Install itsskit with its test extras and first-party plugins into .venv, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]" -e plugins/itsskit-servicenow
.venv/bin/python -m pytest "$@"
