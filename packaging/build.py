"""Build Coze Desktop for this platform with one command: ``python packaging/build.py``.

Steps (each prints what it runs):

1. PyInstaller with ``packaging/coze_desktop.spec`` -> the one-folder bundle ``dist/coze-desktop/``
   (executable ``dist/coze-desktop/coze-desktop``); on macOS also ``dist/Coze Desktop.app``.
2. The installer for this platform, named with the version from ``coze_desktop.__version__``:

   - Linux: ``dist/coze-desktop-<version>-linux-<arch>.tar.gz`` (the bundle, ``install.sh``,
     ``uninstall.sh``, the ``.desktop`` launcher, the icons and ``README.txt``);
   - macOS: ``dist/coze-desktop-<version>-macos-<arch>.dmg`` via ``packaging/macos/make_dmg.sh``;
   - Windows: ``dist/coze-desktop-<version>-windows-<arch>-setup.exe`` via Inno Setup's ``iscc``
     when it is on PATH (otherwise the exact command is printed).
3. ``--smoke``: run the frozen smoke checks (``packaging/smoke.py``) on the result.

``--dry-run`` prints the plan without building; ``--archive-only`` re-packs an existing
``dist/coze-desktop`` (Linux) without running PyInstaller.
"""

from __future__ import annotations

import argparse
import io
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import buildinfo

ROOT = buildinfo.ROOT
PACKAGING = buildinfo.PACKAGING
SPEC = PACKAGING / "coze_desktop.spec"
LINUX = PACKAGING / "linux"
NAME = buildinfo.DIST_NAME
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


class Plan:
    """Runs (or, dry, only prints) the build's commands."""

    def __init__(self, *, dry_run: bool) -> None:
        self.dry_run = dry_run

    def run(self, command: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        """Run a command from the checkout, echoing it; raise ``SystemExit`` if it fails."""
        shown = " ".join(shlex.quote(str(part)) for part in command)
        extra = " ".join(f"{k}={v}" for k, v in (env or {}).items() if os.environ.get(k) != v)
        print(f"$ {extra + ' ' if extra else ''}{shown}", flush=True)
        if self.dry_run:
            return
        merged = {**os.environ, **(env or {})}
        result = subprocess.run([str(part) for part in command], cwd=cwd, env=merged, check=False)
        if result.returncode != 0:
            raise SystemExit(f"failed ({result.returncode}): {shown}")

    def note(self, text: str) -> None:
        """Print a step that is not a command."""
        print(f"# {text}", flush=True)


def dir_size(path: Path) -> int:
    """Bytes in all regular files under ``path`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def pyinstaller(plan: Plan, dist: Path, work: Path, *, clean: bool, console: bool) -> None:
    """Run PyInstaller on the spec."""
    if not plan.dry_run:
        try:
            import PyInstaller  # noqa: F401
        except ImportError:
            raise SystemExit(
                "PyInstaller is not installed in this Python: pip install -e '.[packaging]'"
            ) from None
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
               "--distpath", str(dist), "--workpath", str(work), "--log-level", "WARN"]  # fmt: skip
    if clean:
        command.append("--clean")
    plan.run(command, env={"COZE_BUNDLE_CONSOLE": "1"} if console else None)


def readme_text(version: str) -> str:
    """README.txt of the Linux archive, with the version filled in."""
    return (LINUX / "README.txt").read_text(encoding="utf-8").replace("@VERSION@", version)


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Files owned by root:root and readable by all, whoever built the archive."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = (info.mode | 0o444 | (0o111 if info.mode & 0o100 or info.isdir() else 0)) & 0o755
    return info


def linux_archive(plan: Plan, dist: Path, version: str) -> Path:
    """``dist/coze-desktop-<version>-linux-<arch>.tar.gz`` from ``dist/coze-desktop``."""
    bundle = dist / NAME
    out = dist / f"{NAME}-{version}-{buildinfo.platform_tag()}.tar.gz"
    top = f"{NAME}-{version}"
    plan.note(f"pack {bundle} with install.sh, uninstall.sh, launcher, icons, README.txt -> {out}")
    if plan.dry_run:
        return out
    if not (bundle / NAME).is_file():
        raise SystemExit(f"no bundle at {bundle}: build it first")
    started = time.perf_counter()
    partial = out.with_suffix(".partial")
    with tarfile.open(partial, "w:gz", compresslevel=9) as tar:
        tar.add(bundle, arcname=f"{top}/{NAME}", filter=_tar_filter)
        for script in ("install.sh", "uninstall.sh"):
            tar.add(LINUX / script, arcname=f"{top}/{script}", filter=_tar_filter)
        tar.add(LINUX / f"{NAME}.desktop", arcname=f"{top}/{NAME}.desktop", filter=_tar_filter)
        for size in HICOLOR_SIZES:
            png = buildinfo.ICONS / f"{NAME}-{size}.png"
            tar.add(png, arcname=f"{top}/icons/{png.name}", filter=_tar_filter)
        svg = buildinfo.ICONS / f"{NAME}.svg"
        tar.add(svg, arcname=f"{top}/icons/{svg.name}", filter=_tar_filter)
        data = readme_text(version).encode("utf-8")
        info = _tar_filter(tarfile.TarInfo(f"{top}/README.txt"))
        info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
        tar.addfile(info, io.BytesIO(data))
    partial.replace(out)
    plan.note(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return out


def macos_dmg(plan: Plan, dist: Path, version: str) -> Path:
    """``dist/coze-desktop-<version>-macos-<arch>.dmg`` from the .app."""
    app = dist / f"{buildinfo.app_name()}.app"
    out = dist / f"{NAME}-{version}-{buildinfo.platform_tag()}.dmg"
    plan.run(["bash", str(PACKAGING / "macos" / "make_dmg.sh"), str(app), str(out),
              f"{buildinfo.app_name()} {version}"])  # fmt: skip
    return out


def windows_installer(plan: Plan, dist: Path, version: str, *, require: bool) -> Path | None:
    """Run Inno Setup's compiler if present; otherwise print the command (or fail if required)."""
    out_base = f"{NAME}-{version}-{buildinfo.platform_tag()}-setup"
    numeric = ".".join(str(n) for n in buildinfo.numeric_version(version))
    command = ["iscc", f"/DAppVersion={version}", f"/DAppNumericVersion={numeric}",
               f"/DBundleDir={dist / NAME}", f"/DOutputDir={dist}", f"/DOutputBaseFilename={out_base}",
               str(PACKAGING / "windows" / "coze-desktop.iss")]  # fmt: skip
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None and not plan.dry_run:
        if require:
            raise SystemExit("Inno Setup 6 (iscc) is not on PATH: https://jrsoftware.org/isdl.php")
        plan.note("Inno Setup's iscc is not on PATH; to make the installer run:")
        plan.note(" ".join(command))
        return None
    plan.run([iscc or "iscc", *command[1:]])
    return dist / f"{out_base}.exe"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python packaging/build.py",
        description="Build the Coze Desktop bundle and installer for this platform.",
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="print the steps without running them")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--icons", action="store_true", help="re-render resources/icons from the SVG first")
    parser.add_argument("--console", action="store_true",
                        help="Windows: keep a console so --smoke/--frozen-check can print (CI)")  # fmt: skip
    parser.add_argument("--no-installer", "--no-archive", dest="installer", action="store_false",
                        help="only the bundle: no tar.gz / .dmg / setup.exe")  # fmt: skip
    parser.add_argument("--require-installer", action="store_true",
                        help="Windows: fail when iscc is missing instead of printing its command")  # fmt: skip
    parser.add_argument("--archive-only", action="store_true",
                        help="Linux: re-pack the existing dist/coze-desktop without PyInstaller")  # fmt: skip
    parser.add_argument(
        "--smoke", action="store_true", help="run packaging/smoke.py on the bundle afterwards"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build; returns the exit code."""
    args = parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    version = buildinfo.read_version()
    plan = Plan(dry_run=args.dry_run)
    plan.note(f"{buildinfo.app_name()} {version} for {buildinfo.platform_tag()} -> {dist}")
    started = time.perf_counter()
    if args.archive_only:
        if not sys.platform.startswith("linux") and not args.dry_run:
            raise SystemExit("--archive-only makes the Linux tar.gz; run it on Linux")
        linux_archive(plan, dist, version)
        return 0
    if args.icons:
        plan.run([sys.executable, str(PACKAGING / "make_icons.py")])
    pyinstaller(plan, dist, work, clean=args.clean, console=args.console)
    bundle = dist / NAME
    if not plan.dry_run:
        plan.note(
            f"bundle {bundle}: {dir_size(bundle) / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s"
        )
    if args.installer:
        if sys.platform == "darwin":
            macos_dmg(plan, dist, version)
        elif sys.platform == "win32":
            windows_installer(plan, dist, version, require=args.require_installer)
        else:
            linux_archive(plan, dist, version)
    if args.smoke:
        plan.run([sys.executable, str(PACKAGING / "smoke.py"), "--bundle", str(bundle)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
