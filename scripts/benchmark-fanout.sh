#!/usr/bin/env bash
# Coordinator latency per batch with the slots in process and through Lambda Invoke (the local
# runtime's Invoke endpoint), for growing batches: where the in-process policy stops paying off.
#   --batches N (default 12 per size)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl benchmarks -am install -DskipTests -Dspotless.check.skip=true -Dexec.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
exec java -Xmx2g -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  dev.tributary.benchmarks.fanout.FanOutBenchmark "$@"
