#!/usr/bin/env bash
# Install Coze Desktop for the current user, from the unpacked release archive.
#
#   ./install.sh [--prefix DIR] [--bin-dir DIR] [--no-check]
#
#   --prefix DIR   where the app folder goes (default: ~/.local/opt/coze-desktop)
#   --bin-dir DIR  where the `coze-desktop` command link goes (default: ~/.local/bin)
#   --no-check     do not start the app once (`--version`) to check the system libraries
#
# It installs the launcher into $XDG_DATA_HOME/applications (default ~/.local/share/applications)
# and the icons into $XDG_DATA_HOME/icons/hicolor, and refreshes the desktop and icon caches
# when their tools are present. No root needed; run ./uninstall.sh (also copied into the app
# folder) to remove everything again. Installing over an older version replaces it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_id="coze-desktop"
data_home="${XDG_DATA_HOME:-}"
case "$data_home" in /*) ;; *) data_home="$HOME/.local/share" ;; esac  # relative: invalid (XDG spec)
prefix="$HOME/.local/opt/$app_id"
bin_dir="$HOME/.local/bin"
check=1

usage() { sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a folder"; bin_dir="$2"; shift 2 ;;
    --bin-dir=*) bin_dir="${1#*=}"; shift ;;
    --no-check) check=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

bundle="$here/$app_id"
[ -x "$bundle/$app_id" ] || die "no app in $bundle (run this script from the unpacked archive)"
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
case "$bin_dir" in /*) ;; *) bin_dir="$PWD/$bin_dir" ;; esac
# The launcher's Exec line (and the sed that writes it) cannot carry these characters unescaped.
case "$prefix" in *[\"\`\$\\%\&\|]*|*$'\n'*) die "the install folder may not contain \" \` \$ \\ % & | or a newline: $prefix" ;; esac
if [ "$prefix" = "/" ] || [ "$prefix" = "$HOME" ]; then die "refusing to install into $prefix itself"; fi
if [ -e "$prefix" ] && [ ! -f "$prefix/.coze-desktop-install" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
  die "$prefix exists and is not a Coze Desktop install; choose another --prefix"
fi

apps_dir="$data_home/applications"
icons_dir="$data_home/icons/hicolor"
desktop_file="$apps_dir/$app_id.desktop"
link="$bin_dir/$app_id"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  die "$link exists and is not a link; move it away or use --bin-dir"
fi

# 1. The app folder: copy next to the old one, then swap, so a failed copy leaves the old app.
mkdir -p "$(dirname "$prefix")"
staging="$prefix.new.$$"
rm -rf "$staging"
trap 'rm -rf "$staging"' EXIT
cp -a "$bundle" "$staging"
cp "$here/uninstall.sh" "$staging/uninstall.sh"
chmod 755 "$staging/uninstall.sh"
if [ -d "$prefix" ]; then
  old="$prefix.old.$$"
  mv "$prefix" "$old"
  mv "$staging" "$prefix"
  rm -rf "$old"
else
  mv "$staging" "$prefix"
fi
trap - EXIT
exe="$prefix/$app_id"

# 2. Launcher, icons and command link; every file created outside the app folder is listed in
#    the manifest so uninstall.sh removes exactly those.
manifest="$prefix/.coze-desktop-install"
: > "$manifest"
note() { printf '%s\n' "$1" >> "$manifest"; }

mkdir -p "$apps_dir"
sed -e "s|^Exec=.*|Exec=\"$exe\"|" -e "s|^TryExec=.*|TryExec=$exe|" \
  "$here/$app_id.desktop" > "$desktop_file.tmp"
mv "$desktop_file.tmp" "$desktop_file"
chmod 644 "$desktop_file"
note "$desktop_file"

for png in "$here"/icons/"$app_id"-*.png; do
  [ -e "$png" ] || continue
  size="${png##*-}"; size="${size%.png}"
  case "$size" in 16|24|32|48|64|128|256|512) ;; *) continue ;; esac
  mkdir -p "$icons_dir/${size}x${size}/apps"
  install -m 644 "$png" "$icons_dir/${size}x${size}/apps/$app_id.png"
  note "$icons_dir/${size}x${size}/apps/$app_id.png"
done
if [ -f "$here/icons/$app_id.svg" ]; then
  mkdir -p "$icons_dir/scalable/apps"
  install -m 644 "$here/icons/$app_id.svg" "$icons_dir/scalable/apps/$app_id.svg"
  note "$icons_dir/scalable/apps/$app_id.svg"
fi

mkdir -p "$bin_dir"
ln -sfn "$exe" "$link"
note "$link"

# 3. Caches (optional tools; a failure here never fails the install).
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$apps_dir" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q -t -f "$icons_dir" 2>/dev/null || true
fi
touch "$icons_dir" 2>/dev/null || true

echo "Coze Desktop installed in $prefix"
echo "  launcher: $desktop_file"
echo "  command:  $link"
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "  note: $bin_dir is not on your PATH; the menu entry works anyway" ;; esac

# 4. Start the app once without a window to find missing system libraries early.
if [ "$check" = 1 ]; then
  if ! "$exe" --version >/dev/null 2>&1; then
    echo "warning: Coze Desktop could not start; system libraries are probably missing." >&2
    # The bundle's own libraries are found through _internal, as the app's loader does.
    missing="$(find "$prefix" \( -name 'libqxcb.so' -o -name 'libQt6Gui.so.6' \) \
      -exec env LD_LIBRARY_PATH="$prefix/_internal" ldd {} + 2>/dev/null \
      | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ' || true)"
    [ -n "$missing" ] && echo "  not found: $missing" >&2
    echo "  Debian/Ubuntu: sudo apt-get install --no-install-recommends libgl1 libegl1 libfontconfig1" >&2
    echo "  (README.txt next to this script lists them for other systems)" >&2
  fi
fi
