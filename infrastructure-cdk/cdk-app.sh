#!/usr/bin/env bash
# The app command of cdk.json: runs dev.tributary.cdk.app.ExampleApp on this module's compiled
# classes and the class path Maven wrote (target/cdk-app.classpath), so a synth needs no Maven.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -f target/cdk-app.classpath || ! -f target/classes/dev/tributary/cdk/app/ExampleApp.class ]]; then
  echo "tributary: the CDK app is not built yet. From the repository root run:" >&2
  echo "  mvn -B -pl examples-lambda,infrastructure-cdk -am package -DskipTests" >&2
  echo "(it builds the example job's jar and this app; see docs/deploy.md)" >&2
  exit 1
fi
exec java -cp "target/classes:$(cat target/cdk-app.classpath)" dev.tributary.cdk.app.ExampleApp
