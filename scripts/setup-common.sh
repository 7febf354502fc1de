# Sourced by scripts/start and scripts/test: system packages, then a venv with the package.
# Usage: setup_env EXTRA   (EXTRA is "" or "[test]")
set -euo pipefail

# Qt's runtime libraries on a bare Debian/Ubuntu (see ../shared/platform-notes.md), a CJK font
# so Chinese renders, Xvfb for real-window screenshots, and the checkers the packaging tests use
# on the launcher entry and the install scripts.
SYSTEM_PACKAGES=(
  libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  xvfb xauth fonts-noto-cjk
  desktop-file-utils shellcheck file
)

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "note: not a Debian-based system; install Qt's libraries yourself (see README)"; return 0; }
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "warning: missing system packages (${missing[*]}); install them with apt-get as root" >&2; return 0
    fi
  fi
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_env() {
  local extra="$1"
  install_system_packages
  local py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Coze Desktop needs Python 3.11 or newer")'
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  local log
  log=$(mktemp)
  echo "installing coze-desktop${extra} into .venv ..."
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".${extra}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "error: installing the Python packages failed (see above)" >&2
    return 1
  fi
  rm -f "$log"
}
