"""A private Xvfb display for the packaging checks, used only once it is ready.

Xvfb writes its display number to ``-displayfd`` when it accepts clients, so nothing has to
guess how long it takes to start (a fixed pause was too short on a loaded machine) and it picks
a free display itself.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator

READY_TIMEOUT = 30.0  # seconds: a bound on a stuck Xvfb, not a pause


@contextlib.contextmanager
def xvfb_display(screen: str = "1280x800x24") -> Iterator[str]:
    """Start Xvfb on a free display, yield its name (``:N``) once it is ready, stop it afterwards.

    Raises ``FileNotFoundError`` when Xvfb is not installed and ``RuntimeError`` when it does not
    become ready.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise FileNotFoundError("Xvfb is not installed (apt-get install xvfb xauth)")
    read_fd, write_fd = os.pipe()
    try:
        server = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.close(write_fd)
    try:
        yield ":" + _display_number(read_fd, server)
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(timeout=10)


def _display_number(fd: int, server: subprocess.Popen[bytes]) -> str:
    """The number Xvfb writes to ``fd`` once it is ready (a line of digits)."""
    deadline = time.monotonic() + READY_TIMEOUT
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RuntimeError(f"Xvfb was not ready after {READY_TIMEOUT:.0f} s")
        if select.select([fd], [], [], remaining)[0]:
            chunk = os.read(fd, 64)
            if not chunk:
                raise RuntimeError(f"Xvfb stopped before it was ready (exit status {server.wait()})")
            data += chunk
    return data.decode().strip()
