#!/usr/bin/env bash
# Checkpoint costs on a real QEMU: creation latency with 1/10/100/1000 existing checkpoints and
# the time to list 1,000, through the Java API (QemuCheckpointBench prints what each figure is);
# then the CLI's end-to-end time for checkpoint-list with 1,000 checkpoints.
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
cd "$here"
mvn -B -q -ntp -Dstyle.color=never package -DskipTests -pl backpoint-bench -am >&2
bench_work checkpoint
root=$work
uri="qemu:///embed?root=$root/state"
# The Java step starts the domain too: whatever fails from here on, QEMU is stopped at exit.
stop_domain "$uri" bench
java -cp backpoint-bench/target/benchmarks.jar io.backpoint.bench.QemuCheckpointBench "$root"
"$backpoint" -c "$uri" "start bench" >/dev/null
start=$(date +%s%N)
"$backpoint" -c "$uri" "checkpoint-list bench" | wc -l
end=$(date +%s%N)
echo "CLI checkpoint-list with 1000 checkpoints (JVM start included): $(( (end - start) / 1000000 )) ms"
"$backpoint" -c "$uri" "destroy bench" >/dev/null
