#!/usr/bin/env bash
# Restore benchmark: a 4 GiB disk holding 2 GiB of data, a full push backup (qcow2) and one
# incremental with 1% of the data changed. Times `qemu-img convert -O raw` of the full backup
# (the baseline: the least any restore must do) against `backpoint restore` of full +
# incremental to raw, in the same run, and prints the ratio. Target: ratio <= 1.5.
# backpoint restore syncs its output before giving it its name; plain qemu-img convert does
# not (its output may still be in the page cache), so a second baseline adds `sync FILE` to
# it, and the ratio against that one is printed too.
#
#   bench/restore.sh [WORKDIR]     (default: a new directory under ${TMPDIR:-/tmp}; needs ~7 GiB)
#
# ROUNDS (default 3) sets the repetitions; the median of each is compared. BACKPOINT names the
# command to run (default: ./backpoint beside this directory).
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
rounds=${ROUNDS:-3}
bench_work restore "${1:-}"
cd "$work"
rm -f live.qcow2 full.qcow2 full.qcow2.json inc.qcow2 inc.qcow2.json base.raw out.raw data.raw

disk=$((4 << 30))
data=$((2 << 30))
chunk=$((64 << 10))
changed=$((data / 100 / chunk))   # 1% of the data, in 64 KiB clusters

json_record() { # file mode checkpoint incremental backing
  local inc=null back=null
  [ "$4" != - ] && inc="\"$4\""
  [ "$5" != - ] && back="\"$5\""
  cat > "$1.json" <<JSON
{"version":1,"domain":"bench","disk":"vda","mode":"$2","checkpoint":"$3","incremental":$inc,
 "virtualSize":$disk,"format":"qcow2","created":$(date +%s),"backingFile":$back}
JSON
}

echo "== preparing in $work: 2 GiB of random data in a 4 GiB disk"
head -c "$data" /dev/urandom > data.raw
truncate -s "$disk" data.raw
qemu-img convert -O qcow2 data.raw live.qcow2
rm -f data.raw

echo "== full backup (qcow2), then $changed changed 64 KiB clusters (1%) and an incremental"
qemu-img convert -O qcow2 live.qcow2 full.qcow2
json_record full.qcow2 full c1 - -
qemu-img create -q -f qcow2 -b "$work/live.qcow2" -F qcow2 inc.qcow2 "$disk"
# What a push incremental does: the guest's writes land on the live disk, then the changed
# clusters are copied into a qcow2 backed by the live disk.
cmds=()
RANDOM=42
for ((i = 0; i < changed; i++)); do
  off=$(( ((RANDOM << 15 | RANDOM) % (data / chunk)) * chunk ))
  cmds+=(-c "write -q -P $((i % 255 + 1)) $off $chunk")
done
qemu-io -f qcow2 "${cmds[@]}" live.qcow2 >/dev/null
qemu-io -f qcow2 "${cmds[@]}" inc.qcow2 >/dev/null
json_record inc.qcow2 incremental c2 c1 "$work/live.qcow2"
qemu-img info --output=json inc.qcow2 | grep -E '"(actual-size|virtual-size)"' | tr -d ' ,' | tr '\n' ' '; echo

# Both commands read the backups from the page cache after the first round.
cat full.qcow2 inc.qcow2 > /dev/null
base_times=()
synced_times=()
restore_times=()
for ((r = 1; r <= rounds; r++)); do
  t0=$(now); qemu-img convert -O raw full.qcow2 base.raw; t1=$(now)
  base_times+=("$(echo "$t1 - $t0" | bc)")
  rm -f base.raw
  t0=$(now); qemu-img convert -O raw full.qcow2 base.raw; sync base.raw; t1=$(now)
  synced_times+=("$(echo "$t1 - $t0" | bc)")
  rm -f base.raw
  t0=$(now); "$backpoint" restore --output out.raw full.qcow2 inc.qcow2 >/dev/null; t1=$(now)
  restore_times+=("$(echo "$t1 - $t0" | bc)")
  [ "$r" -lt "$rounds" ] && rm -f out.raw
  echo "round $r: qemu-img convert ${base_times[-1]} s, with sync ${synced_times[-1]} s," \
    "backpoint restore ${restore_times[-1]} s"
done

echo "== checking the restored disk against the live disk"
qemu-img compare -q -f raw -F qcow2 out.raw live.qcow2 && echo "restored disk equals the live disk"
base=$(printf '%s\n' "${base_times[@]}" | median)
synced=$(printf '%s\n' "${synced_times[@]}" | median)
rest=$(printf '%s\n' "${restore_times[@]}" | median)
echo "median: qemu-img convert of the full backup ${base} s (${synced} s with sync)," \
  "restore of full + incremental ${rest} s"
echo "ratio: $(echo "scale=2; $rest / $base" | bc) (target <= 1.5);" \
  "against convert + sync: $(echo "scale=2; $rest / $synced" | bc)"
rm -f out.raw
if [ -n "$ours" ] && [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi
