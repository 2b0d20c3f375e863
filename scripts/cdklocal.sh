#!/usr/bin/env bash
# scripts/cdk.sh with LocalStack's cdklocal wrapper: deploys to the LocalStack at AWS_ENDPOINT_URL
# (default http://localhost:4566), e.g. scripts/cdklocal.sh bootstrap; scripts/cdklocal.sh deploy.
set -euo pipefail
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost:4566}"
# cdklocal refuses AWS_ENDPOINT_URL without AWS_ENDPOINT_URL_S3 (it cannot tell whether the endpoint
# serves S3's bucket subdomains). A LocalStack on this machine serves them under
# s3.localhost.localstack.cloud; for one elsewhere, say where
if [[ -z "${AWS_ENDPOINT_URL_S3:-}" ]]; then
  scheme="${AWS_ENDPOINT_URL%%://*}"; rest="${AWS_ENDPOINT_URL#*://}"; hostport="${rest%%/*}"
  host="${hostport%%:*}"; port="${hostport##*:}"
  [[ "$port" == "$hostport" ]] && port=$([[ "$scheme" == https ]] && echo 443 || echo 80)
  case "$host" in
    localhost|127.0.0.1|localhost.localstack.cloud)
      export AWS_ENDPOINT_URL_S3="${scheme}://s3.localhost.localstack.cloud:${port}" ;;
    *)
      echo "cdklocal.sh: AWS_ENDPOINT_URL is $AWS_ENDPOINT_URL, not on this machine; set AWS_ENDPOINT_URL_S3 to where that LocalStack serves S3 with bucket subdomains (e.g. http://s3.<its host>:4566)" >&2
      exit 2 ;;
  esac
fi
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}"
# cdklocal drops every other AWS_* variable unless listed here (and would deploy to us-east-1)
export AWS_ENVAR_ALLOWLIST="${AWS_ENVAR_ALLOWLIST:-AWS_REGION,AWS_DEFAULT_REGION,AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY}"
if [[ "${TRIBUTARY_CDKLOCAL_CHECK_ENV:-}" == 1 ]]; then
  # prints, as JSON, the AWS_* variables cdklocal deploys with once its own checks have run on the
  # environment above (CdkLocalDeployIT checks them without a LocalStack)
  lib="$(cd "$(dirname "$0")/.." && pwd)/.tools/node/node_modules/aws-cdk-local/src"
  exec node -e '
    const { configureEnvironment } = require(process.argv[1]);
    configureEnvironment(process.env, process.env.AWS_ENVAR_ALLOWLIST || "");
    const out = {};
    for (const k of Object.keys(process.env).filter((k) => k.startsWith("AWS_")).sort()) out[k] = process.env[k];
    console.log(JSON.stringify(out));' "$lib"
fi
TRIBUTARY_CDK_CLI=cdklocal exec "$(dirname "$0")/cdk.sh" "$@"
