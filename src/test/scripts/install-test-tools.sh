#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests drive besides the JDK, Maven and Node: Apache httpd
# and Chromium for the browser tests, and PHP (the CLI with curl and PDO MySQL, mod_php, PHPUnit 9.6,
# the Laravel 8 and Symfony 5.4 components the framework presets are proven with) for the PHP library's
# tests. Run by the build (mvn verify) before the tests; one dpkg query when everything is there.
# Nothing is downloaded from elsewhere: Playwright drives Debian's Chromium (its own browser download
# needs hosts a CI network may not reach), and nothing comes from Packagist (the PHP tests load classes
# through their own autoloaders and Debian's).
set -euo pipefail

packages=(apache2 chromium
          php-cli php-curl php-mysql libapache2-mod-php phpunit php-laravel-framework php-symfony-http-foundation)

# One dpkg query for all; a package dpkg has never heard of is simply not listed as installed.
installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${packages[@]}" 2>/dev/null || true)"
missing=()
for package in "${packages[@]}"; do
  [[ "$installed" == *" $package:installed "* ]] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! sudo -n true 2>/dev/null; then
    echo "event-hub tests: ${missing[*]} missing and no root (or passwordless sudo) to install them;" >&2
    echo "install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo -n)
fi

echo "event-hub tests: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# --no-install-recommends: nothing beyond what a headless run needs. The package scripts do not start
# the system's apache2 where policy-rc.d forbids it, and mod_php's switches the system's apache2 to
# mpm_prefork: the tests run their own httpd with their own module list either way.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
