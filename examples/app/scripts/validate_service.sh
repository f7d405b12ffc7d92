#!/bin/sh
# The health check: the app must be running and its health.conf must say healthy=true.
set -eu
app="${INSTANCE_ROOT:-}/var/www/demo"
if [ ! -f "${INSTANCE_ROOT:-}/var/run/demo.running" ]; then
  echo "demo is not running" >&2
  exit 1
fi
echo "checking $app/health.conf"
if ! grep -qx 'healthy=true' "$app/health.conf"; then
  echo "health check failed: $(cat "$app/health.conf")" >&2
  echo "refusing to take traffic with an unhealthy release" >&2
  exit 1
fi
echo "demo $(cat "${INSTANCE_ROOT:-}/var/run/demo.running") is healthy"
