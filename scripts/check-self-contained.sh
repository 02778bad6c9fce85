#!/usr/bin/env bash
# Fails unless BINARY runs without the Swift toolchain: no Swift runtime library among its NEEDED
# libraries and no RUNPATH/RPATH other than $ORIGIN-relative ones (a toolchain path there means the
# binary loads the toolchain's libraries, and breaks when the toolchain is gone or upgraded).
# Usage: scripts/check-self-contained.sh BINARY
set -euo pipefail
binary=${1:?usage: scripts/check-self-contained.sh BINARY}
[ -f "$binary" ] || { echo "check-self-contained: $binary does not exist" >&2; exit 1; }

dynamic=$(readelf -d "$binary")
status=0
needed=$(printf '%s\n' "$dynamic" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for library in $needed; do
  case $library in
    libswift*|libFoundation*|lib_FoundationICU*|libdispatch*|libBlocksRuntime*)
      echo "check-self-contained: $binary needs $library from the Swift toolchain; build with --static-swift-stdlib" >&2
      status=1 ;;
  esac
done
paths=$(printf '%s\n' "$dynamic" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p' | tr ':' '\n')
for path in $paths; do
  # shellcheck disable=SC2016 # $ORIGIN is the dynamic linker's, not the shell's
  case $path in
    '$ORIGIN'|'$ORIGIN/'*) ;;
    *) echo "check-self-contained: $binary has the run path $path; it must not look for libraries there" >&2
       status=1 ;;
  esac
done
exit $status
