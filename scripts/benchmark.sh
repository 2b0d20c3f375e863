#!/usr/bin/env bash
# Throughput of Tributary's in-memory executor side by side with Flink's MiniCluster (parallelism 1),
# in one JVM run on the same generated input. Options are passed to FlinkComparison:
#   --events N (default 5000000)  --runs N (default 3)  --only a,b,c,d
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl benchmarks -am install -DskipTests -Dspotless.check.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
opens=$(grep -o -- '--add-opens=[^ <]*' pom.xml | tr '\n' ' ')
# shellcheck disable=SC2086
exec java -Xmx4g $opens -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  dev.tributary.benchmarks.FlinkComparison "$@"
