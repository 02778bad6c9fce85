#!/usr/bin/env bash
# Installs service-backup for systemd: the binary, both units, the sysusers entry and an example
# configuration, root:service-backup mode 0640: the daemon reads it and cannot change it. Honours
# PREFIX (default /usr/local) and DESTDIR (staging root). Ownership is set only when installing as root
# on the live system (no DESTDIR); otherwise the files keep the installing user's, with the same modes.
# Usage: packaging/install.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:?usage: packaging/install.sh BINARY}
prefix=${PREFIX:-/usr/local}
destdir=${DESTDIR:-}
sysconfdir=${SYSCONFDIR:-/etc}
unitdir=${UNITDIR:-$prefix/lib/systemd/system}
sysusersdir=${SYSUSERSDIR:-$prefix/lib/sysusers.d}

[ -x "$binary" ] || { echo "install.sh: $binary is not an executable; build it first" >&2; exit 1; }

install -d -m 0755 "$destdir$prefix/bin" "$destdir$unitdir" "$destdir$sysusersdir"
install -m 0755 "$binary" "$destdir$prefix/bin/service-backup"
ln -sf service-backup "$destdir$prefix/bin/manual-backup"

for unit in service-backup.service service-backup-manual.service; do
  sed -e "s|/usr/local/bin/service-backup|$prefix/bin/service-backup|" \
      -e "s|/etc/service-backup/|$sysconfdir/service-backup/|" \
      "packaging/systemd/$unit" > "$destdir$unitdir/$unit"
  chmod 0644 "$destdir$unitdir/$unit"
done
install -m 0644 packaging/systemd/service-backup.sysusers "$destdir$sysusersdir/service-backup.conf"

install -d -m 0750 "$destdir$sysconfdir/service-backup"
install -m 0640 packaging/backup.yml.example "$destdir$sysconfdir/service-backup/backup.yml.example"
if [ ! -e "$destdir$sysconfdir/service-backup/backup.yml" ]; then
  install -m 0640 packaging/backup.yml.example "$destdir$sysconfdir/service-backup/backup.yml"
fi

# On the live system (no DESTDIR, as root) create the account and hand it its configuration.
if [ -z "$destdir" ] && [ "$(id -u)" -eq 0 ]; then
  if command -v systemd-sysusers > /dev/null; then
    systemd-sysusers "$sysusersdir/service-backup.conf"
  fi
  if getent passwd service-backup > /dev/null; then
    chown root:service-backup "$sysconfdir/service-backup" "$sysconfdir/service-backup/backup.yml" \
      "$sysconfdir/service-backup/backup.yml.example"
    chmod 0640 "$sysconfdir/service-backup/backup.yml"
  fi
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
fi

echo "Installed service-backup in $destdir$prefix; edit $sysconfdir/service-backup/backup.yml, then:"
echo "  systemctl enable --now service-backup"
