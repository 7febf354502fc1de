#!/usr/bin/env bash
# Make the macOS disk image: the .app next to a link to /Applications, compressed (UDZO).
#
#   packaging/macos/make_dmg.sh APP OUT.dmg [VOLUME_NAME]
#   packaging/macos/make_dmg.sh "dist/Coze Desktop.app" dist/coze-desktop-0.1.0-macos-arm64.dmg "Coze Desktop 0.1.0"
#
# `python packaging/build.py` runs it on macOS with the version from coze_desktop.__version__.
# Sign the .app before this step (COZE_CODESIGN_IDENTITY for the build) and notarize the .dmg
# afterwards to pass Gatekeeper; see docs/packaging.md.
set -euo pipefail

die() { echo "make_dmg.sh: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: make_dmg.sh APP OUT.dmg [VOLUME_NAME]"
app="${1%/}"
out="$2"
name="$(basename "$app")"
volume="${3:-${name%.app}}"

[ -d "$app/Contents/MacOS" ] || die "$app is not an application bundle"
command -v hdiutil >/dev/null 2>&1 || die "hdiutil not found: disk images are made on macOS"

staging="$(mktemp -d "${TMPDIR:-/tmp}/coze-dmg.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
# ditto keeps symlinks, extended attributes and code signatures intact (cp -R may not).
ditto "$app" "$staging/$name"
ln -s /Applications "$staging/Applications"

mkdir -p "$(dirname "$out")"
rm -f "$out"
hdiutil create -volname "$volume" -srcfolder "$staging" -fs HFS+ -format UDZO \
  -imagekey zlib-level=9 -ov "$out"
hdiutil verify "$out"
echo "wrote $out"
