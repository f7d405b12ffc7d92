#!/bin/sh
set -eu
app="${INSTANCE_ROOT:-}/var/www/demo"
version=$(sed -n 's/.*id="version">\([^<]*\)<.*/\1/p' "$app/index.html")
echo "starting demo $version for deployment ${DEPLOYMENT_ID:-?}"
mkdir -p "${INSTANCE_ROOT:-}/var/run"
echo "$version" > "${INSTANCE_ROOT:-}/var/run/demo.running"
