#!/usr/bin/env bash
# scripts/cdk.sh with LocalStack's cdklocal wrapper: deploys to the LocalStack at AWS_ENDPOINT_URL
# (default http://localhost:4566), e.g. scripts/cdklocal.sh bootstrap; scripts/cdklocal.sh deploy.
set -euo pipefail
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost:4566}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}"
TRIBUTARY_CDK_CLI=cdklocal exec "$(dirname "$0")/cdk.sh" "$@"
