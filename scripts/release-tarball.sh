#!/usr/bin/env bash
# Builds the release binary with the Swift runtime linked statically, bundles the non-glibc shared
# libraries it loads (libcurl, libssh2, libssl/libcrypto and their dependencies) under lib/, found
# through an RPATH of $ORIGIN/../lib, and writes dist/service-backup-<version>-linux-amd64.tgz: the
# blob packages/service-backup consumes (bosh add-blob … service-backup/<same name>).
# The binary needs the glibc it was built against or newer: the script prints that version; build on
# the oldest system you deploy to (e.g. the stemcell's Ubuntu release).
# Usage: scripts/release-tarball.sh [VERSION]   (default: git describe)
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}}
version=${version#v}
name=service-backup-$version-linux-amd64
[ "$(uname -m)" = x86_64 ] || { echo "release-tarball: builds linux-amd64 only, this is $(uname -m)" >&2; exit 1; }

# shellcheck disable=SC2016 # $ORIGIN is for the dynamic linker, not the shell
swift build -c release --product service-backup --static-swift-stdlib \
  -Xlinker --disable-new-dtags -Xlinker -rpath -Xlinker '$ORIGIN/../lib'
binary=$(swift build -c release --show-bin-path)/service-backup

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
install -m 0755 "$binary" "$stage/bin/service-backup"
strip --strip-unneeded "$stage/bin/service-backup"
ln -s service-backup "$stage/bin/manual-backup"

# glibc itself (and the loader) must come from the target system; everything else travels along.
ldd "$binary" | awk '/=> \// { print $3 }' | while read -r library; do
  case $(basename "$library") in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|ld-linux*|libutil.so.*) ;;
    *) install -m 0644 "$(readlink -f "$library")" "$stage/lib/$(basename "$library")" ;;
  esac
done

if ldd "$binary" | grep -q 'libswift\|libFoundation'; then
  echo "release-tarball: the Swift runtime is still linked dynamically" >&2
  exit 1
fi
glibc=$(objdump -T "$stage/bin/service-backup" "$stage"/lib/* | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
printf 'version: %s\nrequires: %s\n' "$version" "$glibc" > "$stage/BUILD_INFO"

mkdir -p dist
tar -czf "dist/$name.tgz" -C "$stage" .
echo "dist/$name.tgz ($(du -h "dist/$name.tgz" | cut -f1), needs ${glibc/_/ } or newer)"
echo "add it to a BOSH release with: bosh add-blob dist/$name.tgz service-backup/$name.tgz"
