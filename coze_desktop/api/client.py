"""``CozeClient``: Coze's chat API over a ``requests.Session`` (coze-api.md §1-§8).

Streaming chat hands over every event as soon as its bytes arrive: the body is read with
``raw.read1`` (which returns what has arrived, chunked or not) and decoded by
:class:`~coze_desktop.api.sse.SseDecoder` as UTF-8 whatever the Content-Type says.

The token lives only in the private auth object and in the ``Authorization`` header of
outgoing requests; it never appears in a repr, a log line or an exception's text.
"""

from __future__ import annotations

import errno
import json
import logging
import mimetypes
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import requests
import urllib3.exceptions
from urllib3.fields import RequestField

from coze_desktop import APP_NAME, __version__
from coze_desktop.domain import DEFAULT_BASE_URL, Bot, ChatStatus

from . import workflows
from .errors import (
    ChatCanceledError,
    ChatTimeoutError,
    CozeAPIError,
    CozeError,
    CozeNetworkError,
    ErrorKind,
    NetworkErrorKind,
    ProtocolError,
    redact,
)
from .events import (
    TERMINAL_EVENTS,
    ApiChat,
    ApiMessage,
    ChatCanceled,
    ChatCompleted,
    ChatCreated,
    ChatEvent,
    ChatFailed,
    ChatInProgress,
    ChatRequiresAction,
    ChatStatusEvent,
    ErrorEvent,
    MessageCompleted,
    MessageDelta,
    as_dict,
    as_int,
    as_str,
    parse_event,
)
from .files import MAX_UPLOAD_BYTES, Attachment, AttachmentError, check_file, file_kind
from .sse import SseDecoder
from .workflows import ToolOutput, WorkflowInfo, WorkflowRunResponse, WorkflowStream

logger = logging.getLogger(__name__)

USER_AGENT = f"{APP_NAME.replace(' ', '')}/{__version__} (+https://github.com/coze-desktop)"
READ_SIZE = 65536
UPLOAD_CHUNK = 256 * 1024  # an upload is read from its file and sent this much at a time

UploadProgress = Callable[[int, int], None]  # (bytes of the file sent, its size)
_HTML_TAG = re.compile(r"<[^>]+>")


class _BearerAuth(requests.auth.AuthBase):
    """Adds the ``Authorization`` header; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r

    def __repr__(self) -> str:
        return "<BearerAuth ***>"


@dataclass(slots=True)
class ConversationInfo:
    """A Coze conversation (ConversationData, §6)."""

    id: str
    name: str = ""
    created_at: int | None = None
    updated_at: int | None = None
    last_section_id: str = ""
    meta_data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Any) -> ConversationInfo:
        d = d if isinstance(d, dict) else {}
        meta = d.get("meta_data")
        return cls(
            id=as_str(d.get("id")),
            name=as_str(d.get("name")),
            created_at=as_int(d.get("created_at")),
            updated_at=as_int(d.get("updated_at")),
            last_section_id=as_str(d.get("last_section_id")),
            meta_data=meta if isinstance(meta, dict) else {},
        )


@dataclass(slots=True)
class MessagePage:
    """One page of ``/v1/conversation/message/list``."""

    messages: list[ApiMessage]
    first_id: str = ""
    last_id: str = ""
    has_more: bool = False


@dataclass(slots=True)
class UploadedFile:
    id: str
    bytes: int = 0
    file_name: str = ""
    created_at: int | None = None


@dataclass(slots=True)
class BotSummary:
    """An item of the bot list."""

    id: str
    name: str = ""
    description: str = ""
    icon_url: str = ""
    is_published: bool = False


def _text_message(text: str) -> dict[str, Any]:
    return {"role": "user", "type": "question", "content": text, "content_type": "text"}


MAX_ADDITIONAL_MESSAGES = 100  # Coze accepts at most this many additional_messages per chat


def messages_with_context(context: Sequence[tuple[str, str]], question: str) -> list[dict[str, Any]]:
    """``additional_messages`` for a chat: earlier ``(role, text)`` pairs as context, then ``question``.

    ``role`` is ``user`` (a question) or ``assistant`` (an answer); empty texts are left out and
    only the newest context fits, so that with the question there are at most
    :data:`MAX_ADDITIONAL_MESSAGES` items (the last one is the question).
    """
    items = [
        {
            "role": "user" if role == "user" else "assistant",
            "type": "question" if role == "user" else "answer",
            "content": text,
            "content_type": "text",
        }
        for role, text in context
        if text
    ]
    keep = MAX_ADDITIONAL_MESSAGES - 1
    return [*items[max(0, len(items) - keep) :], _text_message(question)]


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not c for c in chain):
        chain.append(cur)
        if isinstance(cur, urllib3.exceptions.MaxRetryError) and cur.reason is not None:
            cur = cur.reason
            continue
        nxt = cur.__cause__ or cur.__context__
        if nxt is None and cur.args and isinstance(cur.args[0], BaseException):
            nxt = cur.args[0]
        cur = nxt
    return chain


def _classify_connection_error(exc: BaseException, *, connecting: bool) -> NetworkErrorKind:
    """Tell DNS, refused, TLS, proxy, timeouts and drops apart by the whole cause chain.

    Most specific first: urllib3's NewConnectionError is a ConnectTimeoutError subclass even
    when the connection was refused, so the OS error under it decides.
    """
    chain = _cause_chain(exc)

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(c, types) for c in chain)

    if has(requests.exceptions.SSLError, urllib3.exceptions.SSLError, ssl.SSLError):
        return NetworkErrorKind.TLS
    if has(requests.exceptions.ProxyError, urllib3.exceptions.ProxyError):
        return NetworkErrorKind.PROXY
    if has(urllib3.exceptions.NameResolutionError, socket.gaierror):
        return NetworkErrorKind.DNS
    if has(ConnectionRefusedError) or any(
        isinstance(c, OSError) and c.errno == errno.ECONNREFUSED for c in chain
    ):
        return NetworkErrorKind.REFUSED
    if any(
        isinstance(c, urllib3.exceptions.ConnectTimeoutError | requests.exceptions.ConnectTimeout)
        and not isinstance(c, urllib3.exceptions.NewConnectionError)
        for c in chain
    ):
        return NetworkErrorKind.CONNECT_TIMEOUT
    if has(urllib3.exceptions.ReadTimeoutError, requests.exceptions.ReadTimeout, TimeoutError):
        return (
            NetworkErrorKind.CONNECT_TIMEOUT
            if connecting and has(urllib3.exceptions.NewConnectionError)
            else NetworkErrorKind.READ_TIMEOUT
        )
    return NetworkErrorKind.OTHER if connecting else NetworkErrorKind.DROPPED


def _abort_response(resp: requests.Response) -> None:
    """Close a response so that a read blocked in another thread returns at once."""
    raw = resp.raw
    conn = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    try:
        resp.close()
    except Exception:
        logger.debug("closing response raised", exc_info=True)


def read_chunks(response: requests.Response, canceled: threading.Event, logid: str | None) -> Iterator[bytes]:
    """The body of a streamed answer as it arrives, until it ends or ``canceled`` is set (then it
    just stops: the caller tells a cancel from a drop). A broken connection raises
    :class:`CozeNetworkError` with its kind. Shared by every SSE stream (chat, workflow)."""
    raw = response.raw
    while True:
        if canceled.is_set():
            return
        try:
            chunk = raw.read1(READ_SIZE)
        except Exception as exc:
            if canceled.is_set():
                return
            kind = _classify_connection_error(exc, connecting=False)
            raise CozeNetworkError(kind, type(exc).__name__, logid=logid) from None
        if not chunk:
            return
        yield chunk


class ChatStream:
    """An open ``/v3/chat`` stream. Iterate it for typed events.

    Iteration ends after a terminal event. An ``error`` event or ``conversation.chat.failed``
    is yielded first and then raised as :class:`CozeAPIError`; a connection that drops, or a
    stream that ends without a terminal event, raises :class:`CozeNetworkError` (``DROPPED``);
    :meth:`cancel` from another thread makes iteration raise :class:`ChatCanceledError`.
    The caller keeps what it received so far.
    """

    def __init__(self, client: CozeClient, response: requests.Response) -> None:
        self._client = client
        self._response = response
        self.logid: str | None = response.headers.get("X-Tt-Logid") or None
        self.conversation_id: str | None = None
        self.chat_id: str | None = None
        self.finished = False
        self._canceled = threading.Event()
        self._closed = False

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[ChatEvent]:
        decoder = SseDecoder()
        try:
            for chunk in self._chunks():
                for sse in decoder.feed(chunk):
                    event = parse_event(sse)
                    if event.__class__ is MessageDelta and self.chat_id is not None:
                        yield event  # the bulk of the stream: nothing to note, never terminal
                        continue
                    self._note(event)
                    yield event
                    if isinstance(event, TERMINAL_EVENTS):
                        self.finished = True
                        self._raise_if_failed(event)
                        return
            decoder.close()
        finally:
            self.close()
        if self._canceled.is_set():
            raise ChatCanceledError()
        if not self.finished:
            raise CozeNetworkError(
                NetworkErrorKind.DROPPED, "the stream ended before the chat finished", logid=self.logid
            )

    def _chunks(self) -> Iterator[bytes]:
        return read_chunks(self._response, self._canceled, self.logid)

    def _note(self, event: ChatEvent) -> None:
        if isinstance(event, ChatStatusEvent):
            self.conversation_id = event.chat.conversation_id or self.conversation_id
            self.chat_id = event.chat.id or self.chat_id
        elif self.chat_id is None and isinstance(event, MessageDelta | MessageCompleted):
            self.conversation_id = self.conversation_id or event.message.conversation_id or None
            self.chat_id = event.message.chat_id or None

    def _raise_if_failed(self, event: ChatEvent) -> None:
        if isinstance(event, ErrorEvent):
            raise CozeAPIError(event.code, event.msg or event.data, logid=self.logid)
        if isinstance(event, ChatFailed):
            err = event.chat.last_error
            raise CozeAPIError(
                err.code if err else None, err.message if err else "chat failed", logid=self.logid
            )

    def abort(self) -> None:
        """Stop reading at once: iteration raises :class:`ChatCanceledError`. Safe in a signal handler."""
        self._canceled.set()
        self.close()

    def cancel(self) -> None:
        """Stop: close the stream at once, then ask Coze to cancel the chat (best effort)."""
        self.abort()
        if self.conversation_id and self.chat_id and not self.finished:
            try:
                self._client.cancel_chat(self.conversation_id, self.chat_id)
            except CozeError as exc:
                logger.info("cancel request failed: %s", exc)

    @property
    def canceled(self) -> bool:
        return self._canceled.is_set()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _abort_response(self._response)


class CozeClient:
    """Coze's HTTP API. Thread-safe for concurrent requests (one ``requests.Session`` per client)."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        proxies: Mapping[str, str] | None = None,
        user_agent: str = USER_AGENT,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        if not token or not token.strip():
            raise ValueError("an access token is required")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._auth = _BearerAuth(token.strip())
        self._session = requests.Session()
        self._session.verify = True
        self._session.trust_env = True  # proxies and CA bundle from the environment
        self._session.headers["User-Agent"] = user_agent
        self._proxies = dict(proxies) if proxies else None
        self._on_request = on_request  # called with the path of each answered API call (call counting)

    def __repr__(self) -> str:
        return f"CozeClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> CozeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        files: Any = None,
        body: Any = None,
        stream: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = self.base_url + path
        hdrs = dict(headers or {})
        data = body
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self._session.request(
                method,
                url,
                params={k: v for k, v in (params or {}).items() if v is not None},
                data=data,
                files=files,
                headers=hdrs,
                auth=self._auth,
                stream=stream,
                timeout=(self.connect_timeout, self.read_timeout),
                proxies=self._proxies,
                allow_redirects=True,
            )
        except requests.exceptions.RequestException as exc:
            kind = _classify_connection_error(exc, connecting=True)
            raise CozeNetworkError(kind, redact(f"{type(exc).__name__} for {method} {path}")) from None
        # Only a request the server answered counts: a refused connection, a failed DNS lookup or
        # a timeout before the response never reached the API.
        if self._on_request is not None:
            self._on_request(path)
        return response

    def _json(self, resp: requests.Response) -> dict[str, Any]:
        """The JSON envelope of a response; raises :class:`CozeAPIError` for any error shape."""
        logid = resp.headers.get("X-Tt-Logid") or None
        try:
            body = resp.content
        except requests.exceptions.RequestException as exc:
            kind = _classify_connection_error(exc, connecting=False)
            raise CozeNetworkError(kind, type(exc).__name__, logid=logid) from None
        try:
            obj = json.loads(body.decode("utf-8", "replace")) if body.strip() else None
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            if resp.status_code >= 400:
                text = _HTML_TAG.sub(" ", body[:2000].decode("utf-8", "replace"))
                text = " ".join(text.split())[:200]
                raise CozeAPIError(None, text or resp.reason or "", logid=logid, http_status=resp.status_code)
            raise ProtocolError(
                f"expected a JSON object from {resp.request.path_url.split('?')[0]}", logid=logid
            )
        detail = obj.get("detail")
        if isinstance(detail, dict) and detail.get("logid"):
            logid = as_str(detail.get("logid")) or logid
        code = as_int(obj.get("code"))
        if code:
            raise CozeAPIError(code, as_str(obj.get("msg")), logid=logid, http_status=resp.status_code)
        if "error_code" in obj and code is None:  # OAuth-style error body
            raise CozeAPIError(
                None,
                f"{as_str(obj.get('error_code'))}: {as_str(obj.get('error_message'))}",
                logid=logid,
                http_status=resp.status_code,
            )
        if resp.status_code >= 400:
            raise CozeAPIError(
                code, as_str(obj.get("msg")) or resp.reason or "", logid=logid, http_status=resp.status_code
            )
        return obj

    def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        resp = self._request(method, path, **kw)
        try:
            return self._json(resp)
        finally:
            resp.close()

    # --- chat --------------------------------------------------------------------------------

    def _chat_body(
        self,
        bot_id: str,
        user_id: str,
        message: str | Sequence[Mapping[str, Any]],
        *,
        stream: bool,
        auto_save_history: bool,
        custom_variables: Mapping[str, str] | None,
        meta_data: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        messages = [_text_message(message)] if isinstance(message, str) else [dict(m) for m in message]
        body: dict[str, Any] = {
            "bot_id": bot_id,
            "user_id": user_id,
            "stream": stream,
            "auto_save_history": auto_save_history,
            "additional_messages": messages,
        }
        if custom_variables:
            body["custom_variables"] = dict(custom_variables)
        if meta_data:
            body["meta_data"] = dict(meta_data)
        return body

    def stream_chat(
        self,
        bot_id: str,
        user_id: str,
        message: str | Sequence[Mapping[str, Any]],
        *,
        conversation_id: str | None = None,
        auto_save_history: bool = True,
        custom_variables: Mapping[str, str] | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> ChatStream:
        """Start a streaming chat (``POST /v3/chat``, ``stream: true``). ``message`` is the user's
        text, or a list of EnterMessage objects (the last one is the query)."""
        body = self._chat_body(
            bot_id,
            user_id,
            message,
            stream=True,
            auto_save_history=auto_save_history,
            custom_variables=custom_variables,
            meta_data=meta_data,
        )
        resp = self._request(
            "POST",
            "/v3/chat",
            params={"conversation_id": conversation_id},
            json_body=body,
            stream=True,
            # identity: a compressed event stream would be held back by the decompressor
            headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"},
        )
        if "event-stream" not in resp.headers.get("Content-Type", "").lower():
            try:
                self._json(resp)  # raises for every error shape
            finally:
                resp.close()
            raise ProtocolError("the server answered a streaming chat without an event stream")
        return ChatStream(self, resp)

    def create_chat(
        self,
        bot_id: str,
        user_id: str,
        message: str | Sequence[Mapping[str, Any]],
        *,
        conversation_id: str | None = None,
        custom_variables: Mapping[str, str] | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> ApiChat:
        """Start a non-streaming chat. ``auto_save_history`` is always true: Coze answers
        ``stream: false`` without it with error 4007."""
        body = self._chat_body(
            bot_id,
            user_id,
            message,
            stream=False,
            auto_save_history=True,
            custom_variables=custom_variables,
            meta_data=meta_data,
        )
        obj = self._call("POST", "/v3/chat", params={"conversation_id": conversation_id}, json_body=body)
        chat = ApiChat.from_json(obj.get("data"))
        if not chat.id:
            raise ProtocolError("the chat was created without an id")
        return chat

    def retrieve_chat(self, conversation_id: str, chat_id: str) -> ApiChat:
        """``/v3/chat/retrieve``: GET as documented, POST (as both SDKs send) if GET is refused."""
        params = {"conversation_id": conversation_id, "chat_id": chat_id}
        resp = self._request("GET", "/v3/chat/retrieve", params=params)
        if resp.status_code in (404, 405):
            resp.close()
            resp = self._request("POST", "/v3/chat/retrieve", params=params)
        try:
            return ApiChat.from_json(self._json(resp).get("data"))
        finally:
            resp.close()

    def list_chat_messages(self, conversation_id: str, chat_id: str) -> list[ApiMessage]:
        """Everything a chat produced except the user's query (``/v3/chat/message/list``)."""
        params = {"conversation_id": conversation_id, "chat_id": chat_id}
        resp = self._request("GET", "/v3/chat/message/list", params=params)
        if resp.status_code in (404, 405):
            resp.close()
            resp = self._request("POST", "/v3/chat/message/list", params=params)
        try:
            data = self._json(resp).get("data")
        finally:
            resp.close()
        if isinstance(data, dict):  # tolerate {"messages": [...]} / {"data": [...]}
            data = data.get("messages", data.get("data"))
        return [ApiMessage.from_json(m) for m in data] if isinstance(data, list) else []

    def cancel_chat(self, conversation_id: str, chat_id: str) -> ApiChat:
        obj = self._call(
            "POST", "/v3/chat/cancel", json_body={"conversation_id": conversation_id, "chat_id": chat_id}
        )
        return ApiChat.from_json(obj.get("data"))

    def poll_chat(
        self,
        conversation_id: str,
        chat_id: str,
        *,
        interval: float = 1.0,
        timeout: float = 300.0,
        cancel: threading.Event | None = None,
    ) -> ApiChat:
        """Retrieve a chat until it reaches a terminal status, at least ``interval`` (≥ 1 s) apart.

        Raises :class:`ChatTimeoutError` after ``timeout`` seconds and :class:`ChatCanceledError`
        as soon as ``cancel`` is set (the chat is then canceled on the server, best effort).
        """
        interval = max(1.0, interval)
        cancel = cancel or threading.Event()
        deadline = time.monotonic() + timeout
        while True:
            if cancel.wait(interval):
                self._cancel_quietly(conversation_id, chat_id)
                raise ChatCanceledError()
            chat = self.retrieve_chat(conversation_id, chat_id)
            if chat.status is not None and chat.status.is_terminal:
                return chat
            if time.monotonic() >= deadline:
                raise ChatTimeoutError(timeout)

    def _cancel_quietly(self, conversation_id: str, chat_id: str) -> None:
        try:
            self.cancel_chat(conversation_id, chat_id)
        except CozeError as exc:
            logger.info("cancel request failed: %s", exc)

    def chat_and_poll(
        self,
        bot_id: str,
        user_id: str,
        message: str | Sequence[Mapping[str, Any]],
        *,
        conversation_id: str | None = None,
        interval: float = 1.0,
        timeout: float = 300.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[ChatEvent]:
        """A non-streaming chat told as the same events a stream gives: create, poll, then the
        chat's messages as ``MessageCompleted`` and a final status event. Errors raise as in a stream.

        ``cancel`` is checked before the chat is created and between polls: once set, the chat is
        canceled on the server (best effort) and :class:`ChatCanceledError` is raised."""
        if cancel is not None and cancel.is_set():
            raise ChatCanceledError()
        chat = self.create_chat(bot_id, user_id, message, conversation_id=conversation_id)
        yield _status_event(chat)
        final = chat
        if not (chat.status and chat.status.is_terminal):
            final = self.poll_chat(
                chat.conversation_id, chat.id, interval=interval, timeout=timeout, cancel=cancel
            )
        if final.status in (ChatStatus.COMPLETED, ChatStatus.REQUIRES_ACTION, ChatStatus.FAILED):
            for msg in self.list_chat_messages(
                final.conversation_id or chat.conversation_id, final.id or chat.id
            ):
                if msg.type == "question" or msg.role == "user":
                    continue
                yield MessageCompleted("conversation.message.completed", msg)
        event = _status_event(final)
        yield event
        if isinstance(event, ChatFailed):
            err = final.last_error
            raise CozeAPIError(err.code if err else None, err.message if err else "chat failed")

    # --- workflows, chat-flows and tool outputs (api/workflows.py; issue #12) -----------------

    def stream_workflow(
        self,
        workflow_id: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        bot_id: str | None = None,
        app_id: str | None = None,
        ext: Mapping[str, str] | None = None,
    ) -> WorkflowStream:
        """Run a workflow, streamed (``/v1/workflow/stream_run``); see :mod:`.workflows`."""
        return workflows.stream_workflow(self, workflow_id, parameters, bot_id=bot_id, app_id=app_id, ext=ext)

    def get_workflow_info(self, workflow_id: str) -> WorkflowInfo:
        """A workflow's name and description (``GET /v1/workflows/{workflow_id}``)."""
        return workflows.get_workflow_info(self, workflow_id)

    def run_workflow(
        self,
        workflow_id: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        bot_id: str | None = None,
        app_id: str | None = None,
        ext: Mapping[str, str] | None = None,
    ) -> WorkflowRunResponse:
        """Run a workflow and wait for its output (``/v1/workflow/run``)."""
        return workflows.run_workflow(self, workflow_id, parameters, bot_id=bot_id, app_id=app_id, ext=ext)

    def stream_resume_workflow(
        self, workflow_id: str, event_id: str, resume_data: str, interrupt_type: int, *, resumes_done: int = 0
    ) -> WorkflowStream:
        """Answer a workflow's interrupt and stream the rest (``/v1/workflow/stream_resume``)."""
        return workflows.stream_resume_workflow(
            self, workflow_id, event_id, resume_data, interrupt_type, resumes_done=resumes_done
        )

    def stream_workflow_chat(
        self,
        workflow_id: str,
        message: str | Sequence[Mapping[str, Any]],
        *,
        app_id: str | None = None,
        bot_id: str | None = None,
        conversation_id: str | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> ChatStream:
        """Talk to a chat-flow (``/v1/workflows/chat``): the events of ``/v3/chat``."""
        return workflows.stream_workflow_chat(
            self,
            workflow_id,
            message,
            app_id=app_id,
            bot_id=bot_id,
            conversation_id=conversation_id,
            parameters=parameters,
        )

    def stream_submit_tool_outputs(
        self, conversation_id: str, chat_id: str, outputs: Sequence[ToolOutput]
    ) -> ChatStream:
        """Answer a ``requires_action`` chat; the same reply streams on (``/v3/chat/submit_tool_outputs``)."""
        return workflows.stream_submit_tool_outputs(self, conversation_id, chat_id, outputs)

    # --- conversations -----------------------------------------------------------------------

    def create_conversation(
        self,
        bot_id: str | None = None,
        *,
        name: str | None = None,
        messages: Sequence[Mapping[str, Any]] | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> ConversationInfo:
        body: dict[str, Any] = {}
        if bot_id:
            body["bot_id"] = bot_id
        if name:
            body["name"] = name
        if messages:
            body["messages"] = [dict(m) for m in messages]
        if meta_data:
            body["meta_data"] = dict(meta_data)
        return ConversationInfo.from_json(
            self._call("POST", "/v1/conversation/create", json_body=body).get("data")
        )

    def retrieve_conversation(self, conversation_id: str) -> ConversationInfo:
        obj = self._call("GET", "/v1/conversation/retrieve", params={"conversation_id": conversation_id})
        return ConversationInfo.from_json(obj.get("data"))

    def list_conversations(
        self, bot_id: str, *, page_num: int = 1, page_size: int = 50, sort_order: str = "DESC"
    ) -> tuple[list[ConversationInfo], bool]:
        """One page of the bot's API conversations and whether more pages follow."""
        obj = self._call(
            "GET",
            "/v1/conversations",
            params={"bot_id": bot_id, "page_num": page_num, "page_size": page_size, "sort_order": sort_order},
        )
        data = as_dict(obj.get("data"))
        items = data.get("conversations") or []
        convs = [ConversationInfo.from_json(c) for c in items] if isinstance(items, list) else []
        return convs, bool(data.get("has_more"))

    def list_messages(
        self,
        conversation_id: str,
        *,
        order: str = "desc",
        chat_id: str | None = None,
        before_id: str | None = None,
        after_id: str | None = None,
        limit: int = 50,
    ) -> MessagePage:
        body: dict[str, Any] = {"order": order, "limit": max(1, min(50, limit))}
        for key, value in (("chat_id", chat_id), ("before_id", before_id), ("after_id", after_id)):
            if value:
                body[key] = value
        obj = self._call(
            "POST",
            "/v1/conversation/message/list",
            params={"conversation_id": conversation_id},
            json_body=body,
        )
        data = obj.get("data")
        msgs = [ApiMessage.from_json(m) for m in data] if isinstance(data, list) else []
        return MessagePage(
            messages=msgs,
            first_id=as_str(obj.get("first_id")),
            last_id=as_str(obj.get("last_id")),
            has_more=bool(obj.get("has_more")),
        )

    def clear_conversation(self, conversation_id: str) -> str:
        """Clear the model's context; returns the new section id. Messages stay listable."""
        obj = self._call("POST", f"/v1/conversations/{quote(conversation_id, safe='')}/clear")
        data = as_dict(obj.get("data"))
        return as_str(data.get("id"))

    # --- bots and files ----------------------------------------------------------------------

    def get_bot(self, bot_id: str) -> Bot:
        """Bot info from ``/v1/bots/{id}``, falling back to the older ``/v1/bot/get_online_info``.

        Authentication errors and network errors are not retried on the old endpoint.
        """
        try:
            obj = self._call("GET", f"/v1/bots/{quote(bot_id, safe='')}", params={"is_published": "true"})
        except CozeAPIError as exc:
            if exc.kind is ErrorKind.AUTH:
                raise
            logger.info("GET /v1/bots/{id} failed (%s); trying /v1/bot/get_online_info", exc.code)
            obj = self._call("GET", "/v1/bot/get_online_info", params={"bot_id": bot_id})
        return _bot_from_json(obj.get("data"), bot_id, self.base_url)

    def list_bots(
        self,
        workspace_id: str | None = None,
        *,
        page: int = 1,
        page_size: int = 20,
        publish_status: str | None = None,
    ) -> tuple[list[BotSummary], int]:
        """One page of bots and the total. Sends both ``page_num`` (docs) and ``page_index`` (SDK)."""
        obj = self._call(
            "GET",
            "/v1/bots",
            params={
                "workspace_id": workspace_id,
                "page_num": page,
                "page_index": page,
                "page_size": page_size,
                "publish_status": publish_status,
            },
        )
        data = as_dict(obj.get("data"))
        items = data.get("items") or data.get("space_bots") or []
        bots = []
        for it in items if isinstance(items, list) else []:
            if not isinstance(it, dict):
                continue
            bots.append(
                BotSummary(
                    id=as_str(it.get("id", it.get("bot_id"))),
                    name=as_str(it.get("name", it.get("bot_name"))),
                    description=as_str(it.get("description")),
                    icon_url=as_str(it.get("icon_url")),
                    is_published=bool(it.get("is_published", True)),
                )
            )
        return bots, as_int(data.get("total")) or len(bots)

    def upload_file(
        self,
        path: str | Path,
        *,
        file_name: str | None = None,
        progress: UploadProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> UploadedFile:
        """``POST /v1/files/upload`` with the multipart field ``file``, streamed from the file
        (see :meth:`upload_stream`) under ``file_name`` (default: the file's own name)."""
        p = Path(path)
        try:
            fh = p.open("rb")
        except OSError as exc:
            raise AttachmentError(p, f"cannot be read ({exc.strerror or exc})") from None
        with fh:
            size = os.fstat(fh.fileno()).st_size
            return self.upload_stream(fh, file_name or p.name, size, progress=progress, cancel=cancel)

    def attach(
        self,
        path: str | Path,
        *,
        max_bytes: int = MAX_UPLOAD_BYTES,
        file_name: str | None = None,
        progress: UploadProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> Attachment:
        """Check ``path`` (see :func:`check_file`), upload it and return it as an :class:`Attachment`
        whose kind (image/audio/file) is told by content. ``file_name`` is the name Coze gets
        (default: the file's own name); ``progress`` and ``cancel`` as in :meth:`upload_stream`."""
        p = Path(path)
        check_file(p, max_bytes=max_bytes)
        kind = file_kind(p)
        name = file_name or p.name
        up = self.upload_file(p, file_name=name, progress=progress, cancel=cancel)
        if not up.id:
            raise ProtocolError("the upload was answered without a file id")
        return Attachment(name=name, file_id=up.id, bytes=up.bytes or p.stat().st_size, kind=kind)

    def upload_stream(
        self,
        fh: IO[bytes],
        file_name: str,
        size: int,
        *,
        progress: UploadProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> UploadedFile:
        """Upload ``size`` bytes read from ``fh`` as one ``multipart/form-data`` part named ``file``.

        The body is sent :data:`UPLOAD_CHUNK` bytes at a time with its Content-Length known in
        advance, never held in memory whole. ``progress(sent, size)`` is called before the first
        chunk and after each one. ``cancel`` is checked before each chunk: once set, the
        connection is closed without sending the rest and :class:`ChatCanceledError` is raised
        (Coze gets an incomplete request and keeps nothing). A file that cannot be read, or that
        ends early, raises :class:`AttachmentError`.
        """
        head, tail = _multipart_frame(file_name)
        stream = _UploadBody(head, tail, fh, file_name, size, progress, cancel)
        obj = self._call(
            "POST",
            "/v1/files/upload",
            body=stream,
            headers={
                "Content-Type": f"multipart/form-data; boundary={_BOUNDARY}",
                "Content-Length": str(len(stream)),
            },
        )
        return _uploaded(obj)

    def upload_fileobj(self, fh: IO[bytes], file_name: str) -> UploadedFile:
        """Upload a file object whose size is not known in advance (the body is built in memory)."""
        return _uploaded(self._call("POST", "/v1/files/upload", files={"file": (file_name, fh)}))


_BOUNDARY = "cozedesktop" + "0123456789abcdef" * 2  # never inside the framing; the part has its length


def _multipart_frame(file_name: str) -> tuple[bytes, bytes]:
    """The bytes before and after the file's content in a one-part ``multipart/form-data`` body.

    The part's headers are the ones requests' ``files=`` would write (urllib3: the file name as
    UTF-8 in quotes, Chinese names included, as Coze and the demo server accept it)."""
    field = RequestField(name="file", data=b"", filename=file_name)
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    field.make_multipart(content_type=mime)
    head = f"--{_BOUNDARY}\r\n".encode() + field.render_headers().encode("utf-8")
    tail = f"\r\n--{_BOUNDARY}--\r\n".encode()
    return head, tail


class _UploadBody:
    """An upload's body as an iterable of chunks whose total length is known (requests then sends
    a Content-Length, not chunked encoding). Iterating it reads the file as it goes."""

    def __init__(
        self,
        head: bytes,
        tail: bytes,
        fh: IO[bytes],
        name: str,
        size: int,
        progress: UploadProgress | None,
        cancel: threading.Event | None,
    ) -> None:
        self._head, self._tail, self._fh, self._name, self._size = head, tail, fh, name, size
        self._progress = progress
        self._cancel = cancel or threading.Event()

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        if self._cancel.is_set():
            raise ChatCanceledError()
        yield self._head
        sent = 0
        self._report(sent)
        while sent < self._size:
            if self._cancel.is_set():
                raise ChatCanceledError()
            try:
                chunk = self._fh.read(min(UPLOAD_CHUNK, self._size - sent))
            except OSError as exc:  # not an OSError further up: urllib3 would take it for the network
                raise AttachmentError(Path(self._name), f"cannot be read ({exc.strerror or exc})") from None
            if not chunk:
                raise AttachmentError(Path(self._name), "became shorter while it was being uploaded")
            yield chunk
            sent += len(chunk)
            self._report(sent)
        if self._cancel.is_set():
            raise ChatCanceledError()
        yield self._tail

    def _report(self, sent: int) -> None:
        if self._progress is not None:
            self._progress(sent, self._size)


def _uploaded(obj: dict[str, Any]) -> UploadedFile:
    data = as_dict(obj.get("data"))
    return UploadedFile(
        id=as_str(data.get("id")),
        bytes=as_int(data.get("bytes")) or 0,
        file_name=as_str(data.get("file_name")),
        created_at=as_int(data.get("created_at")),
    )


def _status_event(chat: ApiChat) -> ChatEvent:
    by_status: dict[ChatStatus | None, type[ChatStatusEvent]] = {
        ChatStatus.CREATED: ChatCreated,
        ChatStatus.IN_PROGRESS: ChatInProgress,
        ChatStatus.COMPLETED: ChatCompleted,
        ChatStatus.FAILED: ChatFailed,
        ChatStatus.REQUIRES_ACTION: ChatRequiresAction,
        ChatStatus.CANCELED: ChatCanceled,
    }
    cls = by_status.get(chat.status, ChatInProgress)
    name = "conversation.chat." + (chat.status.value if chat.status else "in_progress")
    return cls(name, chat)


def _bot_from_json(d: Any, bot_id: str, base_url: str) -> Bot:
    d = d if isinstance(d, dict) else {}
    onboarding = d.get("onboarding_info")
    onboarding = onboarding if isinstance(onboarding, dict) else {}
    prologue = onboarding.get("prologue", onboarding.get("Prologue"))
    questions = onboarding.get("suggested_questions", onboarding.get("SuggestedQuestions"))
    return Bot(
        bot_id=as_str(d.get("bot_id", d.get("id"))) or bot_id,
        name=as_str(d.get("name")),
        description=as_str(d.get("description")),
        icon_url=as_str(d.get("icon_url")),
        prologue=as_str(prologue),
        suggested_questions=[as_str(q) for q in questions if as_str(q)]
        if isinstance(questions, list)
        else [],
        base_url=base_url,
    )
