"""The conversation in the centre of the window: questions, answers, streaming, errors.

Where each part lives:

* :mod:`.view` — :class:`MessageView`, the column of messages: scrolling, paging, selection, and
  the streamed pieces handed on once per pass of the event loop;
* :mod:`.message` — one question or answer (``_MessageWidget``): header, body, reasoning,
  follow-ups, footer with its actions, editing a question;
* :mod:`.answer_body` — an answer's text: its segments rendered as Markdown, the throttled render
  while it streams, and the render queue shared by all views;
* :mod:`.text_view` — the read-only text view every part is shown in, and streamed-text inserts;
* :mod:`.cards` — the banner of a failed, stopped or interrupted reply and the bot's welcome card;
* :mod:`.versions` — the "‹ 2/3 ›" switcher and the editor that sends a question again;
* :mod:`.attachments` — a question's files (thumbnails, chips), opening them, the shared image caches;
* :mod:`.reply_images` — pictures in an answer: a placeholder at once, the picture when it is loaded.

The rest of the app uses only the names below; the underscore names are this package's own (their
class names are also their translation contexts, so they keep them).
"""

from coze_desktop.ui.messages.versions import QuestionEditor, VersionSwitcher
from coze_desktop.ui.messages.view import MessageView

__all__ = ["MessageView", "QuestionEditor", "VersionSwitcher"]
