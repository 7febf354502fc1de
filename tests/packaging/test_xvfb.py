"""packaging/xvfb.py: the Xvfb display of the smoke test and the measurements is used only once
Xvfb says it is ready (no fixed pause), and a display that cannot start is an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_scripts import load

xvfb = load("xvfb")

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or sys.platform != "linux", reason="Xvfb is not installed"
)

QT_CLIENT = "from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]); print(app.platformName())"


def test_the_display_accepts_clients_as_soon_as_it_is_yielded() -> None:
    with xvfb.xvfb_display() as display:
        assert display.startswith(":") and display[1:].isdigit()
        assert Path(f"/tmp/.X11-unix/X{display[1:]}").exists()
        env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=display)
        client = subprocess.run(
            [sys.executable, "-c", QT_CLIENT],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert client.returncode == 0 and client.stdout.strip() == "xcb", client.stderr
    assert not Path(f"/tmp/.X11-unix/X{display[1:]}").exists()  # stopped afterwards


def test_an_xvfb_that_cannot_start_is_an_error_not_a_wait() -> None:
    with pytest.raises(RuntimeError, match="stopped before it was ready"):
        with xvfb.xvfb_display(screen="not-a-screen"):
            pass
