"""Where things go on a canvas: the bundled font, captioned panels in a grid, a legend line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

from rlx_lab_app.views.render.plane import Size

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont
LINE = 16
"""Height of a caption line (pixels)."""


def font(size: int) -> Font:
    """Pillow's bundled font at ``size`` (its bitmap font where FreeType is missing). It has no
    Greek letters and no arrows: pictures write ``lr``, not η."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):
        return ImageFont.load_default()


class Grid(NamedTuple):
    """Panels of ``panel`` pixels in rows of ``columns``, each under a two-line caption of
    ``caption`` pixels, ``gap`` apart, below a title line of ``header`` pixels."""

    panel: Size
    columns: int
    caption: int
    gap: int
    header: int
    shrink: bool = True
    """Whether fewer panels than ``columns`` make a narrower canvas."""

    def size(self, count: int) -> Size:
        """The canvas holding ``count`` panels."""
        rows = -(-count // self.columns)
        across = min(count, self.columns) if self.shrink else self.columns
        return (
            across * (self.panel[0] + self.gap) + self.gap,
            self.header + rows * (self.panel[1] + self.caption + self.gap),
        )

    def origin(self, k: int) -> tuple[int, int]:
        """Top left of panel ``k``'s caption (its panel starts ``caption`` pixels lower)."""
        row, column = divmod(k, self.columns)
        return (
            self.gap + column * (self.panel[0] + self.gap),
            self.header + row * (self.panel[1] + self.caption + self.gap),
        )

    def canvas(self, count: int) -> Image.Image:
        """A white canvas for ``count`` panels."""
        return Image.new("RGB", self.size(count), "white")

    def place(
        self,
        canvas: Image.Image,
        k: int,
        panel: Image.Image,
        lines: tuple[str, str],
        fonts: tuple[Font, Font],
    ) -> None:
        """Paste ``panel`` as panel ``k`` under its caption: a title and a grey second line
        (the second in the caption's last :data:`LINE` pixels, the title a line above it)."""
        x, y = self.origin(k)
        draw = ImageDraw.Draw(canvas)
        top = (self.caption - 2 * LINE) // 2
        draw.text((x, y + top), lines[0], fill="black", font=fonts[0])
        draw.text((x, y + self.caption - LINE), lines[1], fill="#444444", font=fonts[1])
        canvas.paste(panel, (x, y + self.caption))


def legend(
    draw: ImageDraw.ImageDraw, x: float, y: float, entries: Sequence[tuple[str, str]], font: Font
) -> None:
    """One line of ``(label, colour)`` entries from ``(x, y)``: a square swatch, the label."""
    for label, color in entries:
        draw.rectangle([x, y + 2, x + 11, y + 13], fill=color)
        draw.text((x + 15, y), label, fill="black", font=font)
        x += 30 + round(draw.textlength(label, font=font))
