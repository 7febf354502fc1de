"""Images in a bot's answer: Markdown ``![alt](https://…)`` shown in the rendered text.

Qt's Markdown importer turns an image link into an image in the document, named by its URL. After
each render, :func:`show_images` gives every such image what to show: the picture when it is
loaded, else a placeholder (“Loading image…”, then the alt text when it cannot be loaded) while
the picture is fetched in the background (:mod:`.attachments`, ``workers/images.py``). The render
never waits: the text shows at once, and the picture replaces its placeholder when it arrives, in
every document still showing it; a loaded picture is a ``coze-image:`` link (click, or Tab and
Enter) that opens the image viewer. An answer whose content is an ``object_string`` (or a card holding
one; coze-api.md §2, §3) is shown as Markdown first (:func:`display_markdown`): its text parts as
text, its images as images (``file_url``), its files as links. Only http(s) URLs are fetched; any other image (``file:``,
``data:``, a relative path) shows its placeholder and is never read, so an answer cannot make the
app show a local file.
"""

from __future__ import annotations

import json
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRect, QSize, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
)

from coze_desktop.ui import theme
from coze_desktop.ui.markdown import is_web_url
from coze_desktop.ui.messages.attachments import LoadedImage, images

_PLACEHOLDER_HEIGHT = 44
_PLACEHOLDER_MIN_WIDTH = 160
_PLACEHOLDER_MAX_WIDTH = 360
IMAGE_STATE = QTextFormat.Property.UserProperty + 71  # "loading" | "loaded" | "failed", for tests
# A loaded picture, or a web picture that failed to load, is a link coze-image:<its URL,
# percent-encoded>: it opens the viewer, or tries loading again.
IMAGE_SCHEME = "coze-image"


def image_link(url: str) -> str:
    """The link a loaded picture of an answer carries: clicked (or Enter), it opens the viewer."""
    return IMAGE_SCHEME + ":" + bytes(QUrl.toPercentEncoding(url).data()).decode("ascii")


def image_link_url(link: QUrl) -> str | None:
    """The picture's URL a ``coze-image:`` link points at, or ``None`` for other links."""
    if link.scheme() != IMAGE_SCHEME:
        return None
    return QUrl.fromPercentEncoding(
        link.toString(QUrl.ComponentFormattingOption.FullyEncoded)[len(IMAGE_SCHEME) + 1 :].encode()
    )


def image_fragments(document: QTextDocument) -> list[tuple[int, QTextImageFormat]]:
    """Every image in ``document``: its position and format."""
    found: list[tuple[int, QTextImageFormat]] = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            it += 1
            char_format = fragment.charFormat()
            if char_format.isImageFormat():
                image_format = char_format.toImageFormat()
                found.extend((fragment.position() + i, image_format) for i in range(fragment.length()))
        block = block.next()
    return found


def image_state(image_format: QTextCharFormat) -> str:
    """What an image of an answer shows: ``loading``, ``loaded`` or ``failed``."""
    return str(image_format.property(IMAGE_STATE) or "")


def _alt_text(image_format: QTextImageFormat) -> str:
    return str(image_format.property(QTextFormat.Property.ImageAltText) or "").strip()


def _placeholder(text: str, palette: QPalette, *, failed: bool) -> QImage:
    """A framed box with ``text`` in it, drawn in the palette's colours."""
    font = QGuiApplication.font()
    metrics = QFontMetrics(font)
    label = ("⚠ " if failed else "") + text
    width = min(_PLACEHOLDER_MAX_WIDTH, max(_PLACEHOLDER_MIN_WIDTH, metrics.horizontalAdvance(label) + 24))
    image = QImage(QSize(width, _PLACEHOLDER_HEIGHT), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(theme.card_background(palette)))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(theme.border_color(palette), 1))
    painter.drawRoundedRect(QRect(0, 0, width - 1, _PLACEHOLDER_HEIGHT - 1), 6, 6)
    painter.setFont(font)
    painter.setPen(theme.muted_text(palette))
    box = QRect(12, 0, width - 24, _PLACEHOLDER_HEIGHT)
    elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, box.width())
    painter.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
    painter.end()
    return image


class _ReplyImages(QObject):
    """The documents showing a placeholder for an image on its way, updated when it arrives."""

    _shared: _ReplyImages | None = None

    @classmethod
    def shared(cls) -> _ReplyImages:
        if cls._shared is None or not shiboken6.isValid(cls._shared):
            cls._shared = cls(QCoreApplication.instance())
        return cls._shared

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self._waiting: dict[str, list[tuple[QTextDocument, QPalette]]] = {}
        loader = images().replies
        loader.loaded.connect(self._on_loader_loaded)
        loader.failed.connect(self._on_loader_failed)

    def show(self, document: QTextDocument, palette: QPalette, only: str | None = None) -> list[str]:
        """Give the images of ``document`` (those of URL ``only``, if given) what to show now."""
        loader = images().replies
        urls: list[str] = []
        for position, image_format in image_fragments(document):
            url = image_format.name()
            if only is not None and url != only:
                continue
            urls.append(url)
            alt = _alt_text(image_format)
            web = is_web_url(url)
            if web and loader.get(url) is None and loader.failure(url) is None:
                images().request_reply_image(url)  # (done at once when there are no worker threads)
            loaded = loader.get(url) if web else None
            changed = QTextImageFormat(image_format)
            if loaded is not None:
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), loaded.shown)
                size = loaded.shown_size()
                state = "loaded"
            else:
                failed = not web or loader.failure(url) is not None
                if failed:
                    text = alt or QCoreApplication.translate("ReplyImages", "Image not available")
                else:
                    text = QCoreApplication.translate("ReplyImages", "Loading image…")
                    self._wait(url, document, palette)
                placeholder = _placeholder(text, palette, failed=failed)
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), placeholder)
                size = placeholder.size()
                state = "failed" if failed else "loading"
            changed.setWidth(size.width())
            changed.setHeight(size.height())
            changed.setToolTip(alt or url)
            changed.setProperty(IMAGE_STATE, state)
            if (state == "loaded" or web) and not changed.isAnchor():  # a picture in a link keeps its link
                changed.setAnchor(True)
                changed.setAnchorHref(image_link(url))
            cursor = QTextCursor(document)
            cursor.setPosition(position)
            cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(changed)
        return urls

    def _wait(self, url: str, document: QTextDocument, palette: QPalette) -> None:
        waiting = [
            (d, p) for d, p in self._waiting.get(url, []) if shiboken6.isValid(d) and d is not document
        ]
        waiting.append((document, palette))
        self._waiting[url] = waiting

    def _update(self, url: str) -> None:
        for document, palette in self._waiting.pop(url, []):
            if shiboken6.isValid(document):
                self.show(document, palette, only=url)

    def _on_loader_loaded(self, url: str, _value: object) -> None:
        self._update(url)

    def _on_loader_failed(self, url: str, _reason: str) -> None:
        self._update(url)


def show_images(document: QTextDocument, palette: QPalette) -> list[str]:
    """Show the images of a freshly rendered answer (see the module docstring); returns their URLs."""
    return _ReplyImages.shared().show(document, palette)


def loaded_image(url: str) -> LoadedImage | None:
    """The picture of an answer's image if it is loaded."""
    return images().replies.get(url)


def failed_image(url: str) -> bool:
    """Did the picture at ``url`` fail to load?"""
    return images().replies.failure(url) is not None


def retry_image(url: str, documents: list[QTextDocument], palette: QPalette) -> None:
    """Load a picture that failed again, showing "Loading image…" in ``documents`` meanwhile."""
    images().replies.forget(url)
    for document in documents:
        _ReplyImages.shared().show(document, palette, only=url)


_PART_TYPES = {"text", "image", "file", "audio"}
_URL_KEYS = ("file_url", "url", "image_url")


def _part_list(value: object) -> list[dict[str, Any]] | None:
    """``value`` as object_string parts (a list of ``{type, text?, file_id?, file_url?}`` with at
    least one that is not text), searched one level into a card's object, else ``None``."""
    if isinstance(value, dict):
        for item in value.values():
            found = _part_list(item) if isinstance(item, list) else None
            if found is not None:
                return found
        return None
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(part, dict) and part.get("type") in _PART_TYPES for part in value):
        return None
    if all(part.get("type") == "text" for part in value):
        return None
    return value


def _markdown_label(text: str) -> str:
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def display_markdown(text: str, content_type: str = "text") -> str:
    """The Markdown to show for an answer: ``text`` itself, unless it is object_string content
    (``content_type`` says so, or the text is such a JSON array) or a card holding some; then its
    text parts, its images as Markdown images (a part without an http(s) ``file_url`` shows as a
    placeholder with its name) and its files as links or names."""
    stripped = text.strip()
    if content_type not in ("object_string", "card") and not (
        stripped.startswith("[") and stripped.endswith("]")
    ):
        return text
    try:
        parts = _part_list(json.loads(stripped))
    except ValueError:
        return text
    if parts is None:
        return text
    out: list[str] = []
    for part in parts:
        kind = part.get("type")
        if kind == "text":
            out.append(str(part.get("text") or ""))
            continue
        url = next((str(part[key]) for key in _URL_KEYS if isinstance(part.get(key), str) and part[key]), "")
        name = _markdown_label(str(part.get("name") or part.get("file_name") or ""))
        if kind == "image":
            label = name or QCoreApplication.translate("ReplyImages", "Image")
            target = url if is_web_url(url) else "coze-file:" + str(part.get("file_id") or "")
            out.append(f"![{label}](<{target}>)")
        else:
            label = name or (
                QCoreApplication.translate("ReplyImages", "Audio")
                if kind == "audio"
                else QCoreApplication.translate("ReplyImages", "File")
            )
            out.append(f"[{label}](<{url}>)" if is_web_url(url) else label)
    return "\n\n".join(out)
