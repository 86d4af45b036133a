#!/usr/bin/env bash
# Installs what the end-to-end test drives, from Debian's packages: Apache httpd and Chromium.
# Run by the build (mvn verify) before the tests; does nothing when both are there already.
# Playwright's own browser download is not used: it needs hosts a CI network may not reach, and
# the Debian Chromium is what operators' distributions ship.
set -euo pipefail

missing=()
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! sudo -n true 2>/dev/null; then
    echo "event-hub e2e: ${missing[*]} missing and no root (or passwordless sudo) to install them;" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo -n)
fi

echo "event-hub e2e: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# --no-install-recommends: no fonts/extras beyond what a headless run needs. The package scripts
# do not start the system's apache2 where policy-rc.d forbids it; the test runs its own instance.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
