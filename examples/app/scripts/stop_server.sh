#!/bin/sh
# ApplicationStop runs from the revision that is being replaced.
set -eu
marker="${INSTANCE_ROOT:-}/var/run/demo.running"
if [ -f "$marker" ]; then
  echo "stopping demo $(cat "$marker")"
  rm -f "$marker"
else
  echo "demo was not running"
fi
