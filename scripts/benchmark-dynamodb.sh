#!/usr/bin/env bash
# Tributary's embedded DynamoDB endpoint (in this JVM) side by side with dynalite (a node child process)
# in one run, through the AWS SDK v2 sync client over loopback. Installs dynalite into .tools/node first.
# Options are passed to DynamoDbEndpointBenchmark:
#   --seconds N (default 10, per measurement)  --warmup N (default 5)  --threads N (default 4)
#   --preload N (default 10000 items for GetItem)  --dynalite DIR
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-tools.sh dynalite
mvn -B -q -ntp -pl benchmarks -am install -DskipTests -Dspotless.check.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
# not exec: the EXIT trap removes the classpath file, and the benchmark stops dynalite itself
java -Xmx2g -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  dev.tributary.benchmarks.dynamodb.DynamoDbEndpointBenchmark "$@"
