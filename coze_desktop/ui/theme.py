"""Colours and metrics derived from the current QPalette, so light and dark themes both look right.

Nothing here hardcodes a light-only colour: every tint is a blend of palette roles (or of a
palette role with a fixed hue at a low ratio, for the error banner), computed when it is
needed, so a palette change at runtime is picked up at the next paint or render.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

CONTENT_MAX_WIDTH = 860  # px: the message column stops growing here, for readable lines
LIGHT_CODE_STYLE = "friendly"  # Pygments styles used for code blocks
DARK_CODE_STYLE = "one-dark"
_ERROR_HUE = QColor(220, 53, 69)
_WARNING_HUE = QColor(230, 150, 20)


def is_dark(palette: QPalette) -> bool:
    """Whether the palette draws light text on a dark background."""
    return (
        palette.color(QPalette.ColorRole.Base).lightnessF()
        < palette.color(QPalette.ColorRole.Text).lightnessF()
    )


def mix(base: QColor, other: QColor, ratio: float) -> QColor:
    """``base`` moved ``ratio`` (0..1) of the way towards ``other``, channel by channel."""
    ratio = min(max(ratio, 0.0), 1.0)
    return QColor.fromRgbF(
        base.redF() + (other.redF() - base.redF()) * ratio,
        base.greenF() + (other.greenF() - base.greenF()) * ratio,
        base.blueF() + (other.blueF() - base.blueF()) * ratio,
        1.0,
    )


def _role(palette: QPalette, role: QPalette.ColorRole) -> QColor:
    return palette.color(QPalette.ColorGroup.Active, role)


def question_background(palette: QPalette) -> QColor:
    """The tint of a user's question bubble: the highlight colour, faint over the base."""
    ratio = 0.28 if is_dark(palette) else 0.14
    return mix(_role(palette, QPalette.ColorRole.Base), _role(palette, QPalette.ColorRole.Highlight), ratio)


def card_background(palette: QPalette) -> QColor:
    """A panel slightly set off from the base (source cards, the bot's welcome card)."""
    return mix(_role(palette, QPalette.ColorRole.Base), _role(palette, QPalette.ColorRole.Text), 0.05)


def code_background(palette: QPalette) -> QColor:
    """Background of fenced code blocks."""
    ratio = 0.10 if is_dark(palette) else 0.06
    return mix(_role(palette, QPalette.ColorRole.Base), _role(palette, QPalette.ColorRole.Text), ratio)


def border_color(palette: QPalette) -> QColor:
    """Hairlines: table grid, card outlines."""
    return mix(_role(palette, QPalette.ColorRole.Base), _role(palette, QPalette.ColorRole.Text), 0.18)


def muted_text(palette: QPalette) -> QColor:
    """Secondary text (times, counts, captions), readable on the base colour."""
    return mix(_role(palette, QPalette.ColorRole.Text), _role(palette, QPalette.ColorRole.Base), 0.40)


def accent(palette: QPalette) -> QColor:
    """The accent colour (selection marks, score bars, highlights)."""
    return _role(palette, QPalette.ColorRole.Highlight)


def link_color(palette: QPalette) -> QColor:
    """Links; the palette's link colour, lightened when it is too dark for a dark theme."""
    color = _role(palette, QPalette.ColorRole.Link)
    if is_dark(palette) and color.lightnessF() < 0.55:
        color = mix(color, QColor(255, 255, 255), 0.45)
    return color


def error_background(palette: QPalette) -> QColor:
    """Background of an error banner: a red tint over the base."""
    return mix(_role(palette, QPalette.ColorRole.Base), _ERROR_HUE, 0.22 if is_dark(palette) else 0.10)


def warning_background(palette: QPalette) -> QColor:
    """Background of a "stopped"/"interrupted" banner: an amber tint over the base."""
    return mix(_role(palette, QPalette.ColorRole.Base), _WARNING_HUE, 0.20 if is_dark(palette) else 0.10)


def search_highlight(palette: QPalette) -> QColor:
    """The flash behind a message that a search hit jumped to."""
    return mix(_role(palette, QPalette.ColorRole.Base), _WARNING_HUE, 0.35 if is_dark(palette) else 0.30)


def code_style_name(palette: QPalette) -> str:
    """The Pygments style that reads well on :func:`code_background` of this palette."""
    return DARK_CODE_STYLE if is_dark(palette) else LIGHT_CODE_STYLE
