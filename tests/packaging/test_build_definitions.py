"""build.py's plan, the PyInstaller spec, the Windows/macOS installer definitions, the version.

None of this runs PyInstaller, Inno Setup or hdiutil; it checks what they will be given.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_scripts import PACKAGING, load

import coze_desktop
from coze_desktop.api.client import USER_AGENT

build = load("build")
buildinfo = load("buildinfo")
measure = load("measure")
smoke = load("smoke")
VERSION = buildinfo.read_version()


def run_build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), *args], capture_output=True, text=True, check=False
    )


# --- one version number ---------------------------------------------------------------------


def test_version_comes_from_the_package() -> None:
    assert VERSION == coze_desktop.__version__
    assert buildinfo.app_name() == coze_desktop.APP_NAME
    assert buildinfo.DIST_NAME == coze_desktop.APP_ID
    assert f"/{VERSION} " in USER_AGENT


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2", (1, 2, 0, 0)),
        ("2.0.0rc1", (2, 0, 0, 0)),
        ("3.4.5.dev2+g1", (3, 4, 5, 0)),
    ],
)
def test_numeric_version(version: str, numbers: tuple[int, int, int, int]) -> None:
    assert buildinfo.numeric_version(version) == numbers


def test_platform_tag() -> None:
    assert re.fullmatch(r"(linux|macos|windows|\w+)-[a-z0-9_]+", buildinfo.platform_tag())


def test_bundle_id_is_valid_for_macos() -> None:
    # CFBundleIdentifier: letters, digits, hyphen and period only.
    assert re.fullmatch(r"[A-Za-z0-9.-]+", buildinfo.BUNDLE_ID)
    assert buildinfo.BUNDLE_ID.count(".") >= 2


# --- build.py ---------------------------------------------------------------------------------


def test_build_help() -> None:
    result = run_build("--help")
    assert result.returncode == 0
    for flag in ("--dry-run", "--no-installer", "--smoke", "--archive-only", "--console"):
        assert flag in result.stdout


def test_build_dry_run_prints_the_plan_and_builds_nothing(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = run_build("--dry-run", "--dist", str(dist), "--work", str(tmp_path / "work"), "--smoke")
    assert result.returncode == 0, result.stderr
    assert "-m PyInstaller" in result.stdout and "coze_desktop.spec" in result.stdout
    assert "smoke.py" in result.stdout
    if sys.platform.startswith("linux"):
        assert f"coze-desktop-{VERSION}-{buildinfo.platform_tag()}.tar.gz" in result.stdout
    assert not dist.exists()


def test_dry_run_shows_the_installer_commands_with_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = build.Plan(dry_run=True)
    build.windows_installer(plan, tmp_path, "1.2.3rc1", require=False)
    build.macos_dmg(plan, tmp_path, "1.2.3rc1")
    out = capsys.readouterr().out
    assert "/DAppVersion=1.2.3rc1" in out and "/DAppNumericVersion=1.2.3.0" in out
    assert "coze-desktop.iss" in out
    assert "make_dmg.sh" in out and "coze-desktop-1.2.3rc1-" in out and ".dmg" in out


# --- the spec -------------------------------------------------------------------------------


def spec_namespace() -> dict[str, object]:
    """The spec's constants and helper functions, without running PyInstaller."""
    tree = ast.parse((PACKAGING / "coze_desktop.spec").read_text(encoding="utf-8"))
    wanted = {"DROP_PLUGIN_TYPES", "DROP_PLUGINS", "KEEP_QT_TRANSLATIONS", "QT_EXCLUDES", "PY_EXCLUDES"}
    keep = [
        node
        for node in tree.body
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) in wanted for t in node.targets))
        or (isinstance(node, ast.FunctionDef) and node.name in {"plugin_stem", "keep_plugin", "keep_data"})
    ]
    namespace: dict[str, object] = {"Path": Path, "IS_WIN": False}
    exec(compile(ast.Module(body=keep, type_ignores=[]), "coze_desktop.spec", "exec"), namespace)  # noqa: S102
    return namespace


def test_spec_reads_the_version_and_carries_what_freezing_loses() -> None:
    text = (PACKAGING / "coze_desktop.spec").read_text(encoding="utf-8")
    assert "buildinfo.read_version()" in text and "version=VERSION" in text
    assert 'copy_metadata("keyring")' in text  # backends are found through entry points
    assert 'collect_submodules("keyring.backends")' in text
    assert 'collect_submodules("pygments.lexers")' in text and 'collect_submodules("pygments.styles")' in text
    assert 'collect_submodules("coze_desktop"' in text  # the demo server included
    assert "pathex=[str(ROOT)" in text  # PyInstaller cannot follow the editable install
    assert '"resources/icons"' in text and "translations" in text
    assert "info_plist" in text and "NSHighResolutionCapable" in text and "LSMinimumSystemVersion" in text


def test_spec_excludes_unused_qt() -> None:
    ns = spec_namespace()
    qt_excludes = set(ns["QT_EXCLUDES"])  # type: ignore[call-overload]
    for module in ("QtQml", "QtQuick", "QtWebEngineCore", "QtPdf", "QtMultimedia", "QtDesigner", "Qt3DCore"):
        assert f"PySide6.{module}" in qt_excludes
    for needed in ("QtCore", "QtGui", "QtWidgets", "QtNetwork"):
        assert f"PySide6.{needed}" not in qt_excludes
    keep_plugin = ns["keep_plugin"]
    assert not keep_plugin("platformthemes", "/x/libqgtk3.so")  # type: ignore[operator]
    assert keep_plugin("platformthemes", "/x/libqxdgdesktopportal.so")  # type: ignore[operator]
    for kept in ("libqxcb.so", "libqwayland.so", "libqoffscreen.so", "qwindows.dll"):
        assert keep_plugin("platforms", f"/x/{kept}"), kept  # type: ignore[operator]
    for dropped in ("libqeglfs.so", "libqvnc.so", "libqlinuxfb.so"):
        assert not keep_plugin("platforms", f"/x/{dropped}"), dropped  # type: ignore[operator]
    assert keep_plugin("imageformats", "/x/libqsvg.so") and keep_plugin("iconengines", "/x/libqsvgicon.so")  # type: ignore[operator]
    assert not keep_plugin("imageformats", "/x/libqpdf.so")  # type: ignore[operator]
    assert not keep_plugin("tls", "/x/libqopensslbackend.so")  # type: ignore[operator]
    assert keep_plugin("platforminputcontexts", "/x/libibusplatforminputcontextplugin.so")  # type: ignore[operator]
    keep_data = ns["keep_data"]
    assert keep_data("PySide6/Qt/translations/qtbase_zh_CN.qm")  # type: ignore[operator]
    assert not keep_data("PySide6/Qt/translations/qtbase_de.qm")  # type: ignore[operator]
    assert keep_data("resources/translations/coze_desktop_zh_CN.qm")  # type: ignore[operator]


def test_entry_point_and_frozen_check_are_importable() -> None:
    entry = load("entry")
    frozen_check = load("frozen_check")
    assert callable(entry.main)
    assert [name for name, _ in frozen_check.CHECKS] == ["keyring", "tls", "demo-chat", "pygments", "qt"]


def test_frozen_check_passes_from_source(tmp_path: Path) -> None:
    """The checks themselves work (the CI step runs them inside the bundle)."""
    env = smoke.base_env(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "frozen_check.py")],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("frozen check ok")
    assert "frozen: no" in result.stdout


def test_smoke_seeds_a_history_the_store_reads(tmp_path: Path) -> None:
    from coze_desktop.store import Store

    assert smoke.seed_history(tmp_path) == smoke.SEEDED
    store = Store.open(tmp_path)
    try:
        assert store.count_conversations() == smoke.SEEDED
    finally:
        store.close()


def test_smoke_without_a_bundle_says_so(tmp_path: Path) -> None:
    assert smoke.main(["--bundle", str(tmp_path / "nothing")]) == 2


# --- Windows ---------------------------------------------------------------------------------


def test_inno_setup_script() -> None:
    iss_path = PACKAGING / "windows" / "coze-desktop.iss"
    iss = iss_path.read_text(encoding="utf-8")
    assert "#ifndef AppVersion" in iss and "AppVersion={#AppVersion}" in iss
    assert "PrivilegesRequired=lowest" in iss
    assert r"DefaultDirName={localappdata}\Programs\{#AppName}" in iss
    assert '#define AppExeName "coze-desktop.exe"' in iss
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", iss, re.MULTILINE)
    assert r'Name: "{autoprograms}\{#AppName}"' in iss  # Start-menu shortcut
    icon = re.search(r"^SetupIconFile=(.+)$", iss, re.MULTILINE)
    assert icon is not None
    assert (iss_path.parent / icon.group(1).replace("\\", "/")).resolve() == (
        buildinfo.ICONS / "coze-desktop.ico"
    ).resolve()
    assert "[UninstallDelete]" not in iss or "Coze Desktop\\" not in iss  # never the user's data


class _Recorder:
    """Stands in for PyInstaller's versioninfo classes (which need pefile, Windows only)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: object, **kwargs: object) -> dict[str, object]:
        return {"class": self.name, "args": args, **kwargs}


def test_windows_version_info() -> None:
    version_info = load("windows/version_info")
    text = version_info.render("1.2.3rc1")
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct")
    namespace = {name: _Recorder(name) for name in (*names, "VarFileInfo", "VarStruct")}
    info = eval(text, namespace)  # noqa: S307  # what PyInstaller itself does with this file
    assert info["class"] == "VSVersionInfo"
    assert info["ffi"]["filevers"] == (1, 2, 3, 0) == info["ffi"]["prodvers"]
    strings = {s["args"][0]: s["args"][1] for s in info["kids"][0]["args"][0][0]["args"][1]}
    assert strings["FileVersion"] == strings["ProductVersion"] == "1.2.3rc1"
    assert strings["ProductName"] == "Coze Desktop"
    assert strings["OriginalFilename"] == "coze-desktop.exe"


# --- macOS ------------------------------------------------------------------------------------


def test_make_dmg_script(tmp_path: Path) -> None:
    script = PACKAGING / "macos" / "make_dmg.sh"
    text = script.read_text(encoding="utf-8")
    assert "hdiutil create" in text and "UDZO" in text and "ln -s /Applications" in text
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    usage = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False)
    assert usage.returncode != 0 and "usage" in usage.stderr
    not_app = subprocess.run(
        ["bash", str(script), str(tmp_path), str(tmp_path / "x.dmg")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert not_app.returncode != 0 and "not an application bundle" in not_app.stderr


# --- measure.py -------------------------------------------------------------------------------


def test_bundle_section_replaces_only_itself(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\n## SSE throughput\n\nfast\n\n## Bundle\n\nold numbers\n\n## Later\n\nkept\n"
    )
    measure.write_section("## Bundle\n\nnew numbers\n", doc)
    text = doc.read_text()
    assert "old numbers" not in text and "new numbers" in text
    assert "## SSE throughput\n\nfast" in text and "## Later\n\nkept" in text
    assert text.index("## SSE") < text.index("## Bundle") < text.index("## Later")
    fresh = tmp_path / "fresh.md"
    fresh.write_text("# Benchmarks\n\n## SSE throughput\n\nfast\n")
    measure.write_section("## Bundle\n\nnumbers\n", fresh)
    assert fresh.read_text().endswith("## SSE throughput\n\nfast\n\n## Bundle\n\nnumbers\n")


def test_breakdown_sorts_parts(fake_dist: Path) -> None:
    parts = measure.breakdown(fake_dist / "coze-desktop")
    assert parts and parts == sorted(parts, key=lambda kv: -kv[1])
    assert sum(size for _, size in parts) == measure.file_bytes(fake_dist / "coze-desktop")
