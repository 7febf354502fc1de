"""The boxes shown beside the messages' text: the banner of a reply that failed, stopped or was
interrupted (:class:`_Banner`), and the bot's welcome card with its suggested questions
(:class:`_PrologueCard`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from coze_desktop.api.errors import ErrorKind, classify
from coze_desktop.domain import Bot, Message, MessageState
from coze_desktop.ui import theme
from coze_desktop.ui.elided import ElidedButton
from coze_desktop.ui.markdown import open_web_link, render_markdown
from coze_desktop.ui.messages.text_view import _TextView


class _Banner(QFrame):
    """Why a reply failed, stopped or was interrupted, with what can be done about it."""

    triggered = Signal(str)  # retry, open_settings, publish_help

    def __init__(self, message: Message, parent: QWidget) -> None:
        super().__init__(parent)
        self._failed = message.state is MessageState.FAILED
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        if message.state is MessageState.FAILED:
            title = self.tr("The reply failed")
        elif message.state is MessageState.STOPPED:
            title = self.tr("Stopped. The text received so far is kept.")
        else:
            title = self.tr(
                "Interrupted: the app closed before this reply finished. The text received so far is kept."
            )
        heading = QLabel(title, self)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        error = message.error
        if error is not None:
            if error.message:
                detail = QLabel(error.message, self)
                detail.setWordWrap(True)
                detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(detail)
            ids = []
            if error.code is not None:
                ids.append(self.tr("Code %1").replace("%1", str(error.code)))
            if error.logid:
                ids.append(self.tr("Log ID %1").replace("%1", error.logid))
            if ids:
                meta = QLabel(" · ".join(ids), self)
                meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(meta)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        if message.version >= message.version_count:
            buttons.addWidget(self._button(self.tr("Retry"), "retry"))
        else:  # it was retried: a newer version exists, this one is kept for reference only
            newer = QLabel(self.tr("A newer version of this answer exists (›)."), self)
            newer.setObjectName("banner_newer_version")
            newer.setWordWrap(True)
            layout.addWidget(newer)
        kind = classify(error.code) if error is not None else None  # saved errors keep only the code
        if message.state is MessageState.FAILED and kind is ErrorKind.AUTH:
            buttons.addWidget(self._button(self.tr("Enter the token again"), "open_settings"))
        elif message.state is MessageState.FAILED and kind is ErrorKind.NOT_PUBLISHED:
            buttons.addWidget(self._button(self.tr("How to publish as API"), "publish_help"))
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.setAccessibleName(title)

    def _button(self, text: str, action: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"banner_{action}")
        button.clicked.connect(lambda: self.triggered.emit(action))
        return button

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(
            theme.error_background(palette) if self._failed else theme.warning_background(palette)
        )
        painter.drawRoundedRect(self.rect(), 8, 8)


class _PrologueCard(QFrame):
    """The bot's welcome: its name, its opening words and the questions it suggests."""

    follow_up_clicked = Signal(str)

    def __init__(self, bot: Bot, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(8)
        name = QLabel(bot.name or self.tr("Assistant"), self)
        font = name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        name.setFont(font)
        layout.addWidget(name)
        if bot.description:
            description = QLabel(bot.description, self)
            description.setWordWrap(True)
            description.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            layout.addWidget(description)
        if bot.prologue:
            prologue = _TextView(self)
            prologue.setAccessibleName(self.tr("Welcome message"))
            prologue.anchorClicked.connect(open_web_link)
            render_markdown(prologue.document(), bot.prologue, self.palette())
            layout.addWidget(prologue)
        self._suggestions = QWidget(self)
        suggestions_layout = QVBoxLayout(self._suggestions)
        suggestions_layout.setContentsMargins(0, 4, 0, 0)
        suggestions_layout.setSpacing(6)
        for question in bot.suggested_questions:
            button = ElidedButton(question, self._suggestions)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, q=question: self.follow_up_clicked.emit(q))
            suggestions_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        self._suggestions.setVisible(bool(bot.suggested_questions))
        self._suggestions.setAccessibleName(self.tr("Suggested questions"))
        layout.addWidget(self._suggestions)
        self.setAccessibleName(self.tr("Welcome from %1").replace("%1", bot.name))

    def hide_suggestions(self) -> None:
        self._suggestions.setVisible(False)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(theme.border_color(self.palette()))
        painter.setBrush(theme.card_background(self.palette()))
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 12, 12)
