#!/usr/bin/env bash
# Serve benchmark: `backpoint serve` of a repository snapshot against `qemu-nbd -r` serving the
# restored raw file of the same snapshot, in the same run, read by the same clients:
#   random 4 KiB reads one at a time (NbdReadBench: p50/p99 latency), cold (64 MiB cache, a
#   fresh server) and warm (cache larger than the disk, after a full pass);
#   sequential: NbdReadBench (2 MiB reads, 8 in flight) and `nbdcopy URI null:` of the disk.
# The disk: 1 GiB, 256 MiB random + 256 MiB compressible text + 512 MiB zero; 4 MiB chunks.
# Prints each figure and the ratio serve/qemu-nbd.
#
#   bench/serve.sh [WORKDIR]      (needs ~3 GiB)    ROUNDS (default 3): nbdcopy repetitions
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
rounds=${ROUNDS:-3}
reads=${READS:-2000}
bench_work serve "${1:-}"
(cd "$here" && mvn -B -q -o package -Dmaven.test.skip=true -pl backpoint-bench,backpoint-cli -am) >&2
cli=(java -jar "$here/backpoint-cli/target/backpoint.jar")
benchcp="$here/backpoint-bench/target/benchmarks.jar"
cd "$work"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
await_socket() { for _ in $(seq 600); do [ -S "$1" ] && return 0; sleep 0.1; done; echo "no socket $1" >&2; return 1; }
field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

echo "making the disk and the repository in $work" >&2
head -c $((256 << 20)) /dev/urandom > disk.raw
(set +o pipefail; yes "backpoint serve benchmark line of text" | head -c $((256 << 20))) >> disk.raw
truncate -s 1G disk.raw
"${cli[@]}" repo-init repo >/dev/null
java -cp "$benchcp" io.backpoint.bench.RepoWriteBench repo disk.raw vm1 >/dev/null
"${cli[@]}" restore --repo repo vm1:latest --disk vda --output restored.raw >/dev/null
cmp disk.raw restored.raw

serve() { # SOCKET CACHE
  "${cli[@]}" serve --repo repo vm1:latest --socket "$1" --cache "$2" >serve.log 2>&1 &
  echo $! > serve.pid
  on_exit kill "$(cat serve.pid)"
  await_socket "$1"
}
stop_serve() { kill "$(cat serve.pid)"; wait "$(cat serve.pid)" 2>/dev/null || true; }
qnbd() { # SOCKET
  qemu-nbd -r -f raw -x vda -t --socket "$1" restored.raw &
  echo $! > qnbd.pid
  on_exit kill "$(cat qnbd.pid)"
  await_socket "$1"
}
stop_qnbd() { kill "$(cat qnbd.pid)"; wait "$(cat qnbd.pid)" 2>/dev/null || true; rm -f "$1"; }
rb() { java -cp "$benchcp" io.backpoint.bench.NbdReadBench "$1" vda "$reads" 42 > "$2"; }

serve s.sock 64M; rb s.sock serve-cold.txt; stop_serve
serve s.sock 2G; rb s.sock serve-first.txt; rb s.sock serve-warm.txt
sc=(); for r in $(seq "$rounds"); do t0=$(now); nbdcopy "nbd+unix:///vda?socket=$work/s.sock" null:; sc+=("$(echo "$(now) - $t0" | bc -l)"); done
stop_serve
serve s.sock 64M
scc=(); for r in $(seq "$rounds"); do t0=$(now); nbdcopy "nbd+unix:///vda?socket=$work/s.sock" null:; scc+=("$(echo "$(now) - $t0" | bc -l)"); done
stop_serve
qnbd "$work/q.sock"; rb q.sock qnbd-first.txt; rb q.sock qnbd-warm.txt
qc=(); for r in $(seq "$rounds"); do t0=$(now); nbdcopy "nbd+unix:///vda?socket=$work/q.sock" null:; qc+=("$(echo "$(now) - $t0" | bc -l)"); done
stop_qnbd "$work/q.sock"

ratio() { echo "scale=2; $1 / $2" | bc -l; }
q50=$(field random4k_p50_us qnbd-warm.txt); q99=$(field random4k_p99_us qnbd-warm.txt)
printf 'random 4 KiB read, QD1 (us)        p50     p99\n'
printf '  qemu-nbd (raw file, page cache) %6s  %6s\n' "$q50" "$q99"
for f in serve-cold serve-warm; do
  printf '  serve %-26s %6s  %6s   ratio p50 %s\n' "${f#serve-}" "$(field random4k_p50_us $f.txt)" \
    "$(field random4k_p99_us $f.txt)" "$(ratio "$(field random4k_p50_us $f.txt)" "$q50")"
done
qs=$(field sequential_mib_s qnbd-warm.txt)
printf 'sequential, 2 MiB x 8 in flight (MiB/s): qemu-nbd %s, serve first pass %s (ratio %s), serve warm %s (ratio %s)\n' \
  "$qs" "$(field sequential_mib_s serve-first.txt)" "$(ratio "$(field sequential_mib_s serve-first.txt)" "$qs")" \
  "$(field sequential_mib_s serve-warm.txt)" "$(ratio "$(field sequential_mib_s serve-warm.txt)" "$qs")"
q=$(printf '%s\n' "${qc[@]}" | median); s=$(printf '%s\n' "${sc[@]}" | median); s2=$(printf '%s\n' "${scc[@]}" | median)
printf 'nbdcopy of 1 GiB to null: (s): qemu-nbd %.2f, serve 64M cache %.2f (ratio %s), serve warm 2G cache %.2f (ratio %s)\n' \
  "$q" "$s2" "$(ratio "$s2" "$q")" "$s" "$(ratio "$s" "$q")"
