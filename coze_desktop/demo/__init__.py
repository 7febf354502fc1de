"""Coze-compatible local HTTP server for the demo bots, the tests and the benchmarks (stdlib only).

Run it with ``python -m coze_desktop.demo`` or start it in-process::

    with DemoServer(fast=True) as server:
        ...  # point the client at server.url with the token DEMO_TOKEN
"""

from coze_desktop.demo.bots import BOTS
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer

__all__ = ["BOTS", "DEMO_TOKEN", "DemoServer"]
