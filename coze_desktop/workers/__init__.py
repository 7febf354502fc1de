"""Background work for the GUI. QtCore only: never QtWidgets.

* :mod:`~coze_desktop.workers.threads`: :class:`WorkerThreads`, the one owner of worker threads.
* :mod:`~coze_desktop.workers.chat`: :class:`ChatController` and its jobs (stream or poll a reply).
* :mod:`~coze_desktop.workers.tasks`: :class:`BackgroundTask`, the one helper for one-shot work off the GUI thread.
* :mod:`~coze_desktop.workers.accounts`: :class:`Accounts`, token and endpoint per base URL.
* :mod:`~coze_desktop.workers.collector`: :class:`GuiThreadCollector`, Python's cycle collector in the GUI thread only.
"""

from coze_desktop.workers.accounts import Account, Accounts, is_demo_url
from coze_desktop.workers.chat import ChatController, LiveReply, PollingJob, ReplyJob, StreamWorker
from coze_desktop.workers.tasks import BackgroundTask, TaskContext, TaskFailed
from coze_desktop.workers.threads import WorkerThreads

__all__ = [
    "Account",
    "Accounts",
    "BackgroundTask",
    "ChatController",
    "LiveReply",
    "PollingJob",
    "ReplyJob",
    "StreamWorker",
    "TaskContext",
    "TaskFailed",
    "WorkerThreads",
    "is_demo_url",
]
