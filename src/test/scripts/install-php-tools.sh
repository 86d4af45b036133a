#!/usr/bin/env bash
# Installs the PHP the tests run, from Debian's packages: the CLI with curl and PDO MySQL, mod_php for
# the test's Apache, PHPUnit 9.6, and the Laravel 8 and Symfony 5.4 components the framework presets
# are proven with. Run by the build (mvn verify) before the tests; one dpkg query when all are there.
# Nothing comes from Packagist (composer's network is not reachable from CI): the library's tests and
# the test application load classes through their own autoloaders and Debian's.
set -euo pipefail

packages=(php-cli php-curl php-mysql libapache2-mod-php phpunit php-laravel-framework php-symfony-http-foundation)

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
    echo "event-hub php: ${missing[*]} missing and no root (or passwordless sudo) to install them;" >&2
    echo "install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo -n)
fi

echo "event-hub php: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# mod_php's package switches the system's apache2 to mpm_prefork; the tests run their own httpd with
# their own module list, so the system's configuration is not what they read.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
