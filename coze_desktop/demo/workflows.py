"""Demo workflows and the demo chat-flow (coze-api.md §9), played with real-looking node streams.

Workflow streams (``/v1/workflow/stream_run``, ``/v1/workflow/stream_resume``) are written as
the docs' samples are: an ``id:`` line counting from 0 (again from 0 after a resume), a space
after every colon, and the events ``Message``, ``Interrupt``, ``Error``, ``Done`` and ``PING``.
``/v1/workflow/run`` answers the same runs at once, ``data`` being the End node's output string.

Demo workflows (ids):

* ``demo-weather`` — parameters ``city`` (text) and ``days`` (number 1–7); nodes 查询天气
  (plugin), 穿衣建议 (LLM, streamed piece by piece, with usage) and 结束 (End, JSON output).
* ``demo-trip`` — a question node asks for a city, then for a number of days (each an
  ``Interrupt`` of type 2); the answers shape the output. A blank answer is asked again. Coze
  resumes a run at most 3 times: the 4th ``stream_resume`` of a run is refused (4000).
* ``demo-node-error`` — streams part of a summary, then a node fails with 720701013.
* ``demo-echo`` — meant for ``/v1/workflow/run``: its output is the parameters it received
  and the JSON type of each (works streamed too).

The chat-flow ``demo-chatflow`` (``/v1/workflows/chat`` with ``app_id`` ``demo-app``, or any
``bot_id``) answers weather questions like a bot: it streams ``/v3/chat`` events (spaced, as the
docs' chat-flow samples are) and ends with ``done`` carrying the debug link. Asked without a
city, its question node's question arrives as the answer and the chat ends in
``requires_action``; the next user message in the conversation answers it.

Unknown workflow ids get 4200 (not published); ``bot_id`` together with ``app_id`` gets 4000;
a resume of an unknown event gets 4314, of a finished run 4315.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from coze_desktop.demo.bots import is_chinese, split_pieces
from coze_desktop.demo.state import Chat, DemoState, EnterMessage
from coze_desktop.demo.turn import Frame, Pacing
from coze_desktop.demo.wire import ApiError, JsonObject, dumps, new_id, now, verbose_content

MAX_RESUMES = 3
DEMO_APP_ID = "demo-app"
CHATFLOW_ID = "demo-chatflow"
NODE_ERROR_CODE = 720701013
_SPACE_ID = "7400000000000000002"
_CITIES = re.compile(
    r"(北京|上海|南京|广州|深圳|杭州|成都|武汉|西安|重庆|Beijing|Shanghai|Nanjing|Paris|London|Tokyo|Berlin)",
    re.I,
)
_SKY_ZH = ("晴", "多云", "阴", "小雨", "晴转多云")
_SKY_EN = ("sunny", "cloudy", "overcast", "light rain", "sunny then cloudy")


@dataclass(frozen=True)
class DemoWorkflow:
    """A demo workflow's public profile (what the README lists)."""

    id: str
    name: str
    description: str
    parameters: tuple[str, ...] = ()


WORKFLOWS: dict[str, DemoWorkflow] = {
    w.id: w
    for w in (
        DemoWorkflow(
            "demo-weather",
            "天气查询 / Weather",
            "按城市和天数查天气并给出穿衣建议：三个节点依次输出，建议逐段流式。",
            ("city: text", "days: number (1-7)"),
        ),
        DemoWorkflow(
            "demo-trip",
            "出行问答 / Trip planner (question node)",
            "问答节点先问城市、再问天数（中断，继续运行时回答），回答决定输出；最多继续 3 次。",
        ),
        DemoWorkflow(
            "demo-node-error",
            "故障：节点出错 / Fault: node error",
            "输出一部分摘要后，代码节点出错（720701013）。",
            ("text: text",),
        ),
        DemoWorkflow(
            "demo-echo",
            "参数回显 / Echo parameters",
            "不流式运行（/v1/workflow/run）的演示：输出收到的参数及每个参数的 JSON 类型。",
            ("any: any JSON value",),
        ),
        DemoWorkflow(
            CHATFLOW_ID,
            "天气对话流 / Weather chat-flow",
            "对话流（/v1/workflows/chat，app_id demo-app）：像机器人一样流式回答天气问题；"
            "没说城市时由问答节点反问，下一条消息即回答。",
        ),
    )
}


# --- one run's events ----------------------------------------------------------------------------

Event = tuple[float, str, JsonObject | None]
"""A workflow stream step: seconds to wait in realistic pacing, the event name, its data
(``None``: an empty ``data:`` line)."""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _forecast(city: str, days: int, zh: bool) -> list[str]:
    seed = zlib.crc32(city.encode())
    lines = []
    for day in range(days):
        low = 2 + (seed >> (day * 3)) % 15
        sky = (_SKY_ZH if zh else _SKY_EN)[(seed >> day) % 5]
        if zh:
            lines.append(f"第{day + 1}天：{sky}，{low}~{low + 8}°C")
        else:
            lines.append(f"Day {day + 1}: {sky}, {low}-{low + 8}°C")
    return lines


def _advice(city: str, forecast: list[str], zh: bool) -> str:
    rainy = any(("雨" in line or "rain" in line) for line in forecast)
    if zh:
        text = f"{city}未来{len(forecast)}天早晚偏凉，建议带一件外套。"
        return text + ("有雨，记得带伞。" if rainy else "没有雨，适合出行。")
    text = f"Mornings and evenings in {city} are cool for the next {len(forecast)} days; bring a jacket. "
    return text + ("Rain is coming: take an umbrella." if rainy else "No rain: a good time to travel.")


@dataclass(eq=False)
class Run:
    """One workflow run: its steps so far and what it waits for."""

    execute_id: str
    workflow_id: str
    parameters: JsonObject
    zh: bool
    answers: list[str] = field(default_factory=list)
    resumes: int = 0
    event_id: str = ""  # the interrupt waiting for an answer
    interrupt_type: int = 0
    finished: bool = False
    halt: threading.Event = field(default_factory=threading.Event)

    @property
    def id(self) -> str:
        return self.execute_id

    @property
    def debug_url(self) -> str:
        return (
            f"https://www.coze.cn/work_flow?execute_id={self.execute_id}&space_id={_SPACE_ID}"
            f"&workflow_id={self.workflow_id}"
        )


class _Nodes:
    """Builds the Message events of nodes, with ``node_seq_id`` counting per node."""

    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self.events: list[Event] = []

    def node(
        self,
        title: str,
        node_type: str,
        pieces: tuple[str, ...] | list[str],
        *,
        usage: JsonObject | None = None,
        end: JsonObject | None = None,
        finish: bool = True,
    ) -> None:
        node_id = str(100000 + zlib.crc32(title.encode()) % 900000)
        node_uuid = new_id()
        for seq, piece in enumerate(pieces):
            last = seq == len(pieces) - 1
            data: JsonObject = {
                "content": piece,
                "content_type": "text",
                "node_is_finish": last and finish,
                "node_seq_id": str(seq),
                "node_title": title,
                "node_type": node_type,
                "node_id": node_id,
                "node_execute_uuid": node_uuid,
            }
            if last and usage:
                data["usage"] = usage
            if last and end:
                data.update(end)
            delay = self.pacing.pause(0.3) if seq == 0 else self.pacing.gap()
            self.events.append((delay, "Message", data))

    def ping(self) -> None:
        self.events.append((self.pacing.pause(0.2), "PING", None))


def _usage(text: str) -> JsonObject:
    out = (len(text.encode()) + 2) // 3
    return {"input_count": 80, "output_count": out, "token_count": 80 + out}


def _end(nodes: _Nodes, output: JsonObject) -> str:
    """The End node: its content is the run's output (a JSON string), with cost and token."""
    content = dumps(output)
    nodes.node("结束", "End", [content], end={"cost": "0.00", "token": 0})
    return content


class WorkflowDemo:
    """Plays the demo workflows and chat-flow, and keeps their runs for resuming."""

    def __init__(self, state: DemoState, pacing: Pacing) -> None:
        self._state = state
        self._pacing = pacing
        self._lock = threading.Lock()
        self._runs: dict[str, Run] = {}  # execute id -> run
        self._by_event: dict[str, Run] = {}  # interrupt event id -> run
        self._asked: dict[str, str] = {}  # conversation id -> city question pending (chat-flow)

    # requests

    def info(self, workflow_id: str) -> JsonObject:
        """``GET /v1/workflows/{id}``: the workflow's profile (4200 for an unknown id)."""
        workflow = WORKFLOWS.get(workflow_id)
        if workflow is None:
            raise ApiError(4200, f"workflow {workflow_id} not found or not published")
        return {
            "workflow_detail": {
                "workflow_id": workflow.id,
                "workflow_name": workflow.name,
                "description": workflow.description,
                "icon_url": "",
                "app_id": DEMO_APP_ID if workflow.id == CHATFLOW_ID else "",
            }
        }

    def start(self, body: JsonObject) -> Run:
        """Check a run request (``run`` and ``stream_run``) and start the run."""
        workflow_id = body.get("workflow_id")
        if not isinstance(workflow_id, str) or not workflow_id:
            raise ApiError(4000, "workflow_id is required")
        if body.get("bot_id") and body.get("app_id"):
            raise ApiError(4000, "bot_id and app_id cannot be set together")
        if workflow_id not in WORKFLOWS or workflow_id == CHATFLOW_ID:
            raise ApiError(4200, f"workflow {workflow_id} not found or not published")
        params = body.get("parameters")
        if params is None:
            params = {}
        if isinstance(params, str):  # some callers send the object as a JSON string
            try:
                params = json.loads(params)
            except ValueError:
                params = None
        if not isinstance(params, dict):
            raise ApiError(4000, "parameters must be a JSON object")
        if workflow_id == "demo-weather":
            city = params.get("city", "北京")
            days = params.get("days", 3)
            if not isinstance(city, str) or not city.strip():
                raise ApiError(4000, "parameter city must be a non-empty string")
            if isinstance(days, bool) or not isinstance(days, int | float) or not 1 <= days <= 7:
                raise ApiError(4000, "parameter days must be a number from 1 to 7")
        text = " ".join(str(v) for v in params.values() if isinstance(v, str))
        run = Run(new_id(), workflow_id, params, is_chinese(text) or not text)
        with self._lock:
            self._runs[run.execute_id] = run
        return run

    def resume(self, body: JsonObject) -> tuple[Run, str]:
        """Check a ``stream_resume`` request; the run and the answer."""
        event_id = body.get("event_id")
        resume_data = body.get("resume_data")
        interrupt_type = body.get("interrupt_type")
        if not isinstance(event_id, str) or not event_id:
            raise ApiError(4000, "event_id is required")
        if not isinstance(resume_data, str):
            raise ApiError(4000, "resume_data must be a string")
        if isinstance(interrupt_type, bool) or not isinstance(interrupt_type, int):
            raise ApiError(4000, "interrupt_type must be an integer")
        with self._lock:
            run = self._by_event.get(event_id)
            if run is None:
                raise ApiError(4314, f"no workflow execution record for event {event_id}")
            if run.workflow_id != body.get("workflow_id"):
                raise ApiError(4000, "workflow_id does not match the interrupted run")
            if run.finished or run.event_id != event_id:
                raise ApiError(4315, "the workflow execution has already finished or moved on")
            if interrupt_type != run.interrupt_type:
                raise ApiError(4000, f"interrupt_type must be {run.interrupt_type} for this event")
            if run.resumes >= MAX_RESUMES:
                raise ApiError(4000, f"a workflow run can be resumed at most {MAX_RESUMES} times")
            run.resumes += 1
            run.event_id = ""
        return run, resume_data

    def events(self, run: Run, answer: str | None = None) -> list[Event]:
        """The events of a run's next part: from the start, or after ``answer`` to its interrupt."""
        nodes = _Nodes(self._pacing)
        player: Callable[[Run, _Nodes, str | None], None] = {
            "demo-weather": self._weather,
            "demo-trip": self._trip,
            "demo-node-error": self._node_error,
            "demo-echo": self._echo,
        }[run.workflow_id]
        player(run, nodes, answer)
        events = nodes.events
        failed = any(name == "Error" for _, name, _ in events)
        with self._lock:
            if run.event_id:
                self._by_event[run.event_id] = run
            else:
                run.finished = True
        if not run.event_id and not failed:
            events.append((0.0, "Done", {"debug_url": run.debug_url}))
        return events

    def answer_now(self, run: Run) -> JsonObject:
        """The ``/v1/workflow/run`` answer: the End node's output, an interrupt, or the node's error."""
        events = self.events(run)
        output = ""
        usage = {"input_count": 0, "output_count": 0, "token_count": 0}
        interrupt: JsonObject | None = None
        for _, name, data in events:
            if data is None:
                continue
            if name == "Error":
                raise ApiError(int(data["error_code"]), str(data["error_message"]))
            if name == "Message":
                output = data["content"] if data.get("node_type") == "End" else output
                for key in usage:
                    usage[key] += int(data.get("usage", {}).get(key, 0))
            if name == "Interrupt":
                interrupt = data
        body: JsonObject = {
            "code": 0,
            "msg": "",
            "data": output,
            "execute_id": run.execute_id,
            "debug_url": run.debug_url,
            "usage": usage,
        }
        if interrupt is not None:
            body["interrupt_data"] = interrupt
        return body

    # the workflows

    def _weather(self, run: Run, nodes: _Nodes, answer: str | None) -> None:
        city = str(run.parameters.get("city", "北京")).strip()
        days = int(run.parameters.get("days", 3))
        zh = is_chinese(city)
        forecast = _forecast(city, days, zh)
        nodes.node("查询天气", "Plugin", ["\n".join([f"{city}：" if zh else f"{city}:", *forecast])])
        nodes.ping()
        advice = _advice(city, forecast, zh)
        nodes.node("穿衣建议", "LLM", split_pieces(advice), usage=_usage(advice))
        _end(nodes, {"output": advice, "city": city, "days": days, "forecast": forecast})

    def _interrupt(self, run: Run, nodes: _Nodes, title: str, question: str, *, in_data: bool) -> None:
        """A question node: the question as its message (or in ``interrupt_data.data``), then the pause."""
        run.event_id = f"{run.execute_id}/{new_id()}"
        run.interrupt_type = 2
        if not in_data:
            nodes.node(title, "Question", [question])
        data = dumps({"question": question}) if in_data else ""
        nodes.events.append(
            (
                0.0,
                "Interrupt",
                {"interrupt_data": {"event_id": run.event_id, "type": 2, "data": data}, "node_title": title},
            )
        )

    def _trip(self, run: Run, nodes: _Nodes, answer: str | None) -> None:
        zh = run.zh
        if answer is None:
            nodes.node("开场", "Message", ["我来帮你规划出行。" if zh else "Let me plan your trip."])
        elif answer.strip():
            run.answers.append(answer.strip())
        if not run.answers:
            again = answer is not None
            if zh:
                question = "没听清，请再说一次：你想去哪个城市？" if again else "你想去哪个城市？"
            else:
                question = "Sorry, once more: which city?" if again else "Which city do you want to visit?"
            self._interrupt(run, nodes, "问城市" if zh else "Ask city", question, in_data=False)
            return
        if len(run.answers) == 1:
            question = "打算玩几天？" if zh else "How many days?"
            self._interrupt(run, nodes, "问天数" if zh else "Ask days", question, in_data=True)
            return
        city, days_text = run.answers[0], run.answers[1]
        match = re.search(r"\d+", days_text)
        days = max(1, min(7, int(match.group()) if match else 2))
        plan = _forecast(city, days, zh)
        text = (
            f"为你规划了{city}{days}日游：\n" + "\n".join(plan)
            if zh
            else f"Your {days}-day trip to {city}:\n" + "\n".join(plan)
        )
        nodes.node("行程规划", "LLM", split_pieces(text), usage=_usage(text))
        _end(nodes, {"output": text, "city": city, "days": days})

    def _node_error(self, run: Run, nodes: _Nodes, answer: str | None) -> None:
        text = str(run.parameters.get("text") or "一段需要总结的文字")
        partial = f"摘要：{text[:20]}……" if run.zh else f"Summary: {text[:40]}..."
        nodes.node("生成摘要", "LLM", split_pieces(partial), finish=False)
        nodes.events.append(
            (
                self._pacing.pause(0.3),
                "Error",
                {
                    "error_code": NODE_ERROR_CODE,
                    "error_message": "代码节点「格式化」运行失败：KeyError: 'summary'"
                    if run.zh
                    else "code node 'format' failed: KeyError: 'summary'",
                },
            )
        )

    def _echo(self, run: Run, nodes: _Nodes, answer: str | None) -> None:
        types = {key: _json_type(value) for key, value in run.parameters.items()}
        _end(nodes, {"parameters": run.parameters, "types": types})

    # the chat-flow

    def chatflow(self, body: JsonObject, query_conversation: str | None) -> ChatflowTurn:
        """Check a ``/v1/workflows/chat`` request and start its chat."""
        workflow_id = body.get("workflow_id")
        if workflow_id != CHATFLOW_ID:
            raise ApiError(4200, f"chat-flow {workflow_id!r} not found or not published")
        app_id, bot_id = body.get("app_id"), body.get("bot_id")
        if app_id and bot_id:
            raise ApiError(4000, "bot_id and app_id cannot be set together")
        if not app_id and not bot_id:
            raise ApiError(4000, "a chat-flow needs an app_id (or the bot_id it is bound to)")
        if app_id and app_id != DEMO_APP_ID:
            raise ApiError(4200, f"app {app_id!r} not found; the demo app is {DEMO_APP_ID}")
        params = body.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise ApiError(4000, "parameters must be a JSON object")
        raw = body.get("additional_messages")
        if not isinstance(raw, list) or not raw:
            raise ApiError(4000, "additional_messages is required (the last one is the user's input)")
        if len(raw) > 50:
            raise ApiError(4004, "additional_messages has more than 50 messages")
        messages = []
        for item in raw:
            if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
                raise ApiError(4000, "each message needs a role of 'user' or 'assistant'")
            content = item.get("content")
            if not isinstance(content, str) or (item.get("content_type") or "text") != "text":
                raise ApiError(4000, "a chat-flow takes text messages only")
            role = item["role"]
            kind = item.get("type") or ("question" if role == "user" else "answer")
            messages.append(EnterMessage(role, kind, content, "text", {}, content))
        conversation_id = body.get("conversation_id") or query_conversation or None
        if conversation_id is not None and not isinstance(conversation_id, str):
            raise ApiError(4000, "conversation_id must be a string")
        chat, question = self._state.start_chat(conversation_id, "", messages, {}, auto_save=True)
        with self._lock:
            asked = self._asked.pop(chat.conversation_id, None)
        match = _CITIES.search(question)
        city = (
            question.strip() if asked is not None and question.strip() else (match.group(1) if match else "")
        )
        zh = is_chinese(question) if question.strip() else True
        if city:
            forecast = _forecast(city, 3, zh)
            text = (
                f"{city}未来三天：\n"
                + "\n".join(f"- {line}" for line in forecast)
                + "\n\n"
                + _advice(city, forecast, zh)
                if zh
                else f"{city}, the next three days:\n"
                + "\n".join(f"- {line}" for line in forecast)
                + "\n\n"
                + _advice(city, forecast, zh)
            )
            ask = None
        else:
            text = "你想查询哪个城市的天气？" if zh else "Which city's weather do you want?"
            ask = text
            with self._lock:
                self._asked[chat.conversation_id] = text
        return ChatflowTurn(self._state, self._pacing, chat, text, ask, new_id())


def _spaced(event: str, data: str) -> bytes:
    """One ``/v1/workflows/chat`` event as the docs' samples write it: a space after each colon."""
    return f"event: {event}\ndata: {data}\n\n".encode()


_FINISH = verbose_content("generate_answer_finish", {"finish_reason": 0, "FinData": ""})


class ChatflowTurn:
    """A chat-flow's reply, as ``/v3/chat`` events; ends in ``requires_action`` when it asks back."""

    drops_connection = False

    def __init__(
        self, state: DemoState, pacing: Pacing, chat: Chat, text: str, ask: str | None, execute_id: str
    ) -> None:
        self._state, self._pacing, self.chat = state, pacing, chat
        self._text, self._ask, self._execute_id = text, ask, execute_id

    def _chat_event(self, name: str) -> bytes:
        data = self._state.snapshot(self.chat)
        data.pop("bot_id", None)  # chat-flow chat objects carry no bot_id
        return _spaced(name, dumps(data))

    def _message(self, message_id: str, kind: str, content: str, *, stamped: bool) -> JsonObject:
        chat = self.chat
        msg: JsonObject = {
            "id": message_id,
            "conversation_id": chat.conversation_id,
            "role": "assistant",
            "type": kind,
            "content": content,
            "content_type": "text",
            "chat_id": chat.id,
            "section_id": chat.section_id,
        }
        if stamped:
            msg["created_at"] = msg["updated_at"] = now()
        return msg

    def frames(self) -> Iterator[Frame]:
        yield 0.0, self._chat_event("conversation.chat.created")
        self._state.mark_in_progress(self.chat)
        yield 0.0, self._chat_event("conversation.chat.in_progress")
        answer_id = new_id()
        delay = self._pacing.pause(0.3)
        for piece in split_pieces(self._text):
            yield (
                delay,
                _spaced(
                    "conversation.message.delta",
                    dumps(self._message(answer_id, "answer", piece, stamped=False)),
                ),
            )
            delay = self._pacing.gap()
        answer = self._message(answer_id, "answer", self._text, stamped=True)
        self._state.record(self.chat, answer)
        yield 0.0, _spaced("conversation.message.completed", dumps(answer))
        finish = self._message(new_id(), "verbose", _FINISH, stamped=True)
        self._state.record(self.chat, finish)
        yield 0.0, _spaced("conversation.message.completed", dumps(finish))
        usage = _usage(self._text)
        if self._ask is not None:
            required = {
                "type": "submit_tool_outputs",
                "submit_tool_outputs": {
                    "tool_calls": [
                        {
                            "id": new_id(),
                            "type": "reply_message",
                            "function": {"name": "问答", "arguments": dumps({"question": self._ask})},
                        }
                    ]
                },
            }
            if self._state.require_action(self.chat, required, answer):
                yield 0.0, self._chat_event("conversation.chat.requires_action")
            return
        if self._state.complete(self.chat, usage, answer):
            yield 0.0, self._chat_event("conversation.chat.completed")
            debug = (
                f"https://www.coze.cn/work_flow?execute_id={self._execute_id}&space_id={_SPACE_ID}"
                f"&workflow_id={CHATFLOW_ID}"
            )
            yield 0.0, _spaced("done", dumps({"debug_url": debug}))

    def release(self) -> None:
        self._state.release(self.chat)


class WorkflowPlay:
    """A workflow stream's events written as SSE frames (``id:`` lines, spaced)."""

    drops_connection = False

    def __init__(self, run: Run, events: list[Event]) -> None:
        self.chat = run  # what the server watches: ``id`` and ``halt``
        self._events = events

    def frames(self) -> Iterator[Frame]:
        for number, (delay, name, data) in enumerate(self._events):
            payload = "" if data is None else dumps(data)
            yield delay, f"id: {number}\nevent: {name}\ndata: {payload}\n\n".encode()

    def release(self) -> None:
        """Nothing to release: a stopped stream leaves the run as it was."""
