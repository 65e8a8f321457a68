#!/usr/bin/env bash
# Backup benchmark on a real QEMU: a 4 GiB disk holding 2 GiB of random data.
#  (1) Full push backup (qcow2) against `qemu-img convert -O qcow2` of the same image, in the
#      same run (the baseline: what the disk can deliver). The backup's time is the job's own
#      "Time elapsed" (domjobinfo --completed), so JVM start-up and polling do not count; QEMU
#      flushes the target when it detaches it, so a second baseline adds `sync FILE`.
#      Target: ratio <= 1.5 against convert + sync.
#  (2) Incremental push backup after the guest changed 1% of the data in 64 KiB writes: its time
#      and target size against the full one's. Target: both well under 10% of the full's.
# Then the full + incremental are checked to rebuild the disk (qemu-img compare).
#
#   bench/backup.sh [WORKDIR]     (default: a new directory under ${TMPDIR:-/tmp}; needs ~9 GiB)
#
# ROUNDS (default 3) repeats the full backup and the baseline; medians are compared. BACKPOINT
# names the command to run (default: ./backpoint beside this directory).
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
rounds=${ROUNDS:-3}
bench_work backup "${1:-}"
cd "$work"
uri="qemu:///embed?root=$work/state"
bp() { "$backpoint" -c "$uri" "$@"; }
stop_domain "$uri" bench

disk=$((4 << 30))
data=$((2 << 30))
chunk=$((64 << 10))
changed=$((data / 100 / chunk))   # 1% of the data, in 64 KiB clusters

elapsed_ms() { bp domjobinfo bench --completed --keep-completed | awk '/^Time elapsed:/ {print $3}'; }
job_type() { bp domjobinfo bench --completed --keep-completed | awk -F': *' '/^Job type:/ {print $2}' | tr -d ' '; }
push_xml() { # file target [incremental-from]
  local inc=""
  [ -n "${3:-}" ] && inc="<incremental>$3</incremental>"
  echo "<domainbackup>$inc<disks><disk name='vda' type='file'><target file='$work/$2'/></disk></disks></domainbackup>" > "$1"
}

echo "== preparing in $work: 2 GiB of random data in a 4 GiB disk"
rm -rf state live.qcow2 ./*.qcow2 ./*.json ./*.xml
head -c "$data" /dev/urandom > data.raw
truncate -s "$disk" data.raw
qemu-img convert -O qcow2 data.raw live.qcow2
rm -f data.raw
type=qemu; [ -r /dev/kvm ] && [ -w /dev/kvm ] && type=kvm
cat > dom.xml <<XML
<domain type='$type'><name>bench</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$work/live.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
bp define dom.xml >/dev/null
bp start bench >/dev/null

cat live.qcow2 > /dev/null
base_times=(); synced_times=(); full_times=()
for ((r = 1; r <= rounds; r++)); do
  t0=$(now); qemu-img convert -U -O qcow2 live.qcow2 copy.qcow2; t1=$(now)
  base_times+=("$(echo "$t1 - $t0" | bc)"); rm -f copy.qcow2
  t0=$(now); qemu-img convert -U -O qcow2 live.qcow2 copy.qcow2; sync copy.qcow2; t1=$(now)
  synced_times+=("$(echo "$t1 - $t0" | bc)"); rm -f copy.qcow2
  push_xml full.xml "full-$r.qcow2"
  bp backup-begin bench full.xml --wait >/dev/null
  [ "$(job_type)" = Completed ] || { echo "full backup round $r did not complete"; exit 1; }
  full_times+=("$(echo "scale=3; $(elapsed_ms) / 1000" | bc)")
  rm -f "full-$r.qcow2" "full-$r.qcow2.json"
  echo "round $r: qemu-img convert ${base_times[-1]} s, with sync ${synced_times[-1]} s," \
    "full backup job ${full_times[-1]} s"
done

echo "== full backup with checkpoint c1, $changed guest writes of 64 KiB (1%), incremental with c2"
push_xml full.xml full.qcow2
echo "<domaincheckpoint><name>c1</name></domaincheckpoint>" > c1.xml
bp backup-begin bench full.xml c1.xml --wait >/dev/null
full_ms=$(elapsed_ms)
# guest_writes N SEED: N writes of 64 KiB at random cluster offsets in the data area.
guest_writes() {
  local n=$1 batch="" i off
  RANDOM=$2
  for ((i = 0; i < n; i++)); do
    off=$(( ((RANDOM << 15 | RANDOM) % (data / chunk)) * chunk ))
    batch+="qemu-monitor-command bench --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -q -P $((i % 255 + 1)) $off $chunk\"';"
    if (( (i + 1) % 500 == 0 )); then bp "$batch" >/dev/null; batch=""; fi
  done
  [ -z "$batch" ] || bp "$batch" >/dev/null
}
guest_writes "$changed" 42
push_xml inc.xml inc.qcow2 c1
echo "<domaincheckpoint><name>c2</name></domaincheckpoint>" > c2.xml
bp backup-begin bench inc.xml c2.xml --wait >/dev/null
inc_ms=$(elapsed_ms)
full_size=$(stat -c %s full.qcow2)
inc_size=$(stat -c %s inc.qcow2)

echo "== $((changed * 10)) guest writes of 64 KiB (10%), incremental since c2 with c3"
guest_writes $((changed * 10)) 4242
push_xml inc10.xml inc10.qcow2 c2
echo "<domaincheckpoint><name>c3</name></domaincheckpoint>" > c3.xml
bp backup-begin bench inc10.xml c3.xml --wait >/dev/null
inc10_ms=$(elapsed_ms)
inc10_size=$(stat -c %s inc10.qcow2)

echo "== checking that full + both incrementals rebuild the disk (backpoint restore)"
bp destroy bench >/dev/null
"$backpoint" restore --output restored.raw full.qcow2 inc.qcow2 inc10.qcow2 >/dev/null
qemu-img compare -q -f raw -F qcow2 restored.raw live.qcow2 && echo "full + incrementals equal the disk"

base=$(printf '%s\n' "${base_times[@]}" | median)
synced=$(printf '%s\n' "${synced_times[@]}" | median)
full=$(printf '%s\n' "${full_times[@]}" | median)
echo "median: qemu-img convert ${base} s (${synced} s with sync), full backup job ${full} s"
echo "full backup ratio: $(echo "scale=2; $full / $base" | bc) against convert," \
  "$(echo "scale=2; $full / $synced" | bc) against convert + sync (target <= 1.5)"
echo "incremental (1% changed): ${inc_ms} ms vs full ${full_ms} ms = $(echo "scale=3; $inc_ms / $full_ms" | bc);" \
  "target ${inc_size} B vs ${full_size} B = $(echo "scale=3; $inc_size / $full_size" | bc)"
echo "incremental (10% changed): ${inc10_ms} ms vs full ${full_ms} ms = $(echo "scale=3; $inc10_ms / $full_ms" | bc);" \
  "target ${inc10_size} B vs ${full_size} B = $(echo "scale=3; $inc10_size / $full_size" | bc)"
