"""How an answer's numbers read: one formatter for the message footer and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from coze_desktop.domain import Message


def answer_stats(message: Message) -> list[str]:
    """The duration and token count of an answer ("3.2 s", "1,234 tokens"); unknown or zero ones left out.

    The strings keep the message footer's translation context (a literal, so lupdate finds it).
    """
    parts = []
    if message.duration:
        parts.append(
            QCoreApplication.translate("_MessageWidget", "%1 s").replace("%1", f"{message.duration:.1f}")
        )
    if message.usage and message.usage.token_count:
        count = QLocale().toString(message.usage.token_count)
        parts.append(QCoreApplication.translate("_MessageWidget", "%1 tokens").replace("%1", count))
    return parts
