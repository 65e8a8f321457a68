#!/usr/bin/env bash
# Assembles Backpoint's test guest: a Debian kernel and an initramfs holding busybox, the QEMU
# guest agent with the shared libraries it needs, the virtio and ext4 modules, and guest/init.
# Everything comes from Debian packages: busybox-static and qemu-guest-agent installed by
# .ci/run, the kernel fetched with `apt-get download` and unpacked with dpkg-deb (installing
# linux-image-amd64 in a container would run bootloader hooks for a kernel nobody boots here).
#
# Usage: guest/build-guest.sh [CACHE_DIR]   (default $BACKPOINT_GUEST_CACHE or ~/.cache/backpoint/guest)
# Prints the cache directory, which holds vmlinuz and initrd.img. Rebuilds only when an input
# changed (this script, init, writer, the package versions); concurrent callers wait on a lock.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${BACKPOINT_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/backpoint/guest}}
mkdir -p "$cache"
chmod 700 "$cache"
exec 9>"$cache/.lock"
flock 9

kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { echo "build-guest: no linux-image-amd64 in the apt lists (run apt-get update)" >&2; exit 1; }
kver=$(apt-cache policy "$kpkg" | awk '/Candidate:/ {print $2}')
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || { echo "build-guest: package $1 is not installed" >&2; exit 1; }; }
key=$( { cat "$0" "$here/init" "$here/writer"; echo "$kpkg $kver"; pkgver busybox-static; pkgver qemu-guest-agent; } | sha256sum | cut -d' ' -f1)
if [ -f "$cache/key" ] && [ "$(cat "$cache/key")" = "$key" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.img" ]; then
  echo "$cache"
  exit 0
fi

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
deb="$cache/${kpkg}_${kver}.deb"
if [ ! -f "$deb" ]; then
  rm -f "$cache"/linux-image-*.deb
  (cd "$work" && apt-get download -q "$kpkg=$kver" >&2)
  mv "$work"/"${kpkg}"_*.deb "$deb"
fi
dpkg-deb -x "$deb" "$work/kernel"
kdir=$(ls -d "$work"/kernel/lib/modules/*/)
kdir=${kdir%/}
root="$work/root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,data,lib/modules}

# Modules: the ones named here and what their modinfo 'depends=' names, dependencies first.
find "$kdir/kernel" -name '*.ko*' > "$work/all-modules"
decompress() { # $1 module file -> plain .ko at $2
  case "$1" in
    *.ko.xz) xz -dc "$1" > "$2" ;;
    *.ko.zst) zstd -qdc "$1" > "$2" ;;
    *.ko.gz) gzip -dc "$1" > "$2" ;;
    *) cp "$1" "$2" ;;
  esac
}
: > "$root/etc/modules-load"
add_module() {
  local name=$1 file dep plain
  grep -qx "$name.ko" "$root/etc/modules-load" && return 0
  file=$(grep -E "/${name//_/[_-]}\.ko(\.(xz|zst|gz))?$" "$work/all-modules" | head -n1)
  if [ -z "$file" ]; then
    # Built into this kernel: nothing to load.
    grep -Eq "(^|/)${name//_/[_-]}\.ko" "$kdir/modules.builtin" 2>/dev/null && return 0
    echo "build-guest: module $name not found in $kpkg" >&2; exit 1
  fi
  plain="$work/$name.ko"
  decompress "$file" "$plain"
  for dep in $(tr '\0' '\n' < "$plain" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dep"
  done
  mv "$plain" "$root/lib/modules/$name.ko"
  echo "$name.ko" >> "$root/etc/modules-load"
}
# crc32c_generic: ext4 asks the crypto API for crc32c at mount time (a soft dependency).
for m in virtio_pci virtio_blk virtio_console virtio_net crc32c_generic ext4; do add_module "$m"; done

# busybox and its applets.
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
  [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done

# The guest agent and the libraries ldd names, at the paths the dynamic loader looks them up.
qga=$(command -v qemu-ga || echo /usr/sbin/qemu-ga)
cp "$qga" "$root/bin/qemu-ga"
for lib in $(ldd "$qga" | awk '/=> \// {print $3} /^\t\// {print $1}'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

install -m 755 "$here/init" "$root/init"
install -m 755 "$here/writer" "$root/bin/writer"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"

(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$work/initrd.img"
cp "$(ls "$work"/kernel/boot/vmlinuz-*)" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$cache/vmlinuz"
mv -f "$work/initrd.img" "$cache/initrd.img"
echo "$key" > "$cache/key"
echo "$cache"
