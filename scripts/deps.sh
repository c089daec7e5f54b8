#!/bin/sh
# Installs the Debian 12 packages slogate needs to build, test, fuzz (clang and
# its libFuzzer runtime) and run its demo.
# As root it runs apt-get; otherwise it prints the exact install line and fails.
set -eu

PKGS="build-essential pkg-config git ca-certificates
libcurl4-openssl-dev libcjson-dev libgit2-dev libsqlite3-dev libmicrohttpd-dev
libcmocka-dev libgnutls28-dev sqlite3 prometheus curl python3 chromium rsync
postgresql libpq-dev
clang libclang-rt-14-dev"

# make valgrind runs the tests under memcheck.
PKGS="$PKGS valgrind"

# The pipeline test runs gitlab-ci-local, an npm package; it needs Node.js.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "slogate: missing Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

echo "slogate: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
