#!/bin/sh
# The one list of Debian packages memlab uses. Installs only the missing ones.
#
#   scripts/deps.sh          install what is missing (apt-get update first)
#   scripts/deps.sh --check  exit 1 if anything is missing, install nothing
#
# Exit codes: 0 all present, 1 missing (--check), 2 cannot install here.
set -eu

PACKAGES="
build-essential
pkg-config
libbenchmark-dev
libpython3-dev
libcriterion-dev
hyperfine
gnuplot-nox
python3
valgrind
fonts-dejavu-core
chromium
chromium-driver
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
missing=${missing# }

[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--check" ]; then
    echo "deps: missing: $missing" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "deps: missing Debian packages: $missing" >&2
    echo "deps: run this as root, then try again:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends $missing" >&2
    exit 2
fi

echo "deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086  # the list is meant to split into words
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
