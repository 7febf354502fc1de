"""In-memory conversations, chats and saved messages of the demo server.

One lock guards everything; nothing is persisted. Methods raise :class:`ApiError` with the
Coze code a real server would answer with.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from coze_desktop.demo.wire import ApiError, JsonObject, new_id, now

DEMO_USER_ID = "7400000000000000001"  # creator_id of every conversation: the demo has one account
_TERMINAL = frozenset({"completed", "failed", "canceled", "requires_action"})
_ZERO_USAGE = {"token_count": 0, "output_count": 0, "input_count": 0}


@dataclass(frozen=True)
class EnterMessage:
    """A message sent by the client (``additional_messages`` or ``messages``); ``text`` is its plain text."""

    role: str
    type: str
    content: str
    content_type: str
    meta_data: dict[str, str]
    text: str


@dataclass(eq=False)
class Conversation:
    """A conversation and its saved questions and answers, oldest first."""

    id: str
    name: str
    bot_id: str
    meta_data: dict[str, str]
    created_at: int
    updated_at: int
    section_id: str
    history: list[JsonObject] = field(default_factory=list)
    running: Chat | None = None

    def to_json(self) -> JsonObject:
        """Return the ConversationData object."""
        return {
            "id": self.id,
            "name": self.name,
            "meta_data": dict(self.meta_data),
            "created_at": self.created_at,
            "creator_id": DEMO_USER_ID,
            "connector_id": "1024",
            "updated_at": self.updated_at,
            "last_section_id": self.section_id,
        }


@dataclass(eq=False)
class Chat:
    """One chat turn; ``messages`` is what ``/v3/chat/message/list`` returns for it."""

    id: str
    conversation_id: str
    bot_id: str
    section_id: str
    created_at: int
    meta_data: dict[str, str]
    auto_save: bool
    status: str = "created"
    last_error: tuple[int, str] = (0, "")
    usage: dict[str, int] = field(default_factory=lambda: dict(_ZERO_USAGE))
    completed_at: int | None = None
    failed_at: int | None = None
    messages: list[JsonObject] = field(default_factory=list)
    halt: threading.Event = field(default_factory=threading.Event)  # set: stop producing output
    required_action: JsonObject | None = None  # while status is requires_action

    @property
    def terminal(self) -> bool:
        """Whether the chat has ended (completed, failed, canceled or requires_action)."""
        return self.status in _TERMINAL

    def to_json(self) -> JsonObject:
        """Return the Chat object, with the time fields it has reached."""
        data: JsonObject = {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "bot_id": self.bot_id,
            "created_at": self.created_at,
            "last_error": {"code": self.last_error[0], "msg": self.last_error[1]},
            "status": self.status,
            "usage": dict(self.usage),
            "section_id": self.section_id,
        }
        if self.completed_at is not None:
            data["completed_at"] = self.completed_at
        if self.failed_at is not None:
            data["failed_at"] = self.failed_at
        if self.meta_data:
            data["meta_data"] = dict(self.meta_data)
        if self.required_action is not None and self.status == "requires_action":
            data["required_action"] = self.required_action
        return data


@dataclass(frozen=True)
class Page:
    """One page of a listing and whether more items follow in the direction it was asked for."""

    items: list[JsonObject]
    has_more: bool


MAX_KEPT_UPLOAD_BYTES = 64 * 1024 * 1024  # uploads kept in memory for the files bot, all files together


class DemoState:
    """Every conversation and chat the demo server knows, behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, Conversation] = {}  # insertion order = creation order
        self._chats: dict[str, Chat] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file id -> (name, bytes)
        self._uploads = 0  # files accepted so far, forgotten ones included

    # Uploaded files

    def add_file(self, file_id: str, name: str, data: bytes) -> None:
        """Keep an upload for the files bot; the oldest are forgotten past :data:`MAX_KEPT_UPLOAD_BYTES`."""
        with self._lock:
            self._uploads += 1
            self._files[file_id] = (name, data)
            kept = sum(len(d) for _, d in self._files.values())
            while kept > MAX_KEPT_UPLOAD_BYTES and len(self._files) > 1:
                oldest = next(iter(self._files))
                kept -= len(self._files.pop(oldest)[1])

    def uploaded_file(self, file_id: str) -> tuple[str, bytes] | None:
        """``(name, bytes)`` of a file uploaded to this server, None for an unknown id."""
        with self._lock:
            return self._files.get(file_id)

    @property
    def upload_count(self) -> int:
        """How many uploads were accepted (tests check that a file is not uploaded twice)."""
        with self._lock:
            return self._uploads

    @property
    def chat_count(self) -> int:
        """How many chats were started on this server (tests check that a refusal sent none)."""
        with self._lock:
            return len(self._chats)

    # Conversations

    def create_conversation(
        self, bot_id: str, name: str, meta_data: dict[str, str], messages: Sequence[EnterMessage]
    ) -> JsonObject:
        """Create a conversation holding ``messages`` and return its ConversationData."""
        with self._lock:
            conversation = self._new_conversation(bot_id, name, meta_data)
            for message in messages:
                _save(conversation, message)
            return conversation.to_json()

    def conversation(self, conversation_id: str) -> JsonObject:
        """Return the ConversationData of a conversation (4002 if unknown)."""
        with self._lock:
            return self._conversation(conversation_id).to_json()

    def list_conversations(self, bot_id: str, page_num: int, page_size: int, *, descending: bool) -> Page:
        """Return one page of a bot's conversations, newest first when ``descending``."""
        with self._lock:
            found = [c.to_json() for c in self._conversations.values() if c.bot_id == bot_id]
        if descending:
            found.reverse()
        start = (page_num - 1) * page_size
        return Page(found[start : start + page_size], start + page_size < len(found))

    def clear(self, conversation_id: str) -> JsonObject:
        """Start a new section (the model forgets the context; messages stay) and return it."""
        with self._lock:
            conversation = self._conversation(conversation_id)
            conversation.section_id = new_id()
            conversation.updated_at = now()
            return {"id": conversation.section_id, "conversation_id": conversation.id}

    def list_messages(
        self,
        conversation_id: str,
        *,
        descending: bool,
        chat_id: str,
        before_id: str,
        after_id: str,
        limit: int,
    ) -> Page:
        """Return a page of saved questions and answers.

        In the chosen order, ``after_id`` gives the ``limit`` messages right after that message (the
        next page) and ``before_id`` the ``limit`` messages right before it; without either, the first
        ``limit`` messages. ``has_more`` tells whether more exist beyond the page in that direction.
        """
        with self._lock:
            history = [dict(m) for m in self._conversation(conversation_id).history]
        messages = [m for m in history if not chat_id or m["chat_id"] == chat_id]
        if descending:
            messages.reverse()
        if before_id:
            end = _position(messages, before_id)
            start = max(0, end - limit)
            return Page(messages[start:end], start > 0)
        start = _position(messages, after_id) + 1 if after_id else 0
        return Page(messages[start : start + limit], start + limit < len(messages))

    # Chats

    def start_chat(
        self,
        conversation_id: str | None,
        bot_id: str,
        messages: Sequence[EnterMessage],
        meta_data: dict[str, str],
        *,
        auto_save: bool,
    ) -> tuple[Chat, str]:
        """Start a chat and return it with the question to answer.

        Without ``conversation_id`` a conversation is created. Raises 4002 for an unknown
        conversation, 4016 when it already runs a chat, 4000 when there is nothing to answer.
        """
        with self._lock:
            conversation = self._conversation(conversation_id) if conversation_id else None
            question = _question(messages, conversation)
            if conversation is None:
                conversation = self._new_conversation(bot_id, "", {})
            elif conversation.running is not None:
                raise ApiError(
                    4016, "The conversation already has a chat in progress; wait for it or cancel it."
                )
            chat = Chat(
                id=new_id(),
                conversation_id=conversation.id,
                bot_id=bot_id,
                section_id=conversation.section_id,
                created_at=now(),
                meta_data=meta_data,
                auto_save=auto_save,
            )
            if auto_save:
                for message in messages:
                    _save(conversation, message, chat)
            conversation.running = chat
            self._chats[chat.id] = chat
            return chat, question

    def chat(self, conversation_id: str, chat_id: str) -> JsonObject:
        """Return a chat's Chat object (4002/4001 if unknown)."""
        with self._lock:
            return self._chat(conversation_id, chat_id).to_json()

    def snapshot(self, chat: Chat) -> JsonObject:
        """Return ``chat``'s Chat object as it is now."""
        with self._lock:
            return chat.to_json()

    def chat_messages(self, conversation_id: str, chat_id: str) -> list[JsonObject]:
        """Return the messages a chat has produced so far, in the order they were produced."""
        with self._lock:
            return [dict(m) for m in self._chat(conversation_id, chat_id).messages]

    def mark_in_progress(self, chat: Chat) -> None:
        """Move a just-created chat to ``in_progress``."""
        with self._lock:
            if chat.status == "created":
                chat.status = "in_progress"

    def record(self, chat: Chat, message: JsonObject) -> None:
        """Add a completed message to what the chat has produced."""
        with self._lock:
            chat.messages.append(message)

    def complete(self, chat: Chat, usage: dict[str, int], answer: JsonObject) -> bool:
        """Mark the chat completed and save its answer; False if it had already ended (canceled)."""
        with self._lock:
            if chat.terminal:
                return False
            chat.status = "completed"
            chat.usage = usage
            chat.completed_at = now()
            if chat.auto_save:
                saved = EnterMessage("assistant", "answer", answer["content"], "text", {}, answer["content"])
                extra = (
                    {"reasoning_content": answer["reasoning_content"]}
                    if "reasoning_content" in answer
                    else {}
                )
                _save(self._conversations[chat.conversation_id], saved, chat, answer["id"], extra)
            self._release(chat)
            return True

    def require_action(self, chat: Chat, required_action: JsonObject, answer: JsonObject | None = None) -> bool:
        """Pause the chat for tool outputs (``requires_action``), saving ``answer`` (a chat-flow's
        question) in the conversation; False if the chat had already ended."""
        with self._lock:
            if chat.terminal:
                return False
            chat.status = "requires_action"
            chat.required_action = required_action
            if answer is not None and chat.auto_save:
                saved = EnterMessage("assistant", "answer", answer["content"], "text", {}, answer["content"])
                _save(self._conversations[chat.conversation_id], saved, chat, answer["id"])
            self._release(chat)
            return True

    def continue_after_action(self, conversation_id: str, chat_id: str) -> Chat:
        """Take a chat waiting in ``requires_action`` back to ``in_progress`` (tool outputs came).

        4002/4001 for an unknown conversation or chat, 4000 when the chat is not waiting,
        4016 when the conversation runs another chat, 5000 when the chat's history is not saved
        (coze-api.md §5: submit_tool_outputs needs auto_save_history)."""
        with self._lock:
            chat = self._chat(conversation_id, chat_id)
            if chat.status != "requires_action":
                raise ApiError(4000, f"The chat is {chat.status}, not waiting for tool outputs.")
            if not chat.auto_save:
                raise ApiError(5000, "submit_tool_outputs needs a chat started with auto_save_history=true")
            conversation = self._conversations[conversation_id]
            if conversation.running is not None:
                raise ApiError(4016, "The conversation already has a chat in progress.")
            chat.status = "in_progress"
            conversation.running = chat
            return chat

    def fail(self, chat: Chat, code: int, msg: str) -> None:
        """Mark the chat failed with ``last_error`` = ``{code, msg}`` unless it has already ended."""
        with self._lock:
            if chat.terminal:
                return
            chat.status = "failed"
            chat.last_error = (code, msg)
            chat.completed_at = chat.failed_at = now()
            self._release(chat)

    def cancel(self, conversation_id: str, chat_id: str) -> JsonObject:
        """Cancel a running chat and return it; 4104 if it has already ended."""
        with self._lock:
            chat = self._chat(conversation_id, chat_id)
            if chat.terminal:
                raise ApiError(4104, f"The chat is {chat.status} and can no longer be canceled.")
            chat.status = "canceled"
            chat.halt.set()
            self._release(chat)
            return chat.to_json()

    def release(self, chat: Chat) -> None:
        """End a chat whose output stopped early (client gone, server stopping) as canceled."""
        with self._lock:
            if not chat.terminal:
                chat.status = "canceled"
                self._release(chat)

    def halt_all(self) -> None:
        """Tell every running chat to stop producing output (the server is stopping)."""
        with self._lock:
            for chat in self._chats.values():
                chat.halt.set()

    # Helpers; the caller holds the lock.

    def _new_conversation(self, bot_id: str, name: str, meta_data: dict[str, str]) -> Conversation:
        created = now()
        conversation = Conversation(new_id(), name, bot_id, meta_data, created, created, new_id())
        self._conversations[conversation.id] = conversation
        return conversation

    def _conversation(self, conversation_id: str) -> Conversation:
        try:
            return self._conversations[conversation_id]
        except KeyError:
            raise ApiError(4002, f"Invalid conversation_id: {conversation_id!r}") from None

    def _chat(self, conversation_id: str, chat_id: str) -> Chat:
        self._conversation(conversation_id)
        chat = self._chats.get(chat_id)
        if chat is None or chat.conversation_id != conversation_id:
            raise ApiError(4001, f"Invalid chat_id: {chat_id!r}")
        return chat

    def _release(self, chat: Chat) -> None:
        conversation = self._conversations[chat.conversation_id]
        if conversation.running is chat:
            conversation.running = None


def _question(messages: Sequence[EnterMessage], conversation: Conversation | None) -> str:
    """The text to answer: the last message sent, else the conversation's last question."""
    if messages:
        return messages[-1].text
    if conversation is not None:
        for saved in reversed(conversation.history):
            if saved["role"] == "user":
                return str(saved["content"])
    raise ApiError(4000, "additional_messages is required when the conversation has no messages")


def _position(messages: list[JsonObject], message_id: str) -> int:
    """Index of ``message_id`` in ``messages`` (4005 if it is not there)."""
    for index, message in enumerate(messages):
        if message["id"] == message_id:
            return index
    raise ApiError(4005, f"Invalid message id: {message_id!r}")


def _save(
    conversation: Conversation,
    message: EnterMessage,
    chat: Chat | None = None,
    message_id: str | None = None,
    extra: JsonObject | None = None,
) -> None:
    """Append a message to the conversation's saved history; the caller holds the state lock."""
    created = now()
    conversation.history.append(
        {
            "id": message_id or new_id(),
            "conversation_id": conversation.id,
            "bot_id": chat.bot_id if chat else conversation.bot_id,
            "chat_id": chat.id if chat else "",
            "section_id": conversation.section_id,
            "role": message.role,
            "type": message.type,
            "content": message.content,
            "content_type": message.content_type,
            "meta_data": dict(message.meta_data),
            "created_at": created,
            "updated_at": created,
            **(extra or {}),
        }
    )
    conversation.updated_at = created
