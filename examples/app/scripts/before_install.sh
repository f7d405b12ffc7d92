#!/bin/sh
# Clear the previous release so the new files install cleanly.
set -eu
app="${INSTANCE_ROOT:-}/var/www/demo"
echo "cleaning $app before install"
rm -rf "$app"
mkdir -p "${INSTANCE_ROOT:-}/var/run"
