#!/usr/bin/env bash
# The README's first command: builds what it needs, then runs example 1 (click-window-sums) end to
# end on the local stack (DynamoDB, Kinesis via kinesis-local or Kafka, the local Lambda endpoint
# with the coordinator and operator functions, the event source mapping emulator), shows progress,
# checks the committed outputs against the in-memory reference run, prints a summary and stops
# everything it started (also on Ctrl-C and on failure). Exit code 0 when the outputs match.
#
# Options go to `tributary run` (see --help): --source kafka, --events N (default 20,000 on
# Kinesis, 100,000 on Kafka), --kafka-pollers N or MIN-MAX, --kafka-scaling-interval PT1M,
# --users N, --zipf S, --shards N, --slots N, --batch-size N, --parallelization-factor N,
# --fan-out lambda|in-process|auto, --data-dir DIR, --timeout PT15M.
# With AWS_ENDPOINT_URL pointing at a running LocalStack, the job is deployed there instead
# (Kinesis only); --embedded forces the embedded stack.
set -euo pipefail
# relative paths given as options (--data-dir, --log, ...) are the caller's, not the repository's
export TRIBUTARY_CALLER_DIR="$PWD"
cd "$(dirname "$0")/.."
help=false
for a in "$@"; do
  [[ "$a" == "--help" || "$a" == "-h" ]] && help=true
done
modules="cli"
if [[ -n "${AWS_ENDPOINT_URL:-}" && " $* " != *" --embedded "* ]]; then
  modules="cli,examples-lambda" # LocalStack mode deploys the shaded job jar
fi
# Maven 3.8 prints colour resets ("\e[0m") even in batch mode; they would garble the output
mvnq() { mvn -B -q -ntp "$@" 2>&1 | sed $'s/\e\\[0m//g'; }
# --help needs no local stack, and no build once one was made
if ! $help || [[ ! -d cli/target/classes ]]; then
  if ! $help; then
    echo "Installing kinesis-local (the local Kinesis) into .tools/node..."
    ./scripts/install-tools.sh kinesis-local
  fi
  echo "Building Tributary (first run downloads Maven dependencies)..."
  mvnq -pl "$modules" -am install -DskipTests -Dspotless.check.skip=true -Dexec.skip=true
fi
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvnq -pl cli dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
classpath="cli/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
trap - EXIT
# exec: the runner is this process, so Ctrl-C and a kill of this pid reach it, and it stops
# everything it started before it exits
exec java -Xmx3g -cp "$classpath" dev.tributary.cli.TributaryCli run "$@"
