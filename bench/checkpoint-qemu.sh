#!/usr/bin/env bash
# Checkpoint costs on a real QEMU: creation latency with 1/10/100/1000 existing checkpoints and
# the time to list 1,000, through the Java API (bench/README.md explains how to read them);
# then the CLI's end-to-end time for checkpoint-list with 1,000 checkpoints.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
mvn -B -q -ntp -Dstyle.color=never package -DskipTests -pl backpoint-bench -am >&2
root="$(mktemp -d /tmp/bp-ckpt-bench.XXXXXX)"
trap 'rm -rf "$root"' EXIT
java -cp backpoint-bench/target/benchmarks.jar io.backpoint.bench.QemuCheckpointBench "$root"
uri="qemu:///embed?root=$root/state"
./backpoint -c "$uri" "start bench" >/dev/null
start=$(date +%s%N)
./backpoint -c "$uri" "checkpoint-list bench" | wc -l
end=$(date +%s%N)
echo "CLI checkpoint-list with 1000 checkpoints (JVM start included): $(( (end - start) / 1000000 )) ms"
./backpoint -c "$uri" "destroy bench" >/dev/null
