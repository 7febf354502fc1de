"""The one way to ask before a destructive action (delete a chat, a message, empty the trash).

The box defaults to the safe button: Enter and Escape cancel, no button has a mnemonic and a
plain letter is ignored, so a stray key never confirms. (A ``QMessageBox`` with standard Yes/No
buttons accepts a plain ``y``: it matches "&Yes"'s mnemonic without Alt. That is how a chat got
deleted by typing into the list after clicking it.) The action is named on its button ("Move to
trash"), not "Yes".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMessageBox, QWidget

Confirm = Callable[[str, str, str], bool]
"""Ask before something destructive: ``confirm(title, text, action) -> True`` to go ahead."""


def _literal(text: str) -> str:
    """``text`` shown as is on a button: an ``&`` is not a mnemonic."""
    return text.replace("&", "&&")


class _ConfirmationBox(QMessageBox):
    """A message box on which a plain letter does nothing, whatever mnemonics a platform adds."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        chord = (
            Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if event.text().isprintable() and event.text().strip() and not event.modifiers() & chord:
            event.accept()
            return
        super().keyPressEvent(event)


def confirmation_box(parent: QWidget | None, title: str, text: str, action: str) -> QMessageBox:
    """A warning box with an ``action`` button and a Cancel button that is the default and Escape.

    Not shown yet: ``exec()`` it (see :func:`ask_to_confirm`) or ``open()`` it. The buttons are
    named ``confirm_action`` and ``confirm_cancel``.
    """
    box = _ConfirmationBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    accept = box.addButton(_literal(action), QMessageBox.ButtonRole.AcceptRole)
    accept.setObjectName("confirm_action")
    cancel = box.addButton(
        _literal(QCoreApplication.translate("Confirmation", "Cancel")), QMessageBox.ButtonRole.RejectRole
    )
    cancel.setObjectName("confirm_cancel")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    cancel.setFocus()
    return box


def confirmed(box: QMessageBox) -> bool:
    """Whether the user pressed the action button of a :func:`confirmation_box`."""
    clicked = box.clickedButton()
    return clicked is not None and clicked.objectName() == "confirm_action"


def ask_to_confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Show a :func:`confirmation_box` and wait; True only when ``action`` was pressed."""
    box = confirmation_box(parent, title, text, action)
    try:
        box.exec()
        return confirmed(box)
    finally:
        box.deleteLater()
