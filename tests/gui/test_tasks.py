"""The one helper for one-shot background work: outcome in the GUI thread, failure text, progress, cancel."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from coze_desktop.api import CozeClient
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Bot
from coze_desktop.workers.tasks import BackgroundTask, TaskContext, TaskFailed
from coze_desktop.workers.threads import WorkerThreads

from .conftest import WAIT_MS, AppFactory


@pytest.fixture
def threads(qtbot: QtBot) -> Iterator[WorkerThreads]:
    """The thread registry; every thread must have ended and been cleaned up after the test
    (a ``QThread`` deleted while it runs aborts the process)."""
    registry = WorkerThreads()
    yield registry
    registry.shutdown(2.0)
    qtbot.waitUntil(lambda: registry.active_count() == 0, timeout=WAIT_MS)


class Receiver(QObject):
    """Records what a task delivers and in which thread."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []
        self.failures: list[tuple[str, BaseException]] = []
        self.progress: list[object] = []
        self.canceled = 0
        self.threads: list[bool] = []

    def _note_thread(self) -> None:
        self.threads.append(QThread.currentThread() is self.thread())

    def on_success(self, result: object) -> None:
        self._note_thread()
        self.results.append(result)

    def on_failure(self, text: str, exc: BaseException) -> None:
        self._note_thread()
        self.failures.append((text, exc))

    def on_progress(self, value: object) -> None:
        self._note_thread()
        self.progress.append(value)

    def on_cancel(self) -> None:
        self._note_thread()
        self.canceled += 1


def _watch(task: BackgroundTask[object], receiver: Receiver) -> BackgroundTask[object]:
    return (
        task.on_success(receiver.on_success)
        .on_failure(receiver.on_failure)
        .on_progress(receiver.on_progress)
        .on_cancel(receiver.on_cancel)
    )


def test_a_task_delivers_its_result_in_the_gui_thread(
    qtbot: QtBot, threads: WorkerThreads, demo_fast: DemoServer
) -> None:
    receiver = Receiver()
    worker_thread: list[bool] = []

    def op(_ctx: TaskContext) -> Bot:
        worker_thread.append(threading.current_thread() is not threading.main_thread())
        with CozeClient(DEMO_TOKEN, demo_fast.url) as client:
            return client.get_bot("demo-knowledge")

    task = _watch(BackgroundTask(threads, op, name="get-bot"), receiver)
    with qtbot.waitSignal(threads.all_finished, timeout=WAIT_MS):
        task.start()
    assert worker_thread == [True]
    assert len(receiver.results) == 1 and isinstance(receiver.results[0], Bot)
    assert receiver.results[0].prologue
    assert receiver.threads == [True] and not receiver.failures and not receiver.canceled
    assert not task.running and threads.active_count() == 0


def test_a_lambda_callback_also_runs_in_the_gui_thread(qtbot: QtBot, threads: WorkerThreads) -> None:
    seen: list[bool] = []
    task = BackgroundTask(threads, lambda _ctx: 42, name="answer")
    task.on_success(lambda _result: seen.append(threading.current_thread() is threading.main_thread()))
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        task.start()
    assert seen == [True]


@pytest.mark.parametrize(("lang", "words"), [("en", "token"), ("zh", "令牌")])
def test_a_failure_arrives_as_readable_text(
    qtbot: QtBot, threads: WorkerThreads, demo_fast: DemoServer, lang: str, words: str
) -> None:
    receiver = Receiver()

    def op(_ctx: TaskContext) -> Bot:
        with CozeClient("pat_wrong-token-0123456789", demo_fast.url) as client:
            return client.get_bot("demo-general")

    task = _watch(BackgroundTask(threads, op, name="bad-token", lang=lambda: lang), receiver)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        task.start()
    assert not receiver.results and len(receiver.failures) == 1
    text, exc = receiver.failures[0]
    assert text == exc.user_message(lang)  # type: ignore[attr-defined]  # a CozeError
    assert words in text.lower() and "pat_wrong" not in text
    assert receiver.threads == [True]


def test_an_unexpected_error_gets_a_generic_text(qtbot: QtBot, threads: WorkerThreads) -> None:
    receiver = Receiver()

    def op(_ctx: TaskContext) -> None:
        raise ZeroDivisionError("a bug")

    task = _watch(BackgroundTask(threads, op, name="bug"), receiver)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        task.start()
    assert [t for t, _ in receiver.failures] == [
        "Unexpected error (ZeroDivisionError). See the log for details."
    ]


def test_progress_is_reported_in_the_gui_thread_before_the_result(
    qtbot: QtBot, threads: WorkerThreads
) -> None:
    receiver = Receiver()

    def op(ctx: TaskContext) -> str:
        for step in range(3):
            ctx.progress(step)
        return "done"

    task = _watch(BackgroundTask(threads, op, name="steps"), receiver)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        task.start()
    assert receiver.progress == [0, 1, 2] and receiver.results == ["done"]
    assert receiver.threads == [True] * 4


def test_cancel_stops_the_work_and_drops_its_outcome(qtbot: QtBot, threads: WorkerThreads) -> None:
    receiver = Receiver()
    started = threading.Event()

    def op(ctx: TaskContext) -> str:
        started.set()
        if not ctx.cancel_requested.wait(WAIT_MS / 1000):
            return "not canceled"
        ctx.progress("after cancel")  # dropped
        return "canceled, but returned anyway"

    task = _watch(BackgroundTask(threads, op, name="cancel-me"), receiver)
    task.start()
    assert started.wait(WAIT_MS / 1000)
    assert task.running
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        task.cancel()
    assert receiver.canceled == 1 and not receiver.results and not receiver.failures
    assert not receiver.progress and receiver.threads == [True]
    qtbot.waitUntil(lambda: threads.active_count() == 0, timeout=WAIT_MS)


def test_shutdown_cancels_a_running_task(qtbot: QtBot, threads: WorkerThreads) -> None:
    receiver = Receiver()
    task = _watch(
        BackgroundTask(threads, lambda ctx: ctx.cancel_requested.wait(WAIT_MS / 1000), name="long"), receiver
    )
    task.start()
    assert threads.shutdown(2.0)
    qtbot.waitUntil(lambda: receiver.canceled == 1, timeout=WAIT_MS)
    assert not receiver.results


def test_a_task_can_be_awaited_on_the_qasync_loop(
    qtbot: QtBot, threads: WorkerThreads, aio_loop: asyncio.AbstractEventLoop, demo_fast: DemoServer
) -> None:
    outcome: list[object] = []

    async def flow() -> None:
        def get_bot(_ctx: TaskContext) -> Bot:
            with CozeClient(DEMO_TOKEN, demo_fast.url) as client:
                return client.get_bot("demo-general")

        bot = await BackgroundTask(threads, get_bot, name="await-bot").start().result()
        outcome.append(bot)
        try:
            await BackgroundTask(threads, lambda _ctx: 1 / 0, name="await-bug").start().result()
        except TaskFailed as failed:
            outcome.append(failed.text)

    aio_loop.create_task(flow())
    qtbot.waitUntil(lambda: len(outcome) == 2, timeout=WAIT_MS)
    assert isinstance(outcome[0], Bot) and outcome[0].bot_id == "demo-general"
    assert outcome[1] == "Unexpected error (ZeroDivisionError). See the log for details."
    qtbot.waitUntil(lambda: threads.active_count() == 0, timeout=WAIT_MS)


def test_closing_the_window_cancels_a_bot_lookup(make_app: AppFactory, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=())
    window = ctx.window
    window.fetch_bots(demo_fast.url, ["demo-general"])  # its outcome cannot arrive before close()
    posted: list[tuple[str, str]] = []
    window.messages.posted.connect(lambda level, text: posted.append((level, text)))
    make_app.close(ctx)  # cancels the lookup; waits for every thread to end
    assert ctx.threads.active_count() == 0
    assert not [p for p in posted if p[0] == "error"]


class Owner(QObject):
    """Keeps its task, whose work is one of its own methods: the usual shape, and a cycle
    (owner → task → worker → op → owner) unless the task lets go of its work when it is over."""

    def __init__(self, threads: WorkerThreads) -> None:
        super().__init__()
        self.task: BackgroundTask[int] = BackgroundTask(threads, self.work, name="owned")

    def work(self, ctx: TaskContext) -> int:
        return 7


def test_a_finished_task_is_freed_in_the_gui_thread_without_the_cycle_collector(
    qtbot: QtBot, threads: WorkerThreads
) -> None:
    """Python's cycle collector may run in any thread, and a QObject it frees in a worker thread
    can crash the GUI: so nothing a task holds may depend on it. With the collector off, the owner,
    its task and the worker are all freed by reference counting, in the GUI thread."""
    gc.collect()
    gc.disable()
    try:
        owner = Owner(threads)
        freed = threading.Event()
        owner.destroyed.connect(freed.set)  # direct: set where the owner is freed
        task_freed = []
        owner.task.destroyed.connect(lambda: task_freed.append(QThread.currentThread() is owner_thread))
        owner_thread = owner.thread()
        with qtbot.waitSignal(owner.task.finished, timeout=WAIT_MS):
            owner.task.start()
        qtbot.waitUntil(lambda: threads.active_count() == 0, timeout=WAIT_MS)
        del owner
        qtbot.waitUntil(freed.is_set, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: task_freed == [True], timeout=WAIT_MS)
    finally:
        gc.enable()


def test_image_loads_leave_no_task_behind(qtbot: QtBot, threads: WorkerThreads) -> None:
    """The shared image loader lives as long as the app: the tasks it ran must not (they were
    once parented to it and named in their own callbacks, so every picture kept one forever)."""
    from coze_desktop.workers.images import ImageLoader

    loader: ImageLoader[int] = ImageLoader(threads)
    gc.collect()
    gc.disable()
    try:
        before = {id(o) for o in gc.get_objects() if isinstance(o, BackgroundTask)}
        for n in range(3):
            with qtbot.waitSignal(loader.loaded, timeout=WAIT_MS):
                loader.request(f"picture-{n}", lambda ctx, n=n: n)
        qtbot.waitUntil(lambda: threads.active_count() == 0, timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: not [o for o in gc.get_objects() if isinstance(o, BackgroundTask) and id(o) not in before],
            timeout=WAIT_MS,
        )
        assert [loader.get(f"picture-{n}") for n in range(3)] == [0, 1, 2]
    finally:
        gc.enable()
