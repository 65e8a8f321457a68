#!/usr/bin/env bash
# What the content check of backup records costs (issue 8, item 1). A completed push job reads
# each file target once more to record its size and CRC-32C; restore reads each backup once more
# to check them. On a 1 GiB full backup (qcow2, 1 GiB of random data, so nothing is sparse):
#   digest   the CRC-32C of the target as Backpoint computes it (FileContent.of), in a JVM with
#            the CLI's flags (C1 only), per run
#   convert  qemu-img convert -O raw of the same backup: the least any restore must do, and
#            about what QEMU's own copy of the disk into the target costs
#   restore  backpoint restore with a record (content checked) against --allow-unrecorded
#            without one (not checked), same backup, same run
# Prints medians and the ratios digest/convert and checked/unchecked restore.
#
#   bench/record-digest.sh [WORKDIR]    (default: a new directory under ${TMPDIR:-/tmp}; ~4 GiB)
#
# ROUNDS (default 3); SIZE_MIB (default 1024).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
backpoint=${BACKPOINT:-$here/backpoint}
rounds=${ROUNDS:-3}
size_mib=${SIZE_MIB:-1024}
if [ -n "${1:-}" ]; then
  work=$1; ours=
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/backpoint-digest-bench.XXXXXX"); ours=1
fi
work=$(cd "$work" && pwd)
cd "$work"
"$backpoint" help >/dev/null   # builds the jar when needed
jar="$here/backpoint-cli/target/backpoint.jar"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

head -c $((size_mib << 20)) /dev/urandom > data.raw
qemu-img convert -f raw -O qcow2 data.raw full.qcow2
rm -f data.raw
cat > Digest.java <<'JAVA'
public class Digest {
    public static void main(String[] a) {
        long t = System.nanoTime();
        io.backpoint.image.restore.FileContent c = io.backpoint.image.restore.FileContent.of(java.nio.file.Path.of(a[0]));
        System.out.println((System.nanoTime() - t) / 1e9 + " " + c.size() + " " + c.crc32c());
    }
}
JAVA
sha=""
for i in $(seq "$rounds"); do
  read -r secs size sha < <(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$jar" Digest.java full.qcow2)
  echo "$secs" >> digest.times
  t=$(now); qemu-img convert -O raw full.qcow2 conv.raw; sync conv.raw; echo "$(now) - $t" | bc >> convert.times
  rm -f conv.raw
done
created=$(date +%s)
virtual=$((size_mib << 20))
rec() { # with content or not
  local extra=""
  [ "$1" = yes ] && extra=", \"size\": $size, \"crc32c\": \"$sha\""
  printf '{"version":1,"domain":"bench","disk":"vda","mode":"full","checkpoint":"c1","incremental":null,"virtualSize":%d,"format":"qcow2","created":%d,"backingFile":null%s}\n' \
    "$virtual" "$created" "$extra" > full.qcow2.json
}
for i in $(seq "$rounds"); do
  rec yes
  t=$(now); "$backpoint" restore --output checked.raw full.qcow2 >/dev/null; echo "$(now) - $t" | bc >> checked.times
  rm -f checked.raw full.qcow2.json
  t=$(now); "$backpoint" restore --allow-unrecorded --output plain.raw full.qcow2 >/dev/null 2>&1; echo "$(now) - $t" | bc >> plain.times
  rm -f plain.raw
done
d=$(median < digest.times); c=$(median < convert.times); k=$(median < checked.times); p=$(median < plain.times)
printf 'size %d MiB, %d rounds (medians)\n' "$size_mib" "$rounds"
printf 'digest (completion and restore each)  %6.2f s\n' "$d"
printf 'qemu-img convert -O raw + sync        %6.2f s   digest/convert = %.2f\n' "$c" "$(echo "$d / $c" | bc -l)"
printf 'restore, content checked              %6.2f s\n' "$k"
printf 'restore, --allow-unrecorded           %6.2f s   checked/unchecked = %.2f\n' "$p" "$(echo "$k / $p" | bc -l)"
[ -n "$ours" ] && rm -rf "$work"
exit 0
