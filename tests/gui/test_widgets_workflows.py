"""The run view's pieces on their own: the parameter form, node cards, the question card, the output."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from coze_desktop.domain import Workflow, WorkflowParam, WorkflowRun, WorkflowRunPart, WorkflowStatus
from coze_desktop.ui.workflows.cards import NodeCard, OutputCard, QuestionCard
from coze_desktop.ui.workflows.params import ParamsForm, parse_raw, rows_from_json
from coze_desktop.ui.workflows.run_view import RunView
from coze_desktop.workers.workflows import NodeDelta


def test_rows_give_a_typed_parameters_object(qtbot: QtBot) -> None:
    form = ParamsForm()
    qtbot.addWidget(form)
    form.set_params(
        [
            WorkflowParam("city", "text", "南京"),
            WorkflowParam("days", "number", "3"),
            WorkflowParam("rain", "boolean", "false"),
            WorkflowParam("tags", "json", '["a", {"b": null}]'),
        ]
    )
    assert form.parameters() == {"city": "南京", "days": 3, "rain": False, "tags": ["a", {"b": None}]}
    form.rows()[1].value_edit.setText("three")
    assert form.validate() is None
    assert form.error_label.isVisibleTo(form) and "days" in form.error_label.text()


def test_removing_a_row_drops_its_parameter(qtbot: QtBot) -> None:
    form = ParamsForm()
    qtbot.addWidget(form)
    form.set_params([WorkflowParam("a", "text", "1"), WorkflowParam("b", "text", "2")])
    with qtbot.waitSignal(form.changed):
        qtbot.mouseClick(form.rows()[0].remove_button, Qt.MouseButton.LeftButton)
    assert form.parameters() == {"b": "2"}


def test_raw_mode_round_trips_and_keeps_invalid_text(qtbot: QtBot) -> None:
    form = ParamsForm()
    qtbot.addWidget(form)
    form.set_params([WorkflowParam("n", "number", "2.5"), WorkflowParam("ok", "boolean", "true")])
    form.raw_check.setChecked(True)
    assert parse_raw(form.raw_edit.toPlainText()) == {"n": 2.5, "ok": True}
    assert form.raw_text() == form.raw_edit.toPlainText()
    form.raw_edit.setPlainText('{"n": 1, "obj": {"x": [1]}}')
    form.raw_check.setChecked(False)
    assert [r.param() for r in form.rows()] == [
        WorkflowParam("n", "number", "1"),
        WorkflowParam("obj", "json", '{"x": [1]}'),
    ]
    form.raw_check.setChecked(True)
    form.raw_edit.setPlainText("{broken")
    form.raw_check.setChecked(False)
    assert form.raw_mode and form.raw_edit.toPlainText() == "{broken"
    assert "JSON" in form.error_label.text()


def test_rows_from_json_guess_each_type() -> None:
    assert rows_from_json({"s": "x", "n": 1, "b": True, "l": [1]}) == [
        WorkflowParam("s", "text", "x"),
        WorkflowParam("n", "number", "1"),
        WorkflowParam("b", "boolean", "true"),
        WorkflowParam("l", "json", "[1]"),
    ]


def test_node_card_says_running_then_finished_with_its_duration(qtbot: QtBot) -> None:
    card = NodeCard(0, "穿衣建议", "LLM")
    qtbot.addWidget(card)
    card.append("早晚偏凉，", False, None)
    assert "finished" not in card.status_label.text()
    card.append("带外套。", True, 1.25)
    assert card.text == "早晚偏凉，带外套。"
    assert "1.2 s" in card.status_label.text() or "1.3 s" in card.status_label.text()


def test_question_card_sends_the_answer_and_then_shows_it(qtbot: QtBot) -> None:
    card = QuestionCard("问城市", "你想去哪个城市？")
    qtbot.addWidget(card)
    card.answer_edit.setText("南京")
    with qtbot.waitSignal(card.answer_requested) as blocker:
        qtbot.mouseClick(card.resume_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["南京"]
    card.set_answered("南京")
    assert card.answer_edit.isHidden() and "南京" in card.answer_label.text()


def test_output_card_shows_json_as_a_tree_and_copies_the_text(qtbot: QtBot) -> None:
    card = OutputCard()
    qtbot.addWidget(card)
    text = '{"output": "**带伞**", "forecast": ["晴", "雨"], "meta": {"days": 2}}'
    card.set_output(text, {"output": "**带伞**", "forecast": ["晴", "雨"], "meta": {"days": 2}})
    tree = card.tree
    assert not tree.isHidden()
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == ["output", "forecast", "meta"]
    forecast = tree.topLevelItem(1)
    assert forecast.childCount() == 2 and forecast.child(1).text(1) == '"雨"'
    assert "带伞" in card.markdown_view.toPlainText() and "**" not in card.markdown_view.toPlainText()
    qtbot.mouseClick(card.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == text
    card.set_output("plain *text*", None)
    assert tree.isHidden() and card.markdown_view.toPlainText() == "plain text"


def test_a_saved_run_shows_read_only_with_its_parts(qtbot: QtBot) -> None:
    view = RunView()
    qtbot.addWidget(view)
    workflow = Workflow(workflow_id="demo-trip", base_url="http://x", label="Trip")
    run = WorkflowRun(
        id=7,
        uid="u",
        workflow_id="demo-trip",
        base_url="http://x",
        parameters={"who": "me"},
        status=WorkflowStatus.INTERRUPTED,
        execute_id="e",
        debug_url=None,
        usage=None,
        error=None,
        started_at=1.0,
        updated_at=2.0,
        duration=3.0,
        parts=[
            WorkflowRunPart(kind="node", node_title="开场", content="我来帮你", finished=True),
            WorkflowRunPart(kind="interrupt", node_title="问城市", content="哪个城市？", event_id="ev1"),
            WorkflowRunPart(kind="answer", content="南京"),
            WorkflowRunPart(kind="interrupt", node_title="问天数", content="几天？", event_id="ev2"),
        ],
    )
    view.show_run(workflow, run, live=[], running=False)
    assert view.title_label.text() == "Trip"
    assert [c.title_label.text() for c in view.nodes] == ["开场"]
    assert "南京" in view.questions[0].answer_label.text()
    assert view.questions[1].resume_button.isEnabled() and not view.questions[0].resume_button.isVisibleTo(view)
    assert view.rerun_button.isVisibleTo(view) and not view.run_button.isVisibleTo(view)
    with qtbot.waitSignal(view.resume_requested) as blocker:
        view.questions[1].answer_edit.setText("3")
        qtbot.mouseClick(view.questions[1].resume_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [7, "3"]
    view.resumed("3")
    view.add_node_delta(NodeDelta(1, "结束", "End", "{}", True, 0.1))
    assert [c.title_label.text() for c in view.nodes] == ["开场", "结束"]
