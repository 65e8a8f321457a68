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
