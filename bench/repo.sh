#!/usr/bin/env bash
# Repository benchmark, all in one run on the same 2 GiB random-data raw image:
#   write:   the chunk write path (read, SHA-256, zstd attempt, store with fsync; 4 MiB chunks)
#            vs `qemu-img convert -t writeback` of the image (and the same followed by sync)
#   restore: `backpoint restore --repo` to raw (every chunk re-hashed, output fsynced)
#            vs the same convert baselines
#   verify:  `backpoint verify` throughput in MiB/s of stored data (target >= 500)
#   heap:    restore of a 4 GiB disk (the 2 GiB of data + 2 GiB of holes) with -Xmx256m
# Prints each median and the ratios.
#
#   bench/repo.sh [WORKDIR]      (default: a new directory under ${TMPDIR:-/tmp}; needs ~9 GiB)
# ROUNDS (default 3) sets the repetitions.
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
rounds=${ROUNDS:-3}
bench_work repo "${1:-}"

(cd "$here" && mvn -B -q -o package -Dmaven.test.skip=true -pl backpoint-bench,backpoint-cli -am) >&2
cli=(java -jar "$here/backpoint-cli/target/backpoint.jar")
bench=(java -cp "$here/backpoint-bench/target/benchmarks.jar" io.backpoint.bench.RepoWriteBench)

# CPU seconds (user + sys) of a command: on a machine shared with other work, wall time
# measures the neighbours too; CPU time is what the command itself costs.
cpu() { /usr/bin/time -f '%U %S' -o cpu.txt "$@" >/dev/null; awk '{print $1 + $2}' cpu.txt; }

cd "$work"
echo "making a 2 GiB random image in $work" >&2
head -c $((2 << 30)) /dev/urandom > image.raw
cp --sparse=always image.raw disk4g.raw && truncate -s 4G disk4g.raw

convert=(); convert_sync=(); write=(); restore=(); verify=(); cconv=(); cwrite=(); crestore=(); cverify=()
for r in $(seq "$rounds"); do
  rm -rf repo copy.raw out.raw
  convert+=("$(elapsed qemu-img convert -q -t writeback -f raw -O raw image.raw copy.raw)"); rm -f copy.raw
  convert_sync+=("$(elapsed bash -c 'qemu-img convert -q -t writeback -f raw -O raw image.raw copy.raw && sync copy.raw')")
  rm -f copy.raw
  "${cli[@]}" repo-init repo >/dev/null
  write+=("$(elapsed "${bench[@]}" repo image.raw vm1)")
  restore+=("$(elapsed "${cli[@]}" restore --repo repo vm1:latest --disk vda --output out.raw)")
  cmp image.raw out.raw
  verify+=("$(elapsed "${cli[@]}" verify --repo repo)")
  rm -f copy.raw
  cconv+=("$(cpu qemu-img convert -q -t writeback -f raw -O raw image.raw copy.raw)"); rm -f copy.raw
  crestore+=("$(cpu "${cli[@]}" restore --repo repo vm1:latest --disk vda --output out2.raw)"); rm -f out2.raw
  cverify+=("$(cpu "${cli[@]}" verify --repo repo)")
  rm -rf repo2; "${cli[@]}" repo-init repo2 >/dev/null
  cwrite+=("$(cpu "${bench[@]}" repo2 image.raw vm1)"); rm -rf repo2
done
stored=$(du -sb repo/chunks | cut -f1)
c=$(printf '%s\n' "${convert[@]}" | median); cs=$(printf '%s\n' "${convert_sync[@]}" | median)
w=$(printf '%s\n' "${write[@]}" | median); rs=$(printf '%s\n' "${restore[@]}" | median)
v=$(printf '%s\n' "${verify[@]}" | median)
printf 'qemu-img convert           %6.2f s\n' "$c"
printf 'qemu-img convert + sync    %6.2f s\n' "$cs"
printf 'chunk write path           %6.2f s   ratio %.2f (vs convert+sync %.2f)\n' "$w" "$(echo "$w/$c" | bc -l)" "$(echo "$w/$cs" | bc -l)"
printf 'restore to raw             %6.2f s   ratio %.2f (vs convert+sync %.2f)\n' "$rs" "$(echo "$rs/$c" | bc -l)" "$(echo "$rs/$cs" | bc -l)"
printf 'verify                     %6.2f s   %.0f MiB/s of stored data (%d bytes)\n' "$v" "$(echo "$stored/1048576/$v" | bc -l)" "$stored"

cc=$(printf '%s\n' "${cconv[@]}" | median); cw=$(printf '%s\n' "${cwrite[@]}" | median)
cr=$(printf '%s\n' "${crestore[@]}" | median); cv=$(printf '%s\n' "${cverify[@]}" | median)
printf 'CPU seconds (user+sys): convert %.2f, write path %.2f (ratio %.2f), restore %.2f (ratio %.2f), verify %.2f (%.0f MiB per CPU second)\n' \
  "$cc" "$cw" "$(echo "$cw/$cc" | bc -l)" "$cr" "$(echo "$cr/$cc" | bc -l)" "$cv" "$(echo "$stored/1048576/$cv" | bc -l)"

# Peak heap: a 4 GiB disk restored with the heap capped at 256 MiB (fails if it needs more).
"${bench[@]}" repo disk4g.raw vm4g >/dev/null
rm -f out4g.raw
/usr/bin/time -f '%M' -o rss.txt java -Xmx256m -jar "$here/backpoint-cli/target/backpoint.jar" \
  restore --repo repo vm4g:latest --disk vda --output out4g.raw >/dev/null
cmp disk4g.raw out4g.raw
printf 'restore of a 4 GiB disk with -Xmx256m: ok, max RSS %d MiB, output allocated %d MiB\n' \
  "$(( $(cat rss.txt) / 1024 ))" "$(( $(stat -c '%b*%B' out4g.raw) / 1048576 ))"
