"""What "Try the demo bot" saves: the demo bots that each show a feature, and the demo workflows
and chat-flow in the sidebar, named as the demo server's info endpoint names them
(``GET /v1/workflows/{id}``) and with parameter rows that run at once.

Setting up is idempotent: only what is missing is looked up and saved, so a user who tried the
demo before gets the new items, and nothing the user changed (a bot's local name, a workflow's
label or remembered parameters) is overwritten.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from coze_desktop.domain import Bot, Workflow, WorkflowParam
from coze_desktop.settings import DEMO_BASE_URL
from coze_desktop.store import Store
from coze_desktop.ui.dialogs import lookup_bot
from coze_desktop.ui.workflows.add_dialog import lookup_workflow
from coze_desktop.workers.accounts import Account

DEMO_BOT_IDS = ("demo-knowledge", "demo-reasoning", "demo-general", "demo-plugin", "demo-files")
"""The demo bots saved, the first being the one a new user chats with: knowledge base with
sources, reasoning, Markdown and pictures, a local plugin's tool call, attachments."""


@dataclass(frozen=True)
class DemoWorkflowSpec:
    """A demo workflow as saved in the sidebar (its name comes from the server)."""

    workflow_id: str
    kind: str = "workflow"
    app_id: str = ""
    params: tuple[WorkflowParam, ...] = ()


DEMO_WORKFLOWS = (
    DemoWorkflowSpec(
        "demo-weather", params=(WorkflowParam("city", "text", "南京"), WorkflowParam("days", "number", "3"))
    ),
    DemoWorkflowSpec("demo-trip"),  # asks its questions itself
    DemoWorkflowSpec(
        "demo-node-error",
        params=(
            WorkflowParam("text", "text", "Coze 工作流由节点组成，上一个节点的输出是下一个节点的输入。"),
        ),
    ),
    DemoWorkflowSpec(
        "demo-echo",
        params=(
            WorkflowParam("text", "text", "你好"),
            WorkflowParam("count", "number", "42"),
            WorkflowParam("flag", "boolean", "true"),
            WorkflowParam("tags", "json", '["天气", 1, null]'),
        ),
    ),
    DemoWorkflowSpec("demo-chatflow", kind="chatflow", app_id="demo-app"),
)


@dataclass
class DemoItems:
    """What the demo setup still has to add (ids), or what it looked up (profiles)."""

    bot_ids: list[str] = field(default_factory=list)
    workflows: list[DemoWorkflowSpec] = field(default_factory=list)
    bots: list[Bot] = field(default_factory=list)
    found: list[Workflow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bot_ids or self.workflows)


def missing_demo_items(store: Store) -> DemoItems:
    """The demo bots and workflows not saved yet (on the demo server's stable address)."""
    return DemoItems(
        bot_ids=[b for b in DEMO_BOT_IDS if store.get_bot(b, DEMO_BASE_URL) is None],
        workflows=[w for w in DEMO_WORKFLOWS if store.get_workflow(w.workflow_id, DEMO_BASE_URL) is None],
    )


def lookup_demo_items(account: Account, items: DemoItems) -> DemoItems:
    """Runs in a worker thread: the profiles of ``items``' bots and workflows."""
    bots = [lookup_bot(account, bot_id) for bot_id in items.bot_ids]
    found = []
    for spec in items.workflows:
        info = lookup_workflow(account, spec.workflow_id)
        found.append(
            Workflow(
                workflow_id=spec.workflow_id,
                base_url=account.base_url,
                kind=spec.kind,
                name=info.name,
                description=info.description,
                app_id=spec.app_id or info.app_id,
                params=list(spec.params),
                added_at=time.time(),
            )
        )
    return DemoItems(items.bot_ids, items.workflows, bots, found)


def save_demo_items(store: Store, items: DemoItems) -> None:
    """Save what was looked up, skipping what was saved meanwhile (never overwriting it)."""
    for bot in items.bots:
        if store.get_bot(bot.bot_id, bot.base_url) is None:
            store.upsert_bot(bot)
    for workflow in items.found:
        if store.get_workflow(workflow.workflow_id, workflow.base_url) is None:
            store.save_workflow(workflow)
