#!/usr/bin/env bash
# Builds what it needs and runs example 1 (click-window-sums) on the in-memory executor over
# generated clicks, checks the totals against a plain-Java count and prints results and throughput.
# Options go to the example: --events N --users N --zipf S --seed N
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Building the SDK and the examples (first run downloads Maven dependencies)..."
# Maven 3.8 prints colour resets ("\e[0m") even in batch mode; they would garble the output
mvnq() { mvn -B -q -ntp "$@" 2>&1 | sed $'s/\e\\[0m//g'; }
mvnq -pl examples -am install -DskipTests -Dspotless.check.skip=true
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvnq -pl examples dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
# not exec: the EXIT trap removes the classpath file
java -cp "examples/target/classes:$(cat "$cp_file")" \
  dev.tributary.examples.clicks.ClickWindowSumsMain "$@"
