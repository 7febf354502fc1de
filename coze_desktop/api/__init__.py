"""The Coze client. No Qt here: the CLI, the GUI workers and the tests all use it as it is."""

from .client import ChatStream, ConversationInfo, CozeClient, MessagePage, UploadedFile
from .errors import (
    ChatCanceledError,
    ChatTimeoutError,
    CozeAPIError,
    CozeError,
    CozeNetworkError,
    ErrorKind,
    NetworkErrorKind,
    ProtocolError,
    WorkflowResumeLimitError,
    classify,
)
from .result import ChatAccumulator
from .sse import SseDecoder, SseEvent
from .workflows import ToolOutput, WorkflowAccumulator, WorkflowStream

__all__ = [
    "ChatAccumulator",
    "ChatCanceledError",
    "ChatStream",
    "ChatTimeoutError",
    "ConversationInfo",
    "CozeAPIError",
    "CozeClient",
    "CozeError",
    "CozeNetworkError",
    "ErrorKind",
    "MessagePage",
    "NetworkErrorKind",
    "ProtocolError",
    "SseDecoder",
    "SseEvent",
    "ToolOutput",
    "UploadedFile",
    "WorkflowAccumulator",
    "WorkflowResumeLimitError",
    "WorkflowStream",
    "classify",
]
