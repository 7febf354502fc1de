"""The main window: conversations on the left, the chat in the middle, sources on the right.

It owns no background work: questions go to the :class:`~coze_desktop.workers.chat.ChatController`,
whose signals carry the conversation id of each event, so an answer lands in its own
conversation whichever one is on screen. The controller keeps the one copy of each answer being
written (:meth:`~coze_desktop.workers.chat.ChatController.live`), so switching back to a
conversation mid-answer shows all the text so far.

Without a token the window still opens, lists, searches, shows saved answers with their sources
and exports; only sending is disabled, and the composer says why and how to fix it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, SignalInstance, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from coze_desktop import APP_NAME, __version__
from coze_desktop.domain import Bot, Conversation, ErrorInfo, Message, MessageState, Role, ToolStep, Workflow
from coze_desktop.export import FORMAT_BY_SUFFIX, ExportSummary, safe_file_name
from coze_desktop.secrets import KeyringUnavailable
from coze_desktop.settings import DEMO_BASE_URL, Key, Settings, region_of
from coze_desktop.store import TRASH_DAYS, SearchHit, Store, StoreError
from coze_desktop.store.search import snippet_matches
from coze_desktop.ui.actions import MainMenus
from coze_desktop.ui.bot_picker import BotPicker
from coze_desktop.ui.chat_header import ChatHeader
from coze_desktop.ui.chatflow_dialog import ChatflowDialog
from coze_desktop.ui.composer import Composer
from coze_desktop.ui.conversation_list import ConversationListView
from coze_desktop.ui.demo_setup import (
    DEMO_BOT_IDS,
    DemoItems,
    lookup_demo_items,
    missing_demo_items,
    save_demo_items,
)
from coze_desktop.ui.dialogs import (
    AddBotDialog,
    ImportOutcome,
    SettingsDialog,
    WelcomeView,
    lookup_bot,
    open_folder,
    show_import_report,
    show_link_failed,
)
from coze_desktop.ui.drafts import DraftKeeper
from coze_desktop.ui.elided import ElidedLabel
from coze_desktop.ui.formatting import answer_stats
from coze_desktop.ui.markdown import link_failures
from coze_desktop.ui.messages import MessageView
from coze_desktop.ui.messages.attachments import attachment_notices
from coze_desktop.ui.notify import UserMessages
from coze_desktop.ui.side_panels import SidePanels
from coze_desktop.ui.sources_panel import SourcesPanel
from coze_desktop.ui.transfers import Transfers, TransferStatus
from coze_desktop.ui.trash_dialog import TrashDialog
from coze_desktop.ui.undo_notice import UndoNotice
from coze_desktop.ui.workflows import WorkflowsSection
from coze_desktop.workers.accounts import Account, Accounts, is_demo_url
from coze_desktop.workers.chat import CALL_KINDS, ChatController, waiting_tool_calls
from coze_desktop.workers.tasks import BackgroundTask
from coze_desktop.workers.threads import WorkerThreads
from coze_desktop.workers.uploads import LocalFile
from coze_desktop.workers.workflows import WorkflowController

logger = logging.getLogger(__name__)

PAGE_SIZE = 50  # messages loaded at a time
CLOSE_TIMEOUT = 2.0  # seconds to wait for answers to stop when the window closes
CALL_WARNING_RATIO = 0.8  # the API call count turns amber at 80 % of the limit


class MainWindow(QMainWindow):
    """The app's window; built and wired by ``app.create_app``."""

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        accounts: Accounts,
        controller: ChatController,
        threads: WorkerThreads,
        log_folder: Path,
        modal_messages: bool = True,
        workflows: WorkflowController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self._store = store
        self._settings = settings
        self._accounts = accounts
        self._controller = controller
        self._threads = threads
        self._log_folder = log_folder
        self.messages = UserMessages(self, modal=modal_messages)
        self._current_id: int | None = None
        self._current: Conversation | None = None
        self._new_chatflow: Workflow | None = None  # the chat-flow a new, unsaved chat talks to
        self._chatflow_dialog: ChatflowDialog | None = None
        self._bot_call: BackgroundTask[list[Bot]] | None = None
        self._demo_call: BackgroundTask[DemoItems] | None = None
        self._restarted_on_coze: set[int] = set()  # conversations Coze had forgotten (this session)
        self.last_import_report = ""  # what the last import did, as shown to the user
        # A language change arrives as several LanguageChange events (one per translator):
        # retranslate once, on the next pass of the event loop.
        self._closed = False
        self._retranslate_timer = QTimer(self)
        self._retranslate_timer.setSingleShot(True)
        self._retranslate_timer.setInterval(0)
        self._retranslate_timer.timeout.connect(self._on_retranslate_timer_timeout)
        self.settings_dialog: SettingsDialog | None = None
        self.add_bot_dialog: AddBotDialog | None = None
        self.trash_dialog: TrashDialog | None = None

        self.conversation_list = ConversationListView(store, self)
        self.conversation_list.set_bot_names(self._bot_names())
        self.conversation_list.set_confirm(self.messages.confirm_destructive)
        self.message_view = MessageView(self)
        self.message_view.set_worker_threads(threads)
        self.composer = Composer(self)
        self.drafts = DraftKeeper(store, settings, self.composer, self)
        self.sources_panel = SourcesPanel(self)
        self.welcome = WelcomeView(accounts, settings.base_url, self)
        chat_page = QWidget(self)
        chat_layout = QVBoxLayout(chat_page)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.setSpacing(0)
        self.chat_header = ChatHeader(chat_page)
        self.bot_picker = BotPicker(
            store, settings, threads, self.messages, lang=settings.error_language, parent=self
        )
        chat_layout.addWidget(self.chat_header)
        chat_layout.addWidget(self.message_view, 1)
        chat_layout.addWidget(self.composer)
        self._chat_page = chat_page
        self.undo_notice = UndoNotice(self.message_view, chat_page)
        self.workflow_controller = workflows or WorkflowController(
            store, accounts, threads, lang=settings.error_language, streaming=lambda: settings.streaming, parent=self
        )
        self.workflows = WorkflowsSection(  # the workflows in the sidebar and their run view
            store, settings, accounts, threads, self.workflow_controller, self.messages, self
        )
        self.run_view = self.workflows.view
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(chat_page)
        self.pages.addWidget(self.run_view)
        self.sidebar = QSplitter(Qt.Orientation.Vertical, self)  # chats above, workflows below
        self.sidebar.setObjectName("sidebar_splitter")
        self.sidebar.addWidget(self.conversation_list)
        self.sidebar.addWidget(self.workflows.panel)
        self.sidebar.setStretchFactor(0, 3)
        self.sidebar.setStretchFactor(1, 1)
        self.sidebar.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.pages)
        self.splitter.addWidget(self.sources_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.panels = SidePanels(
            self,
            self.splitter,
            chat=self.pages,
            sidebar=self.sidebar,
            sources=self.sources_panel,
            sources_wanted=settings.sources_panel_visible,
        )

        self._build_status_bar()
        self.transfers = Transfers(  # File → Export / Import, in the background
            store, controller, threads, self.messages, self.transfer_status, lang=settings.error_language, parent=self
        )
        self.menus = MainMenus(
            self,
            sources_visible=settings.sources_panel_visible,
            theme=settings.theme,
            language=settings.language,
        )
        self._fill_bots_menu()
        self._connect()
        self._restore_layout()
        self.composer.set_send_key(settings.send_key)
        self.composer.set_max_attachment_bytes(settings.max_attachment_bytes())
        self.setAcceptDrops(True)  # files dropped anywhere on the window go to the composer
        self._upload_target: int | None = None  # the conversation the composer's files go to
        if self._needs_welcome():
            self.pages.setCurrentWidget(self.welcome)
        else:
            self.pages.setCurrentWidget(chat_page)
        self.new_chat()

    # ================================================================== building

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.bot_label = ElidedLabel(self)  # a long bot name or server address gives way in a narrow window
        self.last_chat_label = QLabel(self)
        self.api_calls_label = QLabel(self)
        for label in (self.bot_label, self.last_chat_label, self.api_calls_label):
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)
        self.transfer_status = TransferStatus(self)  # shown while an export or import runs
        bar.insertPermanentWidget(0, self.transfer_status)

    def _connect(self) -> None:
        """Wire every part of the window to its slot: one (signal, slot) pair a line."""
        c, v, m = self._controller, self.message_view, self.menus
        lst, h = self.conversation_list, self.chat_header
        wiring: list[tuple[SignalInstance, Callable[..., object]]] = [
            (c.conversation_created, self._on_controller_conversation_created),
            (c.message_added, self._on_controller_message_added),
            (c.reply_started, self._on_controller_reply_started),
            (c.delta_received, self._on_controller_delta_received),
            (c.sources_received, self._on_controller_sources_received),
            (c.steps_received, self._on_controller_steps_received),
            (c.reply_failed, self._on_controller_reply_failed),
            (c.reply_finished, self._on_controller_reply_finished),
            (c.streaming_changed, self._on_controller_streaming_changed),
            (c.coze_conversation_restarted, self._on_controller_coze_conversation_restarted),
            (c.path_changed, self._on_controller_path_changed),
            (v.follow_up_clicked, self._on_view_follow_up_clicked),
            (v.retry_requested, self._on_view_retry_requested),
            (v.regenerate_requested, self._on_view_retry_requested),
            (v.delete_requested, self._on_view_delete_requested),
            (v.copy_requested, self._on_view_copy_requested),
            (v.message_selected, self._on_view_message_selected),
            (v.older_requested, self._on_view_older_requested),
            (v.action_requested, self._on_view_action_requested),
            (v.sources_requested, self._on_view_sources_requested),
            (v.citation_clicked, self._on_view_citation_clicked),
            (v.edit_requested, self._on_view_edit_requested),
            (v.version_requested, self._on_view_version_requested),
            (v.tool_outputs_submitted, self._on_view_tool_outputs_submitted),
            (v.tool_calls_cancel_requested, self._on_view_tool_calls_cancel_requested),
            (lst.conversation_activated, self._on_list_conversation_activated),
            (lst.conversation_clicked, self._on_list_conversation_clicked),
            (lst.new_chat_requested, self._on_new_chat_action_triggered),
            (lst.search_hit_activated, self._on_list_search_hit_activated),
            (lst.source_hit_activated, self._on_list_source_hit_activated),
            (lst.run_hit_activated, self._on_list_run_hit_activated),
            (lst.conversation_renamed, self._on_list_conversation_renamed),
            (lst.conversation_deleted, self._on_list_conversation_deleted),
            (h.bot_chosen, self._on_header_bot_chosen),
            (h.rename_requested, self._on_header_rename_requested),
            (h.remove_requested, self._on_header_remove_requested),
            (h.add_bot_requested, self._on_add_bot_action_triggered),
            (h.readd_requested, self._on_header_readd_requested),
            (h.demo_requested, self._on_try_demo_action_triggered),
            (self.bot_picker.bots_changed, self._on_bot_picker_bots_changed),
            (link_failures.failed, self._on_links_failed),
            (attachment_notices.failed, self._on_attachment_notices_failed),
            (self.composer.send_requested, self._on_composer_send_requested),
            (self.composer.stop_requested, self._on_composer_stop_requested),
            (self.composer.send_files_requested, self._on_composer_send_files_requested),
            (self.composer.upload_cancel_requested, self._on_composer_upload_cancel_requested),
            (c.upload_progress, self._on_controller_upload_progress),
            (c.upload_failed, self._on_controller_upload_failed),
            (c.upload_canceled, self._on_controller_upload_canceled),
            (c.upload_finished, self._on_controller_upload_finished),
            (m.new_chat_requested, self._on_new_chat_action_triggered),
            (m.new_chatflow_requested, self._on_new_chatflow_action_triggered),
            (m.export_requested, self._on_export_action_triggered),
            (m.export_all_requested, self._on_export_all_action_triggered),
            (m.import_requested, self._on_import_action_triggered),
            (self.transfers.busy_changed, self._on_transfers_busy_changed),
            (self.transfers.imported, self._on_transfers_imported),
            (m.trash_requested, self._on_trash_action_triggered),
            (m.quit_requested, self._on_quit_action_triggered),
            (m.copy_answer_requested, self._on_copy_answer_action_triggered),
            (m.find_requested, self._on_find_action_triggered),
            (m.sources_toggled, self._on_sources_action_toggled),
            (m.theme_chosen, self._on_theme_action_triggered),
            (m.language_chosen, self._on_language_action_triggered),
            (m.bots_menu_about_to_show, self._on_bots_menu_about_to_show),
            (m.add_bot_requested, self._on_add_bot_action_triggered),
            (m.add_workflow_requested, self.workflows.open_add_dialog),
            (m.bot_chosen, self._on_bot_action_triggered),
            (m.settings_requested, self._on_settings_action_triggered),
            (m.try_demo_requested, self._on_try_demo_action_triggered),
            (m.log_folder_requested, self._on_log_folder_action_triggered),
            (m.about_requested, self._on_about_action_triggered),
            (m.stop_requested, self._on_stop_shortcut_activated),
            (self._settings.changed, self._on_settings_changed),
            (self._accounts.token_changed, self._on_accounts_token_changed),
            (self._accounts.api_call_recorded, self._on_accounts_api_call_recorded),
            (self.workflows.shown, self._on_workflows_shown),
            (self.workflows.hidden, self._on_workflows_hidden),
            (self.workflows.chatflow_opened, self.start_chatflow),
            (self.pages.currentChanged, self._on_pages_current_changed),
            (self.workflows.export_run_requested, self._on_workflows_export_run_requested),
        ]
        network = QNetworkInformation.instance()
        if network is not None:
            wiring.append((network.reachabilityChanged, self._on_network_reachability_changed))
        for signal, slot in wiring:
            signal.connect(slot)
        self._connect_welcome()

    def _connect_welcome(self) -> None:
        """Wire the first-run screen (again after :meth:`retranslate` built a new one)."""
        self.welcome.connect_requested.connect(self._on_welcome_connect_requested)
        self.welcome.demo_requested.connect(self._on_welcome_demo_requested)
        self.welcome.skipped.connect(self._on_welcome_skipped)

    def _restore_layout(self) -> None:
        geometry = self._settings.window_geometry
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(1180, 760)
        state = self._settings.window_state
        if not state.isEmpty():
            self.restoreState(state)
        splitter = self._settings.splitter_state
        if splitter.isEmpty() or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([260, 640, 300])
        self.panels.update_layout()

    def save_layout(self) -> None:
        """Remember the window's geometry and the splitter's sizes for the next start."""
        self._settings.window_geometry = self.saveGeometry()
        self._settings.window_state = self.saveState()
        self._settings.splitter_state = self.splitter.saveState()
        self._settings.sync()

    # ================================================================== state

    @property
    def current_conversation_id(self) -> int | None:
        """The conversation on screen (``None`` for a new, unsaved chat)."""
        return self._current_id

    def _needs_welcome(self) -> bool:
        no_history = self._store.count_conversations() == 0
        return no_history and (
            self._new_chat_bot() is None or not self._accounts.token(self._settings.base_url)
        )

    def _new_chat_bot(self) -> Bot | None:
        """The bot a new chat talks to: the current bot of the current region, or its first bot."""
        base_url = self._settings.base_url
        bot_id = self._settings.current_bot_id
        bot = self._store.get_bot(bot_id, base_url) if bot_id else None
        if bot is None:
            bots = [b for b in self._store.list_bots() if b.base_url == base_url]
            bot = bots[0] if bots else None
        return bot

    def _bot_of(self, conversation: Conversation) -> Bot:
        if conversation.workflow_id:
            return self._chatflow_bot(conversation.workflow_id, conversation.base_url, conversation.bot_id)
        return self._store.get_bot(conversation.bot_id, conversation.base_url) or Bot(
            bot_id=conversation.bot_id, base_url=conversation.base_url
        )

    def _chatflow_bot(self, workflow_id: str, base_url: str, bot_id: str = "", title: str = "") -> Bot:
        """A chat-flow as the "bot" a chat shows: named after the saved workflow, else its id."""
        if not title:
            saved = self._store.get_workflow(workflow_id, base_url)
            title = saved.title if saved is not None else workflow_id
        return Bot(bot_id=bot_id, name=title, base_url=base_url)

    def _bot_removed(self, conversation: Conversation) -> bool:
        if conversation.workflow_id:
            return False  # a chat-flow's conversation needs no bot in the list
        return self._store.get_bot(conversation.bot_id, conversation.base_url) is None

    def _bot_names(self) -> dict[str, str]:
        """The names the chat list shows under a chat: its bot's, or its chat-flow's (a chat-flow
        chat is named by its workflow id)."""
        names = {bot.bot_id: bot.name for bot in self._store.list_bots() if bot.name}
        flows = self._store.list_workflows()
        names.update((wf.workflow_id, wf.title) for wf in flows if wf.kind == "chatflow")
        return names

    def current_bot(self) -> Bot | None:
        """The bot the composer sends to: the open conversation's, else the current bot."""
        if self._current is not None:
            return self._bot_of(self._current)
        if self._new_chatflow is not None:
            wf = self._new_chatflow
            return self._chatflow_bot(wf.workflow_id, wf.base_url, wf.bot_id, wf.title)
        return self._new_chat_bot()

    def _sending_base_url(self) -> str:
        if self._current is not None:
            return self._current.base_url
        return self._new_chatflow.base_url if self._new_chatflow is not None else self._settings.base_url

    def blocked_reason(self, *, replacing: int | None = None) -> str | None:
        """Why a question cannot be sent now, with what to do about it; ``None`` when it can.
        ``replacing``: the answer about to be written again (it may be one waiting for tool outputs)."""
        bot = self.current_bot()
        if bot is None:
            return self.tr("No bot yet. Add one with Bots → Add bot by ID…, or try the demo bot.")
        if self._current is not None and self._bot_removed(self._current):
            return self.tr(
                "The bot of this chat was removed from your list. Click “Add it again” above to "
                "continue this chat, or start a new chat."
            )
        waiting = self._controller.waiting_reply(self._current_id)
        if waiting is not None and waiting.id != replacing:
            return self.tr(
                "The bot is waiting for your answer to its tool call above: submit it, or cancel it, first."
            )
        base_url = self._sending_base_url()
        if not self._accounts.token(base_url):
            if not self._accounts.keyring_available():
                return self.tr(
                    "The system keyring is not available, so no token is saved. Open Settings (Ctrl+,), "
                    "enter your token and tick “Keep the token for this session only”."
                )
            return self.tr(
                "No access token for this server. Open Settings (Ctrl+,) and enter your Coze access token."
            )
        if not is_demo_url(base_url) and self._network_offline():
            return self.tr("You are offline. Sending works again when the network is back.")
        return None

    @staticmethod
    def _network_offline() -> bool:
        network = QNetworkInformation.instance()
        return network is not None and network.reachability() == QNetworkInformation.Reachability.Disconnected

    def _show_streaming(self, streaming: bool) -> None:
        self.composer.set_streaming(streaming)
        self.menus.set_stop_enabled(streaming)

    def _update_blocked(self) -> None:
        self.composer.set_blocked_reason(self.blocked_reason())

    def _account_for_status(self) -> Account | None:
        try:
            return self._accounts.account(self._sending_base_url())
        except (RuntimeError, OSError) as exc:  # the demo server could not start
            logger.warning("no account for the status bar: %s", exc)
            return None

    def _update_status(self) -> None:
        bot = self.current_bot()
        base_url = self._sending_base_url()
        region = {
            "cn": "coze.cn",
            "com": "coze.com",
            "demo": self.tr("demo server"),
        }.get(region_of(base_url), base_url)
        name = (bot.name or bot.bot_id) if bot is not None else self.tr("no bot")
        self.bot_label.setText(self.tr("{bot} · {region}").format(bot=name, region=region))
        self._update_header()
        self._tick_bots_menu()
        account = self._account_for_status() if self._accounts.token(base_url) else None
        if account is None:
            self._show_api_calls(None)
        elif not self._accounts.counts_calls(account.base_url):
            self._show_api_calls(None, local=True)
        else:
            self._show_api_calls(self._store.api_calls(account.base_url, account.token))

    def _update_header(self) -> None:
        new_chat_bot = self._new_chat_bot()
        base_url = self._settings.base_url
        self.chat_header.show_bot(
            self.current_bot(),
            removed=self._current is not None and self._bot_removed(self._current),
            choices=[b for b in self._store.list_bots() if b.base_url == base_url],
            new_chat_bot_id=new_chat_bot.bot_id if new_chat_bot is not None else "",
        )
        restarted = self._current_id is not None and self._current_id in self._restarted_on_coze
        self.chat_header.set_notice(self._restart_notice() if restarted else "")

    def _restart_notice(self) -> str:
        return self.tr(
            "Coze no longer knew this conversation, so a new one was started there: the bot does not "
            "remember the messages above."
        )

    def _show_api_calls(self, count: int | None, *, local: bool = False) -> None:
        label = self.api_calls_label
        if count is None:
            label.setText(self.tr("API calls this month: –"))
            label.setToolTip(
                self.tr("Calls to a server on this computer, such as the demo, are free and not counted.")
                if local
                else ""
            )
            label.setProperty("level", "none")
            label.setStyleSheet("")
            return
        limit = max(1, self._settings.call_warning_limit)
        label.setText(self.tr("API calls this month: {count} / {limit}").format(count=count, limit=limit))
        label.setToolTip(
            self.tr(
                "Calls this app made with this token this month that reached Coze. On Coze's free "
                "plan an account has 500 API calls in total, not per month."
            )
        )
        if count >= limit:
            level, color = "over", "#c0392b"
        elif count >= CALL_WARNING_RATIO * limit:
            level, color = "warning", "#d35400"
        else:
            level, color = "ok", ""
        label.setProperty("level", level)
        label.setStyleSheet(f"color: {color}; font-weight: bold;" if color else "")

    def _show_last_chat(self, message: Message | None) -> None:
        """Show the last answer of the conversation on screen (``None``: it has none yet)."""
        parts = []
        if message is not None:
            ended = {
                MessageState.STOPPED: self.tr("stopped"),
                MessageState.FAILED: self.tr("failed"),
                MessageState.INTERRUPTED: self.tr("cut off"),
            }.get(message.state)
            if waiting_tool_calls(message):
                ended = self.tr("waiting for your answer")
            if ended is not None:
                parts.append(ended)
            parts += answer_stats(message)
        text = self.tr("Last answer: {details}").format(details=" · ".join(parts)) if parts else ""
        self.last_chat_label.setText(text)
        self.last_chat_label.setVisible(bool(text))

    def _show_last_chat_of(self, messages: list[Message]) -> None:
        """Show the newest finished answer among ``messages`` (those on screen) in the status bar."""
        self._show_last_chat(
            next(
                (
                    m
                    for m in reversed(messages)
                    if m.role is Role.ASSISTANT and m.state is not MessageState.STREAMING
                ),
                None,
            )
        )

    def _update_title(self) -> None:
        if self._current is not None and self._current.title:
            self.setWindowTitle(f"{self._current.title} — {APP_NAME}")
        else:
            self.setWindowTitle(APP_NAME)

    def show_store_notes(self) -> None:
        """Say what opening the history found: a damaged file moved aside, answers cut off."""
        if self._store.recovered_from is not None:
            self.messages.warning(
                self.tr(
                    "The chat history file was damaged. It was moved to {path} (nothing was deleted) "
                    "and a new, empty history was started."
                ).format(path=self._store.recovered_from)
            )
        elif self._store.interrupted_count:
            count = self._store.interrupted_count
            if count == 1:
                text = self.tr("1 answer was cut off when the app last closed; its text is kept.")
            else:
                text = self.tr(
                    "{count} answers were cut off when the app last closed; their text is kept."
                ).format(count=count)
            self.messages.info(text)

    # ================================================================== showing

    def new_chat(self) -> None:
        """Show an empty chat with the current bot: its prologue and suggested questions."""
        self._leave_run_view()
        self._current_id = None
        self._current = None
        self._new_chatflow = None
        bot = self._new_chat_bot()
        if bot is not None:
            self.message_view.show_prologue(bot)
        else:
            self.message_view.clear()
        self.sources_panel.clear()
        self._show_streaming(False)
        self.drafts.switch_to(None)
        self._show_last_chat(None)
        self.conversation_list.select_conversation(None)
        self._update_title()
        self._update_blocked()
        self._update_status()

    def open_conversation(self, conversation_id: int, *, message_id: int | None = None) -> bool:
        """Show a saved conversation (scrolled to ``message_id`` if given); False if it is gone."""
        conversation = self._store.get_conversation(conversation_id)
        if conversation is None:
            self.new_chat()
            return False
        self._leave_run_view()
        self.pages.setCurrentWidget(self._chat_page)
        self._current_id = conversation_id
        self._current = conversation
        self._new_chatflow = None
        self.message_view.set_assistant_name(self._bot_of(conversation).name)
        page = self._show_page(conversation_id, message_id)
        self._show_sources_of_latest(page)
        self._show_last_chat_of(page)
        self._show_streaming(self._controller.is_streaming(conversation_id))
        self.drafts.switch_to(conversation_id)
        self.conversation_list.select_conversation(conversation_id)
        if message_id is not None:
            self.message_view.scroll_to_message(message_id)
        self._update_title()
        self._update_blocked()
        self._update_status()
        return True

    def _show_page(self, conversation_id: int, message_id: int | None) -> list[Message]:
        """Show the newest page of a conversation, or all of it when ``message_id`` is older; each
        answer being written as it is now (the controller has its live state). Returns the page."""
        page = list(reversed(self._store.message_page(conversation_id, limit=PAGE_SIZE)))
        has_older = len(page) == PAGE_SIZE
        if message_id is not None and all(m.id != message_id for m in page):
            page, has_older = self._store.messages(conversation_id), False
        page = [self._controller.with_live(m) for m in page]
        self.message_view.show_messages(page, has_older=has_older)
        for message in page:
            if message.id is not None and self._controller.live(message.id) is not None:
                self.message_view.begin_reply(message.id)
        return page

    def _show_sources_of_latest(self, messages: list[Message]) -> None:
        answer = next((m for m in reversed(messages) if m.role is Role.ASSISTANT), None)
        if answer is None:
            self.sources_panel.clear()
        else:
            self.sources_panel.show_sources(list(answer.sources))
        self.message_view.select_message(answer.id if answer is not None else None)

    # ================================================================== sending

    def send(self, text: str) -> bool:
        """Send ``text`` to the current bot in the current conversation; False when not possible."""
        reason = self.blocked_reason()
        bot = self.current_bot()
        if reason is not None or bot is None:
            self.messages.warning(reason or self.tr("No bot to send to."))
            return False
        if self._controller.is_streaming(self._current_id):
            self.messages.info(self.tr("Wait for the answer to finish, or stop it (Esc)."))
            return False
        try:
            if self._current_id is None:
                self._adopt(self._controller.new_conversation(bot, text, workflow=self._new_chatflow))
            self._controller.send(self._current_id, bot, text)
        except (StoreError, LookupError, ValueError, RuntimeError) as exc:
            self.messages.error(self.tr("The question could not be sent: {error}").format(error=exc))
            return False
        return True

    def send_files(self, text: str, files: list[LocalFile]) -> bool:
        """Upload ``files``, then send them with ``text`` to the current bot in the current
        conversation (a new one is made once the uploads succeed); False when not possible."""
        reason = self.blocked_reason()
        bot = self.current_bot()
        if reason is not None or bot is None:
            self.messages.warning(reason or self.tr("No bot to send to."))
            return False
        if self._controller.is_streaming(self._current_id):
            self.messages.info(self.tr("Wait for the answer to finish, or stop it (Esc)."))
            return False
        if self._new_chatflow is not None or (self._current is not None and self._current.workflow_id):
            self.messages.warning(self.tr("A chat-flow takes text only: files cannot be sent to it."))
            return False
        try:
            self._controller.send(self._current_id, bot, text, files)
        except (StoreError, LookupError, ValueError, RuntimeError) as exc:
            self.messages.error(self.tr("The question could not be sent: {error}").format(error=exc))
            return False
        self._upload_target = self._current_id
        self.menus.set_stop_enabled(True)
        return True

    def _adopt(self, conversation: Conversation) -> None:
        """Make a conversation just created for the question being sent the one on screen."""
        assert conversation.id is not None
        self._current_id = conversation.id
        self._current = conversation
        self._new_chatflow = None
        self.drafts.adopt(conversation.id)
        self._update_title()
        self.conversation_list.select_conversation(conversation.id)

    # ================================================================== chat-flows

    def start_chatflow(self, workflow: Workflow) -> None:
        """Show a new, empty chat with the chat-flow ``workflow`` (its ``workflow_id``,
        ``base_url`` and ``app_id`` or ``bot_id``): the first message sent creates its conversation
        (``Conversation.workflow_id``/``app_id``), which then talks to ``/v1/workflows/chat``.
        The sidebar's chat-flows and File → New chat-flow chat… call this."""
        self.new_chat()
        self._new_chatflow = workflow
        self.conversation_list.set_bot_names(self._bot_names())  # a chat-flow added since
        self.pages.setCurrentWidget(self._chat_page)
        self.message_view.clear()
        self.message_view.set_assistant_name(workflow.title)
        self.setWindowTitle(f"{workflow.title} — {APP_NAME}")
        self._update_blocked()
        self._update_status()
        self.composer.setFocus()

    def _on_new_chatflow_action_triggered(self) -> None:
        self.open_chatflow_dialog()

    def open_chatflow_dialog(self) -> ChatflowDialog:
        """Ask for a chat-flow's ID and its app ID (or bot ID), then start a chat with it."""
        if self._chatflow_dialog is None:
            dialog = ChatflowDialog(self._settings.base_url, self)
            dialog.chosen.connect(self.start_chatflow)
            dialog.finished.connect(self._on_chatflow_dialog_finished)
            self._chatflow_dialog = dialog
        self._chatflow_dialog.open()
        return self._chatflow_dialog

    def _on_chatflow_dialog_finished(self, _result: int) -> None:
        if self._chatflow_dialog is not None:
            self._chatflow_dialog.deleteLater()
            self._chatflow_dialog = None

    def stop_current(self) -> None:
        if self.pages.currentWidget() is self.run_view and self.run_view.run_id is not None:
            self.workflow_controller.stop(self.run_view.run_id)
            return
        """Stop the answer being written in the conversation on screen (or the composer's uploads)."""
        if self.composer.is_uploading():
            self._controller.cancel_upload(self._upload_target)
        elif self._current_id is not None:
            self._controller.stop(self._current_id)

    # ================================================================== export

    def export_to(
        self, path: Path, conversation_ids: list[int] | None, *, include_files: bool = True
    ) -> BackgroundTask[ExportSummary] | None:
        """Start writing ``conversation_ids`` (None: every conversation and every workflow run,
        the oldest first, as ``coze-cli export --all``) to ``path`` as Markdown, JSON or HTML (by
        its suffix), with the attachments unless ``include_files`` is False, in the background
        (``ui/transfers.py``); the outcome is said when it ends. Returns the task, or None when
        another export or import is under way."""
        runs = None if conversation_ids is None else ()
        return self.transfers.export(path, conversation_ids, include_files=include_files, run_ids=runs)

    def export_run_to(self, path: Path, run_id: int) -> BackgroundTask[ExportSummary] | None:
        """Start writing the workflow run ``run_id`` alone to ``path``, as :meth:`export_to` does."""
        return self.transfers.export(path, [], run_ids=[run_id])

    def _ask_export_path(self, suggested: str) -> tuple[Path, bool] | None:
        """The file to export to, and whether the attachments go with it (not when the user picked
        the type "JSON without attachments")."""
        without_files = self.tr("JSON without attachments (*.json)")
        filters = ";;".join(
            (
                self.tr("Markdown (*.md)"),
                self.tr("HTML page (*.html)"),
                self.tr("JSON, for import (*.json)"),
                without_files,
            )
        )
        name, chosen = QFileDialog.getSaveFileName(self, self.tr("Export"), suggested, filters)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() not in FORMAT_BY_SUFFIX:
            suffix = ".json" if "json" in chosen else ".html" if "html" in chosen else ".md"
            path = path.with_suffix(suffix)
        return path, chosen != without_files

    def _export(self, conversation_ids: list[int] | None, suggested: str) -> None:
        chosen = self._ask_export_path(suggested)
        if chosen is None:
            return
        path, include_files = chosen
        self.export_to(path, conversation_ids, include_files=include_files)

    # ================================================================== menu slots

    @Slot()
    def _on_new_chat_action_triggered(self) -> None:
        self.pages.setCurrentWidget(self._chat_page)
        self.new_chat()
        self.composer.focus_input()

    @Slot(int)
    def _on_workflows_export_run_requested(self, run_id: int) -> None:
        run = self._store.get_run(run_id)
        if run is None:
            self.messages.error(self.tr("This run no longer exists."))
            return
        chosen = self._ask_export_path(safe_file_name((run.title or "workflow-run") + ".md"))
        if chosen is not None:
            self.export_run_to(chosen[0], run_id)

    @Slot()
    def _on_export_action_triggered(self) -> None:
        if self.pages.currentWidget() is self.run_view and self.run_view.run_id is not None:
            self._on_workflows_export_run_requested(self.run_view.run_id)  # the run on screen
            return
        if self._current is None:
            self.messages.info(self.tr("Open a conversation to export it."))
            return
        assert self._current_id is not None
        self._export([self._current_id], (self._current.title or "conversation") + ".md")

    @Slot()
    def _on_export_all_action_triggered(self) -> None:
        self._export(None, "coze-desktop-export.md")

    @Slot()
    def _on_import_action_triggered(self) -> None:
        name, _chosen = QFileDialog.getOpenFileName(
            self, self.tr("Import conversations"), "", self.tr("Coze Desktop export (*.json);;All files (*)")
        )
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> BackgroundTask[ImportOutcome] | None:
        """Start importing a JSON export (as ``coze-cli import`` does) in the background; when it
        ends, what happened is said and what came in is listed. Returns the task, or None when
        another export or import is under way."""
        return self.transfers.import_(path)

    @Slot(object)
    def _on_transfers_imported(self, outcome: object) -> None:
        if isinstance(outcome, ImportOutcome):  # None: canceled
            self.last_import_report = outcome.text
            if outcome.report is not None:
                self.conversation_list.set_bot_names(self._bot_names())
                if self.messages.modal:
                    show_import_report(self, outcome.text)
        self.conversation_list.refresh()
        self.workflows.refresh()  # imported runs (and their workflows) in the list

    @Slot(bool)
    def _on_transfers_busy_changed(self, busy: bool) -> None:
        self.menus.set_transfers_enabled(not busy)

    @Slot()
    def _on_quit_action_triggered(self) -> None:
        self.close()

    @Slot()
    def _on_copy_answer_action_triggered(self) -> None:
        for message_id in reversed(self.message_view.message_ids()):
            message = self.message_view.message(message_id)
            if message is not None and message.role is Role.ASSISTANT and message.text:
                QGuiApplication.clipboard().setText(message.text)
                self.messages.info(self.tr("Answer copied."))
                return
        self.messages.info(self.tr("There is no answer to copy."))

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.conversation_list.focus_search()

    @Slot(bool)
    def _on_sources_action_toggled(self, checked: bool) -> None:
        if not checked and self.panels.is_collapsed(self.sources_panel):
            self.menus.sources_action.setChecked(True)  # folded away for lack of room: bring it back instead
            self.panels.reveal(self.sources_panel)
            return
        self._settings.sources_panel_visible = checked

    @Slot(str)
    def _on_theme_action_triggered(self, theme: str) -> None:
        self._settings.theme = theme

    @Slot(str)
    def _on_language_action_triggered(self, language: str) -> None:
        if self._settings.language != language:
            self._settings.language = language  # the app installs its translation at once

    @Slot()
    def _on_bots_menu_about_to_show(self) -> None:
        self._fill_bots_menu()

    def _fill_bots_menu(self) -> None:
        base_url = self._settings.base_url
        bots = [b for b in self._store.list_bots() if b.base_url == base_url]
        self.menus.fill_bots_menu(bots, self.current_bot())  # the bot of the conversation on screen

    def _tick_bots_menu(self) -> None:
        """Tick the bot of the conversation on screen; refill the menu soon if its bots changed."""
        base_url = self._settings.base_url
        listed = self.menus.listed_bot_actions()
        bot_ids = [bot.bot_id for bot in self._store.list_bots() if bot.base_url == base_url]
        if [str(action.data()) for action in listed] != bot_ids:
            # Not now: this may run inside the signal of one of the menu's actions.
            QTimer.singleShot(0, self, self._on_bots_menu_refill_due)
            return
        current = self.current_bot()
        for action in listed:
            action.setChecked(
                current is not None and current.base_url == base_url and current.bot_id == action.data()
            )

    @Slot()
    def _on_bots_menu_refill_due(self) -> None:
        if not self.menus.bots_menu.isVisible():
            self._fill_bots_menu()

    @Slot(str)
    def _on_bot_action_triggered(self, bot_id: str) -> None:
        self.choose_bot(bot_id)

    def choose_bot(self, bot_id: str) -> None:
        """Make ``bot_id`` (of the current region) the current bot and start a new chat with it."""
        self._settings.current_bot_id = bot_id
        self.pages.setCurrentWidget(self._chat_page)
        self.new_chat()

    @Slot()
    def _on_add_bot_action_triggered(self) -> None:
        self.open_add_bot_dialog()

    def open_add_bot_dialog(self) -> AddBotDialog:
        """Show the "add bot" dialog (window-modal, not blocking); returns it."""
        account = self._account_for_status()
        dialog = AddBotDialog(account, self._threads, lang=self._settings.error_language(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_add_bot_dialog_finished)
        self.add_bot_dialog = dialog
        dialog.open()
        return dialog

    @Slot(int)
    def _on_add_bot_dialog_finished(self, result: int) -> None:
        dialog, self.add_bot_dialog = self.add_bot_dialog, None
        bot = dialog.bot() if dialog is not None and result == QDialog.DialogCode.Accepted else None
        if bot is not None:
            self._store.upsert_bot(bot)
            self.conversation_list.set_bot_names(self._bot_names())
            self.messages.info(self.tr("Added “{name}”.").format(name=bot.name or bot.bot_id))
            self.choose_bot(bot.bot_id)

    @Slot()
    def _on_settings_action_triggered(self) -> None:
        self.open_settings()

    def open_settings(self) -> SettingsDialog:
        """Show the settings (window-modal, not blocking); returns the dialog."""
        bot = self.current_bot()
        dialog = SettingsDialog(
            self._settings, self._accounts, self._threads, bot_id=bot.bot_id if bot else "", parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_settings_dialog_finished)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    @Slot(int)
    def _on_settings_dialog_finished(self, _result: int) -> None:
        self.settings_dialog = None
        self._update_blocked()
        self._update_status()

    @Slot()
    def _on_log_folder_action_triggered(self) -> None:
        if not open_folder(self._log_folder):
            self.messages.info(self.tr("The logs are in {folder}").format(folder=self._log_folder))

    @Slot()
    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Coze Desktop"),
            self.tr(
                "<b>Coze Desktop {version}</b><p>A desktop client for Coze (扣子) bots: streaming answers, "
                "knowledge-base sources and a local, searchable history.</p><p>Logs: {logs}</p>"
            ).format(version=__version__, logs=self._log_folder),
        )

    @Slot(str)
    def _on_attachment_notices_failed(self, text: str) -> None:
        if self.isVisible():  # not another window's (tests build several)
            self.messages.warning(text)

    def _on_links_failed(self, url: str) -> None:
        if not self.isVisible():
            return  # another window's link (tests build several)
        text = self.tr("No web browser could be opened for this link. Copy it and open it yourself: {url}").format(
            url=url
        )
        self.messages.warning(text)  # the status bar; the box lets the link be copied
        if self.messages.modal:
            show_link_failed(self, url)

    @Slot()
    def _on_workflows_shown(self) -> None:
        self.pages.setCurrentWidget(self.run_view)
        self.conversation_list.select_conversation(None)

    @Slot(int)
    def _on_pages_current_changed(self, _index: int) -> None:
        # A workflow run has no sources: the panel steps aside while the run view is shown.
        self.panels.set_aside(self.sources_panel, self.pages.currentWidget() is self.run_view)

    @Slot()
    def _on_workflows_hidden(self) -> None:
        if self.pages.currentWidget() is self.run_view:
            self.new_chat()

    def _leave_run_view(self) -> None:
        """A chat is shown: the run view gives the middle back."""
        self.workflows.leave()
        if self.pages.currentWidget() is self.run_view:
            self.pages.setCurrentWidget(self._chat_page)

    @Slot()
    def _on_stop_shortcut_activated(self) -> None:
        self.stop_current()

    # ================================================================== controller slots

    @Slot(int)
    def _on_controller_conversation_created(self, _conversation_id: int) -> None:
        self.conversation_list.refresh()

    @Slot(int, object)
    def _on_controller_message_added(self, conversation_id: int, message: Message) -> None:
        if conversation_id == self._current_id:
            self.message_view.add_message(message)

    @Slot(int, object)
    def _on_controller_reply_started(self, conversation_id: int, message: Message) -> None:
        assert message.id is not None
        if conversation_id == self._current_id:
            self.message_view.begin_reply(message.id)
            self.sources_panel.clear()

    @Slot(int, int, str, str)
    def _on_controller_delta_received(
        self, conversation_id: int, message_id: int, text: str, reasoning: str
    ) -> None:
        if conversation_id == self._current_id:
            self.message_view.append_reply(message_id, text, reasoning)

    @Slot(int, int, list)
    def _on_controller_sources_received(self, conversation_id: int, message_id: int, sources: list) -> None:
        if conversation_id == self._current_id:
            self.sources_panel.show_sources(list(sources))
            self.message_view.set_reply_sources(message_id, list(sources))

    @Slot(int, int, list)
    def _on_controller_steps_received(self, conversation_id: int, message_id: int, steps: list[ToolStep]) -> None:
        if conversation_id == self._current_id:
            self.message_view.set_reply_steps(message_id, list(steps))

    @Slot(int, int, object)
    def _on_controller_reply_failed(self, conversation_id: int, message_id: int, error: ErrorInfo) -> None:
        if conversation_id == self._current_id:
            self.messages.warning(self.tr("The reply failed: {error}").format(error=error.message))

    @Slot(int, object)
    def _on_controller_reply_finished(self, conversation_id: int, message: Message) -> None:
        if conversation_id == self._current_id:
            self.message_view.finish_reply(message)
            self.sources_panel.show_sources(list(message.sources))
            self.message_view.select_message(message.id)
            self._show_last_chat(message)
            if not self._closed and any(step.kind in CALL_KINDS for step in message.steps):
                self._update_blocked()  # a reply waiting for tool outputs blocks the composer
        self.conversation_list.refresh()

    @Slot(int, bool)
    def _on_controller_streaming_changed(self, conversation_id: int, streaming: bool) -> None:
        self.conversation_list.set_streaming(conversation_id, streaming)
        if conversation_id == self._current_id:
            self._show_streaming(streaming)

    @Slot(int, int)
    def _on_controller_coze_conversation_restarted(self, conversation_id: int, _message_id: int) -> None:
        self._restarted_on_coze.add(conversation_id)
        if conversation_id == self._current_id:
            self.chat_header.set_notice(self._restart_notice())

    @Slot(int, int)
    def _on_controller_path_changed(self, conversation_id: int, message_id: int) -> None:
        if conversation_id != self._current_id:
            return
        # The conversation shows other versions now: show its messages again (only them: the
        # composer, the list and the title stay as they are), keeping ``message_id`` in view.
        self._current = self._store.get_conversation(conversation_id)
        page = self._show_page(conversation_id, message_id)
        self._show_sources_of_latest(page)
        if page and page[-1].id != message_id:
            self.message_view.scroll_to_message(message_id, flash=False)
        self.conversation_list.refresh()  # its latest words and count changed

    @Slot(str, int)
    def _on_accounts_api_call_recorded(self, base_url: str, count: int) -> None:
        if base_url == self._sending_base_url():
            self._show_api_calls(count)

    # ================================================================== view slots

    @Slot(str)
    def _on_view_follow_up_clicked(self, text: str) -> None:
        self.send(text)

    @Slot(int, dict)
    def _on_view_tool_outputs_submitted(self, message_id: int, outputs: dict[str, str]) -> None:
        try:
            self._controller.submit_tool_outputs(message_id, outputs)
        except (StoreError, LookupError, ValueError, RuntimeError) as exc:
            self.message_view.show_tool_call_error(message_id, str(exc))
            return
        self._update_blocked()

    @Slot(int)
    def _on_view_tool_calls_cancel_requested(self, message_id: int) -> None:
        try:
            self._controller.cancel_tool_calls(message_id)
        except (StoreError, LookupError) as exc:
            self.messages.error(self.tr("The chat could not be canceled: {error}").format(error=exc))

    @Slot(int)
    def _on_view_retry_requested(self, message_id: int) -> None:
        reason = self.blocked_reason(replacing=message_id)
        if reason is not None:
            self.messages.warning(reason)
            return
        try:
            self._controller.retry(message_id)
        except (StoreError, LookupError, RuntimeError) as exc:
            self.messages.error(self.tr("Could not ask again: {error}").format(error=exc))

    @Slot(int, str)
    def _on_view_edit_requested(self, message_id: int, text: str) -> None:
        reason = self.blocked_reason()
        if reason is not None:
            self.messages.warning(reason)
            return
        try:
            self._controller.edit(message_id, text)
        except RuntimeError:
            self.messages.info(
                self.tr("Wait for the answer to finish (or stop it), then send the edited question.")
            )
        except (StoreError, LookupError, ValueError) as exc:
            self.messages.error(self.tr("Could not send the edited question: {error}").format(error=exc))

    @Slot(int, int)
    def _on_view_version_requested(self, message_id: int, step: int) -> None:
        try:
            self._controller.switch_version(message_id, step)
        except RuntimeError:
            self.messages.info(self.tr("Wait for the answer to finish (or stop it), then switch versions."))
        except (StoreError, LookupError) as exc:
            self.messages.error(self.tr("Could not show that version: {error}").format(error=exc))

    @Slot(int)
    def _on_view_delete_requested(self, message_id: int) -> None:
        if self._controller.live(message_id) is not None:
            self.messages.info(self.tr("Stop the answer before deleting it."))
            return
        if not self.messages.confirm_destructive(
            self.tr("Delete message"),
            self.tr("Move this message to Recently deleted? You can restore it there for {days} days.").format(
                days=TRASH_DAYS
            ),
            self.tr("Move to trash"),
        ):
            return
        conversation_id = self._current_id
        try:
            self._store.trash_message(message_id)
        except StoreError as exc:
            self.messages.error(self.tr("The message could not be deleted: {error}").format(error=exc))
            return
        self.message_view.remove_message(message_id)
        self.conversation_list.refresh()
        self._refresh_trash_dialog()
        self.undo_notice.show_notice(
            self.tr("Message deleted"), lambda: self.restore_message(conversation_id, message_id)
        )

    @Slot(int)
    def _on_view_copy_requested(self, _message_id: int) -> None:
        self.messages.info(self.tr("Copied."))

    @Slot(int)
    def _on_view_message_selected(self, message_id: int) -> None:
        message = self.message_view.message(message_id)
        if message is not None:
            self.sources_panel.show_sources(list(self._controller.with_live(message).sources))

    @Slot(int)
    def _on_view_sources_requested(self, _message_id: int) -> None:
        self.show_sources_panel()  # message_selected came first: the panel has the sources

    @Slot(int, int)
    def _on_view_citation_clicked(self, _message_id: int, number: int) -> None:
        self.show_sources_panel()
        self.sources_panel.highlight_card(number)

    def show_sources_panel(self) -> None:
        """Show the sources panel if it is hidden or folded away for lack of room (remembered like
        the View menu's toggle)."""
        if not self._settings.sources_panel_visible:
            self._settings.sources_panel_visible = True  # _on_settings_changed shows it
        if self.panels.is_collapsed(self.sources_panel):
            self.panels.reveal(self.sources_panel)

    @Slot()
    def _on_view_older_requested(self) -> None:
        if self._current_id is None:
            return
        shown = self.message_view.message_ids()
        oldest = min(shown) if shown else None
        page = list(reversed(self._store.message_page(self._current_id, before_id=oldest, limit=PAGE_SIZE)))
        self.message_view.prepend_messages(page, has_older=len(page) == PAGE_SIZE)

    @Slot(int, str)
    def _on_view_action_requested(self, _message_id: int, action: str) -> None:
        if action == "open_settings":
            self.open_settings()
        elif action == "publish_help":
            self.show_publish_help()

    def show_publish_help(self) -> None:
        """Explain how to publish a bot as an API (``ErrorKind.NOT_PUBLISHED``)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Publish the bot as an API"))
        box.setText(
            self.tr(
                "Coze answers only for bots published to the API channel:<ol>"
                "<li>Open the bot in Coze (coze.cn or coze.com).</li>"
                "<li>Click <b>Publish</b> (top right).</li>"
                "<li>Tick the <b>API</b> channel (“Agent as API”) and publish.</li>"
                "<li>Come back and press <b>Retry</b>.</li></ol>"
            )
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ================================================================== list slots

    @Slot(int)
    def _on_list_conversation_activated(self, conversation_id: int) -> None:
        if conversation_id != self._current_id:
            self.open_conversation(conversation_id)

    @Slot(int, int)
    def _on_list_search_hit_activated(self, conversation_id: int, message_id: int) -> None:
        try:
            self._controller.show_message(message_id)  # a hit in a version not shown: show that version
        except StoreError as exc:
            logger.warning("could not show the version of message %d: %s", message_id, exc)
        self.open_conversation(conversation_id, message_id=message_id)

    @Slot(int, int, int)
    def _on_list_source_hit_activated(self, conversation_id: int, message_id: int, rank: int) -> None:
        if not self.open_conversation(conversation_id, message_id=message_id):
            return
        self.message_view.select_message(message_id)
        self._on_view_message_selected(message_id)
        self.show_sources_panel()
        self.sources_panel.highlight_card(rank)

    @Slot(object)
    def _on_list_run_hit_activated(self, hit: object) -> None:
        """A search hit in a workflow run: show the run, the piece that matched in view."""
        if isinstance(hit, SearchHit) and hit.run_id is not None and self.workflows.open_run(hit.run_id):
            self.run_view.reveal(hit.run_match, hit.run_part, snippet_matches(hit.snippet))

    @Slot(int)
    def _on_list_conversation_renamed(self, conversation_id: int) -> None:
        if conversation_id == self._current_id:
            self._current = self._store.get_conversation(conversation_id)
            self._update_title()

    @Slot(int)
    def _on_list_conversation_clicked(self, conversation_id: int) -> None:
        if conversation_id == self._current_id:
            self.composer.focus_input()

    @Slot(int)
    def _on_list_conversation_deleted(self, conversation_id: int) -> None:
        # In the trash, not gone: an answer still being written is saved there and comes back with it.
        if conversation_id == self._current_id:
            self.new_chat()
        conversation = self._store.get_conversation(conversation_id)
        title = (conversation.title if conversation is not None else "") or self.tr("Untitled chat")
        self._refresh_trash_dialog()
        self.undo_notice.show_notice(
            self.tr("Deleted “{title}”").format(title=title), lambda: self.restore_conversation(conversation_id)
        )

    # ================================================================== trash

    def restore_conversation(self, conversation_id: int) -> None:
        """Take a chat out of the trash and open it (Undo)."""
        try:
            self._store.restore_conversation(conversation_id)
        except StoreError as exc:
            self.messages.error(self.tr("The chat could not be restored: {error}").format(error=exc))
            return
        self._on_trash_conversation_restored(conversation_id)

    def restore_message(self, conversation_id: int | None, message_id: int) -> None:
        """Take a message out of the trash; it shows again in its place if its chat is open (Undo)."""
        try:
            self._store.restore_message(message_id)
        except StoreError as exc:
            self.messages.error(self.tr("The message could not be restored: {error}").format(error=exc))
            return
        if conversation_id is not None:
            self._on_trash_message_restored(conversation_id, message_id)

    def open_trash(self) -> TrashDialog:
        """Show the Recently deleted window (not modal; raised if already open); returns it."""
        if self.trash_dialog is None:
            dialog = TrashDialog(self._store, self.messages.confirm_destructive, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.conversation_restored.connect(self._on_trash_conversation_restored)
            dialog.message_restored.connect(self._on_trash_message_restored)
            dialog.finished.connect(self._on_trash_dialog_finished)
            self.trash_dialog = dialog
        else:
            self.trash_dialog.refresh()
        self.trash_dialog.show()
        self.trash_dialog.raise_()
        self.trash_dialog.activateWindow()
        return self.trash_dialog

    def _refresh_trash_dialog(self) -> None:
        if self.trash_dialog is not None:
            self.trash_dialog.refresh()

    @Slot()
    def _on_trash_action_triggered(self) -> None:
        self.open_trash()

    @Slot(int)
    def _on_trash_dialog_finished(self, _result: int) -> None:
        self.trash_dialog = None

    @Slot(int)
    def _on_trash_conversation_restored(self, conversation_id: int) -> None:
        self.undo_notice.dismiss()
        self._refresh_trash_dialog()
        self.conversation_list.refresh()
        self.open_conversation(conversation_id)

    @Slot(int, int)
    def _on_trash_message_restored(self, conversation_id: int, message_id: int) -> None:
        self.undo_notice.dismiss()
        self._refresh_trash_dialog()
        if conversation_id == self._current_id:
            self.open_conversation(conversation_id, message_id=message_id)
        self.conversation_list.refresh()

    # ================================================================== composer slots

    @Slot(str)
    def _on_composer_send_requested(self, text: str) -> None:
        if self.send(text):
            self.drafts.save()  # the composer is empty now: the draft is cleared
        elif not self.composer.text():
            self.composer.set_text(text)  # not sent: the question stays in the box

    @Slot()
    def _on_composer_stop_requested(self) -> None:
        self.stop_current()

    @Slot(str, list)
    def _on_composer_send_files_requested(self, text: str, files: list[LocalFile]) -> None:
        if not self.send_files(text, files):
            self.composer.end_upload(False)  # not sent: the text and the files stay

    @Slot()
    def _on_composer_upload_cancel_requested(self) -> None:
        self._controller.cancel_upload(self._upload_target)

    def _upload_ended(self) -> None:
        self._show_streaming(self._controller.is_streaming(self._current_id))

    @Slot(object, int, int, int)
    def _on_controller_upload_progress(self, target: object, index: int, sent: int, total: int) -> None:
        if target == self._upload_target and self.composer.is_uploading():
            self.composer.set_upload_progress(index, sent, total)

    @Slot(object, str, str)
    def _on_controller_upload_failed(self, target: object, text: str, _name: str) -> None:
        if target == self._upload_target and self.composer.is_uploading():
            self.composer.end_upload(False, text)
        self.messages.error(text)
        self._upload_ended()

    @Slot(object)
    def _on_controller_upload_canceled(self, target: object) -> None:
        if target == self._upload_target and self.composer.is_uploading():
            self.composer.end_upload(False)
        self._upload_ended()

    @Slot(object, int)
    def _on_controller_upload_finished(self, target: object, conversation_id: int) -> None:
        if target == self._upload_target and self.composer.is_uploading():
            self.composer.end_upload(True)
            self.drafts.save()  # the composer is empty now: the draft is cleared
        if target is None and self._current_id is None:
            conversation = self._store.get_conversation(conversation_id)
            if conversation is not None:
                self._adopt(conversation)
                self._show_page(conversation_id, None)
        self._upload_ended()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.composer.accepts_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.composer.accepts_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self.composer.drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # ================================================================== welcome and bots

    @Slot(str, str, str, bool)
    def _on_welcome_connect_requested(
        self, base_url: str, token: str, bot_id: str, session_only: bool
    ) -> None:
        if token:
            try:
                self._accounts.save_token(base_url, token, session_only=session_only)
            except KeyringUnavailable as exc:
                self.welcome.show_error(exc.user_message(self._settings.error_language()))
                return
        self._settings.base_url = base_url
        self.welcome.set_busy(True, self.tr("Looking the bot up…"))
        self.fetch_bots(base_url, [bot_id])

    @Slot()
    def _on_welcome_demo_requested(self) -> None:
        self.start_demo()

    def start_demo(self) -> None:
        """Start the demo server, add its bots, workflows and chat-flow that are not saved yet
        (``ui/demo_setup.py``) and open a chat with the knowledge bot."""
        self.welcome.set_busy(True, self.tr("Starting the demo server…"))
        self._settings.base_url = DEMO_BASE_URL
        try:
            items = missing_demo_items(self._store)
            account = self._accounts.account(DEMO_BASE_URL)
        except StoreError as exc:
            self._show_lookup_error(str(exc))
            return
        except (RuntimeError, OSError) as exc:  # the demo server could not start
            self._show_lookup_error(self.tr("The demo server could not start: {error}").format(error=exc))
            return
        if not items:
            self._demo_ready()
            return
        if account is None:
            self._show_lookup_error(self.tr("Enter your access token."))
            return
        self._demo_call = (
            BackgroundTask(
                self._threads,
                lambda _ctx: lookup_demo_items(account, items),
                name="set-up-demo",
                lang=self._settings.error_language,
            )
            .on_success(self._on_demo_lookup_succeeded)
            .on_failure(self._on_demo_lookup_failed)
            .start()
        )

    @Slot(object)
    def _on_demo_lookup_succeeded(self, items: object) -> None:
        self._demo_call = None
        assert isinstance(items, DemoItems)
        try:
            save_demo_items(self._store, items)
        except StoreError as exc:
            self._show_lookup_error(str(exc))
            return
        self.conversation_list.set_bot_names(self._bot_names())
        self.workflows.refresh()
        self._demo_ready()

    @Slot(str, object)
    def _on_demo_lookup_failed(self, text: str, _exc: object) -> None:
        self._demo_call = None
        self._show_lookup_error(text)
        self._update_blocked()

    def _demo_ready(self) -> None:
        self.welcome.set_busy(False)
        self.choose_bot(DEMO_BOT_IDS[0])

    def fetch_bots(self, base_url: str, bot_ids: list[str]) -> None:
        """Look bots up in the background; when found, save them and chat with the first."""
        try:
            account = self._accounts.account(base_url)
        except (RuntimeError, OSError) as exc:
            self._show_lookup_error(self.tr("The demo server could not start: {error}").format(error=exc))
            return
        if account is None:
            self._show_lookup_error(self.tr("Enter your access token."))
            return
        ids = list(bot_ids)
        self._bot_call = (
            BackgroundTask(
                self._threads,
                lambda _ctx: [lookup_bot(account, bot_id) for bot_id in ids],
                name="look-up-bots",
                lang=self._settings.error_language,
            )
            .on_success(self._on_bots_lookup_succeeded)
            .on_failure(self._on_bots_lookup_failed)
            .start()
        )

    @Slot(object)
    def _on_bots_lookup_succeeded(self, bots: object) -> None:
        self._bot_call = None
        assert isinstance(bots, list) and bots
        for bot in bots:
            self._store.upsert_bot(bot)
        self.conversation_list.set_bot_names(self._bot_names())
        self.welcome.set_busy(False)
        self.choose_bot(bots[0].bot_id)

    @Slot(str, object)
    def _on_bots_lookup_failed(self, text: str, _exc: object) -> None:
        self._bot_call = None
        self._show_lookup_error(text)
        self._update_blocked()

    def _show_lookup_error(self, text: str) -> None:
        """On the first-run screen when it is shown, else as an error message."""
        self.welcome.show_error(text)
        if self.pages.currentWidget() is not self.welcome:
            self.messages.error(text)

    @Slot()
    def _on_welcome_skipped(self) -> None:
        self.pages.setCurrentWidget(self._chat_page)
        self.new_chat()

    @Slot()
    def _on_try_demo_action_triggered(self) -> None:
        self.try_demo()

    def try_demo(self) -> None:
        """Chat with the demo knowledge bot: at once when the demo's bots and workflows are all
        saved, else after adding the missing ones (a demo tried before gets what is new)."""
        try:
            complete = not missing_demo_items(self._store)
        except StoreError:
            complete = False
        if complete:
            self._settings.base_url = DEMO_BASE_URL
            self.choose_bot(DEMO_BOT_IDS[0])
            self.composer.focus_input()
            return
        self.start_demo()

    # ================================================================== the bot picker

    @Slot(str)
    def _on_header_bot_chosen(self, bot_id: str) -> None:
        self.choose_bot(bot_id)

    @Slot()
    def _on_header_rename_requested(self) -> None:
        self.bot_picker.open_rename_dialog(self.current_bot())

    @Slot()
    def _on_header_remove_requested(self) -> None:
        bot = self.current_bot()
        if bot is not None:
            self.bot_picker.remove(bot.bot_id, bot.base_url)

    @Slot()
    def _on_header_readd_requested(self) -> None:
        conversation = self._current
        if conversation is None or not self._bot_removed(conversation):
            return
        account = self._account_for_status()
        if account is None:
            self.messages.warning(self.tr("No access token for this server."))
            return
        self.bot_picker.add_again(conversation.bot_id, account)

    @Slot()
    def _on_bot_picker_bots_changed(self) -> None:
        self.conversation_list.set_bot_names(self._bot_names())
        self.conversation_list.refresh()
        if self._current is None:
            self.new_chat()  # a new chat shows the (renamed, or next) bot's welcome
        else:
            self.message_view.set_assistant_name(self._bot_of(self._current).name)
        self._update_blocked()
        self._update_status()

    # ================================================================== other slots

    @Slot(str)
    def _on_settings_changed(self, key: str) -> None:
        if key == Key.SEND_KEY:
            self.composer.set_send_key(self._settings.send_key)
        elif key == Key.MAX_ATTACHMENT_MB:
            self.composer.set_max_attachment_bytes(self._settings.max_attachment_bytes())
        elif key == Key.SOURCES_PANEL_VISIBLE:
            visible = self._settings.sources_panel_visible
            self.panels.set_wanted(self.sources_panel, visible)
            self.menus.sources_action.setChecked(visible)
        elif key in (Key.BASE_URL, Key.CURRENT_BOT_ID, Key.CALL_WARNING_LIMIT, Key.PROXY):
            if key == Key.BASE_URL and self._current is None:
                self.new_chat()  # a new chat talks to the new region's bot
            self._update_blocked()
            self._update_status()

    @Slot(str)
    def _on_accounts_token_changed(self, _base_url: str) -> None:
        self._update_blocked()
        self._update_status()

    @Slot(QNetworkInformation.Reachability)
    def _on_network_reachability_changed(self, _reachability: QNetworkInformation.Reachability) -> None:
        self._update_blocked()

    # ================================================================== language

    def changeEvent(self, event: QEvent) -> None:
        """A new translation was installed: show every text in the new language."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate_timer.start()
        super().changeEvent(event)

    @Slot()
    def _on_retranslate_timer_timeout(self) -> None:
        if self._closed:
            return  # the store may be closed already
        try:
            self.retranslate()
        except StoreError as exc:
            logger.warning("could not show the conversation again in the new language: %s", exc)

    def retranslate(self) -> None:
        """Show every text in the current language, without a restart and without losing anything.

        Widgets with fixed texts follow ``LanguageChange`` themselves (composer, list, sources
        panel, header); the menus are built again; the conversation on screen is shown again from
        the store and the answers being written (``ChatController.live``), so its footers, banners and
        sources are in the new language and streaming goes on.
        """
        self.menus.rebuild(
            sources_visible=self._settings.sources_panel_visible,
            theme=self._settings.theme,
            language=self._settings.language,
        )
        self._fill_bots_menu()
        if self._current_id is not None:
            self.open_conversation(self._current_id)
        else:
            bot = self._new_chat_bot()
            if bot is not None:
                self.message_view.show_prologue(bot)
            else:
                self.message_view.clear()
            self.sources_panel.clear()
        self._rebuild_welcome()  # what the user typed there is carried over
        answer = next(
            (
                m
                for m in (self.message_view.message(i) for i in reversed(self.message_view.message_ids()))
                if m is not None and m.role is Role.ASSISTANT and m.state is not MessageState.STREAMING
            ),
            None,
        )
        if answer is not None:
            self._show_last_chat(answer)
        else:
            self.last_chat_label.clear()
        self._update_blocked()
        self._update_status()

    def _rebuild_welcome(self) -> None:
        old = self.welcome
        shown = self.pages.currentWidget() is old
        self.welcome = WelcomeView(self._accounts, self._settings.base_url, self)
        self.welcome.take_input_of(old)  # the region, token and bot ID typed so far (in memory only)
        self._connect_welcome()
        self.pages.insertWidget(self.pages.indexOf(old), self.welcome)
        if shown:
            self.pages.setCurrentWidget(self.welcome)
        self.pages.removeWidget(old)
        old.deleteLater()

    # ================================================================== closing

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout, stop answers (their text is kept) and close within ~2 s."""
        started = time.monotonic()
        self._closed = True
        self._retranslate_timer.stop()
        self.drafts.save()
        self.save_layout()
        streaming = self._controller.streaming_conversations()
        if streaming:
            logger.info("closing with %d answer(s) being written; stopping them", len(streaming))
        if self._bot_call is not None:
            self._bot_call.cancel()
        if self._demo_call is not None:
            self._demo_call.cancel()
        self.transfers.cancel()  # an export or import leaves nothing half written
        self.bot_picker.stop()
        self.workflows.remember_params()
        self.workflow_controller.stop_all()  # runs keep what arrived
        self._controller.shutdown(CLOSE_TIMEOUT)  # waits for every thread, the runs' too
        self.workflow_controller.shutdown(0.0)
        logger.info("window closed in %.2f s", time.monotonic() - started)
        event.accept()
