"""The one channel for telling the user something (qutebrowser ``utils/message.py``).

Every user-visible notice goes through :class:`UserMessages`: info and warnings in the status
bar, errors also in a box, confirmations as a question. Tests and CI turn the boxes off
(``modal=False``) and assert on :attr:`UserMessages.posted`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from coze_desktop import APP_NAME
from coze_desktop.ui.confirm import ask_to_confirm

logger = logging.getLogger(__name__)

STATUS_MESSAGE_MS = 8000


class UserMessages(QObject):
    """The one channel for telling the user something: status bar, and a box for errors.

    With ``modal`` off (tests, CI) nothing blocks: boxes are not shown and :meth:`confirm`
    answers yes. :attr:`posted` lets tests assert on what was said.
    """

    posted = Signal(str, str)
    """Something was said. Arguments: level (``info``, ``warning``, ``error``), text."""

    def __init__(self, window: QMainWindow, *, modal: bool) -> None:
        super().__init__(window)
        self._window = window
        self.modal = modal

    def info(self, text: str) -> None:
        self._say("info", text)

    def warning(self, text: str) -> None:
        self._say("warning", text)

    def error(self, text: str) -> None:
        self._say("error", text)
        if self.modal:
            QMessageBox.warning(self._window, APP_NAME, text)

    def confirm(self, question: str) -> bool:
        """Ask before going on (yes without asking when not modal); Cancel is the default."""
        return self.confirm_destructive(APP_NAME, question, self.tr("Continue"))

    def confirm_destructive(self, title: str, text: str, action: str) -> bool:
        """Ask before ``action`` (a button named for it, Cancel the default; yes when not modal)."""
        if not self.modal:
            return True
        return ask_to_confirm(self._window, title, text, action)

    def _say(self, level: str, text: str) -> None:
        logger.info("user message (%s): %s", level, text)
        self._window.statusBar().showMessage(text, STATUS_MESSAGE_MS)
        self.posted.emit(level, text)
