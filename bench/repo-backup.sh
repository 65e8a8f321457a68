#!/usr/bin/env bash
# Repository backup benchmark on a real QEMU: a 4 GiB qcow2 disk holding 2 GiB of random data.
#  (1) `backpoint backup --full` into a new repository against `qemu-img convert -t writeback
#      -O qcow2` of the same image, in the same run (what the disk can deliver). Both are timed
#      end to end (the backup includes JVM start-up, the pull backup's set-up and tear-down, and
#      the commit). Goal: ratio <= 1.3.
#  (2) An incremental backup after the guest changed 1% of the data in scattered 64 KiB writes,
#      against the full backup. Goal: < 10% of the full's time.
#  (3) A second domain whose disk is a copy of the first, backed up into the same repository:
#      bytes newly stored against its size. Goal: < 1%.
#  (4) Peak heap: the full backup runs with -Xmx256m (it fails if it needs more) and a GC log;
#      the largest heap occupancy before a collection is reported.
# The snapshots are then checked against the disk (restore + qemu-img compare).
#
#   bench/repo-backup.sh [WORKDIR]     (default: a new directory under ${TMPDIR:-/tmp}; needs ~12 GiB)
# CHUNK_SIZE (default 4M) is the repository's chunk size: an incremental reads every chunk any
# dirty byte falls in, so scattered small writes read far more than they changed with big chunks.
#
# The JVM runs with its default (C2) compiler, not the launcher's quick-start flags, as a
# long-running backup would be run; BACKPOINT_JAR names the shaded jar (default: built here).
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_work repo-backup "${1:-}"
bench_jar
cd "$work"
uri="qemu:///embed?root=$work/state"
bp() { java -jar "$jar" -c "$uri" "$@"; }
on_exit quietly bp destroy bench2
on_exit quietly bp destroy bench

disk=$((4 << 30))
data=$((2 << 30))
chunk=$((64 << 10))
changed=$((data / 100 / chunk))   # 1% of the data, in 64 KiB writes

echo "== preparing in $work: 2 GiB of random data in a 4 GiB disk ($(nproc) cores, load $(load))"
rm -rf state repo ./*.qcow2 ./*.raw ./*.xml ./*.log
random_image "$work/live.qcow2" "$data" "$disk"
type=qemu; [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && type=kvm
domxml() { # name image
  cat <<XML
<domain type='$type'><name>$1</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
}
domxml bench "$work/live.qcow2" > dom.xml
bp define dom.xml >/dev/null
bp start bench >/dev/null
bp repo-init repo --chunk-size "${CHUNK_SIZE:-4M}" >/dev/null
cat live.qcow2 > /dev/null

echo "== baseline: qemu-img convert -t writeback of the same image"
t0=$(now); qemu-img convert -U -t writeback -O qcow2 live.qcow2 copy.qcow2; t1=$(now)
base=$(echo "$t1 - $t0" | bc); rm -f copy.qcow2
echo "qemu-img convert: $base s"

echo "== full backup (-Xmx256m, GC log)"
t0=$(now)
java -Xmx256m -Xlog:gc:file=full-gc.log -jar "$jar" -c "$uri" backup bench --repo repo --json > full.json
t1=$(now)
full=$(echo "$t1 - $t0" | bc)
peak=$(grep -oE '[0-9]+M->[0-9]+M' full-gc.log | sed 's/M->.*//' | sort -n | tail -1)
echo "full backup: $full s; peak heap before a collection: ${peak:-n/a} MiB (limit 256 MiB)"

# guest_writes N SEED: N writes of 64 KiB at random 64 KiB-aligned offsets in the data area.
guest_writes() {
  local batch="" i=0 off
  while read -r off; do
    i=$((i + 1))
    batch+="qemu-monitor-command bench --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -q -P $((i % 255 + 1)) $off $chunk\"';"
    if (( i % 500 == 0 )); then bp "$batch" >/dev/null; batch=""; fi
  done < <(scattered_offsets "$1" "$2" "$data" "$chunk")
  [ -z "$batch" ] || bp "$batch" >/dev/null
}
echo "== $changed guest writes of 64 KiB (1%), then an incremental backup"
guest_writes "$changed" 42
t0=$(now); bp backup bench --repo repo --json > inc.json; t1=$(now)
inc=$(echo "$t1 - $t0" | bc)
inc_read=$(grep -oE '"bytesRead" : [0-9]+' inc.json | grep -oE '[0-9]+$')
echo "incremental backup: $inc s, read $inc_read bytes"

echo "== a second domain on a copy of the disk, into the same repository"
bp destroy bench >/dev/null
cp --sparse=always live.qcow2 copy2.qcow2
domxml bench2 "$work/copy2.qcow2" > dom2.xml
bp define dom2.xml >/dev/null
bp start bench2 >/dev/null
bp backup bench2 --repo repo --json > copy.json
copy_stored=$(grep -oE '"bytesStored" : [0-9]+' copy.json | grep -oE '[0-9]+$')
copy_read=$(grep -oE '"bytesRead" : [0-9]+' copy.json | grep -oE '[0-9]+$')
bp destroy bench2 >/dev/null

echo "== checking the snapshots against the disk"
bp restore --repo repo bench:latest --disk vda --output restored.raw >/dev/null
qemu-img compare -q -f raw -F qcow2 restored.raw live.qcow2 && echo "latest snapshot of bench equals the disk"
rm -f restored.raw
bp verify --repo repo >/dev/null && echo "verify: every chunk intact"

echo "== results"
echo "full backup ratio: $full s / $base s = $(echo "scale=2; $full / $base" | bc) (goal <= 1.3)"
echo "incremental (1% changed): $inc s / $full s = $(echo "scale=3; $inc / $full" | bc) (goal < 0.1)"
echo "copy of the disk: stored $copy_stored of $copy_read bytes read = $(echo "scale=5; $copy_stored / $copy_read" | bc) (goal < 0.01)"
echo "peak heap: ${peak:-n/a} MiB before a collection, under -Xmx256m"
