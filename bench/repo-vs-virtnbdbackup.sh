#!/usr/bin/env bash
# Backpoint's repository backup against virtnbdbackup (Debian package virtnbdbackup) and
# `qemu-img convert`, all in one run on ONE libvirt domain (qemu:///system, no guest OS) with a
# 4 GiB qcow2 disk whose first DATA bytes are random. In order:
#   1. `qemu-img convert -t writeback -O qcow2` of the image while the domain is shut off
#      (ROUNDS times, the median): what the disk can deliver, the baseline of a full backup;
#   2. `backpoint -c qemu:///system backup DOM --repo R` (full), one repository per chunk size
#      in CHUNK_SIZES, then `virtnbdbackup -l full`;
#   3. 1% of the data changed by scattered 64 KiB guest writes (qemu-io through the monitor);
#   4. `backpoint backup` (incremental) into each repository, then `virtnbdbackup -l inc`;
#   5. the domain shut off, the newest point restored by `backpoint restore ... --output X.raw`,
#      by `virtnbdrestore` (it writes a qcow2 image: it restores into the disk's own format) and
#      by `qemu-img convert -O raw` of the image (the baseline of a restore); each compared with
#      the disk (qemu-img compare).
# Prints wall times, the ratios against the converts and against virtnbdbackup, and the
# incremental/full ratio, with the load average at each step (the machine may be shared).
#
# virtnbdbackup refuses to run while the domain has a checkpoint it did not create ("Foreign
# checkpoint found"). So before each of its runs the script removes the libvirt metadata of
# Backpoint's checkpoints (`checkpoint-delete --metadata`: the bitmaps stay in the image and keep
# tracking writes); Backpoint's next backup redefines its checkpoint from the copy saved in the
# snapshot, as it does after any loss of libvirt's metadata, and stays incremental (checked).
#
#   bench/repo-vs-virtnbdbackup.sh [WORKDIR]    (needs libvirtd: `sudo .ci/libvirtd start`;
#                                                ~4x DATA free in WORKDIR, default under $TMPDIR)
# Why an incremental costs what it does: it reads from the VM only the dirty bytes (the rest of a
# dirty chunk comes from the previous snapshot's chunk, read and checked), but hashes and stores
# every chunk a dirty byte falls in.
# W = DATA/100/64 KiB writes at random places among N = DATA/C chunks leave a chunk clean with
# probability (1 - 1/N)^W ~ exp(-W/N) = exp(-C/6.4 MiB), whatever DATA: with C = 4 MiB, 47% of the
# chunks are dirty (2 GiB: 236 of 512 with this seed, 944 MiB read for 20 MiB changed); 1 MiB:
# 15% (297 of 2048); 256 KiB: 4%; 64 KiB: 1%. virtnbdbackup reads and writes only the dirty extents.
#
# DATA (default 2G; a number with K/M/G), CHUNK_SIZES (default 4M; e.g. "4M 1M" to see how the
# chunk size drives an incremental's cost), ROUNDS (default 3), KEEP (keep the work directory),
# BACKPOINT_JAR (the CLI jar to test; default: built here), BASELINE_JAR (another build's jar,
# e.g. main's, timed beside it in the same run), SKIP_RESTORE (set: leave out step 5). Each backup
# runs with BACKPOINT_TIMINGS=1: its time per step (reading the VM, reading base chunks, hashing,
# compressing, storing; summed over chunks and threads) is printed under its line.
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_work vs-virtnbdbackup "${1:-}"
bench_jar
cd "$work"

uri=qemu:///system
dom=bp-bench-vnb-$$
disk=$((4 << 30))
data=$(numfmt --from=iec "${DATA:-2G}")
block=$((64 << 10))
changed=$((data / 100 / block))   # 1% of the data, in 64 KiB writes
chunk_sizes=${CHUNK_SIZES:-4M}
# Variants: one repository each, named by its chunk size, plus "C-baseline" (the first chunk
# size, backed up by BASELINE_JAR) when that is set: a change's effect measured in the same run.
variants=$chunk_sizes
if [ -n "${BASELINE_JAR:-}" ]; then
  cp "$BASELINE_JAR" "$work/baseline.jar"
  variants+=" ${chunk_sizes%% *}-baseline"
fi
rounds=${ROUNDS:-3}
bp() { java -jar "$jar" -c "$uri" "$@"; }
jar_of() { case "$1" in *-baseline) echo "$work/baseline.jar" ;; *) echo "$jar" ;; esac; }
stamp() { printf '%-44s %8.2f s   load %s\n' "$1" "$2" "$3"; }

virsh -q -c "$uri" list >/dev/null || { echo "error: libvirtd does not answer on $uri (sudo .ci/libvirtd start)" >&2; exit 1; }
command -v virtnbdbackup >/dev/null || { echo "error: virtnbdbackup is not installed (apt-get install virtnbdbackup)" >&2; exit 1; }

echo "== $work: $(numfmt --to=iec "$data") of random data in a 4 GiB qcow2 disk; $(nproc) cores, load $(load)"
random_image "$work/live.qcow2" "$data" "$disk"
type=qemu; [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && type=kvm
cat > dom.xml <<XML
<domain type='$type'><name>$dom</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$work/live.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
virsh -q -c "$uri" define dom.xml >/dev/null
on_exit quietly virsh -q -c "$uri" undefine "$dom" --checkpoints-metadata
on_exit quietly virsh -q -c "$uri" destroy "$dom"

echo "== baseline: qemu-img convert -t writeback -O qcow2 of the image (domain shut off), $rounds rounds"
cat live.qcow2 > /dev/null
times=()
for _ in $(seq "$rounds"); do
  times+=("$(elapsed qemu-img convert -t writeback -O qcow2 live.qcow2 copy.qcow2)"); rm -f copy.qcow2
done
convert=$(printf '%s\n' "${times[@]}" | median)
stamp "qemu-img convert (median of ${times[*]})" "$convert" "$(load)"
# A backup's chunks are on disk (fsynced) when it ends; a convert's output may still be in the
# page cache. The same convert followed by sync shows what durability costs here.
times=()
for _ in $(seq "$rounds"); do
  times+=("$(elapsed bash -c 'qemu-img convert -t writeback -O qcow2 live.qcow2 copy.qcow2 && sync copy.qcow2')")
  rm -f copy.qcow2
done
convert_sync=$(printf '%s\n' "${times[@]}" | median)
stamp "qemu-img convert + sync (median of ${times[*]})" "$convert_sync" "$(load)"

virsh -q -c "$uri" start "$dom" >/dev/null

# Backpoint's checkpoints out of libvirt's sight (metadata only), so virtnbdbackup runs.
hide_backpoint_checkpoints() {
  local c
  for c in $(virsh -q -c "$uri" checkpoint-list "$dom" --name); do
    case "$c" in bp-*) virsh -q -c "$uri" checkpoint-delete "$dom" "$c" --metadata >/dev/null ;; esac
  done
}
# backup NAME REPO MODE: one timed backpoint backup, checked to have taken the disk as MODE.
declare -A took
backup() {
  local t0 t
  t0=$(now)
  BACKPOINT_TIMINGS=1 java -jar "$(jar_of "$1")" -c "$uri" backup "$dom" --repo "$2" --json > "$1.json" 2> "$1.err" \
    || { cat "$1.err" >&2; exit 1; }
  t=$(echo "$(now) - $t0" | bc -l)
  grep -q "\"mode\" : \"$3\"" "$1.json" || { echo "error: $1 was not $3:" >&2; cat "$1.json" >&2; exit 1; }
  took[$1]=$t
  stamp "backpoint backup $1 ($(grep -oE '"bytesRead" : [0-9]+' "$1.json" | grep -oE '[0-9]+$') B read)" "$t" "$(load)"
  grep -h '^time per step' "$1.err" | sed 's/^/    /' || true
}
vnb() { # NAME LEVEL
  local t0
  t0=$(now)
  virtnbdbackup -d "$dom" -U "$uri" -l "$2" -o "$work/vnb" -n > "vnb-$1.log" 2>&1 \
    || { echo "error: virtnbdbackup -l $2 failed:" >&2; tail -20 "vnb-$1.log" >&2; exit 1; }
  took[vnb-$1]=$(echo "$(now) - $t0" | bc -l)
  stamp "virtnbdbackup -l $2" "${took[vnb-$1]}" "$(load)"
}

echo "== full backups"
for c in $variants; do
  bp repo-init "repo-$c" --chunk-size "${c%-baseline}" >/dev/null
  backup "full-$c" "repo-$c" full
done
hide_backpoint_checkpoints
vnb full full

echo "== $changed guest writes of 64 KiB at scattered offsets (1% of the data)"
n=0
while read -r off; do
  n=$((n + 1))
  virsh -q -c "$uri" qemu-monitor-command "$dom" --hmp \
    "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -q -P $((n % 255 + 1)) $off $block\"" >/dev/null
done < <(scattered_offsets "$changed" 42 "$data" "$block")

first_size=${chunk_sizes%% *}
echo "== incremental backups"
for c in $variants; do
  backup "inc-$c" "repo-$c" incremental
done
hide_backpoint_checkpoints
vnb inc inc

if [ -n "${SKIP_RESTORE:-}" ]; then
  echo "== results ($(numfmt --to=iec "$data") of data, $changed x 64 KiB changed; load now $(load))"
  for c in $variants; do
    echo "chunk size $c: incremental: backpoint inc/full $(ratio "${took[inc-$c]}" "${took[full-$c]}") (goal < 0.10), backpoint/virtnbdbackup $(ratio "${took[inc-$c]}" "${took[vnb-inc]}") (goal <= 0.33)"
  done
  if [ -n "${BASELINE_JAR:-}" ]; then
    echo "against BASELINE_JAR (chunk size $first_size): incremental $(ratio "${took[inc-$first_size]}" "${took[inc-$first_size-baseline]}")"
  fi
  exit 0
fi
echo "== restore of the newest point (domain shut off)"
virsh -q -c "$uri" destroy "$dom" >/dev/null
first=${chunk_sizes%% *}
times=()
for _ in $(seq "$rounds"); do
  rm -f conv.raw; times+=("$(elapsed qemu-img convert -t writeback -O raw live.qcow2 conv.raw)")
done
rconvert=$(printf '%s\n' "${times[@]}" | median)
stamp "qemu-img convert -O raw (median of ${times[*]})" "$rconvert" "$(load)"
qemu-img compare -q -f raw -F qcow2 conv.raw live.qcow2
rm -f conv.raw
rbp=$(elapsed bp restore --repo "repo-$first" "$dom:latest" --disk vda --output bp.raw)
stamp "backpoint restore (repo-$first) to raw" "$rbp" "$(load)"
qemu-img compare -q -f raw -F qcow2 bp.raw live.qcow2 || { echo "error: backpoint's restore differs from the disk" >&2; exit 1; }
rm -f bp.raw
mkdir vnb-restored
rvnb=$(elapsed virtnbdrestore -i "$work/vnb" -o "$work/vnb-restored" -n -L "$work/vnbrestore.log" 2>> "$work/vnbrestore.log")
stamp "virtnbdrestore (to qcow2)" "$rvnb" "$(load)"
qemu-img compare -q vnb-restored/live.qcow2 live.qcow2 || { echo "error: virtnbdrestore's output differs from the disk" >&2; exit 1; }
rm -rf vnb-restored
echo "every restore equals the disk (qemu-img compare)"

echo "== results ($(numfmt --to=iec "$data") of data, $changed x 64 KiB changed; load now $(load))"
for c in $variants; do
  echo "chunk size $c:"
  echo "  full:        backpoint/convert $(ratio "${took[full-$c]}" "$convert") (goal <= 1.3; against convert + sync $(ratio "${took[full-$c]}" "$convert_sync")), virtnbdbackup/convert $(ratio "${took[vnb-full]}" "$convert"), backpoint/virtnbdbackup $(ratio "${took[full-$c]}" "${took[vnb-full]}")"
  echo "  incremental: backpoint inc/full $(ratio "${took[inc-$c]}" "${took[full-$c]}") (goal < 0.10), virtnbdbackup inc/full $(ratio "${took[vnb-inc]}" "${took[vnb-full]}"), backpoint/virtnbdbackup $(ratio "${took[inc-$c]}" "${took[vnb-inc]}") (goal <= 0.33)"
done
echo "restore:       backpoint/convert $(ratio "$rbp" "$rconvert") (goal <= 1.5), virtnbdrestore/convert $(ratio "$rvnb" "$rconvert"), backpoint/virtnbdrestore $(ratio "$rbp" "$rvnb")"
if [ -n "${BASELINE_JAR:-}" ]; then
  echo "against BASELINE_JAR (chunk size $first): full $(ratio "${took[full-$first]}" "${took[full-$first-baseline]}"), incremental $(ratio "${took[inc-$first]}" "${took[inc-$first-baseline]}") (the baseline ran right after, on the same disk state)"
fi
