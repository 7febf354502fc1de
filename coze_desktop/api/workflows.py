"""Coze workflows over the wire (coze-api.md §9): runs streamed and not, resumes, chat-flows and
tool outputs, their typed events, and the fold of a run's events into a
:class:`~coze_desktop.domain.WorkflowRunResult`.

Used the way chats are::

    acc = WorkflowAccumulator()
    try:
        with client.stream_workflow(workflow_id, parameters) as stream:
            for event in stream:
                shown = acc.feed(event)       # node text this event added, to display
    except CozeError as exc:
        acc.fail(exc)                         # keeps everything received so far
    result = acc.result()                     # status completed | interrupted | error

Workflow streams (``/v1/workflow/stream_run`` and ``/stream_resume``) carry ``id:`` lines and
the events ``Message``, ``Interrupt``, ``Error``, ``Done`` and ``PING``; the same
:class:`~coze_desktop.api.sse.SseDecoder` as for ``/v3/chat`` reads them in every framing.
Chat-flows (``/v1/workflows/chat``) and ``/v3/chat/submit_tool_outputs`` speak the ``/v3/chat``
events: they come back as a :class:`~coze_desktop.api.client.ChatStream`, folded by
:class:`~coze_desktop.api.result.ChatAccumulator`.

No Qt here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

import requests

from coze_desktop.domain import (
    ErrorInfo,
    Usage,
    WorkflowInterruptInfo,
    WorkflowNodeOutput,
    WorkflowRunResult,
    WorkflowStatus,
)

from .errors import (
    ChatCanceledError,
    CozeAPIError,
    CozeError,
    CozeNetworkError,
    NetworkErrorKind,
    ProtocolError,
    WorkflowResumeLimitError,
)
from .events import as_dict, as_int, as_str, parse_usage
from .sse import SseDecoder, SseEvent

if TYPE_CHECKING:
    from .client import ChatStream, CozeClient

MAX_RESUMES = 3  # Coze resumes one run at most this many times (coze-api.md §9)
MAX_CHATFLOW_MESSAGES = 50  # /v1/workflows/chat takes at most this many additional_messages

# Interrupt types (coze-api.md §9).
INTERRUPT_LOCAL_PLUGIN = 1
INTERRUPT_QUESTION = 2
INTERRUPT_INPUT = 5
INTERRUPT_OAUTH_PLUGIN = 7

# Event names on the wire; compared without regard to case (``PING`` is upper case in the docs).
MESSAGE = "message"
INTERRUPT = "interrupt"
ERROR = "error"
DONE = "done"
PING = "ping"


# --- events --------------------------------------------------------------------------------------


@dataclass(slots=True)
class WorkflowEvent:
    """Base of every workflow event: ``name`` as it came on the wire, ``id`` its SSE ``id:``."""

    name: str
    id: str


@dataclass(slots=True)
class NodeMessage(WorkflowEvent):
    """Output of a node. ``node_seq_id`` counts this node's messages; ``node_is_finish`` ends them."""

    content: str = ""
    node_title: str = ""
    node_type: str = ""
    node_id: str = ""
    node_seq_id: str = ""
    node_is_finish: bool = False
    node_execute_uuid: str = ""
    usage: Usage | None = None
    ext: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class WorkflowInterrupt(WorkflowEvent):
    """The run paused (question node, input node, local or OAuth plugin). ``data`` is Coze's raw
    ``interrupt_data.data`` string; :class:`WorkflowAccumulator` finds the question text."""

    event_id: str = ""
    type: int = 0
    node_title: str = ""
    data: str = ""

    @property
    def question(self) -> str:
        """The question in ``data`` ("" when the node said it as a message before pausing)."""
        return _question_of(self.data)


@dataclass(slots=True)
class WorkflowError(WorkflowEvent):
    """The run failed: ``error_code``/``error_message`` (720xxxxxx for a failing node)."""

    code: int | None = None
    message: str = ""
    data: str = ""


@dataclass(slots=True)
class WorkflowDone(WorkflowEvent):
    """The stream ended normally; the debug link when the payload has one."""

    debug_url: str = ""
    data: str = ""


@dataclass(slots=True)
class WorkflowPing(WorkflowEvent):
    """A heartbeat: nothing to show."""


@dataclass(slots=True)
class WorkflowUnknown(WorkflowEvent):
    """An event this client does not know yet: passed on, never fatal."""

    data: str = ""


@dataclass(slots=True)
class WorkflowMalformed(WorkflowEvent):
    """A known event whose data was not the JSON object it should be. Passed on, never fatal."""

    data: str = ""
    reason: str = ""


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def parse_workflow_event(sse: SseEvent) -> WorkflowEvent:
    """Turn one decoded SSE event of a workflow stream into a typed event. Never raises."""
    name, event_id, data = sse.event, sse.last_event_id, sse.data
    kind = name.strip().lower()
    if kind == PING:
        return WorkflowPing(name, event_id)
    if kind not in (MESSAGE, INTERRUPT, ERROR, DONE):
        return WorkflowUnknown(name, event_id, data)
    text = data.strip()
    obj: Any = {}
    if text:
        try:
            obj = json.loads(text)
        except ValueError as exc:
            if kind == ERROR:  # an error is an error even when its payload is not JSON
                return WorkflowError(name, event_id, None, text, data)
            if kind == DONE:
                return WorkflowDone(name, event_id, "", data)
            return WorkflowMalformed(name, event_id, data, f"invalid JSON: {exc}")
    if kind == DONE:
        return WorkflowDone(name, event_id, as_str(as_dict(obj).get("debug_url")), data)
    if not isinstance(obj, dict):
        if kind == ERROR:
            return WorkflowError(name, event_id, None, as_str(obj) or text, data)
        return WorkflowMalformed(name, event_id, data, "data is not a JSON object")
    if kind == MESSAGE:
        ext = obj.get("ext")
        return NodeMessage(
            name,
            event_id,
            content=as_str(obj.get("content")),
            node_title=as_str(obj.get("node_title")),
            node_type=as_str(obj.get("node_type")),
            node_id=as_str(obj.get("node_id")),
            node_seq_id=as_str(obj.get("node_seq_id")),
            node_is_finish=_as_bool(obj.get("node_is_finish")),
            node_execute_uuid=as_str(obj.get("node_execute_uuid")),
            usage=parse_usage(obj.get("usage")),
            ext=ext if isinstance(ext, dict) else {},
        )
    if kind == INTERRUPT:
        inner = as_dict(obj.get("interrupt_data"))
        raw = inner.get("data")
        return WorkflowInterrupt(
            name,
            event_id,
            event_id=as_str(inner.get("event_id")),
            type=as_int(inner.get("type")) or 0,
            node_title=as_str(obj.get("node_title")),
            data=raw
            if isinstance(raw, str)
            else ("" if raw is None else json.dumps(raw, ensure_ascii=False)),
        )
    code = as_int(obj.get("error_code", obj.get("code")))
    message = as_str(obj.get("error_message", obj.get("msg", obj.get("message"))))
    return WorkflowError(name, event_id, code, message, data)


def decode_workflow_events(chunks: Sequence[bytes] | Iterator[bytes]) -> Iterator[WorkflowEvent]:
    """The typed events of a whole stream given as byte chunks (tests, fixtures, saved streams)."""
    decoder = SseDecoder()
    for chunk in chunks:
        for sse in decoder.feed(chunk):
            yield parse_workflow_event(sse)
    decoder.close()


# --- the stream ----------------------------------------------------------------------------------


class WorkflowStream:
    """An open ``stream_run``/``stream_resume`` answer. Iterate it for typed events.

    Iteration ends after ``Done``, or when the body ends after an ``Interrupt`` (the run waits
    for an answer). An ``Error`` event is yielded, then raised as :class:`CozeAPIError`; a body
    that ends before either raises :class:`CozeNetworkError` (``DROPPED``); :meth:`abort` from
    another thread makes iteration raise :class:`ChatCanceledError`. The caller keeps what it got.
    """

    def __init__(self, response: requests.Response) -> None:
        self._response = response
        self.logid: str | None = response.headers.get("X-Tt-Logid") or None
        self.finished = False
        self.interrupted = False
        self._canceled = threading.Event()
        self._closed = False

    def __enter__(self) -> WorkflowStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[WorkflowEvent]:
        from .client import read_chunks  # client imports this module

        decoder = SseDecoder()
        try:
            for chunk in read_chunks(self._response, self._canceled, self.logid):
                for sse in decoder.feed(chunk):
                    event = parse_workflow_event(sse)
                    yield event
                    if isinstance(event, WorkflowInterrupt):
                        self.interrupted = True
                    elif isinstance(event, WorkflowError):
                        self.finished = True
                        raise CozeAPIError(event.code, event.message or event.data, logid=self.logid)
                    elif isinstance(event, WorkflowDone):
                        self.finished = True
                        return
            decoder.close()
        finally:
            self.close()
        if self._canceled.is_set():
            raise ChatCanceledError()
        if self.interrupted:
            self.finished = True
            return
        raise CozeNetworkError(
            NetworkErrorKind.DROPPED, "the stream ended before the workflow finished", logid=self.logid
        )

    def abort(self) -> None:
        """Stop reading at once: iteration raises :class:`ChatCanceledError`. Safe in a signal handler."""
        self._canceled.set()
        self.close()

    @property
    def canceled(self) -> bool:
        return self._canceled.is_set()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            from .client import _abort_response

            _abort_response(self._response)


# --- the non-streamed answer ---------------------------------------------------------------------


@dataclass(slots=True)
class WorkflowRunResponse:
    """The answer of ``POST /v1/workflow/run``: ``data`` is the output as Coze encodes it (a string)."""

    data: str = ""
    execute_id: str = ""
    debug_url: str = ""
    usage: Usage | None = None
    interrupt: WorkflowInterrupt | None = None
    logid: str | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], logid: str | None = None) -> WorkflowRunResponse:
        data = obj.get("data")
        text = (
            data if isinstance(data, str) else ("" if data is None else json.dumps(data, ensure_ascii=False))
        )
        interrupt = None
        inter = obj.get("interrupt_data")
        if isinstance(inter, dict) and (inter.get("event_id") or inter.get("interrupt_data")):
            inner = as_dict(inter.get("interrupt_data")) or inter
            raw = inner.get("data")
            interrupt = WorkflowInterrupt(
                INTERRUPT,
                "",
                event_id=as_str(inner.get("event_id")),
                type=as_int(inner.get("type")) or 0,
                node_title=as_str(inter.get("node_title")),
                data=raw if isinstance(raw, str) else "",
            )
        return cls(
            data=text,
            execute_id=as_str(obj.get("execute_id")),
            debug_url=as_str(obj.get("debug_url")),
            usage=parse_usage(obj.get("usage")),
            interrupt=interrupt,
            logid=logid,
        )


# --- the fold ------------------------------------------------------------------------------------


def _execute_id_of(debug_url: str) -> str:
    """The ``execute_id`` query parameter of a debug link ("" when it has none)."""
    try:
        values = parse_qs(urlsplit(debug_url).query).get("execute_id")
    except ValueError:
        return ""
    return values[0] if values else ""


def _question_of(data: str) -> str:
    """The question in an interrupt's ``data``: the text itself, or the question/content field of
    a JSON object."""
    text = data.strip()
    if not text:
        return ""
    try:
        obj = json.loads(text)
    except ValueError:
        return text
    if isinstance(obj, dict):
        for key in ("question", "content", "text", "prompt", "message"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                return value
        return text
    return obj if isinstance(obj, str) else text


def parse_json_output(text: str) -> Any:
    """``text`` parsed when it is JSON, else ``None``."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


class WorkflowAccumulator:
    """Folds one run's events (a stream, a resume of it, or a non-streamed answer) into a
    :class:`WorkflowRunResult`. ``feed`` returns the node text to show ("" if none).

    Consecutive messages of one node (same execution id when Coze gives one, else same node
    title, until the node says it is finished) become one entry of ``nodes``; ``output`` is the
    last node's content (the text the End node gave) or the ``data`` of a non-streamed run.
    A resume continues the same fold: call :meth:`resumed` before feeding its events.
    """

    def __init__(self, *, lang: str = "zh") -> None:
        self.lang = lang
        self.status = WorkflowStatus.RUNNING
        self.execute_id: str | None = None
        self.nodes: list[WorkflowNodeOutput] = []
        self.interrupt: WorkflowInterruptInfo | None = None
        self.debug_url: str | None = None
        self.error: ErrorInfo | None = None
        self.resumes = 0
        self._output: str | None = None  # set by a non-streamed answer
        self._node_keys: list[str] = []
        self._usage: dict[str, Usage] = {}
        self._run_usage: Usage | None = None

    def feed(self, event: WorkflowEvent) -> str:
        if isinstance(event, NodeMessage):
            return self._on_message(event)
        if isinstance(event, WorkflowInterrupt):
            self._on_interrupt(event)
        elif isinstance(event, WorkflowError):
            self.status = WorkflowStatus.ERROR
            if self.error is None:
                self.error = ErrorInfo(event.code, event.message or event.data)
        elif isinstance(event, WorkflowDone):
            if event.debug_url:
                self._set_debug_url(event.debug_url)
            if self.status is WorkflowStatus.RUNNING:
                self.status = WorkflowStatus.COMPLETED
        return ""

    def _on_message(self, msg: NodeMessage) -> str:
        key = msg.node_execute_uuid or msg.node_id or msg.node_title
        last = self.nodes[-1] if self.nodes else None
        if last is not None and not last.finished and self._node_keys[-1] == key:
            last.content += msg.content
            node = last
        else:
            node = WorkflowNodeOutput(msg.node_title, msg.content, msg.node_type, msg.node_id)
            self.nodes.append(node)
            self._node_keys.append(key)
        node.node_type = node.node_type or msg.node_type
        node.finished = msg.node_is_finish
        if msg.usage is not None:
            self._usage[f"{len(self.nodes)}:{key}"] = msg.usage
        return msg.content

    def _on_interrupt(self, event: WorkflowInterrupt) -> None:
        self.status = WorkflowStatus.INTERRUPTED
        question = _question_of(event.data)
        if not question:  # a question node says its question as a message before it pauses
            for node in reversed(self.nodes):
                if not event.node_title or node.node_title == event.node_title:
                    question = node.content
                    break
        self.interrupt = WorkflowInterruptInfo(event.event_id, event.type, event.node_title, question)

    def _set_debug_url(self, url: str) -> None:
        self.debug_url = url
        self.execute_id = self.execute_id or _execute_id_of(url) or None

    def feed_response(self, response: WorkflowRunResponse) -> None:
        """Fold the answer of a non-streamed run."""
        self._output = response.data
        self.execute_id = response.execute_id or self.execute_id
        if response.debug_url:
            self._set_debug_url(response.debug_url)
        self._run_usage = response.usage
        if response.interrupt is not None:
            self._on_interrupt(response.interrupt)
        elif self.status is WorkflowStatus.RUNNING:
            self.status = WorkflowStatus.COMPLETED

    def resumed(self) -> None:
        """A resume of the interrupted run starts: its events continue this fold."""
        self.resumes += 1
        self.interrupt = None
        self.status = WorkflowStatus.RUNNING

    def fail(self, exc: CozeError) -> None:
        """Record why the run ended early. Everything received so far is kept."""
        self.status = WorkflowStatus.ERROR
        self.error = exc.to_info(self.lang)

    def finish(self) -> None:
        """The events ran out without a terminal one and without an error: a completed run."""
        if self.status is WorkflowStatus.RUNNING:
            self.status = WorkflowStatus.COMPLETED

    @property
    def output(self) -> str:
        if self._output is not None:
            return self._output
        return self.nodes[-1].content if self.nodes else ""

    @property
    def usage(self) -> Usage | None:
        if self._run_usage is not None:
            return self._run_usage
        if not self._usage:
            return None
        total = Usage()
        for u in self._usage.values():
            total.input_count += u.input_count
            total.output_count += u.output_count
            total.token_count += u.token_count
        return total

    def result(self) -> WorkflowRunResult:
        output = self.output
        return WorkflowRunResult(
            status=self.status if self.status is not WorkflowStatus.RUNNING else WorkflowStatus.ERROR,
            execute_id=self.execute_id,
            output=output,
            output_json=parse_json_output(output),
            nodes=[
                WorkflowNodeOutput(n.node_title, n.content, n.node_type, n.node_id, n.finished)
                for n in self.nodes
            ],
            interrupt=self.interrupt,
            debug_url=self.debug_url,
            usage=self.usage,
            error=self.error,
        )


# --- requests ------------------------------------------------------------------------------------


def _target(bot_id: str | None, app_id: str | None) -> dict[str, str]:
    """``bot_id`` or ``app_id``, never both (Coze answers 4000 to both)."""
    if bot_id and app_id:
        raise ValueError("give a bot_id or an app_id, not both: Coze refuses a request with both")
    if bot_id:
        return {"bot_id": bot_id}
    if app_id:
        return {"app_id": app_id}
    return {}


def _parameters(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise ValueError("workflow parameters must be a JSON object (a mapping of names to values)")
    params = dict(parameters)
    json.dumps(params)  # any JSON value is fine; anything else fails here, before a request
    return params


def run_body(
    workflow_id: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    bot_id: str | None = None,
    app_id: str | None = None,
    ext: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The body of ``/v1/workflow/run`` and ``/v1/workflow/stream_run``."""
    if not workflow_id or not workflow_id.strip():
        raise ValueError("a workflow_id is required")
    body: dict[str, Any] = {"workflow_id": workflow_id.strip(), "parameters": _parameters(parameters)}
    body.update(_target(bot_id, app_id))
    if ext:
        body["ext"] = {str(k): str(v) for k, v in ext.items()}
    return body


def _open_stream(client: CozeClient, path: str, body: dict[str, Any]) -> WorkflowStream:
    resp = client._request(
        "POST",
        path,
        json_body=body,
        stream=True,
        headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"},
    )
    if "event-stream" not in resp.headers.get("Content-Type", "").lower():
        try:
            client._json(resp)  # raises for every error shape
        finally:
            resp.close()
        raise ProtocolError("the server answered a streamed workflow run without an event stream")
    return WorkflowStream(resp)


def stream_workflow(
    client: CozeClient,
    workflow_id: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    bot_id: str | None = None,
    app_id: str | None = None,
    ext: Mapping[str, str] | None = None,
) -> WorkflowStream:
    """Run a workflow, streamed (``POST /v1/workflow/stream_run``)."""
    body = run_body(workflow_id, parameters, bot_id=bot_id, app_id=app_id, ext=ext)
    return _open_stream(client, "/v1/workflow/stream_run", body)


def run_workflow(
    client: CozeClient,
    workflow_id: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    bot_id: str | None = None,
    app_id: str | None = None,
    ext: Mapping[str, str] | None = None,
) -> WorkflowRunResponse:
    """Run a workflow and wait for its output (``POST /v1/workflow/run``)."""
    body = run_body(workflow_id, parameters, bot_id=bot_id, app_id=app_id, ext=ext)
    resp = client._request("POST", "/v1/workflow/run", json_body=body)
    logid = resp.headers.get("X-Tt-Logid") or None
    try:
        obj = client._json(resp)
    finally:
        resp.close()
    return WorkflowRunResponse.from_json(obj, logid)


@dataclass(slots=True)
class WorkflowInfo:
    """A workflow's profile (``GET /v1/workflows/{workflow_id}``, ``data.workflow_detail``)."""

    workflow_id: str
    name: str = ""
    description: str = ""
    icon_url: str = ""
    app_id: str = ""

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], workflow_id: str) -> WorkflowInfo:
        data = as_dict(obj.get("data"))
        detail = as_dict(data.get("workflow_detail")) or data
        return cls(
            workflow_id=as_str(detail.get("workflow_id")) or workflow_id,
            name=as_str(detail.get("workflow_name", detail.get("name"))),
            description=as_str(detail.get("description")),
            icon_url=as_str(detail.get("icon_url")),
            app_id=as_str(detail.get("app_id")),
        )


def get_workflow_info(client: CozeClient, workflow_id: str) -> WorkflowInfo:
    """A workflow's name and description (``GET /v1/workflows/{workflow_id}``, as coze-py's
    ``workflows.retrieve``)."""
    workflow_id = workflow_id.strip()
    if not workflow_id:
        raise ValueError("a workflow_id is required")
    obj = client._call("GET", f"/v1/workflows/{quote(workflow_id, safe='')}")
    return WorkflowInfo.from_json(obj, workflow_id)


def check_resume_allowed(resumes_done: int) -> None:
    """Raise :class:`WorkflowResumeLimitError` when a run already had :data:`MAX_RESUMES` resumes."""
    if resumes_done >= MAX_RESUMES:
        raise WorkflowResumeLimitError(MAX_RESUMES)


def stream_resume_workflow(
    client: CozeClient,
    workflow_id: str,
    event_id: str,
    resume_data: str,
    interrupt_type: int,
    *,
    resumes_done: int = 0,
) -> WorkflowStream:
    """Answer an interrupt and stream the rest of the run (``POST /v1/workflow/stream_resume``).

    ``resumes_done`` is how often this run was resumed before; past :data:`MAX_RESUMES` the
    resume is refused here, without a request."""
    check_resume_allowed(resumes_done)
    if not event_id:
        raise ValueError("an event_id (from the interrupt) is required")
    body = {
        "workflow_id": workflow_id,
        "event_id": event_id,
        "resume_data": resume_data,
        "interrupt_type": int(interrupt_type),
    }
    return _open_stream(client, "/v1/workflow/stream_resume", body)


def stream_workflow_chat(
    client: CozeClient,
    workflow_id: str,
    message: str | Sequence[Mapping[str, Any]],
    *,
    app_id: str | None = None,
    bot_id: str | None = None,
    conversation_id: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    ext: Mapping[str, str] | None = None,
) -> ChatStream:
    """Talk to a chat-flow (``POST /v1/workflows/chat``): the same events as ``/v3/chat``.

    ``message`` is the user's text or a list of EnterMessage objects (the last one is the input;
    at most :data:`MAX_CHATFLOW_MESSAGES`). A question node's question arrives as the answer and
    the chat ends; the next call's message answers it."""
    from .client import ChatStream, _text_message

    if not workflow_id or not workflow_id.strip():
        raise ValueError("a workflow_id is required")
    messages = [_text_message(message)] if isinstance(message, str) else [dict(m) for m in message]
    if not messages:
        raise ValueError("a chat-flow needs a message")
    body: dict[str, Any] = {
        "workflow_id": workflow_id.strip(),
        "additional_messages": messages[-MAX_CHATFLOW_MESSAGES:],
        "parameters": _parameters(parameters),
    }
    body.update(_target(bot_id, app_id))
    if conversation_id:
        body["conversation_id"] = conversation_id
    if ext:
        body["ext"] = {str(k): str(v) for k, v in ext.items()}
    resp = client._request(
        "POST",
        "/v1/workflows/chat",
        json_body=body,
        stream=True,
        headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"},
    )
    if "event-stream" not in resp.headers.get("Content-Type", "").lower():
        try:
            client._json(resp)
        finally:
            resp.close()
        raise ProtocolError("the server answered a chat-flow without an event stream")
    return ChatStream(client, resp)


@dataclass(slots=True)
class ToolOutput:
    """The answer to one tool call of ``required_action`` (its ``id`` and the output text)."""

    tool_call_id: str
    output: str

    def to_json(self) -> dict[str, str]:
        return {"tool_call_id": self.tool_call_id, "output": self.output}


def pending_tool_calls(required_action: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The tool calls of a ``requires_action`` chat: ``{"id", "type", "name", "arguments"}`` each
    (``arguments`` parsed when it is JSON, else the raw text)."""
    ra = as_dict(required_action)
    calls = as_dict(ra.get("submit_tool_outputs")).get("tool_calls")
    out: list[dict[str, Any]] = []
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, dict):
            continue
        fn = as_dict(call.get("function"))
        args = fn.get("arguments")
        parsed = parse_json_output(args) if isinstance(args, str) else args
        out.append(
            {
                "id": as_str(call.get("id")),
                "type": as_str(call.get("type")) or "function",
                "name": as_str(fn.get("name")),
                "arguments": parsed if parsed is not None else (args or ""),
            }
        )
    return out


def stream_submit_tool_outputs(
    client: CozeClient, conversation_id: str, chat_id: str, outputs: Sequence[ToolOutput]
) -> ChatStream:
    """Answer a ``requires_action`` chat and stream the rest of the same reply
    (``POST /v3/chat/submit_tool_outputs``, ``stream: true``)."""
    from .client import ChatStream

    if not conversation_id or not chat_id:
        raise ValueError("the conversation id and the chat id of the waiting chat are required")
    if not outputs:
        raise ValueError("give at least one tool output")
    resp = client._request(
        "POST",
        "/v3/chat/submit_tool_outputs",
        params={"conversation_id": conversation_id, "chat_id": chat_id},
        json_body={"tool_outputs": [o.to_json() for o in outputs], "stream": True},
        stream=True,
        headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"},
    )
    if "event-stream" not in resp.headers.get("Content-Type", "").lower():
        try:
            client._json(resp)
        finally:
            resp.close()
        raise ProtocolError("the server answered submit_tool_outputs without an event stream")
    stream = ChatStream(client, resp)
    stream.conversation_id, stream.chat_id = conversation_id, chat_id
    return stream
