"""Workflow runs from the window, against the demo server over real HTTP (pytest-qt).

Add a workflow in the sidebar, fill its parameters, Run: nodes stream into the run view, the
output shows as Markdown and a JSON tree; the demo-trip question node is answered and the run
resumes in place; the resume limit is said; a node error keeps the partial output; demo-echo
runs without streaming; Stop keeps what arrived; the parameters are remembered; the raw-JSON
mode is validated; a run is listed and reopened after a restart.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Workflow, WorkflowParam, WorkflowRun, WorkflowStatus
from coze_desktop.ui.workflows.run_view import RunView
from coze_desktop.ui.workflows.sidebar import KEY_ROLE, KIND_ROLE, RUNS_SHOWN

from .conftest import WAIT_MS, AppFactory, show


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def add_workflow(ctx: AppContext, qtbot: QtBot, workflow_id: str) -> Workflow:
    """Add ``workflow_id`` through the "Add workflow…" dialog, as a user does."""
    section = ctx.window.workflows
    click(qtbot, section.panel.add_button)
    dialog = section.add_dialog
    assert dialog is not None
    dialog.workflow_id.setText(workflow_id)
    with qtbot.waitSignal(dialog.lookup_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, dialog.add_button)
    assert blocker.args[0] is True, blocker.args
    qtbot.waitUntil(lambda: section.add_dialog is None, timeout=WAIT_MS)
    workflow = ctx.store.get_workflow(workflow_id, dialog.workflow().base_url)  # type: ignore[union-attr]
    assert workflow is not None
    return workflow


def fill(view: RunView, rows: list[tuple[str, str, str]]) -> None:
    for name, kind, value in rows:
        row = view.form.add_row()
        row.name_edit.setText(name)
        row.type_box.setCurrentIndex(row.type_box.findData(kind))
        row.value_edit.setText(value)


def run_and_wait(ctx: AppContext, qtbot: QtBot) -> object:
    view = ctx.window.run_view
    with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, view.run_button)
    return blocker.args[1]


def answer(ctx: AppContext, qtbot: QtBot, text: str, *, wait: str = "finished") -> object:
    """Type ``text`` in the open question card and press Resume; wait for the run's next end."""
    view = ctx.window.run_view
    card = view.questions[-1]
    card.answer_edit.setText(text)
    with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, card.resume_button)
    return blocker.args[1]


def test_weather_run_streams_nodes_and_shows_the_output(
    make_app: AppFactory, demo_paced: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_paced)
    show(ctx, qtbot)
    add_workflow(ctx, qtbot, "demo-weather")
    view = ctx.window.run_view
    assert ctx.window.pages.currentWidget() is view
    assert view.title_label.text() == "天气查询 / Weather"  # the name Coze gave
    fill(view, [("city", "text", "南京"), ("days", "number", "2")])
    deltas: list[object] = []
    seen: list[tuple[int, object, bool]] = []  # what the view showed as each piece arrived

    def on_delta(_run: int, delta: object) -> None:
        deltas.append(delta)
        seen.append((len(view.nodes), view.status, view.stop_button.isVisible()))

    ctx.workflows.node_delta.connect(on_delta)  # after the view's own slot: it has drawn the piece
    with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as finished:
        click(qtbot, view.run_button)
    # The nodes showed while the run was still going, with Stop offered.
    assert any(count >= 2 and status is WorkflowStatus.RUNNING and stop for count, status, stop in seen)
    result = finished.args[1]
    assert result.status is WorkflowStatus.COMPLETED
    assert [card.title_label.text() for card in view.nodes] == ["查询天气", "穿衣建议", "结束"]
    assert all(card.finished for card in view.nodes)
    assert "第2天" in view.nodes[0].text
    assert "finished" in view.nodes[1].status_label.text() or "完成" in view.nodes[1].status_label.text()
    assert len([d for d in deltas if d.index == 1]) >= 2  # the advice came in several pieces  # type: ignore[attr-defined]
    assert view.output_card.isVisible()
    keys = [
        view.output_card.tree.topLevelItem(i).text(0)
        for i in range(view.output_card.tree.topLevelItemCount())
    ]
    assert keys == ["output", "city", "days", "forecast"]
    assert "外套" in view.output_card.markdown_view.toPlainText()
    click(qtbot, view.output_card.copy_button)
    assert json.loads(QApplication.clipboard().text())["city"] == "南京"
    assert view.debug_button.isVisible() and "execute_id=" in view.debug_url
    assert "tokens" in view.stats_label.text() or "token" in view.stats_label.text().lower()
    run = ctx.store.get_run(view.run_id)  # type: ignore[arg-type]
    assert run is not None and run.status is WorkflowStatus.COMPLETED
    assert run.parameters == {"city": "南京", "days": 2}
    assert [p.node_title for p in run.parts if p.kind == "node"] == ["查询天气", "穿衣建议", "结束"]
    assert run.output == result.output and run.debug_url == view.debug_url


def test_trip_question_is_answered_and_the_run_resumes_in_place(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    add_workflow(ctx, qtbot, "demo-trip")
    view = ctx.window.run_view
    first = run_and_wait(ctx, qtbot)
    assert first.status is WorkflowStatus.INTERRUPTED  # type: ignore[attr-defined]
    assert view.questions[-1].question_label.text() == "你想去哪个城市？"
    assert view.questions[-1].resume_button.isEnabled()
    run_id = view.run_id
    second = answer(ctx, qtbot, "南京")
    assert second.status is WorkflowStatus.INTERRUPTED  # type: ignore[attr-defined]
    assert view.run_id == run_id  # the same run continues
    assert "南京" in view.questions[0].answer_label.text()
    assert view.questions[-1].question_label.text() == "打算玩几天？"
    done = answer(ctx, qtbot, "3")
    assert done.status is WorkflowStatus.COMPLETED  # type: ignore[attr-defined]
    assert "南京" in view.output_card.text and view.output_card.isVisible()
    run = ctx.store.get_run(run_id)  # type: ignore[arg-type]
    assert run is not None and run.status is WorkflowStatus.COMPLETED
    assert [p.content for p in run.parts if p.kind == "answer"] == ["南京", "3"]
    assert len([p for p in run.parts if p.kind == "interrupt"]) == 2
    assert len(ctx.store.list_runs("demo-trip", run.base_url)) == 1


def test_the_fourth_resume_is_refused_with_a_clear_message(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    add_workflow(ctx, qtbot, "demo-trip")
    view = ctx.window.run_view
    run_and_wait(ctx, qtbot)
    for _ in range(3):  # a blank answer is asked again: three resumes
        result = answer(ctx, qtbot, "")
        assert result.status is WorkflowStatus.INTERRUPTED  # type: ignore[attr-defined]
    started: list[int] = []
    ctx.workflows.running_changed.connect(lambda run_id, running: started.append(run_id) if running else None)
    card = view.questions[-1]
    card.answer_edit.setText("南京")
    click(qtbot, card.resume_button)
    assert card.message_label.isVisible()
    assert "3" in card.message_label.text()
    assert view.status is WorkflowStatus.INTERRUPTED
    assert not ctx.workflows.is_running(view.run_id)  # type: ignore[arg-type]
    run = ctx.store.get_run(view.run_id)  # type: ignore[arg-type]
    assert run is not None and len([p for p in run.parts if p.kind == "answer"]) == 3  # nothing saved
    assert started == []  # nothing was sent


def test_a_node_error_keeps_the_partial_output_and_shows_the_error(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    add_workflow(ctx, qtbot, "demo-node-error")
    view = ctx.window.run_view
    fill(view, [("text", "text", "一段很长的文字，需要摘要。")])
    result = run_and_wait(ctx, qtbot)
    assert result.status is WorkflowStatus.ERROR  # type: ignore[attr-defined]
    assert view.nodes and view.nodes[0].text  # what arrived before the error
    assert view.error_card is not None and view.error_card.isVisible()
    assert view.error_card.text_label.text()
    run = ctx.store.get_run(view.run_id)  # type: ignore[arg-type]
    assert run is not None and run.status is WorkflowStatus.ERROR
    assert run.error is not None and run.error.code == 720701013
    assert any(p.kind == "node" and p.content for p in run.parts)


def test_echo_runs_without_streaming_with_every_json_type(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast, streaming=False)
    show(ctx, qtbot)
    add_workflow(ctx, qtbot, "demo-echo")
    view = ctx.window.run_view
    fill(
        view,
        [
            ("s", "text", "hi"),
            ("n", "number", "2.5"),
            ("b", "boolean", "true"),
            ("j", "json", '{"a": [1, null]}'),
        ],
    )
    result = run_and_wait(ctx, qtbot)
    assert result.status is WorkflowStatus.COMPLETED  # type: ignore[attr-defined]
    assert result.output_json is not None  # type: ignore[attr-defined]
    assert view.output_card.tree.isVisible()
    text = view.output_card.text
    for kind in ("string", "number", "boolean", "object"):
        assert kind in text
    run = ctx.store.get_run(view.run_id)  # type: ignore[arg-type]
    assert run is not None and run.stream is False
    assert run.parameters == {"s": "hi", "n": 2.5, "b": True, "j": {"a": [1, None]}}


def test_stop_keeps_what_arrived(make_app: AppFactory, demo_paced: DemoServer, qtbot: QtBot) -> None:
    ctx = make_app(demo_paced)
    show(ctx, qtbot)
    add_workflow(ctx, qtbot, "demo-weather")
    view = ctx.window.run_view
    fill(view, [("city", "text", "上海"), ("days", "number", "7")])
    stopped: list[bool] = []

    def stop_at_the_first_piece(_run: int, _delta: object) -> None:
        if not stopped:  # as a click on Stop while the first node's text is on screen
            stopped.append(view.stop_button.isVisible())
            click(qtbot, view.stop_button)

    ctx.workflows.node_delta.connect(stop_at_the_first_piece)
    with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, view.run_button)
    assert stopped == [True]
    result = blocker.args[1]
    assert result.status is WorkflowStatus.ERROR
    assert view.error_card is not None and (
        "停止" in view.error_card.text_label.text() or "Stopped" in view.error_card.text_label.text()
    )
    shown = view.nodes[0].text
    run = ctx.store.get_run(view.run_id)  # type: ignore[arg-type]
    assert run is not None and run.status is WorkflowStatus.ERROR
    nodes = [p for p in run.parts if p.kind == "node"]
    assert nodes and nodes[0].content == shown
    assert not view.stop_button.isVisible() and view.run_button.isEnabled()


def test_parameters_are_remembered_and_raw_json_is_validated(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    workflow = add_workflow(ctx, qtbot, "demo-weather")
    view = ctx.window.run_view
    fill(view, [("city", "text", "北京"), ("days", "number", "abc")])
    click(qtbot, view.run_button)  # a bad number: said, nothing runs
    assert view.form.error_label.isVisible() and "days" in view.form.error_label.text()
    assert view.run_id is None
    view.form.rows()[1].value_edit.setText("3")
    qtbot.waitUntil(
        lambda: (
            (ctx.store.get_workflow(workflow.workflow_id, workflow.base_url) or workflow).params
            == [WorkflowParam("city", "text", "北京"), WorkflowParam("days", "number", "3")]
        ),
        timeout=WAIT_MS,
    )
    view.form.raw_check.setChecked(True)  # the rows become the JSON object
    assert '"days": 3' in view.form.raw_edit.toPlainText()
    view.form.raw_edit.setPlainText('{"city": "北京", "days": ')
    click(qtbot, view.run_button)
    assert "JSON" in view.form.error_label.text() and view.run_id is None
    view.form.raw_check.setChecked(False)  # invalid text is kept, not thrown away
    assert view.form.raw_mode and view.form.raw_edit.toPlainText() == '{"city": "北京", "days": '
    view.form.raw_edit.setPlainText("[1, 2]")
    click(qtbot, view.run_button)
    assert "object" in view.form.error_label.text() or "对象" in view.form.error_label.text()
    view.form.raw_edit.setPlainText('{"city": "广州", "days": 1}')
    qtbot.waitUntil(
        lambda: (
            (ctx.store.get_workflow(workflow.workflow_id, workflow.base_url) or workflow).raw_params
            == '{"city": "广州", "days": 1}'
        ),
        timeout=WAIT_MS,
    )
    make_app.close(ctx)
    again = make_app(demo_fast)
    show(again, qtbot)
    item = again.window.workflows.panel.workflow_item(workflow.workflow_id, workflow.base_url)
    assert item is not None
    click_item(again, qtbot, item)
    form = again.window.run_view.form
    assert form.raw_mode and form.raw_edit.toPlainText() == '{"city": "广州", "days": 1}'
    form.raw_check.setChecked(False)
    assert [r.param() for r in form.rows()] == [
        WorkflowParam("city", "text", "广州"),
        WorkflowParam("days", "number", "1"),
    ]


def click_item(ctx: AppContext, qtbot: QtBot, item: QTreeWidgetItem) -> None:
    tree = ctx.window.workflows.panel.tree
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_run_is_listed_and_reopened_after_a_restart(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    workflow = add_workflow(ctx, qtbot, "demo-weather")
    fill(ctx.window.run_view, [("city", "text", "杭州"), ("days", "number", "2")])
    run_and_wait(ctx, qtbot)
    run_id = ctx.window.run_view.run_id
    output = ctx.window.run_view.output_card.text
    make_app.close(ctx)

    again = make_app(demo_fast)
    show(again, qtbot)
    panel = again.window.workflows.panel
    top = panel.workflow_item(workflow.workflow_id, workflow.base_url)
    assert top is not None and top.childCount() == 1
    assert top.child(0).data(0, KEY_ROLE) == run_id
    top.setExpanded(True)
    click_item(again, qtbot, top.child(0))
    view = again.window.run_view
    assert again.window.pages.currentWidget() is view
    assert view.saved_run is not None and view.run_id == run_id
    assert [card.title_label.text() for card in view.nodes] == ["查询天气", "穿衣建议", "结束"]
    assert view.output_card.text == output
    assert not view.run_button.isVisible() and view.rerun_button.isVisible()
    assert view.form.rows()[0].name_edit.isReadOnly()
    click(qtbot, view.rerun_button)  # the run's parameters become a new run's form
    assert view.saved_run is None and view.run_button.isVisible()
    assert [r.param() for r in view.form.rows()] == [
        WorkflowParam("city", "text", "杭州"),
        WorkflowParam("days", "number", "2"),
    ]
    result = run_and_wait(again, qtbot)
    assert result.status is WorkflowStatus.COMPLETED  # type: ignore[attr-defined]
    assert panel.workflow_item(workflow.workflow_id, workflow.base_url).childCount() == 2  # type: ignore[union-attr]


def test_add_dialog_refuses_a_bot_id_with_an_app_id_and_is_in_the_bots_menu(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    ctx.window._fill_bots_menu()
    action = next(a for a in ctx.window.menus.bots_menu.actions() if "workflow" in a.text().lower())
    action.trigger()  # Bots → Add workflow by ID…
    dialog = ctx.window.workflows.add_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.workflow_id.setText("demo-weather")
    dialog.bot_id.setText("b1")
    dialog.app_id.setText("a1")
    click(qtbot, dialog.add_button)
    assert "not both" in dialog.status.text() and dialog.isVisible()  # said; nothing looked up or saved
    assert ctx.store.list_workflows() == []
    dialog.app_id.setText("")
    dialog.workflow_id.setText("no-such-workflow")
    with qtbot.waitSignal(dialog.lookup_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, dialog.add_button)
    assert blocker.args[0] is False and dialog.add_button.text() == "Add anyway"
    dialog.label.setText("My flow")
    click(qtbot, dialog.add_button)  # added without its name, under its label
    qtbot.waitUntil(lambda: ctx.window.workflows.add_dialog is None, timeout=WAIT_MS)
    [saved] = ctx.store.list_workflows()
    assert (saved.workflow_id, saved.label, saved.bot_id, saved.name) == ("no-such-workflow", "My flow", "b1", "")
    assert ctx.window.run_view.title_label.text() == "My flow"


def test_rename_and_remove_keep_the_runs_readable(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    workflow = add_workflow(ctx, qtbot, "demo-weather")
    section = ctx.window.workflows
    fill(ctx.window.run_view, [("city", "text", "成都"), ("days", "number", "1")])
    run_and_wait(ctx, qtbot)
    run_id = ctx.window.run_view.run_id
    assert run_id is not None
    section.rename(workflow, "  天气  ")
    item = section.panel.workflow_item(workflow.workflow_id, workflow.base_url)
    assert item is not None and item.text(0) == "天气"
    assert ctx.window.run_view.title_label.text() == "天气"
    section._on_panel_remove_requested(workflow)  # as its context menu's Remove… does, once confirmed
    assert ctx.store.get_workflow(workflow.workflow_id, workflow.base_url) is None
    assert section.panel.workflow_item(workflow.workflow_id, workflow.base_url) is None
    removed = section.panel.run_item(run_id)
    assert removed is not None and removed.parent() is not None  # under "Runs of removed workflows"
    assert "成都" in removed.text(0)
    assert section.open_run(run_id)
    assert ctx.window.pages.currentWidget() is ctx.window.run_view
    assert [card.title_label.text() for card in ctx.window.run_view.nodes] == ["查询天气", "穿衣建议", "结束"]


def test_the_sources_panel_steps_aside_for_the_run_view_and_comes_back(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    window = ctx.window
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.sources_panel.isVisible(), timeout=WAIT_MS)
    add_workflow(ctx, qtbot, "demo-weather")
    assert window.pages.currentWidget() is window.run_view
    # A run has no sources: the panel is hidden, not "collapsed" (no toggle offered for it).
    qtbot.waitUntil(lambda: not window.sources_panel.isVisible(), timeout=WAIT_MS)
    assert not window.panels.is_collapsed(window.sources_panel)
    assert not window.panels.show_sources_action.isVisible()
    window.new_chat()  # back to a chat: the panel the user wanted is back
    assert window.pages.currentWidget() is not window.run_view
    qtbot.waitUntil(lambda: window.sources_panel.isVisible(), timeout=WAIT_MS)


def test_each_workflow_lists_its_own_newest_runs_however_many_others_ran_since(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    base = demo_fast.url
    for wid in ("wf-a", "wf-b"):
        ctx.store.save_workflow(Workflow(workflow_id=wid, base_url=base, label=wid))
    ctx.store.start_run(WorkflowRun(id=None, workflow_id="wf-b", base_url=base, started_at=100.0))
    for i in range(95):  # many newer runs of another workflow
        ctx.store.start_run(WorkflowRun(id=None, workflow_id="wf-a", base_url=base, started_at=200.0 + i))
    ctx.store.start_run(WorkflowRun(id=None, workflow_id="wf-gone", base_url=base, started_at=50.0))
    section = ctx.window.workflows
    section.refresh()
    panel = section.panel
    b = panel.workflow_item("wf-b", base)
    a = panel.workflow_item("wf-a", base)
    assert b is not None and a is not None
    assert b.childCount() == 1  # B's one old run is still listed under B
    kinds = [a.child(i).data(0, KIND_ROLE) for i in range(a.childCount())]  # type: ignore[union-attr]
    assert kinds == ["run"] * RUNS_SHOWN + ["more"]
    note = a.child(RUNS_SHOWN)
    assert note is not None and str(95 - RUNS_SHOWN) in note.text(0)
    assert not note.flags() & Qt.ItemFlag.ItemIsSelectable
    removed = [item for item in panel._top_items() if item.data(0, KIND_ROLE) == "removed"]
    assert len(removed) == 1 and removed[0].childCount() == 1  # the run of a workflow not in the list


def test_a_run_that_cannot_start_says_why_in_the_form(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    view = ctx.window.run_view
    # A workflow saved with both ids (an import can bring one): refused before anything is sent.
    both = Workflow(workflow_id="demo-weather", base_url=demo_fast.url, bot_id="b1", app_id="a1")
    ctx.store.save_workflow(both)
    ctx.window.workflows.show_workflow(both)
    click(qtbot, view.run_button)
    assert view.form.error_label.text() == "Give this workflow a bot ID or an app ID, not both."
    assert ctx.store.list_runs() == []
    # A server with no saved token: the form says where to enter one.
    elsewhere = Workflow(workflow_id="demo-weather", base_url="https://api.coze.example")
    ctx.store.save_workflow(elsewhere)
    ctx.window.workflows.show_workflow(elsewhere)
    click(qtbot, view.run_button)
    assert view.form.error_label.text() == "Enter your access token in Settings first."
    assert ctx.store.list_runs() == []
