"""Dialogs and the first-run view: settings, welcome, add bot, crash report.

Nothing here blocks the GUI thread: every request (test connection, bot lookup) runs through a
:class:`~coze_desktop.workers.tasks.BackgroundTask` in its own thread. Tokens go to the keyring
through :class:`~coze_desktop.workers.accounts.Accounts`, never into the settings file; when the
keyring is unavailable the dialogs say so and offer to keep the token for this session only.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.api import CozeAPIError, ErrorKind
from coze_desktop.domain import DEFAULT_BASE_URL, GLOBAL_BASE_URL, Bot
from coze_desktop.export import ExportFormatError, Progress, parse_json_export
from coze_desktop.secrets import KeyringUnavailable
from coze_desktop.settings import DEMO_BASE_URL, MAX_ATTACHMENT_MB, Settings, normalize_base_url, region_of
from coze_desktop.store import ImportReport, Store, StoreError, import_items
from coze_desktop.workers.accounts import Account, Accounts
from coze_desktop.workers.tasks import BackgroundTask
from coze_desktop.workers.threads import WorkerThreads

logger = logging.getLogger(__name__)

# Where people create a personal access token (pages, not secrets).
TOKEN_HELP_URL = "https://www.coze.cn/open/oauth/pats"  # noqa: S105
GLOBAL_TOKEN_HELP_URL = "https://www.coze.com/open/oauth/pats"  # noqa: S105


DIALOG_MIN_WIDTH = 520  # room for Chinese and English labels, placeholders and wrapped help


def fit_to_contents(dialog: QDialog) -> None:
    """Open ``dialog`` at its preferred size.

    Left to itself, Qt opens a dialog whose forms hold word-wrapped labels at its (too small)
    minimum height, squeezing every row until the fields overlap.
    """
    dialog.resize(dialog.sizeHint().expandedTo(dialog.minimumSize()))


SCREEN_MARGIN = 48  # px kept free around a dialog on a small screen (title bar, panels)


def scrolling(body: QWidget, parent: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area that scrolls only up and down."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(body)
    return area


def fit_to_screen(dialog: QDialog, area: QScrollArea, *, max_height: int | None = None) -> None:
    """Open ``dialog`` showing all of ``area``'s contents, or as tall as the screen allows.

    A scroll area asks for little room on its own, so the dialog is sized from its contents; on
    a small screen (800×600) the contents scroll instead of the buttons falling off the screen.
    ``max_height`` caps the height (default: the screen's available height less a margin).
    """
    body, layout = area.widget(), dialog.layout()
    if body is None or layout is None:  # nothing to measure yet: keep Qt's own size
        return
    margins = layout.contentsMargins()
    width = max(dialog.minimumWidth(), body.sizeHint().width() + margins.left() + margins.right())
    # Measured as if the scroll bar showed: wrapped text is then at its tallest, so the body fits
    # whether the bar shows or not (measured without it, the bar comes and covers the right edge).
    inner = width - margins.left() - margins.right() - area.verticalScrollBar().sizeHint().width()
    body_height = body.heightForWidth(inner) if body.hasHeightForWidth() else -1
    if body_height < 0:
        body_height = body.sizeHint().height()
    height = dialog.sizeHint().height() - area.sizeHint().height() + body_height
    if max_height is None:
        screen = (dialog.parentWidget() or dialog).screen()
        max_height = screen.availableGeometry().height() - SCREEN_MARGIN if screen is not None else height
    dialog.resize(width, min(height, max_height))


class RegionPicker(QWidget):
    """Choose the Coze API: coze.cn, coze.com, a custom address (and the demo server when in use)."""

    changed = Signal(str)
    """The chosen base URL changed. Argument: the new base URL."""

    def __init__(self, base_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._combo = QComboBox(self)
        self._combo.addItem(self.tr("China (api.coze.cn)"), DEFAULT_BASE_URL)
        self._combo.addItem(self.tr("Global (api.coze.com)"), GLOBAL_BASE_URL)
        if region_of(base_url) == "demo":
            self._combo.addItem(self.tr("Demo server on this computer"), DEMO_BASE_URL)
        self._combo.addItem(self.tr("Custom address…"), "")
        self._custom = QLineEdit(self)
        self._custom.setPlaceholderText("https://")
        self._custom.setAccessibleName(self.tr("Custom API address"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._combo)
        layout.addWidget(self._custom, 1)
        index = self._combo.findData(normalize_base_url(base_url))
        if index < 0:
            index = self._combo.count() - 1
            self._custom.setText(base_url)
        self._combo.setCurrentIndex(index)
        self._custom.setVisible(self._combo.currentData() == "")
        self._combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self._custom.textChanged.connect(self._on_custom_text_changed)

    def base_url(self) -> str:
        """The chosen base URL ("" when a custom address is chosen but not typed)."""
        data = self._combo.currentData()
        return data or self._custom.text().strip().rstrip("/")

    def set_base_url(self, base_url: str) -> None:
        """Choose ``base_url`` (a custom address when it is not a known one)."""
        index = self._combo.findData(normalize_base_url(base_url))
        if index < 0:
            self._custom.setText(base_url)
            index = self._combo.count() - 1
        self._combo.setCurrentIndex(index)

    @Slot(int)
    def _on_combo_index_changed(self, _index: int) -> None:
        self._custom.setVisible(self._combo.currentData() == "")
        self.changed.emit(self.base_url())

    @Slot(str)
    def _on_custom_text_changed(self, _text: str) -> None:
        self.changed.emit(self.base_url())


class TokenField(QWidget):
    """A password field for the access token, with "show" and "this session only"."""

    def __init__(self, accounts: Accounts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(self.tr("Access token"))
        self._show = QCheckBox(self.tr("Show"), self)
        self._show.toggled.connect(self._on_show_toggled)
        self.session_only = QCheckBox(self.tr("Keep the token for this session only (not saved)"), self)
        self._notice = QLabel(self)
        self._notice.setWordWrap(True)
        self._notice.linkActivated.connect(self._on_notice_link_activated)
        self.notice_details = QLabel(self)  # the long explanation, behind the notice's "Details" link
        self.notice_details.setWordWrap(True)
        self.notice_details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.notice_details.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self._show)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.session_only)
        layout.addWidget(self._notice)
        layout.addWidget(self.notice_details)
        if not accounts.keyring_available():
            self.session_only.setChecked(True)
            self._notice.setTextFormat(Qt.TextFormat.RichText)
            self._notice.setText(
                self.tr("No system keyring: the token is kept until you quit.")
                + ' <a href="#details">'
                + self.tr("Details")
                + "</a>"
            )
            self.notice_details.setText(
                self.tr(
                    "The system keyring is not available, so the token cannot be saved safely. "
                    "It will be kept in memory until you quit. On Linux, install and unlock a "
                    "Secret Service (gnome-keyring or KWallet) to save it."
                )
            )
        else:
            self._notice.hide()

    def show_base_url(self, base_url: str) -> None:
        """Say whether a token is already saved for ``base_url`` (without showing it)."""
        if base_url and self._accounts.token(base_url):
            self.edit.setPlaceholderText(self.tr("A token is saved; leave empty to keep it"))
        else:
            self.edit.setPlaceholderText(self.tr("Paste your personal access token (pat_…)"))

    def token(self) -> str:
        return self.edit.text().strip()

    def notice(self) -> str:
        """The short line about where the token is kept ("" when there is nothing to say)."""
        return self._notice.text() if not self._notice.isHidden() else ""

    def show_problem(self, text: str) -> None:
        """Show why the token could not be saved."""
        self._notice.setTextFormat(Qt.TextFormat.PlainText)
        self._notice.setText(text)
        self._notice.show()
        self.notice_details.hide()

    @Slot(str)
    def _on_notice_link_activated(self, _link: str) -> None:
        self.notice_details.setVisible(self.notice_details.isHidden())

    @Slot(bool)
    def _on_show_toggled(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)


def lookup_bot(account: Account, bot_id: str) -> Bot:
    """Runs in a worker thread: fetch the bot and file it under the stored base URL."""
    with account.client() as client:
        bot = client.get_bot(bot_id)
    return dataclasses.replace(bot, base_url=account.base_url)


def _test_connection(account: Account, bot_id: str) -> str:
    """Runs in a worker thread: the bot's name if ``bot_id`` is given, else a cheap authenticated call."""
    with account.client() as client:
        if bot_id:
            return client.get_bot(bot_id).name or bot_id
        try:
            client.list_bots()
        except CozeAPIError as exc:  # Coze answered: anything but an auth error means the token works
            if exc.kind is ErrorKind.AUTH:
                raise
        return ""


class SettingsDialog(QDialog):
    """Every preference, the token (keyring only) and a connection test."""

    test_finished = Signal(bool, str)
    """The connection test ended. Arguments: whether it worked, the text shown."""

    def __init__(
        self,
        settings: Settings,
        accounts: Accounts,
        threads: WorkerThreads,
        *,
        bot_id: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self._accounts = accounts
        self._threads = threads
        self._test_call: BackgroundTask[str] | None = None

        self.region = RegionPicker(settings.base_url, self)
        self.token = TokenField(accounts, self)
        self.token.show_base_url(settings.base_url)
        self.region.changed.connect(self._on_region_changed)
        self.bot_id = QLineEdit(bot_id, self)
        self.bot_id.setPlaceholderText(self.tr("Optional: a bot ID to test with"))
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.test_result = QLabel(self)
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.user_id = QLineEdit(settings.user_id, self)
        self.streaming = QCheckBox(self.tr("Stream answers as they are written"), self)
        self.streaming.setChecked(settings.streaming)
        self.proxy = QLineEdit(settings.proxy, self)
        self.proxy.setPlaceholderText(self.tr("e.g. http://127.0.0.1:7890 — empty: the system's"))

        connection = QGroupBox(self.tr("Connection"), self)
        form = QFormLayout(connection)
        form.addRow(self.tr("Region:"), self.region)
        form.addRow(self.tr("Access token:"), self.token)
        test_row = QHBoxLayout()
        test_row.addWidget(self.bot_id, 1)
        test_row.addWidget(self.test_button)
        form.addRow(self.tr("Bot ID:"), test_row)
        form.addRow("", self.test_result)
        form.addRow(self.tr("User ID:"), self.user_id)
        form.addRow(self.tr("Proxy:"), self.proxy)
        form.addRow("", self.streaming)

        self.language = QComboBox(self)
        for label, value in (
            (self.tr("System language"), "system"),
            ("中文（简体）", "zh_CN"),
            ("English", "en"),
        ):
            self.language.addItem(label, value)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.theme = QComboBox(self)
        for label, value in (
            (self.tr("Follow the system"), "system"),
            (self.tr("Light"), "light"),
            (self.tr("Dark"), "dark"),
        ):
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.font_size = QSpinBox(self)
        self.font_size.setRange(0, 32)
        self.font_size.setSpecialValueText(self.tr("System size"))
        self.font_size.setValue(settings.font_size)
        self.send_key = QComboBox(self)
        self.send_key.addItem(self.tr("Enter sends, Shift+Enter adds a line"), "enter")
        self.send_key.addItem(self.tr("Ctrl+Enter sends, Enter adds a line"), "ctrl_enter")
        self.send_key.setCurrentIndex(max(0, self.send_key.findData(settings.send_key)))

        appearance = QGroupBox(self.tr("Appearance"), self)
        look = QFormLayout(appearance)
        look.addRow(self.tr("Language:"), self.language)
        look.addRow(self.tr("Theme:"), self.theme)
        look.addRow(self.tr("Font size:"), self.font_size)
        look.addRow(self.tr("Sending:"), self.send_key)

        self.call_limit = QSpinBox(self)
        self.call_limit.setRange(1, 1_000_000)
        self.call_limit.setValue(settings.call_warning_limit)
        usage = QGroupBox(self.tr("Usage"), self)
        usage_form = QFormLayout(usage)
        usage_form.addRow(self.tr("Warn near this many API calls:"), self.call_limit)
        usage_note = QLabel(
            self.tr(
                "Coze's free personal plan gives an account 500 API calls in total, not per month; "
                "after that the account can no longer use the API. Paid plans have no call limit. "
                "The status bar counts only this app's calls to Coze this month (the demo is free)."
            ),
            self,
        )
        usage_note.setWordWrap(True)
        usage_form.addRow("", usage_note)

        self.max_attachment = QSpinBox(self)
        self.max_attachment.setRange(1, MAX_ATTACHMENT_MB)
        self.max_attachment.setSuffix(self.tr(" MB"))
        self.max_attachment.setValue(settings.max_attachment_mb)
        self.max_attachment.setAccessibleName(self.tr("Largest attachment"))
        files = QGroupBox(self.tr("Attachments"), self)
        files_form = QFormLayout(files)
        files_form.addRow(self.tr("Largest attachment:"), self.max_attachment)
        files_note = QLabel(
            self.tr(
                "Coze takes files up to 512 MB; a lower limit here keeps larger files out of the composer."
            ),
            self,
        )
        files_note.setWordWrap(True)
        files_form.addRow("", files_note)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(connection)
        body_layout.addWidget(appearance)
        body_layout.addWidget(usage)
        body_layout.addWidget(files)
        self.scroll_area = scrolling(body, self)  # the groups scroll on a small screen; OK stays in view
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(DIALOG_MIN_WIDTH)
        fit_to_screen(self, self.scroll_area)

    def _lang(self) -> str:
        return self._settings.error_language()

    def _entered_account(self) -> Account | None:
        base_url = self.region.base_url()
        if not base_url:
            return None
        return self._accounts.account(
            base_url,
            token=self.token.token(),
            user_id=self.user_id.text().strip(),
            proxy=self.proxy.text().strip(),
        )

    @Slot(str)
    def _on_region_changed(self, base_url: str) -> None:
        self.token.show_base_url(base_url)

    @Slot()
    def _on_test_button_clicked(self) -> None:
        account = self._entered_account()
        if account is None:
            self._show_test_result(False, self.tr("Enter the server address and a token first."))
            return
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Testing…"))
        bot_id = self.bot_id.text().strip()
        self._test_call = (
            BackgroundTask(
                self._threads,
                lambda _ctx: _test_connection(account, bot_id),
                name="test-connection",
                lang=self._lang,
            )
            .on_success(self._on_test_succeeded)
            .on_failure(self._on_test_failed)
            .start()
        )

    @Slot(object)
    def _on_test_succeeded(self, bot_name: object) -> None:
        if bot_name:
            text = self.tr("Connected. The token works and the bot “{name}” is available.").format(
                name=bot_name
            )
        else:
            text = self.tr("Connected. The token works.")
        self._show_test_result(True, text)

    @Slot(str, object)
    def _on_test_failed(self, text: str, _exc: object) -> None:
        self._show_test_result(False, text)

    def _show_test_result(self, ok: bool, text: str) -> None:
        self._test_call = None
        self.test_button.setEnabled(True)
        self.test_result.setText(("✓ " if ok else "✗ ") + text)
        self.test_finished.emit(ok, text)

    def accept(self) -> None:
        """Save everything; the token goes to the keyring (or memory if asked). Stays open on a problem."""
        base_url = self.region.base_url()
        if not base_url:
            self.test_result.setText(self.tr("Enter the custom server address."))
            return
        token = self.token.token()
        if token:
            try:
                self._accounts.save_token(base_url, token, session_only=self.token.session_only.isChecked())
            except KeyringUnavailable as exc:
                self.token.session_only.setChecked(True)
                self.token.show_problem(
                    exc.user_message(self._lang())
                    + " "
                    + self.tr("Tick “this session only” and press OK to use it until you quit.")
                )
                return
        s = self._settings
        s.base_url = base_url
        s.user_id = self.user_id.text().strip() or s.user_id
        s.streaming = self.streaming.isChecked()
        s.proxy = self.proxy.text().strip()
        s.language = self.language.currentData()
        s.theme = self.theme.currentData()
        s.font_size = self.font_size.value()
        s.send_key = self.send_key.currentData()
        s.call_warning_limit = self.call_limit.value()
        s.max_attachment_mb = self.max_attachment.value()
        if self._test_call is not None:
            self._test_call.cancel()
        super().accept()

    def reject(self) -> None:
        if self._test_call is not None:
            self._test_call.cancel()
        super().reject()


class AddBotDialog(QDialog):
    """Look a bot up by its ID (in the background) and return it when found."""

    lookup_finished = Signal(bool, str)
    """The lookup ended. Arguments: whether the bot was found, the text shown."""

    def __init__(
        self, account: Account | None, threads: WorkerThreads, *, lang: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a bot"))
        self._account = account
        self._threads = threads
        self._lang = lang
        self._bot: Bot | None = None
        self._call: BackgroundTask[Bot] | None = None
        self.bot_id = QLineEdit(self)
        self.bot_id.setPlaceholderText(self.tr("e.g. 7351234567890123456"))
        help_text = QLabel(
            self.tr(
                "The bot ID is the number at the end of the bot's address in Coze "
                "(…/bot/<b>7351234567890123456</b>). The bot must be published as an API."
            ),
            self,
        )
        help_text.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Add"))
        self._buttons.accepted.connect(self._on_buttons_accepted)
        self._buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.tr("Bot ID:"), self.bot_id)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons)
        if account is None:
            self.status.setText(self.tr("Enter your access token in Settings first."))
            self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.setMinimumWidth(DIALOG_MIN_WIDTH)
        fit_to_contents(self)

    def bot(self) -> Bot | None:
        """The bot found, filed under the account's stored base URL."""
        return self._bot

    @Slot()
    def _on_buttons_accepted(self) -> None:
        bot_id = self.bot_id.text().strip()
        account = self._account
        if not bot_id or account is None:
            self.status.setText(self.tr("Enter the bot ID."))
            return
        self._buttons.setEnabled(False)
        self.status.setText(self.tr("Looking the bot up…"))
        self._call = (
            BackgroundTask(
                self._threads, lambda _ctx: lookup_bot(account, bot_id), name="add-bot", lang=self._lang
            )
            .on_success(self._on_lookup_succeeded)
            .on_failure(self._on_lookup_failed)
            .start()
        )

    @Slot(object)
    def _on_lookup_succeeded(self, bot: object) -> None:
        assert isinstance(bot, Bot)
        self._call = None
        self._bot = bot
        text = self.tr("Found “{name}”.").format(name=bot.name or bot.bot_id)
        self.status.setText(text)
        self.lookup_finished.emit(True, text)
        super().accept()

    @Slot(str, object)
    def _on_lookup_failed(self, text: str, _exc: object) -> None:
        self._call = None
        self._buttons.setEnabled(True)
        self.status.setText(text)
        self.lookup_finished.emit(False, text)

    def reject(self) -> None:
        if self._call is not None:
            self._call.cancel()
        super().reject()


class WelcomeView(QWidget):
    """The first-run page: connect your own bot, or try the demo bot on this computer."""

    connect_requested = Signal(str, str, str, bool)
    """Connect with the fields as entered. Arguments: base URL, token, bot ID, session only."""

    demo_requested = Signal()
    """Start the demo server and chat with its bots."""

    skipped = Signal()
    """Go to the (empty) chat page without connecting."""

    def __init__(self, accounts: Accounts, base_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accounts = accounts
        title = QLabel(self.tr("Welcome to Coze Desktop"), self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            self.tr(
                "Chat with your Coze (扣子) bots, see the knowledge behind each answer, keep your history."
            ),
            self,
        )
        intro.setWordWrap(True)

        connect_box = QGroupBox(self.tr("Connect your Coze bot"), self)
        self.region = RegionPicker(base_url if region_of(base_url) != "demo" else DEFAULT_BASE_URL, self)
        self.token = TokenField(accounts, self)
        self.token.show_base_url(self.region.base_url())
        self.region.changed.connect(self._on_region_changed)
        self.bot_id = QLineEdit(self)
        self.bot_id.setPlaceholderText(self.tr("The number at the end of the bot's address in Coze"))
        self.bot_id.returnPressed.connect(self._on_connect_button_clicked)
        token_help = QLabel(
            self.tr(
                "Create a personal access token in Coze under API → Personal access tokens "
                '(<a href="{cn}">coze.cn</a> · <a href="{com}">coze.com</a>) with the chat '
                "permissions, and publish your bot as an API."
            ).format(cn=TOKEN_HELP_URL, com=GLOBAL_TOKEN_HELP_URL),
            self,
        )
        token_help.setWordWrap(True)
        token_help.setOpenExternalLinks(True)
        self.connect_button = QPushButton(self.tr("Connect"), self)
        self.connect_button.clicked.connect(self._on_connect_button_clicked)
        form = QFormLayout(connect_box)
        form.addRow(self.tr("Region:"), self.region)
        form.addRow(self.tr("Access token:"), self.token)
        form.addRow(self.tr("Bot ID:"), self.bot_id)
        # The help and the button as one field: a form row sized for wrapped text runs a little
        # tall, and the room left over then falls below the button, not between the two.
        connect_column = QWidget(connect_box)
        connect_layout = QVBoxLayout(connect_column)
        connect_layout.setContentsMargins(0, 0, 0, 0)
        connect_layout.addWidget(token_help)
        connect_layout.addWidget(self.connect_button)
        connect_layout.addStretch(1)
        form.addRow("", connect_column)

        # The demo comes first: it needs nothing, so it is the one click a newcomer can make.
        demo_box = QGroupBox(self.tr("Try it without an account"), self)
        demo_text = QLabel(
            self.tr(
                "No account needed: a small demo server starts on this computer with an after-sales "
                "knowledge bot, a reasoning bot and a general assistant. Nothing leaves your computer."
            ),
            self,
        )
        demo_text.setWordWrap(True)
        self.demo_button = QPushButton(self.tr("Try the demo bot"), self)
        self.demo_button.setObjectName("primary")
        self.demo_button.setDefault(True)
        self.demo_button.setAutoDefault(True)
        font = QFont(self.demo_button.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.demo_button.setFont(font)
        self.demo_button.setMinimumHeight(self.demo_button.sizeHint().height() + 8)
        self.demo_button.clicked.connect(self.demo_requested)
        demo_layout = QVBoxLayout(demo_box)
        demo_layout.addWidget(demo_text)
        demo_layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.skip_button = QPushButton(self.tr("Skip: just read my saved chats"), self)
        self.skip_button.setFlat(True)
        self.skip_button.clicked.connect(self.skipped)

        column = QWidget(self)
        column.setMaximumWidth(640)
        inner = QVBoxLayout(column)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addSpacing(12)
        inner.addWidget(demo_box)
        inner.addWidget(connect_box)
        inner.addWidget(self.status)
        inner.addWidget(self.skip_button, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addStretch(1)
        page = QWidget(self)
        centred = QHBoxLayout(page)
        centred.setContentsMargins(0, 8, 0, 8)  # the column has margins: room for the scroll bar when narrow
        centred.addStretch(1)
        centred.addWidget(column, 12)  # as wide as it may be (640 px), with a margin on narrow pages
        centred.addStretch(1)
        # A short or narrow window scrolls the page instead of squeezing (and cutting) its text.
        self.scroll_area = scrolling(page, self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self.setFocusProxy(self.demo_button)

    def take_input_of(self, other: WelcomeView) -> None:
        """Carry over what was typed on ``other`` (the same page before a language switch)."""
        self.region.set_base_url(other.region.base_url())
        self.token.edit.setText(other.token.edit.text())
        self.token.session_only.setChecked(other.token.session_only.isChecked())
        self.bot_id.setText(other.bot_id.text())

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Disable the buttons while connecting, and say what is happening."""
        self.connect_button.setEnabled(not busy)
        self.demo_button.setEnabled(not busy)
        self.status.setText(text)

    def show_error(self, text: str) -> None:
        """Show why connecting failed and enable the buttons again."""
        self.set_busy(False, text)

    @Slot(str)
    def _on_region_changed(self, base_url: str) -> None:
        self.token.show_base_url(base_url)

    @Slot()
    def _on_connect_button_clicked(self) -> None:
        base_url = self.region.base_url()
        token = self.token.token()
        bot_id = self.bot_id.text().strip()
        if not base_url or not bot_id or not (token or self._accounts.token(base_url)):
            self.show_error(self.tr("Enter the region, your access token and the bot ID."))
            return
        self.connect_requested.emit(base_url, token, bot_id, self.token.session_only.isChecked())


class CrashDialog(QDialog):
    """An unexpected error: what happened, a copyable report (no token in it), the log folder."""

    def __init__(self, report: str, log_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        self._log_folder = log_folder
        intro = QLabel(
            self.tr(
                "Coze Desktop ran into an unexpected error. Your chats are saved. "
                "If it happens again, please send this report (it contains no token) to the developers."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report, self)
        self.report.setReadOnly(True)
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report.setMinimumSize(560, 260)
        self.report.setFrameShape(QFrame.Shape.StyledPanel)
        copy_button = QPushButton(self.tr("Copy report"), self)
        copy_button.clicked.connect(self._on_copy_button_clicked)
        logs_button = QPushButton(self.tr("Open log folder"), self)
        logs_button.clicked.connect(self._on_logs_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(logs_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)

    def add_report(self, report: str) -> None:
        """Add the report of another error that happened while the dialog was open."""
        self.report.appendPlainText("\n" + "-" * 40 + "\n" + report)

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())

    @Slot()
    def _on_logs_button_clicked(self) -> None:
        open_folder(self._log_folder)


def open_folder(folder: Path) -> bool:
    """Open ``folder`` in the system's file manager; False when that is not possible."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


@dataclasses.dataclass(slots=True)
class ImportOutcome:
    """What :func:`import_file` did: the store's report (``None`` when nothing could be read or the
    import stopped) and the text for people (a summary line, then details)."""

    report: ImportReport | None
    text: str

    @property
    def problems(self) -> bool:
        """Whether something was skipped, refused or could not be imported."""
        return self.report is None or bool(self.report.failed or self.report.skipped)


def import_file(store: Store, path: Path, progress: Progress | None = None) -> ImportOutcome:
    """Import a JSON export into ``store`` the way ``coze-cli import`` does (idempotent by uid).

    May run in a worker thread (the window runs it in a background task). ``progress`` counts
    the conversations; once it is canceled the import stops before the next conversation or file
    and :class:`~coze_desktop.export.Canceled` propagates (the conversations saved before stay).
    """

    def tr(text: str) -> str:
        return QCoreApplication.translate("ImportReport", text)

    try:
        if progress is not None:
            progress.start(0)  # reading the file: its size in conversations is not known yet
        result = parse_json_export(path.read_bytes())
    except OSError as exc:
        text = tr("{path} could not be read: {error}").format(path=path, error=exc.strerror or exc)
        return ImportOutcome(None, text)
    except ExportFormatError as exc:
        return ImportOutcome(None, tr("{path} cannot be imported: {error}").format(path=path, error=exc))
    try:
        report = import_items(store, result, progress)
    except StoreError as exc:
        text = tr("The import stopped: {error}. Conversations imported before it are kept.").format(error=exc)
        return ImportOutcome(None, text)
    logger.info("imported %d conversation(s) from %s", len(report.imported), path)
    return ImportOutcome(report, import_report_text(report, path))


def import_report_text(report: ImportReport, path: Path) -> str:
    """What an import did, for people: a summary line, then each thing skipped and why."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("ImportReport", text)

    skipped = [*report.failed, *report.skipped]
    if report.runs_imported or report.runs_already_present:  # a file with workflow runs
        summary = tr(
            "Imported {imported} conversation(s) ({messages} messages) and {runs} workflow run(s) from {file}; "
            "{present} already there; {skipped} skipped."
        ).format(
            imported=len(report.imported),
            messages=report.messages_imported,
            runs=len(report.runs_imported),
            file=path.name,
            present=len(report.already_present) + len(report.runs_already_present),
            skipped=len(skipped),
        )
    else:
        summary = tr(
            "Imported {imported} conversation(s) ({messages} messages) from {file}; {present} already there; "
            "{skipped} skipped."
        ).format(
            imported=len(report.imported),
            messages=report.messages_imported,
            file=path.name,
            present=len(report.already_present),
            skipped=len(skipped),
        )
    lines = [summary]
    lines += [tr("Skipped: {item}").format(item=item) for item in skipped]
    lines += [tr("Note: {warning}").format(warning=warning) for warning in report.warnings]
    return "\n".join(lines)


def show_import_report(parent: QWidget, text: str) -> QMessageBox:
    """Show an import's report (not blocking): the summary, with the details to read or copy."""
    summary, _, details = text.partition("\n")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if details else QMessageBox.Icon.Information)
    box.setWindowTitle(QCoreApplication.translate("ImportReport", "Import"))
    box.setText(summary)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_link_failed(parent: QWidget, url: str) -> QMessageBox:
    """Say that no browser could open ``url`` (not blocking), with the link to select or copy."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("LinkFailed", text)

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("The link could not be opened"))
    box.setText(tr("No web browser could be started for this link. Copy it and open it yourself:"))
    box.setInformativeText(url)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton(tr("Copy link"), QMessageBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(url))
    close = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
