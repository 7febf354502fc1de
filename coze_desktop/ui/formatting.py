"""How an answer's numbers read: one formatter for the message footer and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from coze_desktop.domain import Message

# The message footer's translation context, where these strings were first translated.
_CONTEXT = "_MessageWidget"


def answer_stats(message: Message) -> list[str]:
    """The duration and token count of an answer ("3.2 s", "1,234 tokens"); unknown or zero ones left out."""
    parts = []
    if message.duration:
        parts.append(QCoreApplication.translate(_CONTEXT, "%1 s").replace("%1", f"{message.duration:.1f}"))
    if message.usage and message.usage.token_count:
        count = QLocale().toString(message.usage.token_count)
        parts.append(QCoreApplication.translate(_CONTEXT, "%1 tokens").replace("%1", count))
    return parts
