#!/usr/bin/env bash
# Throughput of the repository's full paths, a build against a baseline build in the same run, on
# the daemonless driver (no libvirtd needed): a 4 GiB qcow2 disk whose first DATA bytes are random,
# on a running domain (TCG or KVM). In order:
#   1. baselines: `qemu-img convert -t writeback -O qcow2` of the image, the same + sync, and
#      `qemu-img convert -O raw` (+ sync): what a full backup and a restore are measured against;
#   2. ROUNDS rounds, each alternating the builds (baseline first in odd rounds, second in even
#      ones, so a load change does not favour one): a full `backup --repo` into a new repository,
#      `restore ... --output X.raw` of it (compared with the disk by qemu-img compare once per
#      build), `verify`;
#   3. per step: wall seconds, the JVM's CPU seconds (user+sys) and QEMU's (it serves NBD), so
#      the CPU split is visible, and for verify the stored MiB per wall and per CPU second.
#
#   bench/repo-throughput.sh [WORKDIR]     (~4x DATA free; default: a new dir under ${TMPDIR:-/tmp})
#
# DATA (default 2G), CHUNK_SIZE (default 4M), ROUNDS (default 2), BACKPOINT_JAR (the build to
# test; default built here), BASELINE_JAR (a second build, e.g. main's; optional), XMX (default
# 256m: every backpoint JVM runs with this heap limit), JFR=DIR (record a JFR profile of each
# step of the tested build into DIR), KEEP (keep the work directory), COLD=1 (drop the page cache,
# as root, before every timed step and baseline: the repository writes its chunks past the page
# cache, so without it a restore reads from disk what the converts read from memory).
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_work repo-throughput "${1:-}"
bench_jar
cd "$work"
uri="qemu:///embed?root=$work/state"
disk=$((4 << 30))
data=$(numfmt --from=iec "${DATA:-2G}")
rounds=${ROUNDS:-2}
builds=new
if [ -n "${BASELINE_JAR:-}" ]; then cp "$BASELINE_JAR" baseline.jar; builds="baseline new"; fi
jar_of() { if [ "$1" = baseline ]; then echo "$work/baseline.jar"; else echo "$jar"; fi; }
bp() { java -jar "$jar" -c "$uri" "$@"; }
on_exit quietly bp destroy tp

# cpu PID: user+sys seconds the process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
declare -A wall jvm qemu
cold() { if [ -n "${COLD:-}" ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }
# run BUILD STEP ARGS...: one timed backpoint command; records wall, JVM CPU and QEMU CPU.
run() {
  local build=$1 step=$2 q0 q1 jfr=()
  shift 2
  if [ -n "${JFR:-}" ] && [ "$build" = new ]; then
    mkdir -p "$JFR"; jfr=("-XX:StartFlightRecording=filename=$JFR/$step.jfr,settings=profile")
  fi
  cold
  q0=$(cpu "$qpid")
  /usr/bin/time -f '%e %U %S' -o time.out java "-Xmx${XMX:-256m}" "${jfr[@]}" -jar "$(jar_of "$build")" \
    -c "$uri" "$@" > "$step-$build.out" 2> "$step-$build.err" || { cat "$step-$build.err" >&2; exit 1; }
  q1=$(cpu "$qpid")
  read -r w u s < time.out
  wall[$build-$step]="${wall[$build-$step]:-} $w"
  jvm[$build-$step]="${jvm[$build-$step]:-} $(echo "$u + $s" | bc -l)"
  qemu[$build-$step]="${qemu[$build-$step]:-} $(echo "$q1 - $q0" | bc -l)"
  printf '%-9s %-8s %7.2f s wall  JVM %6.2f s CPU  QEMU %6.2f s CPU   load %s\n' "$build" "$step" "$w" \
    "$(echo "$u + $s" | bc -l)" "$(echo "$q1 - $q0" | bc -l)" "$(load)"
}

echo "== $work: $(numfmt --to=iec "$data") of random data in a 4 GiB qcow2 disk; $(nproc) cores, load $(load)"
random_image "$work/live.qcow2" "$data" "$disk"
cat live.qcow2 > /dev/null
type=qemu; [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && type=kvm
cat > dom.xml <<XML
<domain type='$type'><name>tp</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$work/live.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML

echo "== baselines (domain shut off)"
cold; t=$(elapsed qemu-img convert -t writeback -O qcow2 live.qcow2 copy.qcow2); rm -f copy.qcow2
printf '%-40s %7.2f s   load %s\n' "qemu-img convert -O qcow2" "$t" "$(load)"; convert=$t
cold; t=$(elapsed bash -c 'qemu-img convert -t writeback -O qcow2 live.qcow2 copy.qcow2 && sync copy.qcow2'); rm -f copy.qcow2
printf '%-40s %7.2f s   load %s\n' "qemu-img convert -O qcow2 + sync" "$t" "$(load)"; convert_sync=$t
cold; t=$(elapsed qemu-img convert -t writeback -O raw live.qcow2 conv.raw); rm -f conv.raw
printf '%-40s %7.2f s   load %s\n' "qemu-img convert -O raw" "$t" "$(load)"; rconvert=$t
cold; t=$(elapsed bash -c 'qemu-img convert -t writeback -O raw live.qcow2 conv.raw && sync conv.raw'); rm -f conv.raw
printf '%-40s %7.2f s   load %s\n' "qemu-img convert -O raw + sync" "$t" "$(load)"; rconvert_sync=$t

bp define dom.xml >/dev/null
bp start tp >/dev/null
qpid=$(cat "$work"/state/run/tp/tp.pid 2>/dev/null || true)
[ -n "$qpid" ] && [ -r "/proc/$qpid/stat" ] || { echo "error: cannot find QEMU's pid" >&2; exit 1; }

declare -A compared
for r in $(seq "$rounds"); do
  order=$builds
  if (( r % 2 == 0 )); then order=$(echo "$builds" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  echo "== round $r"
  for b in $order; do
    rm -rf "repo-$b" "out-$b.raw"
    bp repo-init "repo-$b" --chunk-size "${CHUNK_SIZE:-4M}" >/dev/null
    run "$b" backup backup tp --repo "repo-$b" --full
    run "$b" restore restore --repo "repo-$b" tp:latest --disk vda --output "out-$b.raw"
    if [ -z "${compared[$b]:-}" ]; then
      qemu-img compare -U -q -f raw -F qcow2 "out-$b.raw" live.qcow2 \
        || { echo "error: the restore of $b differs from the disk" >&2; exit 1; }
      compared[$b]=1
    fi
    rm -f "out-$b.raw"
    run "$b" verify verify --repo "repo-$b"
  done
done

stored=$(du -sm --apparent-size repo-new/chunks 2>/dev/null | cut -f1)
echo "== results (medians of $rounds rounds; load now $(load); restores equal the disk)"
med() { echo "$1" | tr ' ' '\n' | grep . | median; }
for b in $builds; do
  fb=$(med "${wall[$b-backup]}"); fr=$(med "${wall[$b-restore]}"); fv=$(med "${wall[$b-verify]}")
  cv=$(med "${jvm[$b-verify]}")
  echo "$b: backup ${fb} s (JVM $(med "${jvm[$b-backup]}") s CPU, QEMU $(med "${qemu[$b-backup]}") s CPU)," \
    "/convert $(ratio "$fb" "$convert"), /convert+sync $(ratio "$fb" "$convert_sync");" \
    "restore ${fr} s, /convert-raw $(ratio "$fr" "$rconvert"), /convert-raw+sync $(ratio "$fr" "$rconvert_sync");" \
    "verify ${fv} s, $(echo "$stored / $fv" | bc) MiB/s, $(echo "$stored / $cv" | bc) MiB per CPU-s"
done
if [ "$builds" = "baseline new" ]; then
  echo "new/baseline: backup $(ratio "$(med "${wall[new-backup]}")" "$(med "${wall[baseline-backup]}")")," \
    "restore $(ratio "$(med "${wall[new-restore]}")" "$(med "${wall[baseline-restore]}")")," \
    "verify $(ratio "$(med "${wall[new-verify]}")" "$(med "${wall[baseline-verify]}")")"
fi
