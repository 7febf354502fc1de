"""``python -m coze_desktop.demo``: run the demo server until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import io
import logging
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType

from coze_desktop.demo.bots import BOTS
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.demo.workflows import DEMO_APP_ID, WORKFLOWS

DEFAULT_PORT = 8765


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo server; returns the exit code (0 after Ctrl+C or SIGTERM, 1 if it cannot listen)."""
    args = _parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")  # Chinese bot names on a non-UTF-8 console
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        server = DemoServer(args.host, args.port, fast=args.fast, chunked=not args.no_chunked)
    except OSError as error:
        print(
            f"Cannot listen on {args.host}:{args.port}: {error}. Try --port 0 for any free port.",
            file=sys.stderr,
        )
        return 1
    for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a background job may inherit it ignored
        signal.signal(signum, _interrupt)
    with server:
        try:  # the banner too: a signal may come as soon as its last line is read
            _print_banner(server)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("Stopping.", flush=True)
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m coze_desktop.demo",
        description="A Coze-compatible local server with demo bots, for trying the app, tests and benchmarks.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port to listen on, 0 for any free port (default: %(default)s)",
    )
    parser.add_argument("--fast", action="store_true", help="no pauses: stream as fast as the socket allows")
    parser.add_argument(
        "--no-chunked", action="store_true", help="send streams without chunked encoding, ended by closing"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def _print_banner(server: DemoServer) -> None:
    """Print the URL first (scripts read that line), then the token and the bots."""
    print(f"Coze demo server: {server.url}", flush=True)
    print(f"Demo token: {DEMO_TOKEN}", flush=True)
    print("Bots:", flush=True)
    width = max(len(bot_id) for bot_id in BOTS)
    for bot in BOTS.values():
        print(f"  {bot.id:<{width}}  {bot.name}", flush=True)
    print(f"Workflows (chat-flow app id: {DEMO_APP_ID}):", flush=True)
    width = max(len(workflow_id) for workflow_id in WORKFLOWS)
    for workflow in WORKFLOWS.values():
        print(f"  {workflow.id:<{width}}  {workflow.name}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt in the main thread, which stops the server."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
