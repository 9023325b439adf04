"""The comparison's panes in a row, or in a two-column grid when that gives each pane more room.

The choice is made from the host's own size at every resize: a row gives each of n panes
min(W/n, H), a grid min(W/2, H/rows); the larger square wins (a tall window gets a grid).
A grid with an odd number of panes would leave a cell empty; a ``filler`` pane (the input
picture) takes it instead, and is hidden in a row.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget


def choose_arrangement(width: int, height: int, n: int) -> str:
    """"row" or "grid" for ``n`` panes in a ``width`` × ``height`` area."""
    row_side = min(width / max(n, 1), height)
    grid_side = min(width / 2, height / -(-n // 2))
    return "grid" if n > 2 and grid_side > row_side * 1.1 else "row"


class PaneGrid(QWidget):
    """Holds the panes by key, in insertion order; hidden panes take no cell."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.panes: dict[str, QWidget] = {}
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.arrangement = ""
        self.filler: QWidget | None = None
        self.filler_wanted = True

    def set_filler(self, widget: QWidget) -> None:
        """A pane shown only in the free cell of a grid."""
        self.filler = widget
        widget.hide()
        self.arrangement = ""
        self.arrange()

    def set_filler_wanted(self, wanted: bool) -> None:
        if wanted != self.filler_wanted:
            self.filler_wanted = wanted
            self.arrangement = ""
            self.arrange()

    def add_pane(self, key: str, widget: QWidget) -> None:
        self.panes[key] = widget
        self.arrangement = ""
        self.arrange()

    def shown(self) -> list[QWidget]:
        return [w for w in self.panes.values() if not w.isHidden()]

    def arrange(self) -> None:
        widgets = self.shown()
        n = max(1, len(widgets))
        arrangement = choose_arrangement(max(1, self.width()), max(1, self.height()), n)
        cols = n if arrangement == "row" else 2
        fill = self.filler is not None and self.filler_wanted and n % cols != 0
        if arrangement == self.arrangement and self.grid.count() == n + fill:
            return
        self.arrangement = arrangement
        for widget in (*self.panes.values(), *([self.filler] if self.filler is not None else [])):
            self.grid.removeWidget(widget)
        for i in range(4):
            self.grid.setColumnStretch(i, 0)
            self.grid.setRowStretch(i, 0)
        for i, widget in enumerate(widgets):
            self.grid.addWidget(widget, i // cols, i % cols)
        if self.filler is not None:
            if fill:
                self.grid.addWidget(self.filler, n // cols, n % cols)
            self.filler.setVisible(fill)
        for c in range(cols):
            self.grid.setColumnStretch(c, 1)
        for r in range(-(-n // cols)):
            self.grid.setRowStretch(r, 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arrange()
