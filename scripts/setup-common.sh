# shellcheck shell=bash
# Sourced by scripts/start and scripts/test: system packages, then a venv with the package.
# Usage: setup_env EXTRA   (EXTRA is "" or "[test]")
#
# The Python packages are installed only when the checkout's set-up changed: a stamp in .venv
# records a hash of pyproject.toml, this script, the checkout's path and the venv's Python. The
# package is installed editable, so changes to the code itself need no reinstall.
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

# The stamp of a set-up: what, if it changes, needs the Python packages installed again.
setup_stamp() {
  {
    cat pyproject.toml scripts/setup-common.sh
    pwd  # the venv's scripts and the editable install point into the checkout
    .venv/bin/python --version 2>&1
  } | cksum | cut -d' ' -f1
}

# The stamp file for EXTRA: .venv/.coze-setup (no extra) or .venv/.coze-setup-test ("[test]").
stamp_file() {
  local name="${1//[^a-z]/}"
  echo ".venv/.coze-setup${name:+-$name}"
}

# Whether .venv already holds what EXTRA needs for this checkout (the test set-up includes the plain one).
setup_is_current() {
  local extra="$1" stamp file
  [ -x .venv/bin/python ] || return 1
  stamp=$(setup_stamp) || return 1
  local files=("$(stamp_file "$extra")")
  [ -n "$extra" ] || files+=("$(stamp_file "[test]")")
  for file in "${files[@]}"; do
    if [ -f "$file" ] && [ "$(cat "$file")" = "$stamp" ]; then return 0; fi
  done
  return 1
}

# Run pip with its output kept in LOG; show a line per package it downloads, and the install step.
_pip() {
  local log="$1" status line
  shift
  set +e
  .venv/bin/python -m pip --disable-pip-version-check "$@" 2>&1 | tee -a "$log" | {
    while IFS= read -r line; do
      case "$line" in
        *Downloading*) echo "      ${line#"${line%%Downloading*}"}" ;;
        "Installing collected packages:"*) echo "      unpacking and installing the packages ..." ;;
      esac
    done
  }
  status=${PIPESTATUS[0]}
  set -e
  return "$status"
}

setup_env() {
  local extra="$1"
  install_system_packages
  local py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Coze Desktop needs Python 3.11 or newer")'
  if setup_is_current "$extra"; then
    return 0
  fi
  echo "setting up coze-desktop${extra} in .venv (again only when pyproject.toml or the set-up script changes):"
  if [ ! -x .venv/bin/python ]; then
    echo "  - creating the virtual environment .venv"
    "$py" -m venv .venv
  fi
  rm -f .venv/.coze-setup .venv/.coze-setup-test
  local log
  log=$(mktemp)
  echo "  - upgrading pip"
  if _pip "$log" install -q --progress-bar off --upgrade pip; then
    echo "  - installing Python packages (PySide6 is about 100 MB to download, first time only) ..."
    if _pip "$log" install --progress-bar off -e ".${extra}"; then
      setup_stamp >"$(stamp_file "$extra")"
      rm -f "$log"
      echo "  - done (the command line tool: .venv/bin/coze-cli --help)"
      return 0
    fi
  fi
  cat "$log" >&2
  rm -f "$log"
  echo "error: installing the Python packages failed (see above)" >&2
  return 1
}
