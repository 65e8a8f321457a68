#!/usr/bin/env bash
# Throughput of a FULL pull copy with Backpoint's NbdCopier, against qemu-img convert and
# nbdcopy on the same image in the same run. Reports, asserts nothing.
#
#   bench/nbd-copy.sh [SIZE_MIB] [RUNS]      (default 1024 MiB, 3 runs; best run is reported)
#   IN_FLIGHT=N CHUNK=BYTES bench/nbd-copy.sh  (NbdCopier settings; defaults 64 x 256 KiB)
#
# The source is a qcow2 of SIZE_MIB with every other MiB written (~50% data). Every copy
# lands in a fresh qcow2. NBD copies go unix socket to unix socket, both served by qemu-nbd.
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

SIZE_MIB=${1:-1024}
RUNS=${2:-3}
ROOT=$here
bench_work nbd-copy
WORK=$work
PIDS=()
stop_servers() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
}
on_exit stop_servers

for t in qemu-img qemu-io qemu-nbd nbdcopy java mvn; do
    command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }
done

(cd "$ROOT" && mvn -B -q -ntp -Dstyle.color=never -pl backpoint-nbd test-compile)
CP="$ROOT/backpoint-nbd/target/classes:$ROOT/backpoint-nbd/target/test-classes"

SRC=$WORK/src.qcow2
qemu-img create -q -f qcow2 "$SRC" "${SIZE_MIB}M"
CMDS=()
for ((i = 0; i < SIZE_MIB; i += 2)); do CMDS+=(-c "write -P $(( (i / 2) % 255 + 1 )) ${i}M 1M"); done
qemu-io -f qcow2 "${CMDS[@]}" "$SRC" >/dev/null
DATA_MIB=$(( SIZE_MIB / 2 ))

now() { date +%s%N; }
mibs() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f", b / (ns / 1e9) }'; }

# serve IMAGE SOCKET [qemu-nbd options...]: starts qemu-nbd, waits for its pid file.
serve() {
    local img=$1 sock=$2; shift 2
    rm -f "$sock" "$sock.pid"
    qemu-nbd --format=qcow2 --persistent --shared=4 --pid-file="$sock.pid" --socket="$sock" "$@" "$img" &
    PIDS+=($!)
    for _ in $(seq 1000); do [ -s "$sock.pid" ] && return 0; sleep 0.01; done
    echo "qemu-nbd did not start" >&2; exit 1
}
stop_all() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    PIDS=()
}

best_convert=0 best_nbdcopy=0 best_java=0 best_java_inner=0
for ((run = 1; run <= RUNS; run++)); do
    # qemu-img convert, file to file (no NBD): the design's baseline.
    rm -f "$WORK/c.qcow2"
    t0=$(now); qemu-img convert -f qcow2 -O qcow2 "$SRC" "$WORK/c.qcow2"; t1=$(now)
    r=$(mibs "$DATA_MIB" $((t1 - t0))); echo "run $run qemu-img convert (file->qcow2): $r MiB/s"
    best_convert=$(awk -v a="$best_convert" -v b="$r" 'BEGIN { print (b > a) ? b : a }')

    # nbdcopy, NBD to NBD; --flush because NbdCopier flushes the destination too.
    rm -f "$WORK/n.qcow2"; qemu-img create -q -f qcow2 "$WORK/n.qcow2" "${SIZE_MIB}M"
    serve "$SRC" "$WORK/s.sock" --read-only; serve "$WORK/n.qcow2" "$WORK/d.sock"
    t0=$(now)
    nbdcopy --flush --destination-is-zero "nbd+unix:///?socket=$WORK/s.sock" "nbd+unix:///?socket=$WORK/d.sock"
    t1=$(now); stop_all
    r=$(mibs "$DATA_MIB" $((t1 - t0))); echo "run $run nbdcopy (nbd->nbd): $r MiB/s"
    best_nbdcopy=$(awk -v a="$best_nbdcopy" -v b="$r" 'BEGIN { print (b > a) ? b : a }')

    # Backpoint NbdCopier, NBD to NBD (wall time includes JVM start; inner = copy only).
    rm -f "$WORK/j.qcow2"; qemu-img create -q -f qcow2 "$WORK/j.qcow2" "${SIZE_MIB}M"
    serve "$SRC" "$WORK/s.sock" --read-only; serve "$WORK/j.qcow2" "$WORK/d.sock"
    t0=$(now)
    out=$(java -cp "$CP" io.backpoint.nbd.NbdCopyBench "$WORK/s.sock" "$WORK/d.sock" ${IN_FLIGHT:+"$IN_FLIGHT"} ${CHUNK:+"$CHUNK"})
    t1=$(now); stop_all
    r=$(mibs "$DATA_MIB" $((t1 - t0))); inner=${out##*mib_per_s=}
    echo "run $run backpoint NbdCopier (nbd->nbd): $r MiB/s wall, $inner MiB/s copy only"
    best_java=$(awk -v a="$best_java" -v b="$r" 'BEGIN { print (b > a) ? b : a }')
    best_java_inner=$(awk -v a="$best_java_inner" -v b="$inner" 'BEGIN { print (b > a) ? b : a }')
    qemu-img compare -q -f qcow2 -F qcow2 "$SRC" "$WORK/j.qcow2" || { echo "copy differs from source!" >&2; exit 1; }
done

echo "---"
echo "image: ${SIZE_MIB} MiB qcow2, ${DATA_MIB} MiB data; best of $RUNS runs, MiB/s of data"
echo "qemu-img convert      $best_convert"
echo "nbdcopy               $best_nbdcopy"
echo "NbdCopier (wall)      $best_java   ratio to nbdcopy $(awk -v a="$best_java" -v b="$best_nbdcopy" 'BEGIN { printf "%.2f", a / b }')"
echo "NbdCopier (copy only) $best_java_inner   ratio to nbdcopy $(awk -v a="$best_java_inner" -v b="$best_nbdcopy" 'BEGIN { printf "%.2f", a / b }')"
