#!/usr/bin/env bash
# Finishes a debootstrapped tree before `docker import`: run by
# scripts/build-images as `bash finish.sh ROOTFS` on the host (no chroot needed).
# Part of every image's recipe hash: changing this file rebuilds every family.
set -euo pipefail
root="${1:?usage: finish.sh ROOTFS}"
[[ -d "$root/etc" && -x "$root/bin/sh" ]] || { echo "finish.sh: $root is not a root filesystem" >&2; exit 1; }

# The non-root user every run uses (User '1000:1000'). HOME is /tmp because the
# root filesystem is read-only at run time and /tmp is a writable tmpfs.
if ! grep -q '^runner:' "$root/etc/passwd"; then
  echo 'runner:x:1000:1000:Tandem sandbox:/tmp:/bin/sh' >>"$root/etc/passwd"
  echo 'runner:x:1000:' >>"$root/etc/group"
  echo 'runner:*:19000:0:99999:7:::' >>"$root/etc/shadow"
fi

# Mount points: /work is a size-capped tmpfs volume at run time, mode 1777.
mkdir -p "$root/work"
chmod 1777 "$root/work" "$root/tmp"

# Nothing an offline, read-only sandbox needs: package caches and lists,
# documentation (copyright files stay), logs of the build.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/var/log/apt/*
# No machine identity baked into images.
: >"$root/etc/machine-id"
