#!/usr/bin/env bash
# End-to-end records/s on the local stack: click-window-sums through the exactly-once pipeline vs an
# at-least-once baseline (the mapping invokes a coordinator that only counts) on the same emulators.
# Options go to EndToEndBenchmark: --source kinesis|kafka (kafka) --events N (50,000) --users N
# (1,000) --shards N (2) --batch-size N (500) --window-ms N (0) --fan-out lambda|in-process|auto
# (lambda) --runs N (3) --warmup N (1, not counted).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-tools.sh kinesis-local
mvn -B -q -ntp -pl benchmarks -am install -DskipTests -Dspotless.check.skip=true -Dexec.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
java -Xmx3g -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  dev.tributary.benchmarks.e2e.EndToEndBenchmark "$@"
