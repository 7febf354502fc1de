"""Background work for the GUI. QtCore only: never QtWidgets.

* :mod:`~coze_desktop.workers.threads`: :class:`WorkerThreads`, the one owner of worker threads.
* :mod:`~coze_desktop.workers.chat`: :class:`ChatController` and its jobs (stream or poll a reply).
* :mod:`~coze_desktop.workers.tasks`: :class:`BackgroundCall`, one blocking call off the GUI thread.
* :mod:`~coze_desktop.workers.accounts`: :class:`Accounts`, token and endpoint per base URL.
"""

from coze_desktop.workers.accounts import Account, Accounts, is_demo_url
from coze_desktop.workers.chat import ChatController, PollingJob, ReplyJob, StreamWorker
from coze_desktop.workers.tasks import BackgroundCall
from coze_desktop.workers.threads import WorkerThreads

__all__ = [
    "Account",
    "Accounts",
    "BackgroundCall",
    "ChatController",
    "PollingJob",
    "ReplyJob",
    "StreamWorker",
    "WorkerThreads",
    "is_demo_url",
]
