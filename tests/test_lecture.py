"""Lecture mode: a larger race without the export row, kept in the link (no browser)."""

from __future__ import annotations

from rlx_lab_app.state import RaceModel
from rlx_lab_app.views import SurfacesLab
from rlx_lab_app.views.surfaces.surface_plot import LECTURE_SCALE, SIZE


def test_lecture_mode_enlarges_the_surface_and_hides_the_export_row() -> None:
    model = RaceModel(optimizers=["adam"])
    lab = SurfacesLab(model)
    fig = lab.surface_plot.figure
    assert (fig.width, fig.height) == SIZE and lab.export_row.visible
    model.lecture = True
    assert (fig.width, fig.height) == tuple(round(s * LECTURE_SCALE) for s in SIZE)
    assert not lab.export_row.visible
    model.lecture = False
    assert (fig.width, fig.height) == SIZE and lab.export_row.visible


def test_lecture_mode_is_part_of_the_link_and_of_a_new_lab() -> None:
    model = RaceModel(optimizers=["adam"], lecture=True)
    assert model.to_query()["lecture"] == "1"
    copy = RaceModel()
    assert copy.from_query(model.to_query()) == [] and copy.lecture
    assert SurfacesLab(copy).surface_plot.figure.width == round(SIZE[0] * LECTURE_SCALE)
