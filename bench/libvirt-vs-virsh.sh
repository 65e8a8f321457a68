#!/usr/bin/env bash
# The same work on the same libvirtd through backpoint and through virsh, in one run:
#  1. N checkpoint-create-as in one command string (one process each tool), then deleted;
#  2. one checkpoint-create-as per process (start-up included), 10 times;
#  3. a small incremental push backup (4 MiB written since the last checkpoint): backup-begin
#     until the job has ended (backpoint --wait; virsh polls domjobinfo), 5 times each.
# Needs a reachable libvirtd (sudo .ci/libvirtd start). Usage: bench/libvirt-vs-virsh.sh [N] (default 100).
# Reports, does not assert.
set -euo pipefail
n="${1:-100}"
here="$(cd "$(dirname "$0")/.." && pwd)"
uri=qemu:///system
dom=bp-bench
virsh -c "$uri" list >/dev/null 2>&1 || { echo "libvirtd not reachable at $uri (sudo .ci/libvirtd start)" >&2; exit 2; }
work=$(mktemp -d /tmp/bp-libvirt-bench.XXXXXX)
cleanup() { virsh -c "$uri" destroy "$dom" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
"$here/backpoint" -c test:///default "list --name" >/dev/null   # builds the jar if stale, outside the timing
qemu-img create -q -f qcow2 "$work/vda.qcow2" 256M
cat > "$work/dom.xml" <<XML
<domain type='qemu'><name>$dom</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><disk type='file' device='disk'>
<driver name='qemu' type='qcow2'/><source file='$work/vda.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
virsh -c "$uri" create "$work/dom.xml" >/dev/null
ms() { echo $(( $(date +%s%N) / 1000000 )); }
write() {
  virsh -c "$uri" qemu-monitor-command "$dom" --hmp \
    "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x$1 $2 4M\"" >/dev/null
}
ratio() { awk -v b="$2" -v v="$3" -v what="$1" 'BEGIN { printf "%-44s backpoint %7d ms  virsh %7d ms  ratio %.2f\n", what, b, v, b / v }'; }

# 1. N creates in one process.
cmds=""; for i in $(seq 1 "$n"); do cmds+="checkpoint-create-as $dom c$i; "; done
del="checkpoint-delete $dom c1 --children"
t=$(ms); "$here/backpoint" -c "$uri" "$cmds" >/dev/null; b=$(( $(ms) - t )); virsh -c "$uri" "$del" >/dev/null
t=$(ms); virsh -c "$uri" "$cmds" >/dev/null; v=$(( $(ms) - t )); virsh -c "$uri" "$del" >/dev/null
ratio "$n checkpoint-create-as, one process" "$b" "$v"

# 2. One create per process.
b=0; v=0
for i in $(seq 1 10); do
  t=$(ms); "$here/backpoint" -c "$uri" checkpoint-create-as "$dom" "p$i" >/dev/null; b=$(( b + $(ms) - t ))
  virsh -c "$uri" checkpoint-delete "$dom" "p$i" >/dev/null
  t=$(ms); virsh -c "$uri" checkpoint-create-as "$dom" "p$i" >/dev/null; v=$(( v + $(ms) - t ))
  virsh -c "$uri" checkpoint-delete "$dom" "p$i" >/dev/null
done
ratio "checkpoint-create-as, one process each (x10)" "$b" "$v"

# 3. Small incremental push backups: base checkpoint, 4 MiB written, backup-begin until done.
virsh -c "$uri" checkpoint-create-as "$dom" base >/dev/null
b=0; v=0
for i in $(seq 1 5); do
  for tool in backpoint virsh; do
    write "$i$i" "$(( i * 8 ))M"
    target="$work/inc-$tool-$i.qcow2"
    echo "<domainbackup><incremental>base</incremental><disks><disk name='vda' type='file'><target file='$target'/></disk></disks></domainbackup>" > "$work/inc.xml"
    t=$(ms)
    if [ "$tool" = backpoint ]; then
      "$here/backpoint" -c "$uri" backup-begin "$dom" "$work/inc.xml" --wait >/dev/null
      b=$(( b + $(ms) - t ))
    else
      virsh -c "$uri" backup-begin "$dom" "$work/inc.xml" >/dev/null
      until virsh -c "$uri" domjobinfo "$dom" | grep -q 'Job type: *None'; do sleep 0.05; done
      v=$(( v + $(ms) - t ))
    fi
    [ -s "$target" ] || { echo "no backup written by $tool" >&2; exit 1; }
  done
done
ratio "incremental push backup, 4 MiB changed (x5)" "$b" "$v"
