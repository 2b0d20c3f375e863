#!/usr/bin/env bash
# Runs the project-local AWS CDK CLI (installed by scripts/install-tools.sh into .tools/node) in
# infrastructure-cdk, offline-friendly: no notices, no version check, no CLI telemetry. Everything
# after the script name goes to cdk, e.g. scripts/cdk.sh synth, scripts/cdk.sh deploy -c source=msk.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="$root/.tools/node/node_modules/.bin/${TRIBUTARY_CDK_CLI:-cdk}"
if [[ ! -x "$cli" ]]; then
  "$root/scripts/install-tools.sh" aws-cdk aws-cdk-local
fi
if [[ ! -x "$cli" ]]; then
  echo "cdk.sh: $cli is missing; run scripts/install-tools.sh (it needs npm)" >&2
  exit 1
fi
# jsii warns on every synth that node 20 is past its end of life; the CLI warns too, once
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
cd "$root/infrastructure-cdk"
exec "$cli" "$@"
