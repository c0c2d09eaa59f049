#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (playwright-core drives it through
# executablePath; no browser is downloaded). Needs root and apt-get; otherwise it says so, and the
# browser tests skip with that reason. CHROMIUM_PATH points the tests at another Chromium.
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "browser: $(chromium --version 2>/dev/null)"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    echo "browser: $(chromium --version 2>/dev/null) (installed)"
    exit 0
  fi
fi
echo "warning: Chromium is not installed (run 'apt-get install chromium' as root); the browser tests will be skipped"
