#!/bin/sh
# Install the Debian packages that are missing for a stemfuse target.
# usage: tools/install-deps.sh build|test
# As root, runs apt-get; otherwise prints the exact apt-get line and fails.
set -eu
here=$(dirname "$0")
want=${1:-build}
list=$(awk -v want="$want" '
  /^\[/ { section = substr($0, 2, length($0) - 2); next }
  /^#/ || NF == 0 { next }
  section == "build" || (want == "test" && section == "test") { print $1 }
' "$here/debian-packages.txt")

missing=""
for pkg in $list; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done

[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "stemfuse needs these Debian packages:$missing" >&2
  echo "run as root:  apt-get update && $line" >&2
  exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
