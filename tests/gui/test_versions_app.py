"""Versions in the running app: regenerate an older answer in place, "‹ 2/2 ›", switch back,
edit and resend a question, a retried stopped answer's banner, exports of the shown version."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import MessageState

from .conftest import WAIT_MS, AppFactory, send
from .transfers import export


def shown_texts(ctx: AppContext) -> list[str]:
    view = ctx.window.message_view
    return [m.text for m in (view.message(i) for i in view.message_ids()) if m is not None]


def start(make_app: AppFactory, qtbot: QtBot, server: DemoServer) -> AppContext:
    ctx = make_app(server, bots=("demo-general",))
    ctx.window.show()
    qtbot.waitExposed(ctx.window)
    return ctx


def click(qtbot: QtBot, button: QToolButton | QPushButton | None) -> None:
    assert button is not None and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_regenerate_an_older_answer_in_place_then_switch_back(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    view = ctx.window.message_view
    answers = [send(ctx, qtbot, text) for text in ("first question", "second question", "third question")]
    old_ids = view.message_ids()
    first_answer_id = answers[0].id
    assert first_answer_id is not None and view.version_text(first_answer_id) is None

    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, view.action_button(first_answer_id, "regenerate"))
    new = blocker.args[1]
    assert new.state is MessageState.COMPLETE
    # In place, after its question; the later questions belong to the first version.
    assert view.message_ids() == [old_ids[0], new.id]
    assert view.version_text(new.id) == "2/2"
    assert view.find_in_message(new.id, QToolButton, "version_next").isEnabled() is False  # type: ignore[union-attr]

    # The Markdown export has what is shown; the JSON export every version.
    cid = ctx.window.current_conversation_id
    assert cid is not None
    export(ctx, qtbot, tmp_path / "shown.md", [cid])
    markdown = (tmp_path / "shown.md").read_text(encoding="utf-8")
    assert "first question" in markdown and "second question" not in markdown
    export(ctx, qtbot, tmp_path / "all.json", [cid])
    exported = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["conversations"][0]["messages"]
    assert len(exported) == 7 and [m["selected"] for m in exported].count(False) == 1

    ctx.window.composer.set_text("half-written")
    click(qtbot, view.find_in_message(new.id, QToolButton, "version_previous"))
    qtbot.waitUntil(lambda: view.message_ids() == old_ids, timeout=WAIT_MS)
    assert view.version_text(first_answer_id) == "1/2"
    assert ctx.window.composer.text() == "half-written"  # switching touches only the messages
    assert shown_texts(ctx)[-1] == answers[2].text
    click(qtbot, view.find_in_message(first_answer_id, QToolButton, "version_next"))
    qtbot.waitUntil(lambda: view.message_ids() == [old_ids[0], new.id], timeout=WAIT_MS)
    # A search hit in the hidden branch shows that branch.
    ctx.window.conversation_list.search_hit_activated.emit(cid, old_ids[-1])
    qtbot.waitUntil(lambda: view.message_ids() == old_ids, timeout=WAIT_MS)
    click(qtbot, view.find_in_message(first_answer_id, QToolButton, "version_next"))
    qtbot.waitUntil(lambda: view.message_ids() == [old_ids[0], new.id], timeout=WAIT_MS)
    # After a restart the chosen version is still the one shown.
    make_app.close(ctx)
    ctx = start(make_app, qtbot, demo_fast)
    ctx.window.open_conversation(cid)
    assert ctx.window.message_view.message_ids() == [old_ids[0], new.id]


def test_edit_and_resend_a_question(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    view = ctx.window.message_view
    send(ctx, qtbot, "first question")
    send(ctx, qtbot, "second question")
    question_id = view.message_ids()[0]

    click(qtbot, view.action_button(question_id, "edit"))
    editor = view.find_in_message(question_id, QPushButton, "edit_send")
    assert editor is not None and not editor.isEnabled()  # nothing changed yet: nothing to send
    widget = view.edit_message(question_id)
    assert widget is not None
    widget.set_text("   ")
    assert not editor.isEnabled()
    click(qtbot, view.find_in_message(question_id, QPushButton, "edit_cancel"))
    assert not view.is_editing(question_id)
    assert shown_texts(ctx)[0] == "first question"

    widget = view.edit_message(question_id)
    assert widget is not None
    widget.set_text("first question, edited")
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, widget.findChild(QPushButton, "edit_send"))
    answer = blocker.args[1]
    ids = view.message_ids()
    assert shown_texts(ctx)[0] == "first question, edited" and ids[1] == answer.id and len(ids) == 2
    assert view.version_text(ids[0]) == "2/2"
    click(qtbot, view.find_in_message(ids[0], QToolButton, "version_previous"))
    qtbot.waitUntil(lambda: len(view.message_ids()) == 4, timeout=WAIT_MS)
    assert shown_texts(ctx)[0] == "first question" and shown_texts(ctx)[2] == "second question"


def test_a_retried_stopped_answer_keeps_an_informational_banner(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast, bots=("fault-drop",))
    ctx.window.show()
    qtbot.waitExposed(ctx.window)
    view = ctx.window.message_view
    failed = send(ctx, qtbot, "Hello")
    assert failed.state is MessageState.FAILED and failed.id is not None
    assert view.find_in_message(failed.id, QPushButton, "banner_retry") is not None
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, view.find_in_message(failed.id, QPushButton, "banner_retry"))
    retried = blocker.args[1]
    assert view.find_in_message(retried.id, QPushButton, "banner_retry") is not None  # it failed again
    # The first version is no longer current: its banner says so and offers no Retry.
    click(qtbot, view.find_in_message(retried.id, QToolButton, "version_previous"))
    qtbot.waitUntil(lambda: failed.id in view.message_ids(), timeout=WAIT_MS)
    assert view.find_in_message(failed.id, QPushButton, "banner_retry") is None
    assert view.find_in_message(failed.id, QLabel, "banner_newer_version") is not None
