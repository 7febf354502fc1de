"""How times and an answer's numbers read, in one place: the messages' times and footers, the
status bar, the chat list and the trash."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale

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


def message_time(timestamp: float, *, time_alone_today: bool = True) -> str:
    """A local time (seconds since the epoch) in the locale's short format: the time alone when it
    is today (unless told otherwise), else date and time; ``""`` when unknown (0 or less)."""
    if timestamp <= 0:
        return ""
    moment = QDateTime.fromMSecsSinceEpoch(int(timestamp * 1000))
    locale = QLocale()
    if time_alone_today and moment.date() == QDateTime.currentDateTime().date():
        return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(moment, QLocale.FormatType.ShortFormat)


def short_time(timestamp: float, now: float | None = None) -> str:
    """A compact local time for a list: "14:05" today, "Yesterday", a weekday, else a date."""
    if timestamp <= 0:
        return ""
    moment = datetime.fromtimestamp(timestamp)
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    locale = QLocale()
    qmoment = QDateTime.fromSecsSinceEpoch(int(timestamp))
    day = moment.date()
    if day == today:
        return locale.toString(qmoment.time(), QLocale.FormatType.ShortFormat)
    if day == today - timedelta(days=1):
        return QCoreApplication.translate("ConversationListView", "Yesterday")
    if today - timedelta(days=6) <= day < today:
        return locale.dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)
    return locale.toString(qmoment.date(), QLocale.FormatType.ShortFormat)


def format_size(size: int) -> str:
    """A byte count for people: "512 B", "1.5 KB", "3.2 MB", "1.1 GB" (units translated)."""
    if size < 1024:
        return QCoreApplication.translate("Attachments", "%1 B").replace("%1", str(size))
    units = (
        QCoreApplication.translate("Attachments", "%1 KB"),
        QCoreApplication.translate("Attachments", "%1 MB"),
        QCoreApplication.translate("Attachments", "%1 GB"),
    )
    value = float(size)
    for index, unit in enumerate(units):
        value /= 1024
        if value < 1024 or index == len(units) - 1:
            return unit.replace("%1", f"{value:.1f}" if value < 10 else f"{value:.0f}")
    raise AssertionError("unreachable")
