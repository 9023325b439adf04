"""The linked cameras fit the shape: at 1600×900 its box spans most of each 3D view, in every
standard view and all the way round the turntable (measured on the rendered pixels)."""

from __future__ import annotations

import numpy as np
import pytest

from core.taxonomy import NAME_TO_SYNSET
from tests.gui.gui_helpers import (
    close_window,
    make_window,
    sample_image,
    wait_for_result,
)

FILL_BAR = 0.55  # the object's box spans at least this share of its view (the binding side)


def background_rgb(window) -> np.ndarray:
    h = window.theme.background_3d
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)])


def fill_fraction(view, background: np.ndarray) -> float:
    """max(box width / view width, box height / view height) of the non-background pixels."""
    image = view.screenshot()[..., :3].astype(int)
    mask = np.abs(image - background).sum(-1) > 30
    if not mask.any():
        return 0.0
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    return max((xs.max() - xs.min() + 1) / w, (ys.max() - ys.min() + 1) / h)


@pytest.fixture
def big_window(qtbot, samples_root, gui_checkpoints):
    w = make_window(qtbot, samples_root, gui_checkpoints, size=(1600, 900))
    yield w
    close_window(w)


@pytest.mark.parametrize("name", ["chair", "airplane"])
def test_shape_fills_every_standard_view_and_the_turntable(qtbot, big_window, samples_root, name):
    window = big_window
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, NAME_TO_SYNSET[name])))
    panel = window.comparison
    bg = background_rgb(window)
    fills: dict[str, list[float]] = {}
    for view_name in ("front", "side", "top", "iso"):
        panel.set_standard_view(view_name)
        fills[view_name] = [fill_fraction(v, bg) for v in panel.views.values()]
    panel.reset_action.trigger()
    fills["reset"] = [fill_fraction(v, bg) for v in panel.views.values()]
    turn, angles = [], set()
    for _ in range(12):  # a whole turn in 30° steps: one zoom that holds all the way round
        panel.rotate(30.0)
        turn.append([fill_fraction(v, bg) for v in panel.views.values()])
        angles.add(round(panel.camera.GetViewAngle(), 6))
    print(name, {k: [round(x, 2) for x in v] for k, v in fills.items()}, [[round(x, 2) for x in t] for t in turn])
    # One linked camera is fitted to all the shapes: the object (the ground truth, pane 3) fills
    # its view in every standard view; a prediction is drawn at the same scale, so one smaller
    # than the truth looks smaller (that is the comparison), but it is drawn and never cut.
    for key, values in fills.items():
        assert values[2] >= FILL_BAR, (key, values)
        assert min(values) > 0.0, (key, values)
        assert max(values) < 0.99, (key, values)  # and never cut by the view's edge
    # during the turn the zoom stays fixed, so a prediction smaller than the truth looks smaller
    # at some angles (that is the comparison); the object itself fills its view at every step
    truth = [t[2] for t in turn]
    assert min(truth) >= FILL_BAR and max(max(t) for t in turn) < 0.99, turn
    assert len(angles) == 1, angles


def test_fit_centres_the_shape_at_the_fill_line():
    """Pure geometry: the shape's image spans ``fill`` of the binding side, centred, for tall and wide views."""
    import math

    from recon_gui.panels.camera_fit import (
        FILL,
        box_corners,
        fit_view,
        projected_ranges,
    )

    points = box_corners((-0.2, 0.2, -0.3, 0.5, -0.1, 0.1))  # tall, thin, off centre
    pos, focal, up = (3.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 1.0, 0.0)
    x0, x1, y0, y1 = projected_ranges(pos, focal, up, points)
    for aspect, horizontal in ((0.4, True), (0.4, False), (2.0, False), (2.0, True)):
        fit = fit_view(pos, focal, up, points, [aspect], horizontal=horizontal)
        half = math.tan(math.radians(fit.view_angle_deg) / 2)
        tan_h, tan_v = (half, half / aspect) if horizontal else (half * aspect, half)
        used = max((x1 - x0) / 2 / tan_h, (y1 - y0) / 2 / tan_v)  # share of the binding side
        assert used == pytest.approx(FILL, rel=1e-6)
        cx, cy = fit.window_centre
        assert cx * tan_h == pytest.approx((x0 + x1) / 2, abs=1e-9) and cy * tan_v == pytest.approx((y0 + y1) / 2)
        assert cy > 0  # the shape sits above the centre: the image shifts up to it
    # one angle for a whole turn is at least the angle of any single azimuth
    turn = fit_view(pos, focal, up, points, [1.0], turntable=True).view_angle_deg
    assert turn >= fit_view(pos, focal, up, points, [1.0]).view_angle_deg - 1e-9


def test_hull_points_bound_the_voxels():
    from recon_gui.panels.camera_fit import hull_points

    mask = np.zeros((32, 32, 32), bool)
    mask[4:10, 0:32, 20:21] = True
    pts = hull_points(mask)
    assert np.allclose(pts.min(0), [4 / 32 - 0.5, -0.5, 20 / 32 - 0.5])
    assert np.allclose(pts.max(0), [10 / 32 - 0.5, 0.5, 21 / 32 - 0.5])
    assert len(pts) == 8  # a box: its corners only
    assert hull_points(np.zeros((32, 32, 32), bool)).shape == (0, 3)
