#!/usr/bin/env bash
# Latency of small operations, wall time as a user sees it (JVM start, lock, reconcile, QMP,
# waiting for the job), in one run:
#   full push  `backup-begin --wait` of a disk holding 256 MiB of data, with a checkpoint
#   inc 1%     `backup-begin --wait` of an incremental push after the guest changed 1% of that
#              data (64 KiB writes), with the next checkpoint
# for Backpoint ($BACKPOINT, default ./backpoint here) and, in the same run and on an identical
# domain, for each of:
#   $BASELINE  another Backpoint build (e.g. main's: git archive main | tar -x -C DIR; then
#              BASELINE=DIR/backpoint) -> ratio ours/baseline
#   libvirt    virsh + libvirtd (qemu:///system) when `virsh -c qemu:///system list` works:
#              `virsh backup-begin`, then `virsh domjobinfo` until the job is gone -> ratio
# Rounds alternate between the implementations so that load from others spreads evenly; medians
# are compared.
#
#   bench/small-ops.sh [WORKDIR]     ROUNDS (default 5); NO_LIBVIRT=1 skips virsh; KEEP=1 keeps
#                                    the temporary directory
. "$(dirname "$(readlink -f "$0")")/lib.sh"
baseline=${BASELINE:-}
rounds=${ROUNDS:-5}
bench_work small-ops "${1:-}"
vname="bpbench-$$"
libvirt=
if [ -z "${NO_LIBVIRT:-}" ] && timeout 10 virsh -c qemu:///system list >/dev/null 2>&1; then libvirt=1; fi

impls=(ours)
[ -n "$baseline" ] && impls+=(base)
[ -n "$libvirt" ] && impls+=(libvirt)

bp_of() { case $1 in ours) echo "$backpoint";; base) echo "$baseline";; esac; }
bp() { local impl=$1; shift; "$(bp_of "$impl")" -c "qemu:///embed?root=$work/$impl/state" "$@"; }
vsh() { virsh -q -c qemu:///system "$@"; }
# Registered before anything starts: a failing step (set -e) still stops every QEMU.
stop_all() {
  for impl in "${impls[@]}"; do
    if [ "$impl" = libvirt ]; then
      vsh destroy "$vname" >/dev/null 2>&1 || true
      vsh undefine "$vname" --checkpoints-metadata >/dev/null 2>&1 || true
    else
      bp "$impl" destroy bench >/dev/null 2>&1 || true
    fi
  done
}
on_exit stop_all

disk=$((512 << 20))
data=$((256 << 20))
chunk=$((64 << 10))
writes=$((data / 100 / chunk))   # 1% of the data, in 64 KiB writes
type=qemu; [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && type=kvm

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== preparing in $work: $((data >> 20)) MiB of data in a $((disk >> 20)) MiB disk; ${impls[*]}; domain type $type"
head -c "$data" /dev/urandom > "$work/data.raw"
truncate -s "$disk" "$work/data.raw"
for impl in "${impls[@]}"; do
  mkdir -p "$work/$impl/out"
  qemu-img convert -O qcow2 "$work/data.raw" "$work/$impl/live.qcow2"
  name=bench; [ "$impl" = libvirt ] && name=$vname
  cat > "$work/$impl/dom.xml" <<XML
<domain type='$type'><name>$name</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$work/$impl/live.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
  if [ "$impl" = libvirt ]; then
    vsh define "$work/$impl/dom.xml" >/dev/null
    vsh start "$vname" >/dev/null
  else
    bp "$impl" "define $work/$impl/dom.xml; start bench" >/dev/null
  fi
done
rm -f "$work/data.raw"

backup_xml() { # impl file target [incremental-from]
  local inc=""
  [ -n "${4:-}" ] && inc="<incremental>$4</incremental>"
  echo "<domainbackup>$inc<disks><disk name='vda' type='file'><target file='$work/$1/out/$3'/></disk></disks></domainbackup>" > "$2"
}
checkpoint_xml() { echo "<domaincheckpoint><name>$2</name><disks><disk name='vda'/></disks></domaincheckpoint>" > "$1"; }

guest_writes() { # impl round: 1% of the data, 64 KiB at a time, spread over the data
  local impl=$1 r=$2 cmds="" i off
  for ((i = 0; i < writes; i++)); do
    off=$(( (i * 97 + r * 13) % (data / chunk) * chunk ))
    cmds+="qemu-monitor-command DOM --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -q -P $(( (r + i) % 250 + 1 )) $off $chunk\"'"$'\n'
  done
  if [ "$impl" = libvirt ]; then
    printf '%s' "${cmds//DOM/$vname}" | virsh -q -c qemu:///system >/dev/null
  else
    printf '%s' "${cmds//DOM/bench}" | bp "$impl" >/dev/null
  fi
}

# One timed backup-begin that returns when the job has ended; prints seconds.
timed_backup() { # impl backup.xml checkpoint.xml
  local impl=$1 t0 t1
  if [ "$impl" = libvirt ]; then
    t0=$(now)
    vsh backup-begin "$vname" "$2" "$3" >/dev/null
    # Until virsh says no job runs (a virsh that fails under load does not end the wait).
    while ! vsh domjobinfo "$vname" 2>/dev/null | grep -q '^Job type: *None'; do :; done
    t1=$(now)
    local info
    info=$(vsh domjobinfo "$vname" --completed)
    grep -q '^Job type: *Completed' <<<"$info" || { echo "libvirt backup did not complete: $info" >&2; exit 1; }
  else
    t0=$(now)
    bp "$impl" backup-begin bench "$2" "$3" --wait >/dev/null
    t1=$(now)
  fi
  echo "$t1 - $t0" | bc
}

declare -A full inc
for ((r = 1; r <= rounds; r++)); do
  line="round $r:"
  for impl in "${impls[@]}"; do
    d=$work/$impl
    rm -f "$d"/out/*
    # The full push takes checkpoint f<r>; the incremental runs from it and takes i<r>.
    backup_xml "$impl" "$d/full.xml" "full-$r.qcow2"
    checkpoint_xml "$d/f.xml" "f$r"
    tf=$(timed_backup "$impl" "$d/full.xml" "$d/f.xml")
    guest_writes "$impl" "$r"
    backup_xml "$impl" "$d/inc.xml" "inc-$r.qcow2" "f$r"
    checkpoint_xml "$d/i.xml" "i$r"
    ti=$(timed_backup "$impl" "$d/inc.xml" "$d/i.xml")
    full[$impl]+="$tf "; inc[$impl]+="$ti "
    line+=" $impl full ${tf}s inc ${ti}s;"
  done
  echo "$line"
done

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
echo "== medians of $rounds rounds (wall seconds)"
for impl in "${impls[@]}"; do
  printf '%-8s full push %6.3f   incremental 1%% %6.3f\n' "$impl" "$(med "${full[$impl]}")" "$(med "${inc[$impl]}")"
done
for other in base libvirt; do
  [[ " ${impls[*]} " == *" $other "* ]] || continue
  printf 'ours/%s: full push %.2f   incremental 1%% %.2f\n' "$other" \
    "$(echo "$(med "${full[ours]}") / $(med "${full[$other]}")" | bc -l)" \
    "$(echo "$(med "${inc[ours]}") / $(med "${inc[$other]}")" | bc -l)"
done
