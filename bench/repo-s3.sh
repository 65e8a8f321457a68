#!/usr/bin/env bash
# The same backups and restore into the directory backend and into Ceph RGW on loopback, in one
# run, on a real QEMU (repo-backup.sh's set-up: random data in a qcow2 disk twice its size):
#   full backup, incremental after 1% of the data changed (scattered 64 KiB guest writes),
#   restore of the incremental's snapshot to raw (checked with qemu-img compare against the disk).
# Each step runs against the directory first and then against S3, on the same VM state. Prints
# the times, the ratios S3/directory (goals: full and restore <= 1.5, incremental <= 2), and the
# S3 requests each step made (counted in RGW's own access log, by method) per GiB moved.
#
#   bench/repo-s3.sh [WORKDIR]
# DATA (default 2G; 512M where TCG and a shared machine make 2 GiB too slow) is the random data;
# CHUNK_SIZE (default 4M) the repositories' chunk size. The S3 server: RGW_DIR, a directory
# started by `.ci/ceph-rgw start` (its env and log are read), or else one this script starts
# and stops (ports from BACKPOINT_CEPH_MON_PORT and BACKPOINT_RGW_PORT, as .ci/ceph-rgw says).
# BOTH_FILLS (set): a second S3 repository whose incremental takes the clean bytes of dirty chunks
# from the previous snapshot (BACKPOINT_BASE_FILL=always: one GET per dirty chunk), beside the
# first, which follows the per-store rule (object storage: dirty chunks read whole from the VM).
. "$(dirname "$0")/lib.sh"
bench_work repo-s3 "${1:-}"
cd "$work"

(cd "$here" && mvn -B -q -o -ntp package -Dmaven.test.skip=true -pl backpoint-cli -am) >&2
# A copy, so a build running meanwhile in the checkout cannot change the jar under the benchmark.
cp "$here/backpoint-cli/target/backpoint.jar" "$work/backpoint.jar"
uri="qemu:///embed?root=$work/state"
# The optimising compiler, as the launcher uses for backup and restore. A script, so that
# /usr/bin/time can run it.
printf '#!/bin/sh\nexec java -XX:+UseSerialGC -jar %q -c %q "$@"\n' "$work/backpoint.jar" "$uri" > bp
chmod +x bp
bp() { "$work/bp" "$@"; }

if [ -n "${RGW_DIR:-}" ]; then
  rgw=$RGW_DIR
else
  rgw=$work/rgw
  "$here/.ci/ceph-rgw" start "$rgw" >/dev/null
  on_exit "$here/.ci/ceph-rgw" stop "$rgw"
fi
. "$rgw/env"
log=$rgw/log/client.rgw.log
bucket="bench-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
curl -fsS --aws-sigv4 aws:amz:us-east-1:s3 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT "$AWS_ENDPOINT_URL/$bucket"
s3repo="s3://$bucket/bench"

size() { numfmt --from=iec "$1"; }
data=$(size "${DATA:-2G}")
disk=$((2 * data))
wsize=$((64 << 10))
changed=$((data / 100 / wsize))   # 1% of the data, in 64 KiB writes
now() { date +%s.%N; }
gib() { echo "scale=3; $1 / 1073741824" | bc; }

echo "== preparing in $work: $(numfmt --to=iec "$data") of random data in a $(numfmt --to=iec "$disk") disk ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
head -c "$data" /dev/urandom > data.raw
truncate -s "$disk" data.raw
qemu-img convert -O qcow2 data.raw live.qcow2
rm -f data.raw
type=qemu; [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && type=kvm
cat > dom.xml <<XML
<domain type='$type'><name>bench</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='$work/live.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
bp define dom.xml >/dev/null
bp start bench >/dev/null
stop_domain "$uri" bench
bp repo-init dir-repo --chunk-size "${CHUNK_SIZE:-4M}" >/dev/null
bp repo-init "$s3repo" --chunk-size "${CHUNK_SIZE:-4M}" >/dev/null
[ -z "${BOTH_FILLS:-}" ] || bp repo-init "$s3repo-fill" --chunk-size "${CHUNK_SIZE:-4M}" >/dev/null

# requests FROM: RGW's access lines after line FROM of its log, counted by method.
lines() { wc -l < "$log"; }
requests() {
  { tail -n +"$(($1 + 1))" "$log" | grep -oE 'beast: .*"(GET|PUT|HEAD|POST|DELETE) ' || true; } \
    | { grep -oE '(GET|PUT|HEAD|POST|DELETE) $' || true; } | sort | uniq -c \
    | awk '{printf "%s%s %s", sep, $2, $1; sep=", "; n+=$1} END {printf " = %d\n", n}'
}
# latency FROM: per method, mean latency of RGW's requests after line FROM, and how many were
# in flight on average over WALL seconds (the sum of latencies over the wall time).
latency() {
  { tail -n +"$(($1 + 1))" "$log" | grep -E 'beast: .*"(GET|PUT|HEAD) .*latency=' || true; } \
    | sed -E 's/.*"(GET|PUT|HEAD) .*latency=([0-9.]+)s.*/\1 \2/' \
    | awk -v wall="$2" '{n[$1]++; t[$1]+=$2; all+=$2} END {for (m in n) printf "%s %.1f ms, ", m, 1000*t[m]/n[m]; printf "in flight %.1f\n", all/wall}'
}
# cpu PIDFILE: CPU seconds (user + sys) a daemon has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$(cat "$1")/stat"; }
total() { echo "$1" | grep -oE '= [0-9]+$' | grep -oE '[0-9]+'; }
# timed NAME CMD...: runs CMD, sets t_NAME (seconds) and, for S3 steps, r_NAME (request counts).
timed() {
  local name=$1 t0 start rgw0 osd0 wall; shift
  start=$(lines); rgw0=$(cpu "$rgw/run/rgw.pid"); osd0=$(cpu "$rgw/run/osd.pid")
  t0=$(now); /usr/bin/time -f '%U %S' -o "$work/cpu.txt" "$@"; wall=$(echo "$(now) - $t0" | bc)
  eval "t_$name=$wall"
  eval "r_$name=\$(requests $start)"
  eval "p_$name=\"client CPU $(awk '{print $1 + $2}' "$work/cpu.txt") s, RGW CPU $(echo "$(cpu "$rgw/run/rgw.pid") - $rgw0" | bc) s, OSD CPU $(echo "$(cpu "$rgw/run/osd.pid") - $osd0" | bc) s; $(latency "$start" "$wall")\""
}
field() { grep -oE "\"$2\" : [0-9]+" "$1" | grep -oE '[0-9]+$' | paste -sd+ | bc; }

echo "== full backups"
timed full_dir ./bp backup bench --repo dir-repo --json > full-dir.json
timed full_s3 ./bp backup bench --repo "$s3repo" --json > full-s3.json
[ -z "${BOTH_FILLS:-}" ] || timed full_s3fill ./bp backup bench --repo "$s3repo-fill" --json > full-s3fill.json

guest_writes() { # N SEED: N writes of 64 KiB at random 64 KiB-aligned offsets in the data area
  local n=$1 batch="" i off
  RANDOM=$2
  for ((i = 0; i < n; i++)); do
    off=$(( ((RANDOM << 15 | RANDOM) % (data / wsize)) * wsize ))
    batch+="qemu-monitor-command bench --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -q -P $((i % 255 + 1)) $off $wsize\"';"
    if (( (i + 1) % 500 == 0 )); then bp "$batch" >/dev/null; batch=""; fi
  done
  [ -z "$batch" ] || bp "$batch" >/dev/null
}
echo "== $changed guest writes of 64 KiB (1%), then incremental backups"
guest_writes "$changed" 42
timed inc_dir ./bp backup bench --repo dir-repo --json > inc-dir.json
timed inc_s3 ./bp backup bench --repo "$s3repo" --json > inc-s3.json
if [ -n "${BOTH_FILLS:-}" ]; then
  timed inc_s3fill env BACKPOINT_BASE_FILL=always ./bp backup bench --repo "$s3repo-fill" --json > inc-s3fill.json
  grep -q '"mode" : "incremental"' inc-s3fill.json
fi
grep -q '"mode" : "incremental"' inc-dir.json && grep -q '"mode" : "incremental"' inc-s3.json

echo "== restores of the incremental snapshot to raw"
timed restore_dir ./bp restore --repo dir-repo bench:latest --disk vda --output dir.raw >/dev/null
timed restore_s3 ./bp restore --repo "$s3repo" bench:latest --disk vda --output s3.raw >/dev/null
bp destroy bench >/dev/null
qemu-img compare -q -f raw -F qcow2 dir.raw live.qcow2
qemu-img compare -q -f raw -F qcow2 s3.raw live.qcow2
echo "both restores equal the disk"

full_read=$(field full-s3.json bytesRead); inc_read=$(field inc-s3.json bytesRead)
echo "== results ($(numfmt --to=iec "$data") of data, chunk ${CHUNK_SIZE:-4M}, load now $(cut -d' ' -f1-3 /proc/loadavg))"
row() { # NAME GOAL GIB
  local d s r
  d=$(eval echo "\$t_${1}_dir"); s=$(eval echo "\$t_${1}_s3"); r=$(eval echo "\$r_${1}_s3")
  printf '%-12s dir %7.2f s   s3 %7.2f s   ratio %.2f (goal <= %s)\n' "$1" "$d" "$s" "$(echo "$s / $d" | bc -l)" "$2"
  printf '%-12s S3 requests: %s; %.0f per GiB of the %s GiB moved\n' "" "$r" "$(echo "$(total "$r") / $3" | bc -l)" "$3"
  printf '%-12s dir: %s\n' "" "$(eval echo "\$p_${1}_dir" | sed 's/;.*//')"
  printf '%-12s s3:  %s\n' "" "$(eval echo "\$p_${1}_s3")"
}
row full 1.5 "$(gib "$full_read")"
row inc 2 "$(gib "$inc_read")"
row restore 1.5 "$(gib "$data")"
echo "bytes read: full $full_read, incremental $inc_read"
if [ -n "${BOTH_FILLS:-}" ]; then
  printf 'inc, S3, clean bytes from the base chunks: %7.2f s (ratio to the S3 incremental reading dirty chunks whole %.2f), %s B read from the VM\n' \
    "$t_inc_s3fill" "$(echo "$t_inc_s3fill / $t_inc_s3" | bc -l)" "$(field inc-s3fill.json bytesRead)"
  printf '%-12s S3 requests: %s\n%-12s %s\n' "" "$r_inc_s3fill" "" "$p_inc_s3fill"
fi
