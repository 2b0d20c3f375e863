#!/usr/bin/env bash
# Write units the exactly-once commit protocol spends per record against the floor, and the commits
# per second it sustains, on the embedded DynamoDB endpoint. Options go to CommitCostBenchmark:
#   --records N (default 20000 per workload)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl benchmarks -am install -DskipTests -Dspotless.check.skip=true -Dexec.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
exec java -Xmx2g -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  dev.tributary.benchmarks.state.CommitCostBenchmark "$@"
