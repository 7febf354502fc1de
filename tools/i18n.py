"""Update the translation sources and build the compiled catalogs.

    python tools/i18n.py            # lupdate: refresh resources/translations/*.ts from the code,
                                    # then lrelease: build the .qm files the app loads
    python tools/i18n.py --check    # exit 1 if a .ts is out of date with the code, a zh_CN string
                                    # is untranslated, or a .qm does not match its .ts

English is the source language; `coze_desktop_en.ts` has no translations (Qt then shows the
source text) and exists so translators see every string. Qt Linguist (`pyside6-linguist`) edits
the .ts files.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "resources" / "translations"
LANGS = ("zh_CN", "en")
SOURCES = "coze_desktop"


def tool(name: str) -> str:
    exe = Path(sys.executable).parent / f"pyside6-{name}"
    if exe.exists():
        return str(exe)
    found = shutil.which(f"pyside6-{name}")
    if not found:
        raise SystemExit(f"pyside6-{name} not found: install PySide6-Essentials")
    return found


def python_sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / SOURCES).rglob("*.py"))


def lupdate(ts: Path, lang: str) -> None:
    subprocess.run(
        [tool("lupdate"), "-no-obsolete", "-locations", "none", "-source-language", "en", "-target-language", lang, *python_sources(), "-ts", str(ts)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], cwd=ROOT, check=True)


def untranslated(ts: Path) -> list[str]:
    """Source strings of a .ts file without a finished translation."""
    missing = []
    for message in ET.parse(ts).getroot().iter("message"):  # noqa: S314 - our own .ts files
        translation = message.find("translation")
        source = message.findtext("source") or ""
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete") or not (translation.text or "").strip():
            if translation is None or translation.find("numerusform") is None:
                missing.append(source)
    return missing


def check() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in LANGS:
            ts = TS_DIR / f"coze_desktop_{lang}.ts"
            if not ts.exists():
                problems.append(f"{ts.name} is missing: run python tools/i18n.py")
                continue
            fresh = Path(tmp) / ts.name
            shutil.copy(ts, fresh)
            lupdate(fresh, lang)
            if fresh.read_bytes() != ts.read_bytes():
                problems.append(f"{ts.name} is out of date with the code: run python tools/i18n.py")
            if lang != "en":
                for source in untranslated(fresh):
                    problems.append(f"{ts.name}: no translation for {source!r}")
            qm = TS_DIR / f"coze_desktop_{lang}.qm"
            built = Path(tmp) / qm.name
            lrelease(ts, built)
            if not qm.exists() or qm.read_bytes() != built.read_bytes():
                problems.append(f"{qm.name} does not match {ts.name}: run python tools/i18n.py")
    for p in problems:
        print(p)
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.check:
        return check()
    TS_DIR.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        ts = TS_DIR / f"coze_desktop_{lang}.ts"
        lupdate(ts, lang)
        lrelease(ts, TS_DIR / f"coze_desktop_{lang}.qm")
        print(f"{ts.relative_to(ROOT)}: {len(untranslated(ts))} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
