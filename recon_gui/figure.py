"""Publication figures of the views: titled panels in a row or a grid, cropped to the shapes.

Titles are laid out with Qt's own text engine (QFontMetrics measures, QPainter draws in the
same rectangle), so a title wraps inside its panel instead of running into the next one, at
any scale. Characters the font lacks are replaced before drawing, so no glyph renders as a
box. The result is an RGBA array; encoding the PNG is the worker's job (``export.save_png``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

from recon_gui.export import content_box

LAYOUTS = ("row", "grid")
FALLBACKS = {"—": "-", "–": "-", "·": "-", "×": "x", "…": "...", "≥": ">=", "≤": "<=", "→": "->", "³": "3"}
TITLE_PX, CAPTION_PX = 15, 13  # text sizes at scale 1
PAD_PX, GAP_PX = 8, 12


@dataclass
class Panel:
    image: np.ndarray  # uint8 (H, W, 3) or (H, W, 4); alpha 0 = background
    title: str
    caption: str = ""


@dataclass
class Figure:
    """The composed picture and where each text went (for checks and tests)."""

    pixels: np.ndarray  # uint8 (H, W, 4)
    text_rects: list[tuple[int, int, int, int]] = field(default_factory=list)  # x, y, w, h
    image_rects: list[tuple[int, int, int, int]] = field(default_factory=list)


def safe_text(text: str, metrics: QFontMetrics) -> str:
    """``text`` with every character the font cannot draw replaced by a plain one."""
    out = []
    for ch in text:
        if ch.isspace() or metrics.inFontUcs4(ord(ch)):
            out.append(ch)
        else:
            out.append(FALLBACKS.get(ch, "?"))
    return "".join(out)


def _font(px: int, bold: bool) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def _rgba(image: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    a = np.asarray(image, dtype=np.uint8)
    if a.shape[2] == 4:
        return a
    alpha = np.where(np.abs(a.astype(np.int32) - np.asarray(background)).sum(-1) > 0, 255, 0).astype(np.uint8)
    return np.dstack([a, np.full(a.shape[:2], 255, np.uint8)]) if alpha.all() else np.dstack([a, alpha])


def _flatten(rgba: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """Composite over ``background``: an opaque copy (a picture's own alpha would show as black)."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = rgba[..., :3].astype(np.float32) * a + np.asarray(background, np.float32) * (1.0 - a)
    return np.dstack([np.round(rgb).astype(np.uint8), np.full(rgba.shape[:2], 255, np.uint8)])


def crop_panels(images: list[np.ndarray], background: tuple[int, int, int], margin: float = 0.04) -> list[np.ndarray]:
    """Crop same-camera views to the union of their shapes' boxes (so they stay aligned and
    at one scale), with a small margin; views with nothing drawn keep a centred square."""
    boxes = [content_box(im, background) for im in images]
    found = [b for b in boxes if b is not None]
    if not found:
        return images
    h = min(im.shape[0] for im in images)
    w = min(im.shape[1] for im in images)
    y0, y1 = min(b[0] for b in found), max(b[1] for b in found)
    x0, x1 = min(b[2] for b in found), max(b[3] for b in found)
    m = round(margin * max(y1 - y0, x1 - x0)) + 2
    y0, y1, x0, x1 = max(0, y0 - m), min(h, y1 + m), max(0, x0 - m), min(w, x1 + m)
    return [im[y0:y1, x0:x1] for im in images]


def compose(panels: list[Panel], layout: str = "row", background: tuple[int, int, int] = (255, 255, 255),
            transparent: bool = False, text_colour: tuple[int, int, int] = (20, 20, 20), scale: int = 1) -> Figure:
    """Panels under wrapped titles, in one row or a two-column grid; transparent keeps only ink."""
    if not panels:
        raise ValueError("no panels to compose")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    title_font, caption_font = _font(TITLE_PX * scale, True), _font(CAPTION_PX * scale, False)
    fm_title, fm_caption = QFontMetrics(title_font), QFontMetrics(caption_font)
    pad, gap = PAD_PX * scale, GAP_PX * scale
    cols = len(panels) if layout == "row" else min(2, len(panels))
    rows = -(-len(panels) // cols)
    texts = [(safe_text(p.title, fm_title), safe_text(p.caption, fm_caption)) for p in panels]

    def widest_word(text: str, fm: QFontMetrics) -> int:
        return max((fm.horizontalAdvance(w) for w in text.split()), default=0)

    cell_w = max(max(p.image.shape[1] for p in panels),
                 max(max(widest_word(t, fm_title), widest_word(c, fm_caption)) for t, c in texts) + 2)
    flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def text_height(text: str, fm: QFontMetrics) -> int:
        return fm.boundingRect(QRect(0, 0, cell_w, 100000), flags, text).height() if text else 0

    heights = [(text_height(t, fm_title), text_height(c, fm_caption)) for t, c in texts]
    header_h = [max(th + (pad // 2 if ch else 0) + ch for th, ch in heights[r * cols:(r + 1) * cols]) + pad // 2
                for r in range(rows)]
    image_h = [max(p.image.shape[0] for p in panels[r * cols:(r + 1) * cols]) for r in range(rows)]
    width = pad * 2 + cols * cell_w + (cols - 1) * gap
    height = pad * 2 + sum(header_h) + sum(image_h) + (rows - 1) * gap

    canvas = QImage(width, height, QImage.Format.Format_RGBA8888)
    canvas.fill(QColor(0, 0, 0, 0) if transparent else QColor(*background))
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setPen(QColor(*text_colour))
    fig = Figure(np.zeros((0, 0, 4), np.uint8))
    keep: list[np.ndarray] = []
    y = pad
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if i >= len(panels):
                break
            x = pad + c * (cell_w + gap)
            (title, caption), (th, ch) = texts[i], heights[i]
            painter.setFont(title_font)
            painter.drawText(QRect(x, y, cell_w, th), flags, title)
            fig.text_rects.append((x, y, cell_w, th))
            if caption:
                cy = y + th + pad // 2
                painter.setFont(caption_font)
                painter.drawText(QRect(x, cy, cell_w, ch), flags, caption)
                fig.text_rects.append((x, cy, cell_w, ch))
            img = _rgba(panels[i].image, background)
            img = np.ascontiguousarray(img if transparent else _flatten(img, background))
            keep.append(img)
            ih, iw = img.shape[:2]
            ix, iy = x + (cell_w - iw) // 2, y + header_h[r] + (image_h[r] - ih) // 2
            qimg = QImage(img.data, iw, ih, img.strides[0], QImage.Format.Format_RGBA8888)
            painter.drawImage(ix, iy, qimg)
            fig.image_rects.append((ix, iy, iw, ih))
        y += header_h[r] + image_h[r] + gap
    painter.end()
    ptr = canvas.constBits()
    fig.pixels = np.frombuffer(ptr, np.uint8, count=canvas.sizeInBytes()).reshape(
        height, canvas.bytesPerLine() // 4, 4)[:, :width].copy()
    return fig
