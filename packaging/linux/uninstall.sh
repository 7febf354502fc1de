#!/usr/bin/env bash
# Remove a per-user Coze Desktop install made by install.sh.
#
#   ./uninstall.sh [--prefix DIR]
#
#   --prefix DIR   the app folder given to install.sh (default: the folder this script is in when
#                  it is the installed copy, else ~/.local/opt/coze-desktop)
#
# Removes the app folder and exactly the launcher, icons and command link that install.sh
# listed in its manifest. Your chats and settings (~/.local/share/coze-desktop) and the token
# in the keyring are kept; delete that folder yourself to remove them too.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_id="coze-desktop"
marker=".coze-desktop-install"
data_home="${XDG_DATA_HOME:-}"
case "$data_home" in /*) ;; *) data_home="$HOME/.local/share" ;; esac
if [ -f "$here/$marker" ]; then prefix="$here"; else prefix="$HOME/.local/opt/$app_id"; fi

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "uninstall.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
prefix="${prefix%/}"

manifest="$prefix/$marker"
# Never delete a folder that install.sh did not make.
[ -f "$manifest" ] || die "no Coze Desktop install in $prefix (no $marker file there)"
[ -e "$prefix/$app_id" ] || die "$prefix does not look like a Coze Desktop install (no $app_id in it)"

while IFS= read -r path; do
  [ -n "$path" ] || continue
  if [ -L "$path" ]; then
    # The command link: only if it still points into this install.
    case "$(readlink "$path")" in "$prefix"/*) rm -f "$path" ;; *) echo "kept $path (points elsewhere now)" ;; esac
  elif [ -f "$path" ]; then
    rm -f "$path"
  fi
done < "$manifest"

apps_dir="$data_home/applications"
icons_dir="$data_home/icons/hicolor"
cd /  # the folder being removed may be the current one
rm -rf -- "$prefix"

if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$apps_dir" ]; then
  update-desktop-database -q "$apps_dir" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$icons_dir" ]; then
  gtk-update-icon-cache -q -t -f "$icons_dir" 2>/dev/null || true
fi

echo "Coze Desktop removed from $prefix"
echo "  your chats and settings are kept in ${data_home}/$app_id (delete it to remove them)"
