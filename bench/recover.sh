#!/usr/bin/env bash
# Instant recovery figures on a real QEMU: a snapshot of a VM whose disk holds DATA_MIB of random
# data (default 1024) in a SIZE_GIB disk (default 4).
#  (1) Time from the `recover` command to a running VM (the command returns once QEMU runs the
#      domain from overlays over the served snapshot): should not grow with the disk size.
#  (2) The background copy (`recover --wait`, from the first call's return to the end) against
#      `restore --repo` of the same snapshot to a raw file, in the same run: the ratio.
# The recovered disk is then compared with the restore (qemu-img compare).
#
#   bench/recover.sh [WORKDIR]     (default: a new directory under ${TMPDIR:-/tmp})
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
size_gib=${SIZE_GIB:-4}
data_mib=${DATA_MIB:-1024}
bench_work recover "${1:-}"
cd "$work"
uri="qemu:///embed?root=$work/state"
bp() { "$backpoint" -c "$uri" "$@"; }
stop_domain "$uri" bench
stop_domain "$uri" rec
on_exit _stop_serve "$work/rec/serve.json"
_stop_serve() { [ -f "$1" ] && kill "$(sed -n 's/.*"pid" : \([0-9]*\).*/\1/p' "$1")" 2>/dev/null; }
now() { date +%s.%N; }

echo "== preparing in $work: $data_mib MiB of random data in a $size_gib GiB disk, one full backup"
head -c "$((data_mib << 20))" /dev/urandom > data.raw
truncate -s "$((size_gib << 30))" data.raw
qemu-img convert -O qcow2 data.raw vda.qcow2
rm -f data.raw
cat > bench.xml <<XML
<domain type='qemu'><name>bench</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$work/vda.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
bp "define bench.xml; start bench" >/dev/null
"$backpoint" repo-init repo >/dev/null
bp backup bench --repo repo >/dev/null
bp destroy bench >/dev/null
"$backpoint" -c "$uri" help >/dev/null   # the jar is built and its class archive dumped before timing

echo "== recover (returns once the VM runs), then the background copy"
t0=$(now)
bp recover --repo repo latest --as rec --output-dir rec >/dev/null
t1=$(now)
state=$(bp domstate rec | head -1)
bp recover --repo repo latest --as rec --output-dir rec --wait >/dev/null 2>&1
t2=$(now)
bp destroy rec >/dev/null

echo "== restore --repo of the same snapshot"
t3=$(now)
"$backpoint" restore --repo repo latest --disk vda --output restored.raw >/dev/null
t4=$(now)
qemu-img compare -q -f qcow2 -F raw rec/rec-vda.qcow2 restored.raw && echo "recovered disk equals the restore"

running=$(echo "$t1 - $t0" | bc)
copy=$(echo "$t2 - $t1" | bc)
restore=$(echo "$t4 - $t3" | bc)
echo "command to running VM ($state): $running s; background copy: $copy s; restore --repo: $restore s;" \
  "copy/restore: $(echo "scale=2; $copy / $restore" | bc)"
