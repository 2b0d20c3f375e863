#!/usr/bin/env bash
# Cold start of the operator and coordinator functions: fresh JVMs on the shaded function jar
# (examples-lambda) with Lambda's JVM flags, against the embedded DynamoDB endpoint.
#   --runs N (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl benchmarks,examples-lambda -am install -DskipTests -Dspotless.check.skip=true -Dexec.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
exec java -Xmx1g -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  dev.tributary.benchmarks.coldstart.ColdStartBenchmark \
  examples-lambda/target/tributary-examples-lambda.jar benchmarks/target/classes "$@"
