#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine: system libraries, test servers, Python packages.
# Usage: scripts/install-deps.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."

build_packages=(libcurl4-openssl-dev libssh2-1-dev libssl-dev pkg-config)
test_packages=(openssh-server openssh-client ruby shellcheck systemd faketime)
packages=("${build_packages[@]}")
[ "${1:-}" = "--build-only" ] || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--build-only" ]; then
  python3 -m pip install -q --disable-pip-version-check -r Tests/integration/requirements.txt
fi
