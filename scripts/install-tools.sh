#!/usr/bin/env bash
# Installs the npm tools the local stack and its tests use into the project-local .tools/node
# directory (never globally): dynalite (the DynamoDB conformance reference) and kinesis-local (the
# kinesis-mock engine LocalStack uses, started by dev.tributary.local.kinesis.KinesisLocal from
# .tools/node/node_modules/kinesis-local), and the AWS CDK CLI with LocalStack's cdklocal wrapper
# (scripts/cdk.sh and scripts/cdklocal.sh run them for infrastructure-cdk). Idempotent and quiet
# when everything is already there. Without npm it says so and exits 0: the tests that need the
# tools then skip with a message.
#
# Usage: install-tools.sh [NAME...]   with names (dynalite, kinesis-local, aws-cdk, aws-cdk-local),
# only those; without, all of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/node"
all=("dynalite@4.0.0" "kinesis-local@0.6.2" "aws-cdk@2.1148.1" "aws-cdk-local@3.0.4")
packages=()
for want in "$@"; do
  found=""
  for p in "${all[@]}"; do
    [[ "${p%@*}" == "$want" ]] && found="$p"
  done
  if [[ -z "$found" ]]; then
    echo "install-tools: unknown tool '$want'; known: ${all[*]%@*}" >&2
    exit 2
  fi
  packages+=("$found")
done
[[ $# -gt 0 ]] || packages=("${all[@]}")
if ! command -v npm >/dev/null 2>&1; then
  echo "install-tools: npm is not installed; the dynalite conformance tests and the kinesis-local tests will be skipped, and scripts/cdk.sh cannot run" >&2
  exit 0
fi
mkdir -p "$dir"
missing=()
for p in "${packages[@]}"; do
  name="${p%@*}"
  version="${p##*@}"
  installed="$dir/node_modules/$name/package.json"
  # kinesis-local's package.json writes "version" : "x" (a space before the colon)
  if [[ ! -f "$installed" ]] \
    || ! grep -Eq "\"version\"[[:space:]]*:[[:space:]]*\"${version//./\\.}\"" "$installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-tools: installing ${missing[*]} into $dir"
  [[ -f "$dir/package.json" ]] || echo '{"name":"tributary-tools","private":true}' > "$dir/package.json"
  npm install --prefix "$dir" --save-exact --no-audit --no-fund --loglevel=error "${missing[@]}"
fi
