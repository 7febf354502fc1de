"""Smoke-test the frozen app: ``python packaging/smoke.py [--bundle dist/coze-desktop]``.

Runs the real executable of the bundle, never the sources:

1. ``coze-desktop --version`` must print the package's version (one version number everywhere).
2. ``coze-desktop --smoke`` with ``QT_QPA_PLATFORM=offscreen`` on a fresh data folder seeded with
   two conversations must print ``smoke ok: 2 conversations`` and exit 0: the whole main window,
   the store (SQLite with FTS5 trigram inside the bundle), settings, logging.
3. ``coze-desktop --frozen-check`` must end with ``frozen check ok``: keyring backends and their
   metadata, certifi's CA bundle, the demo server answering a chat through ``CozeClient``,
   Pygments lexers/styles, Qt plugins and icons (see ``packaging/frozen_check.py``).

Optional, when the tools exist on the machine:

- ``--xcb``: the ``--smoke`` run again on a real X server (Xvfb) with the xcb platform plugin,
  inside ``dbus-run-session`` when available: proves the system libraries are sufficient.
- ``--keyring-roundtrip``: the frozen check inside ``dbus-run-session`` with an unlocked
  ``gnome-keyring-daemon``: the bundled Secret Service backend stores, reads and deletes a secret.
- ``--install-archive [TAR.GZ]`` (Linux): the release archive installed with its install.sh into
  a temporary HOME, started through ``~/.local/bin/coze-desktop --smoke``, launcher validated
  (desktop-file-validate when present), then removed with uninstall.sh.

Exit status 0 only when every selected check passed. The data folder, HOME for the keyring run
and the X display are temporary; nothing touches the user's own data.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import buildinfo
from xvfb import xvfb_display

SEEDED = 2


@dataclass
class Outcome:
    """What one run of the executable gave."""

    code: int
    out: str
    err: str
    seconds: float


def default_exe(bundle: Path) -> Path:
    """The executable inside a one-folder bundle (``.exe`` on Windows)."""
    return bundle / (buildinfo.DIST_NAME + (".exe" if sys.platform == "win32" else ""))


def run(command: Sequence[str], env: dict[str, str], timeout: float) -> Outcome:
    """Run the frozen app, capturing its output; a timeout is a failure, not an exception."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            list(command), env=env, capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=timeout, check=False,
        )  # fmt: skip
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code = -999
        out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = f"timed out after {timeout:.0f} s"
    return Outcome(code, out, err, time.perf_counter() - started)


def base_env(data_dir: Path) -> dict[str, str]:
    """The environment of every run: offscreen Qt, a private data folder, no stray Python paths,
    and keyring's fail backend (as in scripts/test): a locked desktop keyring would otherwise
    put an unlock prompt on the display and block the start. The frozen check still proves the
    real backends are in the bundle; ``--keyring-roundtrip`` uses a real one."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "QT_PLUGIN_PATH")}
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "COZE_DESKTOP_DATA_DIR": str(data_dir),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    return env


def seed_history(data_dir: Path, count: int = SEEDED) -> int:
    """Write ``count`` conversations with the package from the checkout; returns how many.

    The frozen app must then find them: the bundle reads what the source tree writes.
    """
    from coze_desktop.domain import Conversation, Message, Role
    from coze_desktop.store import Store

    store = Store.open(data_dir)
    try:
        for index in range(count):
            conversation = store.create_conversation(
                Conversation(
                    id=None, bot_id="demo-knowledge", title=f"冒烟测试 {index + 1}", base_url="demo://local"
                )
            )
            store.add_message(
                Message(id=None, conversation_id=conversation.id, role=Role.USER, text="怎么退货？")
            )
    finally:
        store.close()
    return count


class Smoke:
    """The checks, with their results printed as they finish."""

    def __init__(self, exe: Path, timeout: float) -> None:
        self.exe = exe
        self.timeout = timeout
        self.failures: list[str] = []

    def report(self, name: str, ok: bool, detail: str, outcome: Outcome | None = None) -> None:
        """Print one result; on failure also the run's output."""
        took = f" ({outcome.seconds:.2f} s)" if outcome else ""
        print(f"{'ok    ' if ok else 'FAILED'} {name}{took}: {detail}", flush=True)
        if not ok:
            self.failures.append(name)
            if outcome is not None:
                print(
                    f"--- exit {outcome.code}; stdout:\n{outcome.out}--- stderr:\n{outcome.err}---",
                    flush=True,
                )

    def version(self, env: dict[str, str]) -> None:
        expected = buildinfo.read_version()
        outcome = run([str(self.exe), "--version"], env, self.timeout)
        ok = outcome.code == 0 and outcome.out.strip() == f"coze-desktop {expected}"
        self.report("version", ok, outcome.out.strip() or "(no output)", outcome)

    def smoke(self, env: dict[str, str], expected: int, name: str = "smoke") -> None:
        outcome = run([str(self.exe), "--smoke"], env, self.timeout)
        match = re.search(r"^smoke ok: (\d+) conversations?$", outcome.out, re.MULTILINE)
        ok = outcome.code == 0 and match is not None and int(match.group(1)) == expected
        ok = ok and "Traceback" not in outcome.err
        detail = match.group(0) if match else "no 'smoke ok' line"
        self.report(name, ok, f"{detail} (expected {expected})", outcome)

    def frozen_check(self, env: dict[str, str], name: str = "frozen-check") -> None:
        outcome = run([str(self.exe), "--frozen-check"], env, self.timeout)
        ok = outcome.code == 0 and outcome.out.rstrip().endswith("frozen check ok")
        ok = ok and "frozen: yes" in outcome.out
        lines = [line for line in outcome.out.splitlines() if line.startswith("check ")]
        self.report(
            name, ok, "; ".join(line.split(":", 1)[0] + " ok" for line in lines) or "no checks ran", outcome
        )
        for line in lines:
            print(f"         {line}", flush=True)

    def xcb(self, env: dict[str, str], expected: int) -> None:
        if shutil.which("Xvfb") is None or sys.platform != "linux":
            self.report("xcb", False, "Xvfb is not installed (apt-get install xvfb xauth)")
            return
        command = [str(self.exe), "--smoke"]
        if shutil.which("dbus-run-session"):
            command = ["dbus-run-session", "--", *command]
        try:
            with xvfb_display() as display:  # ready: Xvfb has said so
                outcome = run(command, {**env, "QT_QPA_PLATFORM": "xcb", "DISPLAY": display}, self.timeout)
        except RuntimeError as exc:  # Xvfb did not start
            self.report("xcb", False, str(exc))
            return
        match = re.search(r"^smoke ok: (\d+) conversations?$", outcome.out, re.MULTILINE)
        ok = outcome.code == 0 and match is not None and int(match.group(1)) == expected
        self.report(
            "xcb",
            ok,
            (match.group(0) if match else "no 'smoke ok' line") + f" on Xvfb {display}",
            outcome,
        )

    def install_archive(self, env: dict[str, str], archive: Path, work: Path) -> None:
        """The Linux release archive: unpack, install.sh into a temp HOME, run the command
        link with --smoke, validate the launcher, then uninstall.sh removes it all."""
        if not archive.is_file():
            self.report(
                "install-archive", False, f"no archive at {archive} (python packaging/build.py makes it)"
            )
            return
        import tarfile

        with tarfile.open(archive) as tar:
            tar.extractall(work / "unpacked", filter="tar")
        top = next((work / "unpacked").iterdir())
        home = work / "home"
        home.mkdir()
        ienv = {k: v for k, v in env.items() if not k.startswith("XDG_")}
        ienv.update({"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")})
        problems: list[str] = []
        installed = run(["bash", str(top / "install.sh")], ienv, self.timeout)
        if installed.code != 0 or "could not start" in installed.err:
            self.report("install-archive", False, "install.sh failed", installed)
            return
        prefix = home / ".local" / "opt" / buildinfo.DIST_NAME
        desktop = home / ".local" / "share" / "applications" / f"{buildinfo.DIST_NAME}.desktop"
        link = home / ".local" / "bin" / buildinfo.DIST_NAME
        icon = (
            home
            / ".local"
            / "share"
            / "icons"
            / "hicolor"
            / "256x256"
            / "apps"
            / f"{buildinfo.DIST_NAME}.png"
        )
        for path in (desktop, link, icon, prefix / "uninstall.sh"):
            if not (path.exists() or path.is_symlink()):
                problems.append(f"missing {path}")
        if shutil.which("desktop-file-validate") and desktop.exists():
            checked = run(["desktop-file-validate", str(desktop)], ienv, self.timeout)
            if checked.code != 0:
                problems.append(f"desktop-file-validate: {checked.out.strip()}")
        ran = run([str(link), "--smoke"], ienv, self.timeout)
        if ran.code != 0 or "smoke ok" not in ran.out:
            problems.append(f"{link} --smoke failed ({ran.code}): {ran.err.strip()[-300:]}")
        removed = run(["bash", str(prefix / "uninstall.sh")], ienv, self.timeout)
        left = [p for p in (prefix, desktop, link, icon) if p.exists() or p.is_symlink()]
        if removed.code != 0 or left:
            problems.append(f"uninstall.sh ({removed.code}) left {left}")
        detail = (
            "; ".join(problems) or f"installed, launcher valid, {link.name} --smoke ok, uninstalled cleanly"
        )
        self.report("install-archive", not problems, detail, installed if problems else None)

    def keyring_roundtrip(self, env: dict[str, str], home: Path) -> None:
        tools = [shutil.which("dbus-run-session"), shutil.which("gnome-keyring-daemon")]
        if None in tools or sys.platform != "linux":
            self.report("keyring-roundtrip", False, "needs dbus-run-session and gnome-keyring-daemon "
                        "(apt-get install dbus gnome-keyring)")  # fmt: skip
            return
        runtime = home / "run"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        kenv = {
            k: v for k, v in env.items() if k not in ("DISPLAY", "PYTHON_KEYRING_BACKEND", "WAYLAND_DISPLAY")
        }
        kenv.update({"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_RUNTIME_DIR": str(runtime),
                     "COZE_FROZEN_CHECK_KEYRING_ROUNDTRIP": "1"})  # fmt: skip
        script = ('eval "$(printf smoke | gnome-keyring-daemon --unlock --components=secrets)"; '
                  'exec "$0" --frozen-check')  # fmt: skip
        outcome = run(["dbus-run-session", "--", "sh", "-c", script, str(self.exe)], kenv, self.timeout)
        line = next((x for x in outcome.out.splitlines() if x.startswith("check keyring:")), "")
        ok = outcome.code == 0 and "round trip ok" in line and "SecretService" in line.split("active", 1)[-1]
        self.report(
            "keyring-roundtrip", ok, line.removeprefix("check keyring: ") or "no keyring line", outcome
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected checks; 0 when all passed."""
    parser = argparse.ArgumentParser(prog="python packaging/smoke.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=buildinfo.ROOT / "dist" / buildinfo.DIST_NAME,
                        help="the one-folder bundle (default: dist/coze-desktop)")  # fmt: skip
    parser.add_argument(
        "--exe", type=Path, help="the executable, if not <bundle>/coze-desktop (e.g. inside the .app)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run (default: %(default)s)")
    parser.add_argument("--xcb", action="store_true", help="also run --smoke on Xvfb with the xcb plugin")
    parser.add_argument("--keyring-roundtrip", action="store_true",
                        help="also round-trip a secret through gnome-keyring in the bundle")  # fmt: skip
    parser.add_argument("--no-seed", action="store_true", help="start from an empty data folder (expect 0)")
    parser.add_argument(
        "--install-archive",
        nargs="?",
        type=Path,
        const=Path("DEFAULT"),
        help="Linux: also install the release tar.gz (default: the one next to the bundle) into a temp "
        "HOME, run it through its command link, and uninstall it",
    )
    args = parser.parse_args(argv)

    exe = (args.exe or default_exe(args.bundle)).resolve()
    if not exe.is_file():
        print(f"no executable at {exe}: run python packaging/build.py first", file=sys.stderr)
        return 2
    print(f"smoke-testing {exe}", flush=True)
    smoke = Smoke(exe, args.timeout)
    with tempfile.TemporaryDirectory(prefix="coze-smoke-") as tmp:
        data_dir = Path(tmp) / "data"
        expected = 0
        if not args.no_seed:
            try:
                expected = seed_history(data_dir)
            except Exception as exc:  # the store's API moved on: say so, and smoke an empty folder
                print(
                    f"note: could not seed the history ({type(exc).__name__}: {exc}); expecting 0", flush=True
                )
                shutil.rmtree(data_dir, ignore_errors=True)
        env = base_env(data_dir)
        smoke.version(env)
        smoke.smoke(env, expected)
        smoke.frozen_check(env)
        if args.xcb:
            smoke.xcb(env, expected)
        if args.keyring_roundtrip:
            smoke.keyring_roundtrip(env, Path(tmp) / "home")
        if args.install_archive is not None:
            archive = args.install_archive
            if archive == Path("DEFAULT"):
                name = f"{buildinfo.DIST_NAME}-{buildinfo.read_version()}-{buildinfo.platform_tag()}.tar.gz"
                archive = args.bundle.parent / name
            (Path(tmp) / "install").mkdir()
            smoke.install_archive(env, archive, Path(tmp) / "install")
    if smoke.failures:
        print(f"smoke FAILED: {', '.join(smoke.failures)}", flush=True)
        return 1
    print("smoke passed", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
