"""The LINE rich-menu image of a UI language, drawn offline with Pillow and the Noto CJK
fonts (Debian fonts-noto-cjk, which scripts/install.sh installs for the handout PDFs).

One tile per area of shared/domain/navigation.py's layout, in the same place: a colour,
a drawn icon, the destination's name and one line under it. PNG, exactly the menu's
size, far under LINE's 1 MB (about 60-90 KB). Operator tooling: the functions never
import it.

    python -m infra.menu_image --out DIR     # writes rich-menu-<language>.png to look at
"""

from __future__ import annotations

import argparse
import io
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFont

from shared.domain.navigation import (
    RICH_MENU_MAX_IMAGE_BYTES,
    Area,
    RichMenuLayout,
    rich_menu_layouts,
)

FONT_ENV: Final = "MEDBOT_CJK_FONT_DIR"  # where to look first for NotoSansCJK-*.ttc
_FONT_DIRS: Final = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk",
                     "/usr/share/fonts/google-noto-cjk", "/usr/share/fonts/truetype/noto")
_FAMILY: Final = "Noto Sans CJK TC"  # Traditional Chinese glyph shapes; Latin, Cyrillic too

BACKGROUND: Final = (250, 250, 247)
INK: Final = (255, 255, 255)
# One colour per destination, dark enough for white text (WCAG contrast >= 4.5).
TILE_COLOURS: Final[dict[str, tuple[int, int, int]]] = {
    "mode:edu": (0, 105, 92), "mode:tr": (21, 87, 160), "mode:med": (176, 58, 46),
    "help": (84, 84, 92),
}
_MARGIN: Final = 18
_RADIUS: Final = 36

Rgb = tuple[int, int, int]
Box = tuple[float, float, float, float]


class FontMissing(RuntimeError):
    """The Noto CJK fonts are not installed (Debian: apt-get install fonts-noto-cjk)."""


@cache
def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans CJK TC in `weight` ("Bold" or "Regular") at `size` px."""
    dirs = [os.environ.get(FONT_ENV, ""), *_FONT_DIRS]
    for directory in filter(None, dirs):
        path = Path(directory) / f"NotoSansCJK-{weight}.ttc"
        if not path.is_file():
            continue
        for index in range(10):
            try:
                face = ImageFont.truetype(str(path), size, index=index)
            except OSError:
                break
            if face.getname()[0] == _FAMILY:
                return face
    raise FontMissing(f"{_FAMILY} {weight} not found in {dirs}: install fonts-noto-cjk "
                      f"(Debian) or set {FONT_ENV}")


@cache
def render(layout: RichMenuLayout) -> bytes:
    """The PNG of a rich menu: exactly layout.width x layout.height (drawn once a
    process: the local stack installs the menus at every start)."""
    image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for area in layout.areas:
        _tile(draw, area)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > RICH_MENU_MAX_IMAGE_BYTES:
        raise ValueError(f"rich-menu image of {len(data)} bytes is over LINE's 1 MB")
    return data


def _tile(draw: ImageDraw.ImageDraw, area: Area) -> None:
    left, top = area.x + _MARGIN, area.y + _MARGIN
    right, bottom = area.x + area.width - _MARGIN, area.y + area.height - _MARGIN
    colour = TILE_COLOURS.get(area.data, TILE_COLOURS["help"])
    draw.rounded_rectangle((left, top, right, bottom), radius=_RADIUS, fill=colour)
    centre = (left + right) / 2
    icon_size = min(area.width, area.height) * 0.30
    width = right - left - 60
    title, hint = font("Bold", 78), font("Regular", 46)
    titles, hints = _wrapped(draw, area.label, title, width), _wrapped(draw, area.hint, hint, width)
    y = top + (bottom - top) * 0.11  # the same height in every tile, so the icons line up
    icon_box = (centre - icon_size / 2, y, centre + icon_size / 2, y + icon_size)
    ICONS.get(area.data, _question)(draw, icon_box, colour)
    y = _lines(draw, centre, icon_box[3] + 50, titles, title)
    _lines(draw, centre, y + 18, hints, hint)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont,
             width: float) -> list[str]:
    return wrap(text, lambda s: draw.textlength(s, font=face), width)[:2]


def _lines(draw: ImageDraw.ImageDraw, centre: float, y: float, lines: Sequence[str],
           face: ImageFont.FreeTypeFont) -> float:
    """Draw the lines centred from `y` down; the y under them."""
    for line in lines:
        draw.text((centre, y), line, font=face, fill=INK, anchor="mt")
        y += face.size * 1.25
    return y


def wrap(text: str, measure: Callable[[str], float], width: float) -> list[str]:
    """Lines of at most `width`: between words where there are spaces, else between
    characters (Chinese)."""
    units: Sequence[str] = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if current and measure(candidate) > width:
            lines.append(current)
            current = unit
        else:
            current = candidate
    return [*lines, current] if current else lines


# --------------------------------------------------------------------------- icons
def _leaflet(draw: ImageDraw.ImageDraw, box: Box, colour: Rgb) -> None:
    left, top, right, bottom = box
    fold = (right - left) * 0.28
    inset = (right - left) * 0.14
    page = [(left + inset, top), (right - inset - fold, top), (right - inset, top + fold),
            (right - inset, bottom), (left + inset, bottom)]
    draw.polygon(page, fill=INK)
    draw.polygon([(right - inset - fold, top), (right - inset - fold, top + fold),
                  (right - inset, top + fold)], fill=colour)
    for i in range(4):
        y = top + fold + 18 + i * (bottom - top - fold - 30) / 4
        draw.rounded_rectangle((left + inset + 22, y, right - inset - 22, y + 12), radius=6,
                               fill=colour)


def _bubbles(draw: ImageDraw.ImageDraw, box: Box, colour: Rgb) -> None:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    back = (left + w * 0.30, top, right, top + h * 0.58)
    front = (left, top + h * 0.38, left + w * 0.70, bottom - h * 0.08)
    draw.rounded_rectangle(back, radius=28, fill=INK)
    draw.polygon([(back[2] - w * 0.18, back[3] - 2), (back[2] - w * 0.05, back[3] - 2),
                  (back[2] - w * 0.05, back[3] + h * 0.12)], fill=INK)
    draw.rounded_rectangle(front, radius=28, fill=INK, outline=colour, width=8)
    draw.polygon([(front[0] + w * 0.10, front[3] - 4), (front[0] + w * 0.24, front[3] - 4),
                  (front[0] + w * 0.08, front[3] + h * 0.14)], fill=INK)
    glyphs = font("Bold", int(h * 0.30))
    draw.text(((back[0] + back[2]) / 2 + w * 0.08, (back[1] + back[3]) / 2), "A",
              font=glyphs, fill=colour, anchor="mm")
    draw.text(((front[0] + front[2]) / 2, (front[1] + front[3]) / 2), "文",
              font=glyphs, fill=colour, anchor="mm")


def _capsule(draw: ImageDraw.ImageDraw, box: Box, colour: Rgb) -> None:
    left, top, right, _ = box
    size = int(right - left)
    pill = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(pill)
    half = size / 2
    body = (size * 0.08, half - size * 0.2, size * 0.92, half + size * 0.2)
    pen.rounded_rectangle(body, radius=size * 0.2, fill=INK)
    pen.rounded_rectangle((half, body[1] + 10, body[2] - 10, body[3] - 10), radius=size * 0.16,
                          fill=(*colour, 255))
    pen.line((half, body[1] + 4, half, body[3] - 4), fill=INK, width=6)
    turned = pill.rotate(40, resample=Image.Resampling.BICUBIC)
    canvas = draw._image  # the ImageDraw's own image
    canvas.paste(turned, (int(left), int(top)), turned)


def _question(draw: ImageDraw.ImageDraw, box: Box, colour: Rgb) -> None:
    left, top, right, bottom = box
    draw.ellipse(box, fill=INK)
    draw.text(((left + right) / 2, (top + bottom) / 2 + 4), "?",
              font=font("Bold", int((bottom - top) * 0.7)), fill=colour, anchor="mm")


ICONS: Final[dict[str, Callable[[ImageDraw.ImageDraw, Box, Rgb], None]]] = {
    "mode:edu": _leaflet, "mode:tr": _bubbles, "mode:med": _capsule, "help": _question,
}


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(prog="python -m infra.menu_image")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for layout in rich_menu_layouts():
        path = args.out / f"rich-menu-{layout.language}.png"
        path.write_bytes(render(layout))
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
