"""Measure the Linux bundle: size on disk, archive size, what the size is made of, start time.

``python packaging/measure.py [--runs 5] [--write-docs]`` after ``python packaging/build.py``.

Start time is the median of ``--runs`` launches (after one warm-up launch) of the frozen
``coze-desktop --smoke`` on a fresh data folder, measured three ways:

- ``probe``: launch -> main window shown, printed by the app itself as ``window shown after X ms``
  when ``COZE_DESKTOP_STARTUP_PROBE=1``; ``COZE_DESKTOP_LAUNCHED_AT`` carries this script's
  ``time.monotonic()`` at launch (a system-wide clock), so the figure includes the bootloader,
  Python start-up and every import. Shown as "n/a" when the app does not have the probe.
- ``smoke line``: launch -> the ``smoke ok`` line arrives (window built, shown, one event pass,
  then closed and the store shut down): an upper bound for "window shown".
- ``exit``: launch -> process exit.

Runs with ``QT_QPA_PLATFORM=offscreen``, and on Xvfb with the xcb plugin when Xvfb exists (a
real X server: window-system start-up included). ``--write-docs`` replaces the ``## Bundle``
section of docs/benchmarks.md with the numbers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import benchdoc  # bench/benchdoc.py: the shared docs/benchmarks.md writer
import buildinfo
from xvfb import xvfb_display

PROBE_ENV = "COZE_DESKTOP_STARTUP_PROBE"  # app prints "window shown after X ms" when set
LAUNCHED_AT_ENV = "COZE_DESKTOP_LAUNCHED_AT"  # this script's time.monotonic() at launch
PROBE_LINE = re.compile(r"window shown after ([\d.]+) ms")
BENCHMARKS = buildinfo.ROOT / "docs" / "benchmarks.md"
# keyring's fail backend, as in scripts/test: a locked desktop keyring would put an unlock prompt
# on the display and block the start being measured.
QUIET_ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
SIZE_TARGET_MB = 150.0
START_TARGET_S = 1.5


def file_bytes(path: Path) -> int:
    """Apparent size of the regular files under ``path``; symlinks are not counted twice."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def disk_usage(path: Path) -> int:
    """``du -sb``-like bytes, or apparent size where ``du`` is missing."""
    du = shutil.which("du")
    if du:
        out = subprocess.run([du, "-sb", str(path)], capture_output=True, text=True, check=False).stdout
        if out.split():
            return int(out.split()[0])
    return file_bytes(path)


def breakdown(bundle: Path) -> list[tuple[str, int]]:
    """The bundle's bytes by kind, largest first."""
    kinds: dict[str, int] = {}

    def kind_of(rel: Path) -> str:
        parts = rel.parts
        name = rel.name
        if parts[0] != "_internal":
            return "executable (bootloader + Python bytecode archive)"
        inner = parts[1:]
        if inner[:3] == ("PySide6", "Qt", "lib"):
            return "ICU (Qt's Unicode/locale data)" if name.startswith("libicu") else "Qt libraries"
        if inner[:3] == ("PySide6", "Qt", "plugins"):
            return "Qt plugins"
        if inner[:3] == ("PySide6", "Qt", "translations"):
            return "Qt translations"
        if inner[0] in ("PySide6", "shiboken6") or name.startswith(("libpyside6", "libshiboken6")):
            return "PySide6 bindings"
        if inner[0] == "cryptography" or inner[0].startswith("cryptography-"):
            return "cryptography (Secret Service session encryption)"
        if name.startswith("libpython") or inner[0].startswith("python3") or inner[0] == "base_library.zip":
            return "Python runtime"
        if inner[0] == "resources":
            return "app resources (icons, translations)"
        if len(inner) == 1 and ".so" in name:
            return "system libraries (xcb, xkbcommon, glib, dbus, fontconfig, ssl, sqlite …)"
        return "other Python packages and data (certifi, charset_normalizer, metadata …)"

    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            kind = kind_of(path.relative_to(bundle))
            kinds[kind] = kinds.get(kind, 0) + path.lstat().st_size
    return sorted(kinds.items(), key=lambda kv: -kv[1])


@dataclass
class Launch:
    """Timings of one launch, in seconds (``probe`` None when the app printed none)."""

    probe: float | None
    line: float | None
    exit: float
    ok: bool


@dataclass
class Series:
    """Launches on one platform plugin."""

    platform: str
    launches: list[Launch] = field(default_factory=list)

    def median(self, attribute: str) -> float | None:
        values = [getattr(x, attribute) for x in self.launches if getattr(x, attribute) is not None]
        return statistics.median(values) if values else None


def launch(command: Sequence[str], env: dict[str, str], timeout: float = 60.0) -> Launch:
    """Start the app once and time the probe line, the smoke line and the exit."""
    env = {**env, PROBE_ENV: "1"}
    started = time.monotonic()
    env[LAUNCHED_AT_ENV] = repr(started)
    process = subprocess.Popen(
        list(command), env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8"
    )
    probe = line_at = None
    watchdog = threading.Timer(timeout, process.kill)  # a hung start must not hang the measurement
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            now = time.monotonic()
            found = PROBE_LINE.search(line)
            if found and probe is None:
                probe = float(found.group(1)) / 1000
            if line.startswith("smoke ok") and line_at is None:
                line_at = now - started
        code = process.wait()
    finally:
        watchdog.cancel()
    return Launch(
        probe=probe, line=line_at, exit=time.monotonic() - started, ok=code == 0 and line_at is not None
    )


def run_series(
    exe: Path,
    platform_plugin: str,
    runs: int,
    extra_env: dict[str, str] | None = None,
    wrap: Sequence[str] = (),
) -> Series:
    """One warm-up launch, then ``runs`` measured ones, each on a fresh data folder."""
    series = Series(platform_plugin)
    for index in range(runs + 1):
        with tempfile.TemporaryDirectory(prefix="coze-measure-") as data:
            env = {
                **os.environ,
                **QUIET_ENV,
                "QT_QPA_PLATFORM": platform_plugin,
                "COZE_DESKTOP_DATA_DIR": data,
            }
            env.update(extra_env or {})
            result = launch([*wrap, str(exe), "--smoke"], env)
        if not result.ok:
            raise SystemExit(f"the frozen app failed to start on {platform_plugin}")
        if index:
            series.launches.append(result)
    return series


def xvfb_series(exe: Path, runs: int) -> Series | None:
    """The same on a private Xvfb display with the xcb plugin, if Xvfb is installed."""
    if shutil.which("Xvfb") is None:
        return None
    with xvfb_display() as display:  # ready: Xvfb has said so
        wrap = ["dbus-run-session", "--"] if shutil.which("dbus-run-session") else []
        return run_series(exe, "xcb", runs, {"DISPLAY": display}, wrap)


def cold_series(exe: Path) -> Series | None:
    """One launch right after dropping the page cache (root on Linux only), or None."""
    drop = Path("/proc/sys/vm/drop_caches")
    if not sys.platform.startswith("linux") or not os.access(drop, os.W_OK):
        return None
    subprocess.run(["sync"], check=False)
    try:
        drop.write_text("3\n")
    except OSError:
        return None
    series = Series("offscreen, cold file cache (1 launch)")
    with tempfile.TemporaryDirectory(prefix="coze-measure-") as data:
        env = {**os.environ, **QUIET_ENV, "QT_QPA_PLATFORM": "offscreen", "COZE_DESKTOP_DATA_DIR": data}
        series.launches.append(launch([str(exe), "--smoke"], env))
    return series


def source_series(runs: int) -> Series:
    """``python -m coze_desktop --smoke`` from the checkout, for comparison."""
    series = Series("offscreen (from source)")
    for index in range(runs + 1):
        with tempfile.TemporaryDirectory(prefix="coze-measure-") as data:
            env = {**os.environ, **QUIET_ENV, "QT_QPA_PLATFORM": "offscreen", "COZE_DESKTOP_DATA_DIR": data}
            result = launch([sys.executable, "-m", "coze_desktop", "--smoke"], env)
        if index:
            series.launches.append(result)
    return series


def fmt_s(value: float | None) -> str:
    """Seconds as ``0.43 s``, or n/a."""
    return "n/a" if value is None else f"{value:.2f} s"


def report(bundle: Path, archive: Path | None, series: list[Series], runs: int) -> str:
    """The ``## Bundle`` section as Markdown."""
    size = file_bytes(bundle)
    disk = disk_usage(bundle)
    version = buildinfo.read_version()
    today = datetime.date.today().isoformat()
    cores = os.cpu_count() or 0
    try:
        import PyInstaller

        pyi = PyInstaller.__version__
    except ImportError:
        pyi = "?"
    from importlib import metadata

    qt = metadata.version("PySide6-Essentials") if _has_dist("PySide6-Essentials") else "?"
    lines = [
        "## Bundle",
        "",
        f"`python packaging/build.py` then `python packaging/measure.py --runs {runs} --cold --write-docs`, "
        f"run on {today}: Coze Desktop {version}, PyInstaller {pyi}, PySide6-Essentials {qt}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {cores} cores.",
        "",
        "| what | size | target |",
        "|---|---:|---:|",
        f"| one-folder bundle `dist/coze-desktop/` (files) | {size / 1e6:.1f} MB | ≤ {SIZE_TARGET_MB:.0f} MB |",
        f"| same, on disk (`du -sb`) | {disk / 1e6:.1f} MB | |",
    ]
    if archive is not None and archive.is_file():
        lines.append(f"| `{archive.name}` | {archive.stat().st_size / 1e6:.1f} MB | |")
    lines += ["", "What the bundle is made of:", "", "| part | MB |", "|---|---:|"]
    lines += [f"| {kind} | {nbytes / 1e6:.1f} |" for kind, nbytes in breakdown(bundle)]
    lines += [
        "",
        f"Start time, median of {runs} launches after one warm-up (warm file cache; the cold row is one "
        "launch after dropping the page cache), each with a fresh data folder, `coze-desktop --smoke`:",
        "",
        "| platform plugin | launch → window shown (app's probe) | launch → `smoke ok` line | launch → exit |",
        "|---|---:|---:|---:|",
    ]
    for item in series:
        lines.append(
            f"| {item.platform} | {fmt_s(item.median('probe'))} | {fmt_s(item.median('line'))} "
            f"| {fmt_s(item.median('exit'))} |"
        )
    frozen = [s for s in series if "source" not in s.platform and "cold" not in s.platform]
    worst = max(
        (s.median("probe") or s.median("line") or 0.0 for s in frozen),
        default=0.0,
    )
    have_probe = any(s.median("probe") is not None for s in frozen)
    lines += [
        "",
        '- "window shown" is measured by the app (`COZE_DESKTOP_STARTUP_PROBE`, launch time passed in '
        "from this script's monotonic clock)."
        if have_probe
        else '- The app has no start-up probe yet, so "window shown" is bounded by the `smoke ok` line: '
        "window built, shown, one event pass, closed, store and demo server shut down.",
        f"- Size {'meets' if size / 1e6 <= SIZE_TARGET_MB else 'MISSES'} the ≤ {SIZE_TARGET_MB:.0f} MB target; "
        f"start {'meets' if worst <= START_TARGET_S else 'MISSES'} the ≤ {START_TARGET_S} s target "
        f"(slowest frozen median {worst:.2f} s).",
        "- What was left out to get here, and why: docs/packaging.md.",
        "",
    ]
    return "\n".join(lines)


def _has_dist(name: str) -> bool:
    from importlib import metadata

    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def write_section(markdown: str, path: Path = BENCHMARKS) -> None:
    """Replace (or append) the ``## Bundle`` section of docs/benchmarks.md, keeping the others."""
    benchdoc.write_section(path, markdown)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print (and optionally write) the Bundle section."""
    parser = argparse.ArgumentParser(prog="python packaging/measure.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=buildinfo.ROOT / "dist" / buildinfo.DIST_NAME)
    parser.add_argument("--runs", type=int, default=5, help="measured launches per platform (default: 5)")
    parser.add_argument("--no-xvfb", action="store_true", help="skip the Xvfb/xcb series")
    parser.add_argument("--no-source", action="store_true", help="skip the from-source comparison")
    parser.add_argument(
        "--cold", action="store_true", help="also one launch after dropping the page cache (root, Linux)"
    )
    parser.add_argument("--write-docs", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args(argv)

    exe = args.bundle / buildinfo.DIST_NAME
    if not exe.is_file():
        print(f"no bundle at {args.bundle}: run python packaging/build.py first", file=sys.stderr)
        return 2
    version = buildinfo.read_version()
    archive = args.bundle.parent / f"{buildinfo.DIST_NAME}-{version}-{buildinfo.platform_tag()}.tar.gz"
    series = [run_series(exe, "offscreen", args.runs)]
    if not args.no_xvfb:
        on_x = xvfb_series(exe, args.runs)
        if on_x is not None:
            series.append(on_x)
    if not args.no_source:
        series.append(source_series(args.runs))
    if args.cold:
        cold = cold_series(exe)
        if cold is None:
            print(
                "note: cannot drop the page cache here (needs root on Linux); no cold launch", file=sys.stderr
            )
        else:
            series.append(cold)
    markdown = report(args.bundle, archive if archive.exists() else None, series, args.runs)
    print(markdown)
    if args.write_docs:
        write_section(markdown)
        print(f"wrote the Bundle section of {BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
