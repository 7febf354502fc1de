"""Workflow runs are found and exported from the window like chats (#12), over the demo server.

Run demo-weather in the app; a word of its output searched in the chat list is listed as a
workflow run, and clicking it opens the run view on the run with the matching piece in view,
marked. File → Export all writes the run in JSON, Markdown and HTML as ``coze-cli export --all``
does; "Export run…" (run view, sidebar) writes the run alone; importing the file into a fresh app
restores the run and lists it in the sidebar under its workflow.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from coze_desktop import cli
from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Conversation, Message, Role, WorkflowRun, WorkflowRunPart, WorkflowStatus
from coze_desktop.ui.conversation_list import RunIdRole, TitleRole
from coze_desktop.ui.workflows.cards import NodeCard, OutputCard
from coze_desktop.ui.workflows.reveal import Glow
from coze_desktop.ui.workflows.sidebar import KEY_ROLE, KIND_ROLE

from .conftest import WAIT_MS, AppFactory, show
from .test_workflow_runs import add_workflow, fill, run_and_wait
from .transfers import export, import_


def weather_run(ctx: AppContext, qtbot: QtBot, city: str = "南京") -> int:
    """Add demo-weather, run it for ``city`` over two days; the saved run's id."""
    add_workflow(ctx, qtbot, "demo-weather")
    fill(ctx.window.run_view, [("city", "text", city), ("days", "number", "2")])
    result = run_and_wait(ctx, qtbot)
    assert result.status is WorkflowStatus.COMPLETED  # type: ignore[attr-defined]
    run_id = ctx.window.run_view.run_id
    assert run_id is not None
    return run_id


def search(ctx: AppContext, qtbot: QtBot, query: str) -> list[QModelIndex]:
    """Type ``query`` in the search box; the rows listed once the hits are shown."""
    chats = ctx.window.conversation_list
    chats.search_box.clear()
    with qtbot.waitSignal(chats.results_model.modelReset, timeout=WAIT_MS):  # after the debounce
        chats.search_box.setText(query)
    assert chats._pages.currentWidget() is chats.results_view
    model = chats.results_model
    return [model.index(row) for row in range(model.rowCount())]


def click_row(qtbot: QtBot, ctx: AppContext, index: QModelIndex) -> None:
    view = ctx.window.conversation_list.results_view
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def marked(widget: QWidget) -> list[str]:
    """The texts marked as matches in a revealed node or output card."""
    edit = widget.text_view if isinstance(widget, NodeCard) else widget.markdown_view  # type: ignore[attr-defined]
    return [s.cursor.selectedText() for s in edit.extraSelections()]


def test_a_run_is_found_by_search_and_the_hit_opens_it_on_the_match(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    run_id = weather_run(ctx, qtbot)
    chat = ctx.store.create_conversation(Conversation(id=None, bot_id="demo-echo", title="出门"))
    ctx.store.add_message(
        Message(id=None, conversation_id=chat.id, role=Role.USER, type="question", text="要不要带外套？")
    )
    ctx.window.new_chat()  # the chat page in the middle: the hit has to bring the run view back
    assert ctx.window.pages.currentWidget() is not ctx.window.run_view

    rows = search(ctx, qtbot, "外套")
    assert [row.data(RunIdRole) for row in rows] == [run_id, None]  # the run, then the chat
    run_row = rows[0]
    assert run_row.data(TitleRole).startswith("Workflow run: 天气查询 / Weather")
    hit = ctx.window.conversation_list.results_model.hit(0)
    assert "«外套»" in hit.snippet and hit.run_match in ("node", "output")
    assert "Workflow run · " in run_row.data(Qt.ItemDataRole.AccessibleTextRole)

    click_row(qtbot, ctx, run_row)
    view = ctx.window.run_view
    qtbot.waitUntil(lambda: ctx.window.pages.currentWidget() is view and view.revealed is not None)
    assert view.run_id == run_id and view.saved_run is not None
    expected = view.part_widgets[hit.run_part] if hit.run_part is not None else view.output_card
    assert view.revealed is expected and isinstance(expected, NodeCard | OutputCard)
    assert marked(expected) and all(text == "外套" for text in marked(expected))
    assert expected.findChild(Glow) is not None  # it glows for a moment
    panel = ctx.window.workflows.panel
    assert panel.selected_key() == ("run", run_id)  # the sidebar shows which run is open

    # The chat hit still opens its chat.
    click_row(qtbot, ctx, search(ctx, qtbot, "外套")[1])
    qtbot.waitUntil(lambda: ctx.window.pages.currentWidget() is not view)
    assert ctx.window.current_conversation_id == chat.id


def test_a_hit_deep_in_a_long_run_is_scrolled_into_view(
    make_app: AppFactory, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    ctx = make_app(demo_fast)
    ctx.window.resize(900, 600)
    show(ctx, qtbot)
    run = ctx.store.start_run(WorkflowRun(id=None, workflow_id="wf-long", parameters={"q": "长"}))
    assert run.id is not None
    for n in range(40):
        text = "\n".join(f"第{n}个节点的第{line}行" for line in range(6))
        if n == 33:
            text += "\n这里有一只独角兽"
        ctx.store.add_run_part(run.id, WorkflowRunPart("node", node_title=f"节点{n}", content=text, finished=True))
    ctx.store.add_run_part(run.id, WorkflowRunPart("interrupt", node_title="问答", content="要不要继续？"))
    ctx.store.add_run_part(run.id, WorkflowRunPart("answer", content="继续吧朋友"))
    ctx.window.workflows.refresh()

    (hit_row,) = search(ctx, qtbot, "独角兽")
    click_row(qtbot, ctx, hit_row)
    view = ctx.window.run_view
    qtbot.waitUntil(lambda: view.revealed is not None)
    card = view.revealed
    assert isinstance(card, NodeCard) and card.title_label.text() == "节点33"
    assert marked(card) == ["独角兽"]
    # Laid out and scrolled: the card is on screen, the top of the run is not.
    qtbot.waitUntil(lambda: not card.visibleRegion().isEmpty() and view.scroll_area.verticalScrollBar().value() > 0)
    assert view.nodes[0].visibleRegion().isEmpty()

    (answer_row,) = search(ctx, qtbot, "继续吧朋友")
    assert "your answer" in answer_row.data(Qt.ItemDataRole.AccessibleTextRole)
    click_row(qtbot, ctx, answer_row)
    qtbot.waitUntil(lambda: view.revealed is view.questions[-1])  # the question it answered
    qtbot.waitUntil(lambda: not view.questions[-1].visibleRegion().isEmpty())
    (params_row,) = search(ctx, qtbot, "长")
    click_row(qtbot, ctx, params_row)
    qtbot.waitUntil(lambda: view.revealed is view.form)


def test_runs_are_exported_like_chats_and_imported_into_a_fresh_app(
    make_app: AppFactory,
    demo_fast: DemoServer,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aio_loop: asyncio.AbstractEventLoop,
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    run_id = weather_run(ctx, qtbot, "杭州")
    run = ctx.store.get_run(run_id)
    assert run is not None

    # File → Export all: the same document as coze-cli export --all, runs included.
    for fmt in ("json", "md", "html"):
        export(ctx, qtbot, tmp_path / f"all.{fmt}", None)
    document = json.loads((tmp_path / "all.json").read_text("utf-8"))
    (record,) = document["workflow_runs"]
    assert record["uid"] == run.uid and record["workflow_label"] == "天气查询 / Weather"
    assert [p["node_title"] for p in record["parts"] if p["kind"] == "node"] == ["查询天气", "穿衣建议", "结束"]
    args = cli.build_parser().parse_args(
        ["export", "--all", "--format", "json", "-o", str(tmp_path / "cli.json"), "--data-dir", str(make_app.data_dir)]
    )
    assert cli.cmd_export(args, io.StringIO(), io.StringIO()) == cli.EXIT_OK
    assert json.loads((tmp_path / "cli.json").read_text("utf-8"))["workflow_runs"] == document["workflow_runs"]
    for fmt in ("md", "html"):
        text = (tmp_path / f"all.{fmt}").read_text("utf-8")
        assert "穿衣建议" in text and "外套" in text and "杭州" in text, fmt

    # "Export run…" in the run view, and on the run in the sidebar: the run alone.
    view = ctx.window.run_view
    assert view.export_button.isVisible()
    one = tmp_path / "one.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(one), ""))
    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    alone = json.loads(one.read_text("utf-8"))
    assert alone["conversations"] == [] and [r["uid"] for r in alone["workflow_runs"]] == [run.uid]
    page = tmp_path / "one.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(page), ""))
    item = ctx.window.workflows.panel.run_item(run_id)
    assert item is not None and item.data(0, KIND_ROLE) == "run"
    menu = ctx.window.workflows.panel.run_menu(run_id)
    (action,) = menu.actions()
    assert action.text() == "Export run…"
    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        action.trigger()
    assert "穿衣建议" in page.read_text("utf-8")

    # File → Import into a fresh app: the run comes back, listed under its workflow.
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    factory = AppFactory(qtbot, fresh_dir, aio_loop)
    fresh = factory(demo_fast)
    try:
        show(fresh, qtbot)
        assert fresh.store.list_runs() == []
        import_(fresh, qtbot, tmp_path / "all.json")
        assert "1 workflow run(s)" in (fresh.window.last_import_report or "")
        (restored,) = fresh.store.list_runs()
        assert restored.uid == run.uid and restored.status is WorkflowStatus.COMPLETED
        panel = fresh.window.workflows.panel
        top = panel.workflow_item("demo-weather", run.base_url)
        assert top is not None and top.data(0, KIND_ROLE) == "workflow"
        assert top.text(0).startswith("天气查询 / Weather")
        assert [top.child(i).data(0, KEY_ROLE) for i in range(top.childCount())] == [restored.id]
        # and it is found by search there too
        (row,) = search(fresh, qtbot, "外套")
        assert row.data(RunIdRole) == restored.id
        import_(fresh, qtbot, tmp_path / "all.json")  # again: nothing new
        assert "and 0 workflow run(s)" in (fresh.window.last_import_report or "")
        assert len(fresh.store.list_runs()) == 1
    finally:
        factory.close(fresh)
