#!/usr/bin/env bash
# Runs every test tier (unit *Test, integration *IT/*ChaosIT) and the format and build checks.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -ntp verify "$@"
