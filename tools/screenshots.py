"""Retake the screenshots in docs/screenshots from the real app, chatting with the demo server.

    python tools/screenshots.py                       # every picture, on a private Xvfb
    python tools/screenshots.py --only main-dark-zh   # some of them (names without .png)
    python tools/screenshots.py --current-display     # on $DISPLAY instead of a private Xvfb
    python tools/screenshots.py --fast                # answers at once (a quick look; durations 0.0 s)
    python tools/screenshots.py --size 800x600 --out /tmp/small   # a small window (names end -800x600)

Nothing is staged: each language × theme runs the real app (``create_app``) in its own process on
a temporary data folder with an in-memory keyring and a demo server paced like a model (so
durations look real; ~2 minutes in all), clicks "Try the demo bot" on the welcome
page, asks the embedded demo server's bots real questions through the main window (a follow-up
by clicking its button, reasoning expanded by clicking its toggle), waits for every answer to
finish, opens a conversation and grabs the window at 1280×800:

* ``first-run-{zh,en}``: the welcome page of a first start (light);
* ``main-{light,dark}-{zh,en}``: the after-sales knowledge bot — a cited answer, follow-up
  questions and the passages it used in the sources panel (one with a web link);
* ``markdown-{light,dark}-{zh,en}``: the general assistant — heading, list, table and a
  highlighted code block;
* ``reasoning-{light,dark}-{zh,en}``: the reasoning bot — one answer with its reasoning
  collapsed, the next with it expanded;
* ``versions-light-{zh,en}``: the knowledge bot's first answer regenerated in place (‹ 2/2 ›),
  with a click on its citation [2] marking that card in the sources panel;
* ``attachments-light-{zh,en}``: the files bot — a question with an image and a PDF kept in the
  history (a thumbnail and a chip), then a picture the bot's answer links to;
* ``tool-call-light-{zh,en}``: the local plugin bot (``demo-plugin``) — a reply waiting for the
  result of its local plugin: the card with the call's name, its arguments and the result being
  typed;
* ``workflow-run-light-{zh,en}``: the demo weather workflow "Try the demo bot" put in the sidebar,
  its city set and run: its three nodes and the output (Markdown and JSON tree);
* ``undo-light-{zh,en}`` and ``trash-{zh,en}``: a chat just deleted (the Undo notice), and the
  Recently deleted window that keeps it.

Every picture has six conversations in the list (Chinese and English titles, one pinned). A
private Xvfb (needs ``Xvfb`` on PATH) keeps pictures the same from one machine to the next:
the Fusion style, fonts from fontconfig (Noto Sans CJK SC for Chinese, as a Chinese Linux
desktop has it), 96 dpi. Without Xvfb or a display, Qt's offscreen platform is used. Only the
clock (message times, answer durations) changes between runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1280, 800
SPLITTER = (270, 680, 330)  # conversation list, chat, sources panel
LANGS = ("zh", "en")
THEMES = ("light", "dark")
SCENES = ("main", "markdown", "reasoning")
REPLY_TIMEOUT = 60.0  # seconds for one demo answer (a paced one takes 2–6 s, a --fast one well under 1)
SETTLE_SECONDS = 0.6  # events processed before a grab: layouts, throttled renders, repaints


@dataclass(frozen=True)
class Script:
    """What is asked in one language. The ``shown`` conversations are the ones pictured."""

    knowledge: str  # demo-knowledge, then its follow-up ``knowledge_follow_up`` (clicked)
    knowledge_follow_up: str
    general: str  # demo-general
    reasoning: tuple[str, str]  # demo-reasoning, two questions
    other_knowledge: str  # the other language's chats, one question each, for the list
    other_general: str
    other_reasoning: str
    # demo-files: a photo's and a PDF's names, the question, the picture question
    files: tuple[str, str, str, str]
    files_next: str  # the next question, written with a pasted screenshot waiting
    tool_call: tuple[str, str]  # demo-plugin: the question, the result typed in the card


SCRIPTS = {
    "zh": Script(
        knowledge="7 天无理由退货怎么申请？",
        knowledge_follow_up="保修期内维修需要什么材料？",
        general="用 Python 写一个问候函数",
        reasoning=("17 × 24 等于多少？", "为什么天空是蓝色的？"),
        other_knowledge="What does the warranty cover?",
        other_general="Show me a Markdown table",
        other_reasoning="Why is the sky blue?",
        files=("海边日落.png", "报销单.pdf", "帮我看看这两个文件", "给我看一张图片"),
        files_next="这张截图里的颜色和上一张一样吗？",
        tool_call=("南京今天天气怎么样？", "晴，26°C，东南风 2 级"),
    ),
    "en": Script(
        knowledge="How do I return an item within 7 days?",
        knowledge_follow_up="What do I need for a warranty repair?",
        general="Show me a Markdown table",
        reasoning=("What is 17 × 24?", "Why is the sky blue?"),
        other_knowledge="退货运费谁承担？",
        other_general="用 Python 写一个问候函数",
        other_reasoning="17 × 24 等于多少？",
        files=("sunset.png", "expenses.pdf", "Have a look at these two files", "Show me a picture"),
        files_next="Are the colours in this screenshot the same as before?",
        tool_call=("What's the weather in Paris today?", "Sunny, 21°C, light wind"),
    ),
}


def shot_names(lang: str, theme: str) -> list[str]:
    """The pictures one language × theme run takes."""
    names = [f"{scene}-{theme}-{lang}" for scene in SCENES]
    if theme == "light":
        names.insert(0, f"first-run-{lang}")
        names += [
            f"versions-{theme}-{lang}",
            f"attachments-{theme}-{lang}",
            f"tool-call-{theme}-{lang}",
            f"workflow-run-{theme}-{lang}",
            f"undo-{theme}-{lang}",
            f"trash-{lang}",
        ]
    return names


# ============================================================================ parent: the display


@contextmanager
def private_xvfb() -> Iterator[str]:
    """Start Xvfb on a free display number; yields ``:N``."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            "1440x900x24",
            "-nolisten",
            "tcp",
            "-dpi",
            "96",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise SystemExit("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def child_env(display: str | None, lang: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "WAYLAND_DISPLAY",
        "QT_QPA_PLATFORMTHEME",
        "QT_STYLE_OVERRIDE",
        "XDG_CURRENT_DESKTOP",
        "QT_SCALE_FACTOR",
        "QT_SCREEN_SCALE_FACTORS",
        "QT_FONT_DPI",
        "COZE_DESKTOP_DATA_DIR",
    ):
        env.pop(name, None)
    if display is None:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env["DISPLAY"] = display
        env["QT_QPA_PLATFORM"] = "xcb"
    # fontconfig picks the UI font for this language: Noto Sans CJK SC for Chinese, as a Chinese
    # Linux desktop has it. C.UTF-8 is the one UTF-8 locale every system has.
    env["LC_ALL"] = "C.UTF-8"
    env["FC_LANG"] = "zh-cn" if lang == "zh" else "en"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


def run_all(
    wanted: set[str] | None,
    out: Path,
    display_mode: str,
    *,
    fast: bool,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> int:
    out.mkdir(parents=True, exist_ok=True)
    runs = [
        (lang, theme)
        for lang in LANGS
        for theme in THEMES
        if wanted is None or wanted & set(shot_names(lang, theme))
    ]
    if not runs:
        print("nothing to take: unknown --only names", file=sys.stderr)
        return 2

    @contextmanager
    def display() -> Iterator[str | None]:
        if display_mode == "current":
            yield os.environ.get("DISPLAY")
        elif display_mode == "xvfb":
            with private_xvfb() as name:
                yield name
        else:
            yield None

    failed = 0
    with display() as name:
        for lang, theme in runs:
            names = (
                shot_names(lang, theme) if wanted is None else sorted(wanted & set(shot_names(lang, theme)))
            )
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                lang,
                theme,
                "--out",
                str(out),
                *(["--fast"] if fast else []),
                "--size",
                f"{size[0]}x{size[1]}",
                "--only",
                *names,
            ]
            result = subprocess.run(command, env=child_env(name, lang), cwd=ROOT, check=False)
            if result.returncode != 0:
                print(f"{lang}/{theme} failed ({result.returncode})", file=sys.stderr)
                failed += 1
    return 1 if failed else 0


# ============================================================================ child: the app


def take(
    lang: str, theme: str, names: list[str], out: Path, *, fast: bool, size: tuple[int, int] = (WIDTH, HEIGHT)
) -> None:
    """Run the app in ``lang`` and ``theme`` at ``size``, chat, and save the pictures ``names``.

    At another size than the default the files are named ``<name>-<W>x<H>.png`` and the splitter
    keeps the sizes the window gives it.
    """
    width, height = size
    suffix = "" if size == (WIDTH, HEIGHT) else f"-{width}x{height}"
    import keyring
    from keyring.backend import KeyringBackend
    from PySide6.QtCore import QEventLoop, QPoint, QUrl
    from PySide6.QtGui import QColor, QCursor, QImage, QLinearGradient, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QTextBrowser, QToolButton, QWidget

    from coze_desktop.app import AppContext, create_app
    from coze_desktop.domain import Message, MessageState
    from coze_desktop.logs import teardown_logging
    from coze_desktop.settings import DEMO_BASE_URL, SETTINGS_FILENAME, Settings

    class MemoryKeyring(KeyringBackend):
        """Keeps the (demo) token in memory: the user's keyring is never touched."""

        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    keyring.set_keyring(MemoryKeyring())
    script = SCRIPTS[lang]
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)

    def wait_for(condition: Callable[[], bool], what: str, timeout: float = REPLY_TIMEOUT) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {what}")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)

    with tempfile.TemporaryDirectory(prefix="coze-screenshots-") as tmp:
        data = Path(tmp)
        settings = Settings(data / SETTINGS_FILENAME)
        settings.language = "zh_CN" if lang == "zh" else "en"
        settings.theme = theme
        settings.sync()
        ctx: AppContext = create_app(
            [sys.argv[0]], data_dir=data, settings=settings, modal_messages=False, demo_fast=fast
        )
        window = ctx.window
        finished: list[Message] = []
        ctx.controller.reply_finished.connect(lambda _cid, message: finished.append(message))

        def grab(name: str, widget: QWidget | None = None) -> None:
            if name not in names:
                return
            shown = widget or window
            window.conversation_list.list_view.setFocus()  # no blinking caret in the picture
            QCursor.setPos(window.mapToGlobal(QPoint(width + 100, height + 50)))  # nothing hovered
            pump(SETTLE_SECONDS)
            pixmap = QPixmap()
            if QApplication.platformName() != "offscreen":
                pixmap = shown.screen().grabWindow(shown.winId())
            if pixmap.isNull():
                pixmap = shown.grab()
            path = out / f"{name}{suffix}.png"
            if not pixmap.save(str(path), "PNG", 0):  # 0: the smallest file (PNG is lossless)
                raise SystemExit(f"could not write {path}")
            print(
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                f"{pixmap.width()}×{pixmap.height()}",
                flush=True,
            )

        def ask(text: str) -> int:
            """Send ``text`` in the chat on screen like the composer does; wait for the answer."""
            count = len(finished)
            window.composer.set_text(text)
            window.composer.send_button.click()
            wait_for(lambda: len(finished) > count, f"the answer to {text!r}")
            answer = finished[-1]
            if answer.state is not MessageState.COMPLETE:
                raise SystemExit(f"the answer to {text!r} ended {answer.state.value}: {answer.error}")
            pump(0.2)
            assert window.current_conversation_id is not None
            return window.current_conversation_id

        def click_button(kind: type, text: str) -> None:
            buttons = [
                b for b in window.message_view.findChildren(kind) if b.isVisible() and b.text() == text
            ]
            if not buttons:
                raise SystemExit(f"no button {text!r} on screen")
            buttons[-1].click()

        def new_chat(bot_id: str) -> None:
            window.choose_bot(bot_id)
            pump(0.1)

        try:
            window.resize(width, height)
            window.move(0, 0)
            window.show()
            wait_for(
                lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), "the window"
            )
            if size == (WIDTH, HEIGHT):
                window.splitter.setSizes(list(SPLITTER))
            if window.size().width() != width or window.size().height() != height:
                window.resize(width, height)
            grab(f"first-run-{lang}")

            # "Try the demo bot" on the welcome page starts the demo server and opens a chat.
            window.welcome.demo_button.click()
            wait_for(
                lambda: (
                    window.pages.currentWidget() is not window.welcome and window.current_bot() is not None
                ),
                "the demo bots",
            )
            # The other language's chats first (further down the list), one of them pinned.
            new_chat("demo-reasoning")
            ask(script.other_reasoning)
            new_chat("demo-general")
            ask(script.other_general)
            new_chat("demo-knowledge")
            pinned = ask(script.other_knowledge)
            ctx.store.set_pinned(pinned, True)
            # The pictured chats, newest last.
            new_chat("demo-reasoning")
            reasoning = ask(script.reasoning[0])
            count = len(finished)
            ask(script.reasoning[1])
            assert len(finished) == count + 1
            new_chat("demo-general")
            general = ask(script.general)
            new_chat("demo-knowledge")
            knowledge = ask(script.knowledge)
            count = len(finished)
            click_button(QPushButton, script.knowledge_follow_up)  # a follow-up, as the user clicks it
            wait_for(lambda: len(finished) > count, "the follow-up answer")
            window.conversation_list.refresh()

            window.open_conversation(knowledge)
            grab(f"main-{theme}-{lang}")

            window.open_conversation(general)
            scroll = window.message_view.findChild(QScrollArea)
            if scroll is not None:  # the question and the heading at the top
                pump(0.2)
                scroll.verticalScrollBar().setValue(0)
            grab(f"markdown-{theme}-{lang}")

            window.open_conversation(reasoning)
            pump(0.2)
            show = app.translate("_MessageWidget", "Show reasoning")
            click_button(QToolButton, show)  # the latest answer's reasoning, expanded
            grab(f"reasoning-{theme}-{lang}")

            if f"versions-{theme}-{lang}" in names:
                window.open_conversation(knowledge)
                pump(0.2)
                first = next(m for m in ctx.store.messages(knowledge) if m.role.value == "assistant")
                assert first.id is not None
                regenerate = window.message_view.action_button(first.id, "regenerate")
                if regenerate is None:
                    raise SystemExit("no Regenerate button on the first answer")
                count = len(finished)
                regenerate.click()  # a new version of the first answer, in its place
                wait_for(lambda: len(finished) > count, "the regenerated answer")
                pump(0.3)
                cited = [
                    b
                    for b in window.message_view.findChildren(QTextBrowser)
                    if b.isVisible() and "cite:2" in b.toHtml()
                ]
                if not cited:
                    raise SystemExit("no citation [2] on screen")
                cited[-1].anchorClicked.emit(QUrl("cite:2"))  # as a click on the link does
                grab(f"versions-{theme}-{lang}")

            if f"attachments-{theme}-{lang}" in names:
                photo_name, pdf_name, question, picture = script.files
                photo = QImage(1600, 1000, QImage.Format.Format_RGB32)
                painter = QPainter(photo)
                sky = QLinearGradient(0, 0, 0, 1000)
                sky.setColorAt(0, QColor("#1e3a8a"))
                sky.setColorAt(0.55, QColor("#f97316"))
                sky.setColorAt(1, QColor("#0e7490"))
                painter.fillRect(photo.rect(), sky)
                painter.setBrush(QColor("#fde68a"))
                painter.setPen(QColor("#fde68a"))
                painter.drawEllipse(QPoint(800, 560), 140, 140)
                painter.fillRect(0, 620, 1600, 380, QColor("#155e75"))
                painter.end()
                photo_path, pdf_path = data / photo_name, data / pdf_name
                photo.save(str(photo_path))
                pdf_path.write_bytes(b"%PDF-1.4\n" + b"% expenses\n" * 4000)
                window.choose_bot("demo-files")  # "Try the demo bot" added it
                # As the paper clip (or a drop) does: the two files wait above the box, then go.
                window.composer.add_files([photo_path, pdf_path])
                cid = ask(question)
                described = finished[-1]
                if not described.text:
                    raise SystemExit("the files bot did not describe the files")
                ask(picture)
                shown = finished[-1]
                assert shown.id is not None
                view = window.message_view
                wait_for(
                    lambda: (
                        bool(view.answer_images(shown.id or 0))
                        and all(state == "loaded" for _url, state in view.answer_images(shown.id or 0))
                    ),
                    "the picture in the answer",
                )
                attached = [m for m in ctx.store.messages(cid) if m.attachments]
                assert attached and attached[0].id is not None
                pump(0.2)
                view.scroll_to_message(attached[0].id, flash=False)  # the thumbnails at the top
                # The next question being written, with a pasted screenshot waiting above the box.
                window.composer.add_image(photo.scaled(480, 300))
                window.composer.set_text(script.files_next)
                grab(f"attachments-{theme}-{lang}")
                # Files waiting in the box stay there across a switch of chats: not for the next scenes.
                window.composer.chips.clear()
                window.composer.set_text("")

            if f"tool-call-{theme}-{lang}" in names:
                question, typed = script.tool_call
                window.choose_bot("demo-plugin")  # "Try the demo bot" added it
                count = len(finished)
                window.composer.set_text(question)
                window.composer.send_button.click()
                wait_for(lambda: len(finished) > count, f"the answer to {question!r}")
                waiting = finished[-1]
                assert waiting.id is not None
                card = window.message_view.tool_call_card(waiting.id)
                if card is None or not card.calls:
                    raise SystemExit(f"the plugin bot's reply ended {waiting.state.value}, not waiting: {waiting.error}")
                box = card.result_edit(card.calls[0].call_id)
                assert box is not None
                box.setPlainText(typed)
                grab(f"tool-call-{theme}-{lang}")
            if f"workflow-run-{theme}-{lang}" in names:
                section = window.workflows
                weather = ctx.store.get_workflow("demo-weather", DEMO_BASE_URL)  # "Try the demo bot" added it
                assert weather is not None
                section.show_workflow(weather)  # as a click on it in the sidebar
                run_view = window.run_view
                city = next(row for row in run_view.form.rows() if row.name_edit.text() == "city")
                city.value_edit.setText("南京" if lang == "zh" else "Paris")  # its rows come filled in
                ended: list[object] = []
                ctx.workflows.run_finished.connect(lambda _run, result: ended.append(result))
                run_view.run_button.click()
                wait_for(lambda: bool(ended), "the workflow run")
                pump(0.3)
                run_view.scroll_area.verticalScrollBar().setValue(0)
                grab(f"workflow-run-{theme}-{lang}")

            if f"undo-{theme}-{lang}" in names:
                window.conversation_list.set_confirm(lambda _title, _text, _action: True)  # "Move to trash"
                window.conversation_list._delete(general)  # as Delete in the list does, once confirmed
                grab(f"undo-{theme}-{lang}")
                trash = window.open_trash()
                wait_for(lambda: trash.isVisible(), "the Recently deleted window")
                grab(f"trash-{lang}", trash)
                trash.close()
        finally:
            window.close()
            ctx.shutdown()
            teardown_logging()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="take only these pictures (names without .png)"
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--current-display", action="store_true", help="use $DISPLAY instead of a private Xvfb"
    )
    group.add_argument("--offscreen", action="store_true", help="use Qt's offscreen platform (no X server)")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="demo answers at once (quicker; the answers' durations show 0.0 s)",
    )
    parser.add_argument(
        "--size",
        default=f"{WIDTH}x{HEIGHT}",
        metavar="WxH",
        help=f"window size (default {WIDTH}x{HEIGHT}); other sizes add -WxH to the names",
    )
    parser.add_argument("--child", nargs=2, metavar=("LANG", "THEME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        width, height = (int(n) for n in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size: expected WxH like 800x600, not {args.size!r}")
    if args.child:
        lang, theme = args.child
        take(
            lang,
            theme,
            list(args.only or shot_names(lang, theme)),
            args.out,
            fast=args.fast,
            size=(width, height),
        )
        return 0
    if args.offscreen:
        mode = "offscreen"
    elif args.current_display:
        if not os.environ.get("DISPLAY"):
            parser.error("--current-display: DISPLAY is not set")
        mode = "current"
    else:
        mode = "xvfb" if shutil.which("Xvfb") else ("current" if os.environ.get("DISPLAY") else "offscreen")
    if mode != "xvfb":
        print(f"Xvfb not used: taking the pictures on the {mode} display", file=sys.stderr)
    return run_all(
        set(args.only) if args.only else None, args.out, mode, fast=args.fast, size=(width, height)
    )


if __name__ == "__main__":
    sys.exit(main())
