"""The Coze endpoints of the demo server, free of HTTP plumbing: a :class:`Request` in, a reply out.

``server.py`` reads the request off the socket and writes the reply back; this module decides
what the reply is. Business errors are raised as :class:`ApiError`.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from coze_desktop.demo.bots import BOTS, Bot, Fault
from coze_desktop.demo.images import SLOW_IMAGE_SECONDS, demo_image
from coze_desktop.demo.multipart import parse_form
from coze_desktop.demo.state import DEMO_USER_ID, DemoState, EnterMessage
from coze_desktop.demo.tools import ToolBots
from coze_desktop.demo.turn import Pacing, Play, Turn
from coze_desktop.demo.wire import ApiError, JsonObject, new_id, now
from coze_desktop.demo.workflows import WorkflowDemo, WorkflowPlay

SLOW_SECONDS = 3.0  # fault-slow waits this long before the first byte of its answer
_BOT_CREATED = 1735689600  # 2025-01-01: create/update time of every demo bot
_MAX_ENTER_MESSAGES = 100
_MAX_META_PAIRS = 16
DEMO_MAX_UPLOAD_BYTES = (
    1024 * 1024
)  # the demo refuses larger uploads with 4303 (Coze allows 512 MB; tests cannot send that)


@dataclass(frozen=True)
class Request:
    """What an endpoint needs from an HTTP request; ``query`` keeps the first value of each name."""

    method: str
    path: str
    query: dict[str, str]
    content_type: str
    authorization: str
    body: bytes
    host: str = ""  # the Host header: the server's own address as the client reached it

    def json(self) -> JsonObject:
        """The body as a JSON object (``{}`` when empty); HTTP 400 ``json fail`` when it is not one."""
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise ApiError(4000, "json fail", HTTPStatus.BAD_REQUEST)
        return value


@dataclass(frozen=True)
class JsonReply:
    """A JSON answer; the server adds ``detail.logid``."""

    body: JsonObject
    status: int = HTTPStatus.OK


@dataclass(frozen=True)
class StreamReply:
    """An SSE answer: the server plays the turn's frames."""

    turn: Play


@dataclass(frozen=True)
class BinaryReply:
    """A file's bytes (the demo's images)."""

    body: bytes
    content_type: str


Reply = JsonReply | StreamReply | BinaryReply
Endpoint = Callable[[Request], Reply]


def ok(data: Any) -> JsonReply:
    """A success envelope around ``data``."""
    return JsonReply({"code": 0, "msg": "", "data": data})


class DemoApi:
    """Routes requests to the endpoints and checks the token of every ``/v1`` and ``/v3`` call."""

    def __init__(self, state: DemoState, pacing: Pacing, stopping: threading.Event, token: str) -> None:
        self._state = state
        self._pacing = pacing
        self._stopping = stopping
        self._authorization = f"Bearer {token}"
        self._tools = ToolBots(state, pacing)
        self._workflows = WorkflowDemo(state, pacing)
        self._routes: dict[tuple[str, str], Endpoint] = {
            ("POST", "/v3/chat"): self._chat,
            ("GET", "/v3/chat/retrieve"): self._retrieve_chat,
            ("POST", "/v3/chat/retrieve"): self._retrieve_chat,  # the docs say GET, the SDKs send POST
            ("GET", "/v3/chat/message/list"): self._chat_messages,
            ("POST", "/v3/chat/message/list"): self._chat_messages,
            ("POST", "/v3/chat/cancel"): self._cancel_chat,
            ("POST", "/v1/conversation/create"): self._create_conversation,
            ("GET", "/v1/conversation/retrieve"): self._retrieve_conversation,
            ("GET", "/v1/conversations"): self._list_conversations,
            ("POST", "/v1/conversation/message/list"): self._list_messages,
            ("GET", "/v1/bots"): self._list_bots,
            ("GET", "/v1/bot/get_online_info"): self._online_info,
            ("POST", "/v1/files/upload"): self._upload_file,
            ("POST", "/v3/chat/submit_tool_outputs"): self._submit_tool_outputs,
            ("POST", "/v1/workflow/run"): self._run_workflow,
            ("POST", "/v1/workflow/stream_run"): self._stream_workflow,
            ("POST", "/v1/workflow/stream_resume"): self._resume_workflow,
            ("POST", "/v1/workflows/chat"): self._chatflow,
        }
        # (method, path pattern, endpoint called with the request and the id the pattern captured)
        self._patterns: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = [
            ("GET", re.compile(r"/v1/bots/([^/]+)"), self._bot_info),
            ("GET", re.compile(r"/v1/workflows/([^/]+)"), self._workflow_info),
            ("POST", re.compile(r"/v1/conversations/([^/]+)/clear"), self._clear_conversation),
            ("GET", re.compile(r"/demo/images/([^/]+)"), self._demo_image),
        ]

    def handle(self, request: Request) -> Reply:
        """Answer ``request``; raises :class:`ApiError` for every error answer."""
        if request.path.startswith(("/v1/", "/v3/")) and request.authorization != self._authorization:
            raise _unauthorized()
        return self._endpoint(request)(request)

    def _endpoint(self, request: Request) -> Endpoint:
        """The endpoint for the request's method and path: 404 for an unknown path, 405 for a wrong method."""
        endpoint = self._routes.get((request.method, request.path))
        if endpoint is not None:
            return endpoint
        methods = {method for method, path in self._routes if path == request.path}
        for method, pattern, handler in self._patterns:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                return functools.partial(handler, resource_id=match.group(1))
            if match:
                methods.add(method)
        if methods:
            raise ApiError(4000, f"method {request.method} not allowed", HTTPStatus.METHOD_NOT_ALLOWED)
        raise ApiError(4000, f"no such endpoint: {request.method} {request.path}", HTTPStatus.NOT_FOUND)

    # /v3/chat

    def _chat(self, request: Request) -> Reply:
        body = request.json()
        bot = _bot(body.get("bot_id"))
        if bot.fault is Fault.UNAUTHORIZED:
            raise _unauthorized()
        if bot.fault is Fault.UNPUBLISHED:
            raise ApiError(4015, f"The bot_id {bot.id} has not been published to the channel Agent As API.")
        stream = _flag(body, "stream", default=False)
        auto_save = _flag(body, "auto_save_history", default=True)
        if not stream and not auto_save:
            raise ApiError(4007, "流false仅在自动保存为true时允许")
        if not isinstance(body.get("user_id"), str) or not body["user_id"]:
            raise ApiError(4000, "user_id is required")
        messages = _enter_messages(body.get("additional_messages"), "additional_messages")
        meta_data = _string_map(body.get("meta_data"), "meta_data")
        if bot.fault is Fault.SLOW:
            self._stopping.wait(SLOW_SECONDS)
        conversation_id = request.query.get("conversation_id") or None
        chat, question = self._state.start_chat(
            conversation_id, bot.id, messages, meta_data, auto_save=auto_save
        )
        if bot.asks_tools:
            ask = self._tools.start(chat, bot, question)
            if stream:
                return StreamReply(ask)
            self._state.mark_in_progress(chat)
            ask.finish_in_background()
            return ok(self._state.snapshot(chat))
        if bot.files_answer and messages and messages[-1].content_type == "object_string":
            question = messages[-1].content  # the files bot reads the parts, not only the text
        base_url = f"http://{request.host}" if request.host else ""
        turn = Turn(self._state, chat, bot, question, self._pacing, base_url=base_url)
        if stream:
            return StreamReply(turn)
        self._state.mark_in_progress(chat)
        turn.finish_in_background()
        return ok(self._state.snapshot(chat))

    def _demo_image(self, request: Request, resource_id: str) -> Reply:
        """``GET /demo/images/<name>``: a picture a demo answer links to (no token needed, like a
        public image on the web); ``slow.png`` comes after :data:`SLOW_IMAGE_SECONDS`."""
        data = demo_image(resource_id)
        if data is None:
            raise ApiError(4000, f"no such image: {resource_id}", HTTPStatus.NOT_FOUND)
        if resource_id == "slow.png":
            self._stopping.wait(SLOW_IMAGE_SECONDS)
        return BinaryReply(data, "image/png")

    def _retrieve_chat(self, request: Request) -> Reply:
        return ok(self._state.chat(*_chat_ref(request)))

    def _chat_messages(self, request: Request) -> Reply:
        return ok(self._state.chat_messages(*_chat_ref(request)))

    def _cancel_chat(self, request: Request) -> Reply:
        body = request.json()
        return ok(self._state.cancel(str(body.get("conversation_id", "")), str(body.get("chat_id", ""))))

    def _submit_tool_outputs(self, request: Request) -> Reply:
        body = request.json()
        if body.get("stream") is not True:
            raise ApiError(4000, "the demo server answers submit_tool_outputs streamed only (stream: true)")
        conversation_id, chat_id = _chat_ref(request)
        return StreamReply(self._tools.continue_chat(conversation_id, chat_id, body.get("tool_outputs")))

    # /v1/workflow(s) (demo/workflows.py)

    def _run_workflow(self, request: Request) -> Reply:
        body = request.json()
        if body.get("is_async"):
            raise ApiError(4000, "the demo server does not run workflows asynchronously")
        run = self._workflows.start(body)
        return JsonReply(self._workflows.answer_now(run))

    def _stream_workflow(self, request: Request) -> Reply:
        run = self._workflows.start(request.json())
        return StreamReply(WorkflowPlay(run, self._workflows.events(run)))

    def _resume_workflow(self, request: Request) -> Reply:
        run, answer = self._workflows.resume(request.json())
        return StreamReply(WorkflowPlay(run, self._workflows.events(run, answer)))

    def _workflow_info(self, request: Request, resource_id: str) -> Reply:
        return ok(self._workflows.info(resource_id))

    def _chatflow(self, request: Request) -> Reply:
        return StreamReply(self._workflows.chatflow(request.json(), request.query.get("conversation_id")))

    # /v1/conversation(s)

    def _create_conversation(self, request: Request) -> Reply:
        body = request.json()
        bot_id = body.get("bot_id") or ""
        if bot_id:
            _bot(bot_id)
        name = body.get("name") or ""
        if not isinstance(name, str) or len(name) > 100:
            raise ApiError(4000, "name must be a string of at most 100 characters")
        messages = _enter_messages(body.get("messages"), "messages")
        meta_data = _string_map(body.get("meta_data"), "meta_data")
        return ok(self._state.create_conversation(bot_id, name, meta_data, messages))

    def _retrieve_conversation(self, request: Request) -> Reply:
        return ok(self._state.conversation(request.query.get("conversation_id", "")))

    def _list_conversations(self, request: Request) -> Reply:
        bot = _bot(request.query.get("bot_id"))
        page_num = _int(request.query.get("page_num"), "page_num", 1, 1, 1_000_000)
        page_size = _int(request.query.get("page_size"), "page_size", 50, 1, 50)
        order = request.query.get("sort_order", "DESC").upper()
        if order not in ("ASC", "DESC"):
            raise ApiError(4000, "sort_order must be ASC or DESC")
        page = self._state.list_conversations(bot.id, page_num, page_size, descending=order == "DESC")
        return ok({"has_more": page.has_more, "conversations": page.items})

    def _clear_conversation(self, request: Request, resource_id: str) -> Reply:
        return ok(self._state.clear(resource_id))

    def _list_messages(self, request: Request) -> Reply:
        body = request.json()
        order = body.get("order") or "desc"
        if order not in ("asc", "desc"):
            raise ApiError(4000, "order must be asc or desc")
        before_id, after_id = str(body.get("before_id") or ""), str(body.get("after_id") or "")
        if before_id and after_id:
            raise ApiError(4000, "before_id and after_id cannot be used together")
        page = self._state.list_messages(
            request.query.get("conversation_id", ""),
            descending=order == "desc",
            chat_id=str(body.get("chat_id") or ""),
            before_id=before_id,
            after_id=after_id,
            limit=_int(body.get("limit"), "limit", 50, 1, 50),
        )
        first_id = page.items[0]["id"] if page.items else ""
        last_id = page.items[-1]["id"] if page.items else ""
        return JsonReply(
            {
                "code": 0,
                "msg": "",
                "data": page.items,
                "first_id": first_id,
                "last_id": last_id,
                "has_more": page.has_more,
            }
        )

    # /v1/bots, /v1/files

    def _list_bots(self, request: Request) -> Reply:
        page_text = request.query.get("page_num") or request.query.get("page_index")  # docs vs cozepy
        page = _int(page_text, "page_num", 1, 1, 1_000_000)
        size = _int(request.query.get("page_size"), "page_size", 20, 1, 100)
        bots = list(BOTS.values())[(page - 1) * size : page * size]
        return ok({"items": [_bot_item(bot) for bot in bots], "total": len(BOTS)})

    def _bot_info(self, request: Request, resource_id: str) -> Reply:
        bot = _bot(resource_id)
        return ok(_bot_info(bot, pascal_case=bot.pascal_case_onboarding))

    def _online_info(self, request: Request) -> Reply:
        return ok(_bot_info(_bot(request.query.get("bot_id")), pascal_case=False))

    def _upload_file(self, request: Request) -> Reply:
        files = [part for part in parse_form(request.content_type, request.body) if part.name == "file"]
        if not files:
            raise ApiError(4300, "no file in the request: send multipart/form-data with a part named 'file'")
        if len(files) > 1:
            raise ApiError(4301, "upload one file per request")
        upload = files[0]
        if not upload.data:
            raise ApiError(4300, "the file is empty")
        if len(upload.data) > DEMO_MAX_UPLOAD_BYTES:
            raise ApiError(4303, f"the demo server takes files up to {DEMO_MAX_UPLOAD_BYTES} bytes")
        file_id = new_id()
        self._state.add_file(file_id, upload.filename or "", upload.data)
        return ok(
            {
                "id": file_id,
                "bytes": len(upload.data),
                "file_name": upload.filename or "",
                "created_at": now(),
            }
        )


def _unauthorized() -> ApiError:
    return ApiError(4100, "authentication is invalid", HTTPStatus.UNAUTHORIZED)


def _bot(bot_id: object) -> Bot:
    """The demo bot ``bot_id`` (4006 when missing or unknown)."""
    bot = BOTS.get(bot_id) if isinstance(bot_id, str) else None
    if bot is None:
        raise ApiError(4006, f"Invalid bot_id: {bot_id!r}. Demo bots: {', '.join(BOTS)}")
    return bot


def _chat_ref(request: Request) -> tuple[str, str]:
    """``(conversation_id, chat_id)`` from the query string."""
    return request.query.get("conversation_id", ""), request.query.get("chat_id", "")


def _flag(body: JsonObject, name: str, *, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError(4000, f"{name} must be a boolean")
    return value


def _int(value: object, name: str, default: int, low: int, high: int) -> int:
    """An integer parameter given as a number or a string, within ``[low, high]``."""
    if value is None or value == "":
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise ApiError(4000, f"{name} must be an integer") from None
    if not low <= number <= high:
        raise ApiError(4000, f"{name} must be between {low} and {high}")
    return number


def _string_map(value: object, name: str) -> dict[str, str]:
    """A ``map<string,string>`` field such as ``meta_data`` (4003 when it has too many pairs)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ApiError(4000, f"{name} must be an object of strings")
    if len(value) > _MAX_META_PAIRS:
        raise ApiError(4003, f"{name} has more than {_MAX_META_PAIRS} pairs")
    return dict(value)


def _enter_messages(value: object, name: str) -> list[EnterMessage]:
    """Validate a list of EnterMessage objects (4004 when there are too many)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(4000, f"{name} must be a list")
    if len(value) > _MAX_ENTER_MESSAGES:
        raise ApiError(4004, f"{name} has more than {_MAX_ENTER_MESSAGES} messages")
    return [_enter_message(item, f"{name}[{index}]") for index, item in enumerate(value)]


def _enter_message(item: object, name: str) -> EnterMessage:
    if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
        raise ApiError(4000, f"{name} needs a role of 'user' or 'assistant'")
    content = item.get("content") or ""
    content_type = item.get("content_type") or "text"
    if not isinstance(content, str) or content_type not in ("text", "object_string"):
        raise ApiError(4000, f"{name} needs a string content and a content_type of 'text' or 'object_string'")
    role = item["role"]
    message_type = item.get("type") or ("question" if role == "user" else "answer")
    text = _object_text(content, name) if content_type == "object_string" else content
    return EnterMessage(
        role, message_type, content, content_type, _string_map(item.get("meta_data"), name), text
    )


def _object_text(content: str, name: str) -> str:
    """The text items of an ``object_string`` content, joined."""
    try:
        items = json.loads(content)
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) and "type" in i for i in items):
        raise ApiError(4000, f"{name}: object_string content must be a JSON array of typed objects")
    return " ".join(str(i.get("text", "")) for i in items if i["type"] == "text")


def _bot_item(bot: Bot) -> JsonObject:
    """A bot as ``/v1/bots`` lists it."""
    return {
        "id": bot.id,
        "name": bot.name,
        "description": bot.description,
        "icon_url": "",
        "is_published": True,
        "published_at": _BOT_CREATED,
        "updated_at": _BOT_CREATED,
        "owner_user_id": DEMO_USER_ID,
    }


def _bot_info(bot: Bot, *, pascal_case: bool) -> JsonObject:
    """The BotInfo object; ``pascal_case`` spells the onboarding keys like the doc example does."""
    if pascal_case:
        onboarding: JsonObject = {
            "Prologue": bot.prologue,
            "SuggestedQuestions": list(bot.suggested_questions),
        }
    else:
        onboarding = {"prologue": bot.prologue, "suggested_questions": list(bot.suggested_questions)}
    return {
        "bot_id": bot.id,
        "name": bot.name,
        "description": bot.description,
        "icon_url": "",
        "create_time": _BOT_CREATED,
        "update_time": _BOT_CREATED,
        "version": f"{_BOT_CREATED}000",
        "bot_mode": 0,
        "onboarding_info": onboarding,
    }
