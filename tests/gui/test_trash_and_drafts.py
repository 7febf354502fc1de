"""Nothing is lost by accident: safe confirmations, the trash with Undo, focus after a click, drafts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Conversation, Message, MessageState, Role
from coze_desktop.store import Store
from coze_desktop.ui.confirm import confirmation_box, confirmed
from coze_desktop.ui.main_window import MainWindow
from coze_desktop.ui.undo_notice import NOTICE_MS

from .conftest import WAIT_MS, AppFactory

CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens there: these tests need no server


def seed(
    data_dir: Path, *chats: tuple[str, list[str]], bot_id: str = "bot", base_url: str = CLOSED_PORT_URL
) -> list[int]:
    """Save chats (title, message texts alternating question and answer) before the app starts."""
    ids = []
    with Store.open(data_dir) as store:
        for number, (title, texts) in enumerate(chats):
            conv = store.create_conversation(
                Conversation(
                    id=None, bot_id=bot_id, title=title, base_url=base_url, updated_at=1000.0 + number
                )
            )
            assert conv.id is not None
            for index, text in enumerate(texts):
                role = Role.USER if index % 2 == 0 else Role.ASSISTANT
                store.add_message(Message(id=None, conversation_id=conv.id, role=role, text=text))
            ids.append(conv.id)
    return ids


def show(ctx: AppContext, qtbot: QtBot) -> MainWindow:
    ctx.window.show()
    qtbot.waitExposed(ctx.window)
    ctx.window.activateWindow()
    return ctx.window


def listed(window: MainWindow) -> list[int]:
    model = window.conversation_list.model
    return [model.summary(row).conversation.id for row in range(model.rowCount())]  # type: ignore[misc]


def click_chat(qtbot: QtBot, window: MainWindow, conversation_id: int) -> None:
    view = window.conversation_list.list_view
    row = window.conversation_list.model.row_of(conversation_id)
    assert row is not None
    rect = view.visualRect(window.conversation_list.model.index(row))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def texts_on_screen(window: MainWindow) -> list[str]:
    view = window.message_view
    return [m.text for m in (view.message(i) for i in view.message_ids()) if m is not None]


def when_a_box_opens(act: Callable[[QMessageBox], None]) -> QTimer:
    """Run ``act`` on the next modal message box as soon as it is shown (it blocks the caller)."""
    timer = QTimer()
    timer.setInterval(10)

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            timer.stop()
            act(box)

    timer.timeout.connect(poll)
    timer.start()
    return timer


class BoxReport:
    """What a confirmation box looked like and did while a test typed into it."""

    def __init__(self) -> None:
        self.buttons: list[str] = []
        self.shortcuts: list[str] = []
        self.default = ""
        self.after_letters_visible = False
        self.after_letters_pressed: list[str] = []

    def type_letters_then(self, qtbot: QtBot, final_key: Qt.Key) -> Callable[[QMessageBox], None]:
        def act(box: QMessageBox) -> None:
            self.buttons = [b.text() for b in box.buttons()]
            self.shortcuts = [b.shortcut().toString() for b in box.buttons() if not b.shortcut().isEmpty()]
            self.default = box.defaultButton().text() if box.defaultButton() is not None else ""
            for letter in "yYjd":
                qtbot.keyClick(box, letter)
            self.after_letters_visible = box.isVisible()
            self.after_letters_pressed = [b.text() for b in box.buttons() if b.isDown()]
            qtbot.keyClick(box, final_key)

        return act

    def assert_safe(self) -> None:
        assert self.after_letters_visible and self.after_letters_pressed == []  # no letter pressed a button
        assert self.shortcuts == [] and self.default == "Cancel"
        assert sorted(self.buttons) == ["Cancel", "Move to trash"]


# --------------------------------------------------------------------------- confirmations


def test_confirmation_box_ignores_letters_enter_and_escape_cancel(qtbot: QtBot) -> None:
    for final_key in (Qt.Key.Key_Return, Qt.Key.Key_Escape):
        box = confirmation_box(None, "Delete chat", "Move “&Yes” to the trash?", "Move to trash")
        qtbot.addWidget(box)
        box.open()
        qtbot.waitExposed(box)
        for letter in "yYmM":
            qtbot.keyClick(box, letter)
        assert box.isVisible() and not any(b.isDown() for b in box.buttons())
        with qtbot.waitSignal(box.finished):
            qtbot.keyClick(box, final_key)
        assert not confirmed(box)
    box = confirmation_box(None, "Delete chat", "Sure?", "Save & go")
    qtbot.addWidget(box)
    box.open()
    action = box.findChild(QPushButton, "confirm_action")
    assert action.text() == "Save && go" and action.shortcut().isEmpty()  # shown as "Save & go"
    action.setText("&Move to trash")  # as a platform that adds mnemonics by itself would
    for letter in "mM":
        qtbot.keyClick(box, letter)
    assert box.isVisible() and not action.isDown()
    with qtbot.waitSignal(box.finished):
        qtbot.mouseClick(action, Qt.MouseButton.LeftButton)
    assert confirmed(box)


def test_delete_then_y_does_not_delete_a_chat_nor_a_message(
    make_app: AppFactory, qtbot: QtBot, data_dir: Path
) -> None:
    [cid] = seed(data_dir, ("要留下的对话", ["问题", "回答"]))
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    window.messages.modal = True  # the real boxes, as a user gets them
    click_chat(qtbot, window, cid)
    view = window.conversation_list.list_view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)

    report = BoxReport()
    timer = when_a_box_opens(report.type_letters_then(qtbot, Qt.Key.Key_Escape))
    with qtbot.assertNotEmitted(window.conversation_list.conversation_deleted):
        qtbot.keyClick(view, Qt.Key.Key_Delete)  # returns when the box is closed
    assert not timer.isActive()
    report.assert_safe()
    assert listed(window) == [cid] and ctx.store.trashed_conversations() == []

    # The message's box is the same one: letters do nothing, Enter cancels.
    [question, answer] = window.message_view.message_ids()
    report = BoxReport()
    timer = when_a_box_opens(report.type_letters_then(qtbot, Qt.Key.Key_Return))
    window.message_view.delete_requested.emit(answer)
    assert not timer.isActive()
    report.assert_safe()
    assert window.message_view.message_ids() == [question, answer]
    assert ctx.store.trashed_messages() == []


# ----------------------------------------------------------------------------- trash and undo


def test_deleted_chat_comes_back_with_undo(make_app: AppFactory, qtbot: QtBot, data_dir: Path) -> None:
    older, doomed = seed(data_dir, ("旧对话", ["a", "b"]), ("Doomed chat", ["question", "answer"]))
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    window.open_conversation(doomed)
    notice = window.undo_notice
    assert not notice.isVisible()

    with qtbot.waitSignal(window.conversation_list.conversation_deleted):
        qtbot.keyClick(window.conversation_list.list_view, Qt.Key.Key_Delete)
    assert listed(window) == [older]
    assert window.current_conversation_id is None  # the chat on screen went with it
    assert notice.isVisible() and "Doomed chat" in notice.label.text()
    assert notice.timer.isActive() and notice.timer.interval() == NOTICE_MS
    assert ctx.store.get_conversation(doomed) is not None  # in the trash, not gone

    with qtbot.waitSignal(notice.undone):
        qtbot.mouseClick(notice.undo_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    assert set(listed(window)) == {older, doomed}
    assert window.current_conversation_id == doomed
    assert texts_on_screen(window) == ["question", "answer"]
    assert ctx.store.trashed_conversations() == []


def test_deleted_message_comes_back_in_its_place_and_the_notice_goes_by_itself(
    make_app: AppFactory, qtbot: QtBot, data_dir: Path
) -> None:
    [cid] = seed(data_dir, ("对话", ["问一", "答一", "问二", "答二"]))
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    window.open_conversation(cid)
    q1, a1, q2, a2 = window.message_view.message_ids()
    notice = window.undo_notice

    window.message_view.delete_requested.emit(a1)
    assert texts_on_screen(window) == ["问一", "问二", "答二"]
    assert notice.isVisible() and notice.label.text() == "Message deleted"
    window.message_view.delete_requested.emit(a2)  # a newer notice replaces the older one
    assert texts_on_screen(window) == ["问一", "问二"]
    qtbot.mouseClick(notice.undo_button, Qt.MouseButton.LeftButton)
    assert texts_on_screen(window) == ["问一", "问二", "答二"]  # only the last delete is undone
    assert [t.message.id for t in ctx.store.trashed_messages()] == [a1]
    assert not notice.isVisible()

    window.message_view.delete_requested.emit(q2)
    assert notice.isVisible()
    notice.timer.start(20)  # the same timer, shortened so the test need not wait 6 s
    qtbot.waitUntil(lambda: not notice.isVisible())
    assert {t.message.id for t in ctx.store.trashed_messages()} == {a1, q2}

    # Restored from Recently deleted, the message shows again between its neighbours.
    trash_action = next(a for a in window.menuBar().findChildren(QAction) if a.text() == "Recently &deleted…")
    trash_action.trigger()
    dialog = window.trash_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.select("message", a1)
    with qtbot.waitSignal(dialog.message_restored) as blocker:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [cid, a1]
    assert texts_on_screen(window) == ["问一", "答一", "答二"]
    assert window.message_view.message_ids() == [q1, a1, a2]


def test_recently_deleted_lists_restores_deletes_forever_and_empties(
    make_app: AppFactory, qtbot: QtBot, data_dir: Path
) -> None:
    first, second, third = seed(
        data_dir, ("第一个", ["一"]), ("Second chat", ["two", "deux"]), ("Third chat", ["three"])
    )
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    store = ctx.store
    store.trash_conversation(first, when=100.0)
    store.trash_conversation(third, when=300.0)
    [_, deux] = [m.id for m in store.messages(second)]
    assert deux is not None
    store.trash_message(deux, when=200.0)
    window.conversation_list.refresh()

    dialog = window.open_trash()
    assert "30 days" in dialog.note.text()
    assert dialog.items() == [
        ("conversation", third, third),
        ("message", deux, second),
        ("conversation", first, first),
    ]
    assert "Third chat" in dialog.tree.topLevelItem(0).text(0)
    assert dialog.tree.topLevelItem(1).text(1) == "Second chat"
    assert not dialog.restore_button.isEnabled()

    dialog.select("conversation", third)
    with qtbot.waitSignal(dialog.conversation_restored):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert third in listed(window) and window.current_conversation_id == third
    assert [kind for kind, _, _ in dialog.items()] == ["message", "conversation"]

    dialog.select("conversation", first)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)  # confirmed (boxes are off)
    assert store.get_conversation(first) is None
    assert dialog.items() == [("message", deux, second)]

    window.messages.modal = True  # Empty trash asks; Escape keeps everything
    timer = when_a_box_opens(lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape))
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert not timer.isActive()
    assert dialog.items() == [("message", deux, second)]

    def accept(box: QMessageBox) -> None:
        qtbot.mouseClick(box.findChild(QPushButton, "confirm_action"), Qt.MouseButton.LeftButton)

    timer = when_a_box_opens(accept)
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert not timer.isActive()
    assert dialog.items() == [] and dialog.empty_label.isVisible()
    assert store.get_message(deux) is None
    assert [m.text for m in store.messages(second)] == ["two"]

    # While the window is open it follows deletes and Undo elsewhere.
    window.messages.modal = False
    window.open_conversation(second)
    [two] = window.message_view.message_ids()
    window.message_view.delete_requested.emit(two)
    assert dialog.items() == [("message", two, second)]
    qtbot.mouseClick(window.undo_notice.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.items() == []
    assert texts_on_screen(window) == ["two"]


def test_answer_streaming_into_a_deleted_chat_is_kept_and_comes_back(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer
) -> None:
    ctx = make_app(demo_paced, bots=("demo-general",))
    window = show(ctx, qtbot)
    window.composer.set_text("Write me something long")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    cid = window.current_conversation_id
    assert cid is not None
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window.conversation_list.list_view, Qt.Key.Key_Delete)
    answer = blocker.args[1]
    assert answer.state is MessageState.COMPLETE and answer.text
    assert cid not in listed(window)
    window.restore_conversation(cid)
    assert window.current_conversation_id == cid
    assert texts_on_screen(window) == ["Write me something long", answer.text]


# ------------------------------------------------------------------------------------- focus


def test_clicking_a_chat_puts_the_cursor_in_the_composer_arrow_keys_stay_in_the_list(
    make_app: AppFactory, qtbot: QtBot, data_dir: Path
) -> None:
    older, newer = seed(data_dir, ("Older", ["1"]), ("Newer", ["2"]))
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    click_chat(qtbot, window, newer)
    assert window.current_conversation_id == newer
    qtbot.waitUntil(window.composer.input.hasFocus)

    view = window.conversation_list.list_view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.current_conversation_id == older
    assert view.hasFocus()


# ------------------------------------------------------------------------------------- drafts


def test_each_chat_keeps_its_draft_across_switches_and_a_restart(
    make_app: AppFactory, qtbot: QtBot, data_dir: Path
) -> None:
    first, second = seed(data_dir, ("First", ["1"]), ("Second", ["2"]))
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    composer = window.composer
    click_chat(qtbot, window, first)
    qtbot.keyClicks(composer.input, "half a question for First")
    click_chat(qtbot, window, second)
    assert composer.text() == ""  # First's text did not come along
    composer.input.insertPlainText("给第二个的草稿")  # as an input method types it
    qtbot.waitUntil(lambda: ctx.store.draft(second) == "给第二个的草稿")  # saved a second after typing
    click_chat(qtbot, window, first)
    assert composer.text() == "half a question for First"
    window.new_chat()
    assert composer.text() == ""
    qtbot.keyClicks(composer.input, "a new chat's draft")
    make_app.close(ctx)

    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    window = show(ctx, qtbot)
    assert window.current_conversation_id is None
    assert window.composer.text() == "a new chat's draft"
    click_chat(qtbot, window, first)
    assert window.composer.text() == "half a question for First"
    click_chat(qtbot, window, second)
    assert window.composer.text() == "给第二个的草稿"


def test_sending_clears_the_draft_and_goes_to_its_own_chat(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, data_dir: Path
) -> None:
    first, second = seed(
        data_dir,
        ("First", ["Hello", "Hi"]),
        ("Second", ["Hey", "Yes?"]),
        bot_id="demo-general",
        base_url=demo_fast.url,
    )
    ctx = make_app(demo_fast, bots=("demo-general",))
    window = show(ctx, qtbot)
    click_chat(qtbot, window, first)
    window.composer.set_text("meant for First")
    click_chat(qtbot, window, second)
    window.composer.set_text("meant for Second")
    click_chat(qtbot, window, first)
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == first
    assert [m.text for m in ctx.store.messages(first) if m.role is Role.USER] == ["Hello", "meant for First"]
    assert [m.text for m in ctx.store.messages(second) if m.role is Role.USER] == ["Hey"]
    assert ctx.store.draft(first) == "" and window.composer.text() == ""
    assert ctx.store.draft(second) == "meant for Second"


def test_a_new_chat_draft_moves_with_it_when_it_is_sent(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    window = show(ctx, qtbot)
    window.composer.set_text("the first question")
    window.drafts.save()
    assert ctx.settings.new_chat_draft == "the first question"
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    cid = window.current_conversation_id
    assert cid is not None
    assert ctx.settings.new_chat_draft == ""
    assert ctx.store.draft(cid) == ""
    window.new_chat()
    assert window.composer.text() == ""
