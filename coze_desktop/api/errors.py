"""Errors of the Coze client, and what to tell a person about each (coze-api.md §10).

:class:`CozeAPIError` is the one error type for everything Coze itself reports: a JSON error
body at any HTTP status, an ``error`` event, ``conversation.chat.failed``, and a non-JSON error
page such as an HTML 502. :class:`CozeNetworkError` is for failures before or between bytes:
name resolution, refused connection, TLS, timeouts, a connection dropped mid-answer.

Every error has a ``kind`` (:class:`ErrorKind`): what kind of failure it is, decided here once from
Coze's code (every code of §10 is in one table with its kind and its zh/en advice) or, for an
error page without a code, from the HTTP status. The UI, the workers and the CLI switch on the
kind, never on raw codes. A saved :class:`~coze_desktop.domain.ErrorInfo` keeps only the code;
``classify(info.code)`` gives its kind again (a saved network error, which has no code, is UNKNOWN:
nothing shown for a saved error depends on it).

Neither ever carries the access token: messages are built from Coze's code and text and from
exception class names, and :func:`redact` scrubs anything that looks like a bearer token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from coze_desktop.domain import ErrorInfo

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_TOKENISH = re.compile(r"\b(pat|sat|czs|cztei)_[A-Za-z0-9_\-]{8,}")


def redact(text: str, *secrets: str) -> str:
    """Remove given secrets and anything shaped like a bearer token from ``text``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1***", text)
    return _TOKENISH.sub(lambda m: m.group(1) + "_***", text)


class ErrorKind(StrEnum):
    """What kind of failure an error is: the one thing the UI, the workers and the CLI switch on.

    The raw Coze codes stay in this module (:func:`classify`); callers ask ``error.kind``.
    """

    AUTH = "auth"  # the token is invalid or expired: enter it again
    PERMISSION = "permission"  # the token may not do this (scope, workspace, region)
    NOT_PUBLISHED = "not_published"  # the bot is not published to the API channel
    QUOTA = "quota"  # a daily limit or the account balance is used up
    RATE_LIMITED = "rate_limited"  # too many requests right now: wait a moment
    BUSY = "busy"  # the conversation already has a reply being written
    CONVERSATION_GONE = "conversation_gone"  # Coze no longer knows the conversation
    NOT_FOUND = "not_found"  # a bot, chat or other resource does not exist
    BAD_REQUEST = "bad_request"  # the request itself was refused (parameters, length, state)
    MODEL = "model"  # the bot's model is unavailable or failed
    BLOCKED = "blocked"  # risk control or content rules refused it
    FILE = "file"  # an upload was refused (empty, too large, wrong type, ...)
    WORKFLOW = "workflow"  # a workflow is not configured, not found or already finished
    WORKFLOW_NODE = "workflow_node"  # a node of a workflow failed while it ran (720xxxxxx)
    NETWORK = "network"  # the network failed (see CozeNetworkError.reason)
    TIMEOUT = "timeout"  # a non-streamed reply took longer than allowed
    CANCELED = "canceled"  # the person stopped it
    SERVER = "server"  # Coze failed inside, or answered in a shape this client cannot use
    UNKNOWN = "unknown"  # a code this client does not know


@dataclass(frozen=True, slots=True)
class _Help:
    kind: ErrorKind
    zh: str
    en: str


# Every code of coze-api.md §10: its kind, what to say, and what to do about it.
_K = ErrorKind
_API_HELP: dict[int, _Help] = {
    4000: _Help(
        _K.BAD_REQUEST,
        "请求参数有误。请检查机器人 ID 和输入内容。",
        "The request parameters are invalid. Check the bot ID and your input.",
    ),
    4001: _Help(
        _K.NOT_FOUND,
        "这条回复（chat）不存在或无权访问。请重试。",
        "This reply (chat) does not exist or you cannot access it. Retry.",
    ),
    4002: _Help(
        _K.CONVERSATION_GONE,
        "会话不存在或无权访问。请新建一个会话再试。",
        "The conversation does not exist or you cannot access it. Start a new chat and try again.",
    ),
    4003: _Help(
        _K.BAD_REQUEST,
        "附加信息（meta_data）超出限制。请精简后再试。",
        "The extra information (meta_data) is over the limit. Reduce it and try again.",
    ),
    4004: _Help(
        _K.BAD_REQUEST,
        "随请求发送的消息过多或过长。请新建会话，或缩短你的问题。",
        "Too many or too long messages were sent with the request. Start a new chat or shorten your question.",
    ),
    4005: _Help(
        _K.BAD_REQUEST,
        "消息无效（ID 或内容有误）。请检查输入内容后重试。",
        "A message is invalid (its ID or content). Check your input and try again.",
    ),
    4006: _Help(
        _K.NOT_FOUND,
        "机器人 ID 无效，或当前令牌无权使用该机器人。请在设置中核对机器人 ID。",
        "The bot ID is invalid, or this token may not use that bot. Check the bot ID in the settings.",
    ),
    4007: _Help(
        _K.BAD_REQUEST,
        "非流式对话必须开启自动保存历史（auto_save_history）。请开启流式输出，或开启自动保存。",
        "Non-streaming chat requires auto_save_history=true. Turn streaming on, or turn history saving on.",
    ),
    4008: _Help(
        _K.QUOTA,
        "该机器人今日的调用次数已用完。请明天再试，或升级扣子套餐。",
        "This bot's daily usage is used up. Try again tomorrow, or upgrade your Coze plan.",
    ),
    4009: _Help(
        _K.RATE_LIMITED,
        "扣子服务的请求量已达上限。请稍后再试。",
        "Coze has reached its request limit. Wait a moment and try again.",
    ),
    4010: _Help(
        _K.BAD_REQUEST,
        "对话内容超出了模型的长度限制。请新建会话，或缩短你的问题。",
        "The conversation is longer than the model allows. Start a new chat or shorten your question.",
    ),
    4011: _Help(
        _K.QUOTA,
        "扣子账号的资源点（余额）不足。请在扣子控制台充值或升级套餐后再试。",
        "Your Coze account's balance (resource points) is insufficient. Top up or upgrade in the Coze console.",
    ),
    4012: _Help(
        _K.MODEL,
        "机器人使用的模型不可用（可能已下线）。请在扣子中为机器人更换模型并重新发布。",
        "The bot's model is not available (it may have been retired). Pick another model in Coze and republish.",
    ),
    4013: _Help(
        _K.MODEL,
        "模型服务出错。请稍后重试；若持续出现，请在扣子中检查机器人的模型设置。",
        "The model service failed. Try again later; if it persists, check the bot's model in Coze.",
    ),
    4014: _Help(
        _K.BLOCKED,
        "机器人无法回答这个问题。请换一种问法再试。",
        "The bot cannot answer this question. Ask it another way.",
    ),
    4015: _Help(
        _K.NOT_PUBLISHED,
        "该机器人尚未发布为 API 服务。请在扣子中打开机器人 → 发布 → 勾选「API」（Agent as API）渠道后重新发布。",
        "This bot is not published as an API. In Coze, open the bot → Publish → tick the “API” "
        "(Agent as API) channel, and publish again.",
    ),
    4016: _Help(
        _K.BUSY,
        "该会话中已有一条回复正在生成。请等它结束或停止后再发送。",
        "A reply is already being written in this conversation. Wait for it or stop it, then send again.",
    ),
    4019: _Help(
        _K.QUOTA,
        "火山引擎按量付费余额不足。请充值后再试。",
        "The Volcano Engine pay-as-you-go balance is insufficient. Top up and try again.",
    ),
    4020: _Help(
        _K.RATE_LIMITED,
        "每分钟请求数（RPM）已达上限。请稍后再试。",
        "The requests-per-minute limit is reached. Wait a moment and try again.",
    ),
    4021: _Help(
        _K.WORKFLOW,
        "工作流未配置。请在扣子中为机器人配置工作流后重新发布。",
        "The workflow is not configured. Configure it for the bot in Coze and publish again.",
    ),
    4022: _Help(
        _K.QUOTA,
        "模型所属账号已欠费。请在火山引擎充值后再试。",
        "The model's account is in arrears. Top up in Volcano Engine and try again.",
    ),
    4100: _Help(
        _K.AUTH,
        "访问令牌无效或已过期。请在设置中重新输入令牌（扣子 → API 管理 → 个人访问令牌）。",
        "The access token is invalid or expired. Enter the token again in the settings "
        "(Coze → API → Personal access tokens).",
    ),
    4101: _Help(
        _K.PERMISSION,
        "令牌没有所需权限，或不属于该空间/区域。请为令牌勾选「对话」等权限并选择机器人所在空间，"
        "并确认区域（coze.cn 或 coze.com）正确。",
        "The token lacks a permission, or belongs to another workspace or region. Give it the chat "
        "permissions and the bot's workspace, and check the region (coze.cn or coze.com).",
    ),
    4102: _Help(
        _K.BLOCKED,
        "请求被扣子的风控拦截。请稍后再试或联系扣子支持。",
        "Coze's risk control blocked the request. Try later or contact Coze support.",
    ),
    4104: _Help(
        _K.BAD_REQUEST, "这条回复已结束，无法取消。", "This reply has already ended and cannot be canceled."
    ),
    4105: _Help(
        _K.BLOCKED,
        "内容包含敏感信息，被扣子拒绝。请修改内容后再试。",
        "Coze refused the content as sensitive. Change it and try again.",
    ),
    4200: _Help(
        _K.NOT_FOUND,
        "找不到请求的资源（例如未发布的工作流）。请检查 ID 并确认已发布。",
        "The requested resource was not found (for example an unpublished workflow). Check the ID "
        "and that it is published.",
    ),
    4201: _Help(_K.BAD_REQUEST, "该成员已存在。", "This member already exists."),
    4300: _Help(_K.FILE, "文件为空。请选择有内容的文件。", "The file is empty. Choose a file with content."),
    4301: _Help(_K.FILE, "一次只能上传一个文件。", "Upload one file at a time."),
    4302: _Help(_K.FILE, "文件过大。请选择更小的文件。", "The file is too large. Choose a smaller file."),
    4303: _Help(
        _K.FILE,
        "不支持该文件类型。请选择其他格式的文件。",
        "This file type is not supported. Choose another format.",
    ),
    4304: _Help(_K.FILE, "文件无效。请检查文件后重试。", "The file is invalid. Check it and try again."),
    4314: _Help(
        _K.WORKFLOW,
        "找不到该工作流的执行记录。",
        "The workflow's execution record was not found.",
    ),
    4315: _Help(_K.WORKFLOW, "该工作流的执行已经结束。", "The workflow's execution has already finished."),
    5000: _Help(
        _K.SERVER, "扣子服务内部错误。请稍后重试。", "Coze had an internal error. Try again in a moment."
    ),
    700012006: _Help(
        _K.AUTH,
        "访问令牌无效。请在设置中重新输入令牌，并确认区域（coze.cn 或 coze.com）与令牌一致。",
        "The access token is invalid. Enter it again in the settings and check that the region "
        "(coze.cn or coze.com) matches the token.",
    ),
}

# What an error without a Coze code (an HTML error page, an empty body) means, by HTTP status.
_HTTP_KINDS: dict[int, ErrorKind] = {
    400: _K.BAD_REQUEST,
    401: _K.AUTH,
    403: _K.PERMISSION,
    404: _K.NOT_FOUND,
    408: _K.NETWORK,
    413: _K.FILE,
    429: _K.RATE_LIMITED,
}


# Workflow node errors: 720000000-720999999 (the 720xxxxxx family of coze-api.md's error codes).
# Their number says which check failed inside a node; Coze's own message says what, so it is shown.
_NODE_ERRORS = range(720_000_000, 721_000_000)
_NODE_HELP = _Help(
    _K.WORKFLOW_NODE,
    "工作流的一个节点运行出错（{code}）：{msg}。请在扣子中打开调试链接查看该节点的输入和输出。",
    "A node of the workflow failed ({code}): {msg}. Open the debug link in Coze to see the node's "
    "input and output.",
)


def is_workflow_node_error(code: int | None) -> bool:
    """Whether ``code`` is one of the 720xxxxxx codes of a failing workflow node."""
    return code is not None and code in _NODE_ERRORS


def classify(code: int | None, http_status: int | None = None) -> ErrorKind:
    """The kind of a Coze error from its code, or, without a code, from the HTTP status.

    Also the way to classify a saved :class:`~coze_desktop.domain.ErrorInfo`: ``classify(info.code)``.
    """
    if code is not None:
        if code in _NODE_ERRORS:
            return ErrorKind.WORKFLOW_NODE
        help_ = _API_HELP.get(code)
        return help_.kind if help_ is not None else ErrorKind.UNKNOWN
    if http_status is None:
        return ErrorKind.UNKNOWN
    if http_status >= 500:
        return ErrorKind.SERVER
    return _HTTP_KINDS.get(http_status, ErrorKind.UNKNOWN)


class NetworkErrorKind(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TLS = "tls"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    DROPPED = "dropped"
    PROXY = "proxy"
    OTHER = "other"


_NET_HELP: dict[NetworkErrorKind, _Help] = {
    NetworkErrorKind.DNS: _Help(
        _K.NETWORK,
        "找不到服务器地址。请检查网络连接和服务器地址（区域）设置。",
        "The server name could not be resolved. Check your network and the server address (region).",
    ),
    NetworkErrorKind.REFUSED: _Help(
        _K.NETWORK,
        "服务器拒绝了连接。请检查服务器地址和端口，或稍后再试。",
        "The server refused the connection. Check the server address and port, or try again later.",
    ),
    NetworkErrorKind.TLS: _Help(
        _K.NETWORK,
        "安全连接（TLS）失败，服务器证书无法验证。请检查系统时间、代理或网络环境。",
        "The secure connection (TLS) failed: the server certificate could not be verified. "
        "Check the system clock, proxy or network.",
    ),
    NetworkErrorKind.CONNECT_TIMEOUT: _Help(
        _K.NETWORK,
        "连接服务器超时。请检查网络或代理设置后重试。",
        "Connecting to the server timed out. Check your network or proxy and retry.",
    ),
    NetworkErrorKind.READ_TIMEOUT: _Help(
        _K.NETWORK,
        "服务器长时间没有回应。请重试。",
        "The server stopped responding for too long. Retry.",
    ),
    NetworkErrorKind.DROPPED: _Help(
        _K.NETWORK,
        "连接在回复过程中中断，已保留收到的部分内容。请重试。",
        "The connection dropped in the middle of the reply; the part received so far is kept. Retry.",
    ),
    NetworkErrorKind.PROXY: _Help(
        _K.NETWORK,
        "无法通过代理服务器连接。请检查代理设置。",
        "Could not connect through the proxy. Check the proxy settings.",
    ),
    NetworkErrorKind.OTHER: _Help(
        _K.NETWORK, "网络错误。请检查网络连接后重试。", "Network error. Check your connection and retry."
    ),
}


def _pick(h: _Help, lang: str) -> str:
    return h.zh if lang.lower().startswith("zh") else h.en


class CozeError(Exception):
    """Base of every error this client raises. ``kind`` says what kind of failure it is."""

    code: int | None = None
    logid: str | None = None
    kind: ErrorKind = ErrorKind.UNKNOWN

    def user_message(self, lang: str = "zh") -> str:
        """Text for a person: what happened and what to do (Chinese for ``zh*``, else English)."""
        raise NotImplementedError

    def to_info(self, lang: str = "zh") -> ErrorInfo:
        return ErrorInfo(code=self.code, message=self.user_message(lang), logid=self.logid)


class CozeAPIError(CozeError):
    """Coze said no: a JSON error body, an ``error`` event, a failed chat, or a non-JSON error page."""

    def __init__(
        self,
        code: int | None,
        msg: str,
        *,
        logid: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.msg = redact(msg or "")
        self.logid = logid or None
        self.http_status = http_status
        self.kind = classify(code, http_status)
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = []
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        if self.logid:
            parts.append(f"logid={self.logid}")
        return (
            f"{self.msg or 'Coze API error'} ({', '.join(parts)})"
            if parts
            else (self.msg or "Coze API error")
        )

    def user_message(self, lang: str = "zh") -> str:
        if self.code is not None and self.code in _API_HELP:
            return _pick(_API_HELP[self.code], lang)
        if self.code is not None and self.code in _NODE_ERRORS:
            zh = lang.lower().startswith("zh")
            detail = self.msg or ("未知错误" if zh else "unknown error")
            return _pick(_NODE_HELP, lang).format(code=self.code, msg=detail.rstrip("。."))
        if self.code is None and self.http_status == 401:
            return _pick(_API_HELP[4100], lang)
        zh = lang.lower().startswith("zh")
        if self.code is None and self.http_status is not None:
            if zh:
                return (
                    f"服务器返回了错误（HTTP {self.http_status}）。请稍后重试；若持续出现，请检查服务器地址。"
                )
            return f"The server answered with an error (HTTP {self.http_status}). Retry later; if it persists, check the server address."
        detail = self.msg or ("未知错误" if zh else "unknown error")
        if zh:
            return f"扣子返回错误 {self.code}：{detail}"
        return f"Coze returned error {self.code}: {detail}"


class CozeNetworkError(CozeError):
    """The network failed (``kind`` is NETWORK). ``reason`` tells which way; for a dropped stream
    the text so far is kept by the caller."""

    kind = ErrorKind.NETWORK

    def __init__(self, reason: NetworkErrorKind, detail: str = "", *, logid: str | None = None) -> None:
        self.reason = reason
        self.detail = redact(detail)
        self.logid = logid or None
        super().__init__(f"{reason.value}: {self.detail}" if self.detail else reason.value)

    def user_message(self, lang: str = "zh") -> str:
        return _pick(_NET_HELP[self.reason], lang)


class ChatTimeoutError(CozeError):
    """Polling a non-streaming chat took longer than allowed."""

    kind = ErrorKind.TIMEOUT

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"chat did not finish within {seconds:g} s")

    def user_message(self, lang: str = "zh") -> str:
        if lang.lower().startswith("zh"):
            return f"等待回复超时（{self.seconds:g} 秒）。请重试，或改用流式输出。"
        return f"The reply did not arrive within {self.seconds:g} s. Retry, or turn streaming on."


class ChatCanceledError(CozeError):
    """The caller canceled the request."""

    kind = ErrorKind.CANCELED

    def __init__(self) -> None:
        super().__init__("canceled")

    def user_message(self, lang: str = "zh") -> str:
        return "已停止。" if lang.lower().startswith("zh") else "Stopped."


class WorkflowResumeLimitError(CozeError):
    """A run was to be resumed more often than Coze allows; refused before any request."""

    kind = ErrorKind.WORKFLOW

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"a workflow run can be resumed at most {limit} times")

    def user_message(self, lang: str = "zh") -> str:
        if lang.lower().startswith("zh"):
            return f"这次运行已经继续过 {self.limit} 次，扣子最多允许 {self.limit} 次。请重新运行工作流。"
        return (
            f"This run has already been resumed {self.limit} times, the most Coze allows. "
            "Run the workflow again."
        )


class ProtocolError(CozeError):
    """The server answered in a shape this client cannot use (e.g. a success body without data)."""

    kind = ErrorKind.SERVER

    def __init__(self, detail: str, *, logid: str | None = None) -> None:
        self.detail = redact(detail)
        self.logid = logid
        super().__init__(self.detail)

    def user_message(self, lang: str = "zh") -> str:
        if lang.lower().startswith("zh"):
            return f"服务器的回复格式无法识别：{self.detail}"
        return f"The server's answer could not be understood: {self.detail}"
