#!/usr/bin/env bash
# Wall time of one backpoint run creating N checkpoints on test:///default (one command string
# of N checkpoint-create-as commands) against the same string through virsh, in the same run.
# Usage: bench/cli-create-vs-virsh.sh [N]   (default 1000). Reports, does not assert.
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
n="${1:-1000}"
command -v virsh >/dev/null || { echo "virsh not installed" >&2; exit 2; }
cmds=""
for i in $(seq 1 "$n"); do cmds+="checkpoint-create-as test c$i; "; done
cmds+="checkpoint-list test --name --leaves"
"$backpoint" -c test:///default "list --name" >/dev/null   # builds the jar if stale, outside the timing
time_of() {
  local start end
  start=$(date +%s%N)
  "$@" >/tmp/cli-bench.$$.out 2>&1 || { echo "failed: $1" >&2; cat /tmp/cli-bench.$$.out >&2; exit 1; }
  end=$(date +%s%N)
  grep -q "^c$n\$" /tmp/cli-bench.$$.out || { echo "$1 did not create c$n" >&2; exit 1; }
  echo $(( (end - start) / 1000000 ))
}
b=$(time_of "$backpoint" -c test:///default "$cmds")
v=$(time_of virsh -c test:///default "$cmds")
rm -f /tmp/cli-bench.$$.out
echo "checkpoints: $n"
echo "backpoint: ${b} ms"
echo "virsh:     ${v} ms"
awk -v b="$b" -v v="$v" 'BEGIN { printf "ratio backpoint/virsh: %.3f (target < 0.1)\n", b / v }'
