"""A Coze-compatible HTTP server on 127.0.0.1 for the demo bots, the tests and the benchmarks.

Standard library only, and nothing from the client packages: the server is the other end of
the wire, written from ``../shared/coze-api.md``, so a client bug cannot be mirrored here.

    with DemoServer(fast=True) as server:
        base_url = server.url            # e.g. http://127.0.0.1:54321, token DEMO_TOKEN
"""

from __future__ import annotations

import logging
import select
import socket
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from coze_desktop.demo.routes import BinaryReply, DemoApi, JsonReply, Request, StreamReply
from coze_desktop.demo.state import DemoState
from coze_desktop.demo.turn import Frame, Pacing, Play
from coze_desktop.demo.wire import ApiError, dumps, new_logid

DEMO_TOKEN = "demo-token-not-secret"  # noqa: S105  # public on purpose: a demo server for loopback
MAX_BODY_BYTES = 64 * 1024 * 1024
_BATCH_BYTES = 64 * 1024  # fast mode sends this much per chunk

logger = logging.getLogger(__name__)


class DemoServer:
    """The demo server, serving from a daemon thread once started; also a context manager.

    ``fast`` drops every pause (replies stream as fast as the socket allows); ``chunked=False``
    sends streams without chunked encoding, ending them by closing the connection.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, fast: bool = False, chunked: bool = True
    ) -> None:
        self._stopping = threading.Event()
        self._state = DemoState()
        api = DemoApi(self._state, Pacing(fast), self._stopping, DEMO_TOKEN)
        self._httpd = _HttpServer((host, port), api, fast=fast, chunked=chunked)
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def chat_count(self) -> int:
        """How many chats this server has started (a refused send must start none)."""
        return self._state.chat_count

    @property
    def upload_count(self) -> int:
        """How many files this server has accepted (a file uploaded once must not be sent again)."""
        return self._state.upload_count

    @property
    def url(self) -> str:
        """The base URL to give the client, e.g. ``http://127.0.0.1:54321``."""
        host, port = self._httpd.server_address[:2]
        if isinstance(host, bytes):  # typeshed allows bytes; an AF_INET server gives a str
            host = host.decode()
        return f"http://{host}:{port}"

    def start(self) -> DemoServer:
        """Serve in a daemon thread and return ``self``."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="demo-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: end running chats, close open connections and the socket. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()
        self._state.halt_all()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.close_connections()
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


class _HttpServer(ThreadingHTTPServer):
    """A threading HTTP server that remembers its open connections so that stopping can close them."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], api: DemoApi, *, fast: bool, chunked: bool) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.fast = fast
        self.chunked = chunked
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every open connection, which ends the threads serving keep-alive clients."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                logger.debug("connection was already closed")

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a client that went away at DEBUG, anything else with its traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.debug("client %s went away", client_address)
        else:
            logger.exception("error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, asks :class:`DemoApi` for the reply and writes it: JSON or an SSE stream."""

    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connection
    server_version = "CozeDemo/1.0"
    disable_nagle_algorithm = True  # each SSE event leaves at once
    server: _HttpServer
    logid = ""

    def version_string(self) -> str:
        """The ``Server`` header: the demo's name only."""
        return self.server_version

    def handle_one_request(self) -> None:
        self.logid = new_logid()
        super().handle_one_request()

    def do_GET(self) -> None:
        """Answer any method through :meth:`_dispatch` (unknown paths and methods get JSON errors)."""
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def send_response(self, code: int, message: str | None = None) -> None:
        """Send the status line and the ``X-Tt-Logid`` header every Coze response carries."""
        super().send_response(code, message)
        self.send_header("X-Tt-Logid", self.logid)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request the base class rejects (bad request line, unknown method) with JSON."""
        self.close_connection = True
        self._send_json(JsonReply({"code": 4000, "msg": message or HTTPStatus(code).phrase}, code))

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        try:
            reply = self.server.api.handle(self._read_request())
        except ApiError as error:
            reply = JsonReply(error.body(), error.status)
        except Exception:
            logger.exception("demo server failed on %s %s", self.command, self.path)
            reply = JsonReply(
                {"code": 5000, "msg": "internal server error"}, HTTPStatus.INTERNAL_SERVER_ERROR
            )
        if isinstance(reply, StreamReply):
            self._send_stream(reply.turn)
        elif isinstance(reply, BinaryReply):
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        else:
            self._send_json(reply)

    def _read_request(self) -> Request:
        """Read the body (bounded by :data:`MAX_BODY_BYTES`) and the parts of the request line."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(4000, "send a Content-Length; chunked request bodies are not supported", 411)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(4000, "bad or too large Content-Length", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        body = self.rfile.read(length)
        if len(body) < length:  # the client gave up mid-body (e.g. a canceled upload): nothing is kept
            self.close_connection = True
            raise ApiError(4000, "the request body ended before its Content-Length")
        url = urlsplit(self.path)
        query: dict[str, str] = {}
        for name, value in parse_qsl(url.query, keep_blank_values=True):
            query.setdefault(name, value)
        return Request(
            self.command,
            url.path,
            query,
            self.headers.get("Content-Type", ""),
            self.headers.get("Authorization", ""),
            body,
            self.headers.get("Host", ""),
        )

    def _send_json(self, reply: JsonReply) -> None:
        body = dumps({**reply.body, "detail": {"logid": self.logid}}).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_stream(self, turn: Play) -> None:
        """Play a turn as ``text/event-stream``: chunked (one event per chunk) or ended by closing."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if self.server.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        try:
            if self.server.fast:
                self._write_batched(turn.frames(), turn.chat.halt)
            else:
                self._write_paced(turn.frames(), turn.chat.halt)
            if turn.drops_connection:
                self.close_connection = True  # no terminating chunk: the client sees a cut body
            elif self.server.chunked:
                self.wfile.write(b"0\r\n\r\n")
        except ConnectionError:
            logger.debug("client went away during the stream of chat %s", turn.chat.id)
            self.close_connection = True
        finally:
            turn.release()

    def _write_paced(self, frames: Iterator[Frame], halt: threading.Event) -> None:
        """Write each event as soon as its pause is over; stop when the chat is halted or the client left."""
        for delay, frame in frames:
            if self._pause(delay) or halt.is_set():
                return
            self._write_body(frame)

    def _pause(self, delay: float) -> bool:
        """Wait up to ``delay`` seconds watching the socket; True if the client hung up meanwhile.

        Noticing the hang-up during a pause, not at the next write, frees the conversation for
        the client's next chat at once.
        """
        if delay <= 0 or not select.select([self.connection], [], [], delay)[0]:
            return False
        try:
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except ConnectionError:
            return True

    def _write_batched(self, frames: Iterator[Frame], halt: threading.Event) -> None:
        """Write events without pauses, many per chunk; stop when the chat is halted."""
        batch: list[bytes] = []
        size = 0
        for _, frame in frames:
            batch.append(frame)
            size += len(frame)
            if size >= _BATCH_BYTES:
                if halt.is_set():
                    return
                self._write_body(b"".join(batch))
                batch.clear()
                size = 0
        if batch and not halt.is_set():
            self._write_body(b"".join(batch))

    def _write_body(self, data: bytes) -> None:
        """Write ``data`` as one chunk (or raw without chunking) and flush it."""
        if self.server.chunked:
            data = b"%X\r\n%s\r\n" % (len(data), data)
        self.wfile.write(data)
        self.wfile.flush()
