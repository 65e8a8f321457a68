# Shared preamble of the bench/ scripts: source it first (". "$(dirname "$0")/lib.sh"").
# It gives every script the same root, one temp prefix, and one exit trap, so a failing step
# (set -e) still stops the QEMU it started and removes what it made.
#
#   here            the repository root
#   backpoint       the command to run (BACKPOINT, default ./backpoint at the root)
#   bench_work NAME [DIR]   sets work: DIR (kept), or a new ${TMPDIR:-/tmp}/backpoint-bench-NAME.XXXXXX
#                   (removed at exit unless KEEP is set)
#   on_exit CMD...  runs CMD at exit, last registered first, whatever happened
#   stop_domain URI NAME    at exit, destroys the domain (QEMU quits) if it still runs
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
backpoint=${BACKPOINT:-$here/backpoint}

_bench_exit=()
on_exit() {
  _bench_exit=("$(printf '%q ' "$@")" "${_bench_exit[@]}")
}
_bench_cleanup() {
  local status=$? cmd
  for cmd in "${_bench_exit[@]}"; do
    eval "$cmd" || true
  done
  return $status
}
trap _bench_cleanup EXIT

bench_work() {
  local name=$1
  if [ -n "${2:-}" ]; then
    mkdir -p "$2"
    work=$(cd "$2" && pwd)
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/backpoint-bench-$name.XXXXXX")
    if [ -z "${KEEP:-}" ]; then on_exit rm -rf "$work"; fi
  fi
}

stop_domain() {
  on_exit _bench_destroy "$1" "$2"
}
_bench_destroy() {
  "$backpoint" -c "$1" "destroy $2" >/dev/null 2>&1 || true
}

# Timing helpers: now (seconds since the epoch, with fractions), elapsed CMD... (wall seconds of
# CMD, its output thrown away), median (of the numbers on stdin), ratio A B (A/B, 2 decimals),
# load (the 1/5/15-minute load averages: on a shared machine every figure needs it), quietly CMD...
# (CMD with no output: for clean-ups that may find nothing to do).
now() { date +%s.%N; }
elapsed() { local t0; t0=$(now); "$@" >/dev/null; echo "$(now) - $t0" | bc -l; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
quietly() { "$@" >/dev/null 2>&1; }

# bench_jar: the CLI's shaded jar (BACKPOINT_JAR, or built here) copied into $work, so a build
# running meanwhile in the checkout cannot change it under the benchmark; sets jar. Call after
# bench_work. The JVM then runs with its default (C2) compiler, as a long backup would be run,
# not the launcher's quick-start flags.
bench_jar() {
  local built=${BACKPOINT_JAR:-$here/backpoint-cli/target/backpoint.jar}
  if [ -z "${BACKPOINT_JAR:-}" ]; then
    (cd "$here" && mvn -B -q -o -ntp package -Dmaven.test.skip=true -pl backpoint-cli -am) >&2
  fi
  cp "$built" "$work/backpoint.jar"
  jar=$work/backpoint.jar
}

# random_image FILE DATA DISK: a qcow2 image of DISK bytes whose first DATA bytes are random.
random_image() {
  head -c "$2" /dev/urandom > "$1.data"
  truncate -s "$3" "$1.data"
  qemu-img convert -O qcow2 "$1.data" "$1"
  rm -f "$1.data"
}

# scattered_offsets N SEED SPAN BLOCK: N BLOCK-aligned offsets below SPAN, one a line, the same
# for the same seed (so two runs change the same places).
scattered_offsets() {
  local n=$1 span=$3 block=$4 i
  RANDOM=$2
  for ((i = 0; i < n; i++)); do
    echo $(( ((RANDOM << 15 | RANDOM) % (span / block)) * block ))
  done
}
