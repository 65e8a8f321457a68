#!/usr/bin/env bash
# What many checkpoints cost the guest: every checkpoint is one enabled persistent bitmap, and
# every guest write sets a bit in each of them. Measures write throughput with `qemu-img bench -w`
# (QEMU's own block layer, which loads the qcow2's persistent bitmaps and records into them) on
# the same image with 0, 10 and 100 bitmaps, and prints each case as a ratio to 0 bitmaps.
#
# Usage: bench/bitmap-write-cost.sh [SIZE_MIB=1024] [RUNS=3] [BLOCK=4096]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
size_mib=${1:-1024}
runs=${2:-3}
block=${3:-4096}
count=$(( size_mib * 1024 * 1024 / block ))
bench_work bitmap-write-cost

run_case() {
    local n=$1 img="$work/img-$1.qcow2"
    # Metadata preallocation: no cluster allocation during the run, so only the bitmaps differ.
    qemu-img create -q -f qcow2 -o preallocation=metadata "$img" "${size_mib}M"
    for i in $(seq 1 "$n"); do qemu-img bitmap --add -f qcow2 "$img" "cp$i"; done
    local times=()
    for r in $(seq 1 "$runs"); do
        # Sequential 4 KiB writes over the whole disk, queue depth 16.
        local out
        out=$(qemu-img bench -w -f qcow2 -c "$count" -d 16 -s "$block" -S "$block" -t writeback "$img" 2>&1)
        times+=("$(sed -n 's/.*Run completed in \([0-9.]*\) seconds.*/\1/p' <<<"$out")")
    done
    # After clean close every bitmap is consistent and holds the whole disk as dirty.
    local info
    info=$(qemu-img info --output=json "$img")
    if [ "$n" -gt 0 ] && grep -q '"in-use"' <<<"$info"; then echo "bitmap left in use" >&2; exit 1; fi
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

echo "qemu-img bench -w: ${size_mib} MiB, ${block}-byte writes, median of ${runs} runs"
base=$(run_case 0)
printf '%4s bitmaps: %8.3f s  %8.1f MiB/s  ratio 1.00\n' 0 "$base" "$(echo "$size_mib / $base" | bc -l)"
for n in 10 100; do
    t=$(run_case "$n")
    printf '%4s bitmaps: %8.3f s  %8.1f MiB/s  ratio %.2f\n' "$n" "$t" "$(echo "$size_mib / $t" | bc -l)" \
        "$(echo "$t / $base" | bc -l)"
done
