"""Your own points for the small nets: CSV parsing (never evaluated), the split, the lab state."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import numpy as np
import pytest

from rlx_lab.nets.user_data import (
    MAX_BYTES,
    MAX_CLASSES,
    MAX_LINES,
    MAX_POINTS,
    PointsTooLarge,
    check_size,
    decode_points,
    parse_points,
    user_dataset,
)
from rlx_lab_app.state.nets.model import USER_DATA, NetsModel

FOUR = "0,0,a\n1,1,b\n0,1,a\n1,0,b"
"""Four good points: what follows a flood of blank or comment lines."""


def _csv(x: np.ndarray, labels: list[str] | np.ndarray, header: str = "x,y,label") -> str:
    rows = (f"{a!r},{b!r},{c}" for (a, b), c in zip(x.tolist(), labels, strict=True))
    return "\n".join([header, *rows])


def _two_blobs(n: int = 120, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    labels = ["left" if i % 2 else "right" for i in range(n)]
    centre = np.array([[-2.0, 0.0] if c == "left" else [2.0, 0.0] for c in labels])
    return centre + 0.5 * rng.standard_normal((n, 2)), labels


@pytest.mark.parametrize("separator", [",", ";", "\t", " ", " , "])
def test_every_separator_and_the_header_are_understood(separator: str) -> None:
    text = "x{s}y{s}class\n# a comment\n0{s}1{s}b\n\n2.5{s}-1e-3{s}a\n3{s}4{s}b\n5{s}6{s}a\n"
    points = parse_points(text.format(s=separator))
    assert points.class_names == ("a", "b")
    assert points.x.tolist() == [[0, 1], [2.5, -1e-3], [3, 4], [5, 6]]
    assert points.labels.tolist() == [1, 0, 1, 0]


def test_integer_labels_sort_as_numbers_and_no_header_is_needed() -> None:
    points = parse_points("0,0,10\n1,1,2\n2,2,10\n3,3,2\n4,4,-1\n5,5,-1")
    assert points.class_names == ("-1", "2", "10")
    assert points.labels.tolist() == [2, 1, 2, 1, 0, 0]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "none found"),
        ("x,y,label\n1,2,a\n3,4", "line 3: expected x, y, label; got 2 fields"),
        ("1,2,a\n3,inf,b\n1,1,a\n2,2,b", "line 2: x and y must be finite"),
        ("1,2,a\n__import__('os'),4,b\n1,1,a\n2,2,b", "line 2: x and y must be finite"),
        ("1,2,a\n3,4,a", "need 2 to 8 classes, got 1"),
        ("1,2,a\n3,4,a\n5,6,b", "class 'b' has 1 point"),
        ("1,2", "line 1: expected x, y, label; got 2 fields"),
        ("# my points\n\n1.5 2", "line 3: expected x, y, label; got 2 fields"),
        ("1,2,a,b\n3,4,a\n5,6,b", "line 1: expected x, y, label; got 4 fields"),
        ("0.5\n1,1,a", "line 1: expected x, y, label; got 1 field$"),
    ],
)
def test_bad_text_raises_a_value_error_that_says_where(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        parse_points(text)


def test_a_lone_pair_of_numbers_is_a_bad_point_not_a_header() -> None:
    with pytest.raises(ValueError, match="line 1: expected x, y, label; got 2 fields"):
        parse_points("1,2")
    assert parse_points("x,y\n" + FOUR).class_names == ("a", "b"), "a word still makes a header"


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_and_a_byte_order_mark(ending: str) -> None:
    points = parse_points("\ufeff" + FOUR.replace("\n", ending))
    assert points.x.tolist() == [[0, 0], [1, 1], [0, 1], [1, 0]], "the first point is kept"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("\n" * 15_728_640 + FOUR, "the points are 15.7 MB; the limit is 1 MB (20,000 points)"),
        ("#" * 15_000_000 + "\n" + FOUR, "the points are 15 MB; the limit is 1 MB (20,000 points)"),
        ("x" * (MAX_BYTES + 1), "the points are more than 1 MB; the limit is 1 MB"),
        ("é" * (MAX_BYTES // 2 + 1), "the points are more than 1 MB"),
        ("\n" * 30_000 + FOUR, "30,004 lines; the limit is 21,000 lines (20,000 points"),
        ("\r" * 30_000 + FOUR, "30,004 lines; the limit is 21,000 lines (20,000 points"),
        ("# c\n" * 25_000 + FOUR, "25,004 lines; the limit is 21,000 lines (20,000 points"),
    ],
)
def test_oversized_text_is_refused_before_parsing_with_the_limit_named(
    text: str, says: str
) -> None:
    with pytest.raises(PointsTooLarge, match=re.escape(says)):
        check_size(text)
    with pytest.raises(PointsTooLarge, match=re.escape(says)):
        parse_points(text)
    with pytest.raises(PointsTooLarge, match=re.escape(says)):
        decode_points(text.encode())


def test_the_limits_leave_room_for_every_allowed_point() -> None:
    rows = [f"{-i / 7:.17g},{i / 3e5:.17g},class{i % 8}" for i in range(MAX_POINTS)]
    text = "\n".join(["x,y,label", "# comment", "", *rows, ""])
    assert len(text.encode()) <= MAX_BYTES and text.count("\n") < MAX_LINES
    assert len(parse_points(text).labels) == MAX_POINTS
    with pytest.raises(ValueError, match="points: 20,001; the limit is 20,000"):
        parse_points(text + "1,1,class0")
    assert check_size(b"\n" * MAX_LINES) is None, "at the line limit: read"
    with pytest.raises(PointsTooLarge, match="21,001 lines"):
        check_size(b"\n" * (MAX_LINES + 1))


def test_25000_pasted_lines_name_the_20000_point_limit_not_a_line() -> None:
    rows = [f"{i % 100}, {i % 37}, {'ab'[i % 2]}" for i in range(25_000)]
    with pytest.raises(PointsTooLarge, match="the limit is 21,000 lines \\(20,000 points"):
        parse_points("\n".join(rows))


def test_too_many_classes() -> None:
    labels = [str(i % (MAX_CLASSES + 1)) for i in range(40)]
    with pytest.raises(ValueError, match="need 2 to 8 classes, got 9"):
        parse_points(_csv(np.zeros((40, 2)), labels))


def test_the_split_is_seeded_standardised_and_content_keyed() -> None:
    x, labels = _two_blobs(101)
    points = parse_points(_csv(x, labels))
    data = user_dataset(points, seed=3)
    assert (len(data.x_train), len(data.x_test)) == (51, 50) == (points.n_train, 50)
    assert np.allclose(data.x_train.mean(0), 0, atol=1e-6)
    assert np.allclose(data.x_train.std(0), 1, atol=1e-5)
    restored = data.x_train * data.x_std + data.x_mean
    assert all(any(np.allclose(r, p, atol=1e-4) for p in x) for r in restored[:5])
    assert np.array_equal(user_dataset(points, seed=3).x_train, data.x_train)
    assert not np.array_equal(user_dataset(points, seed=4).x_train, data.x_train)
    again = parse_points(_csv(x, labels, header="a;b;c"))
    assert again == points and hash(again) == hash(points)
    assert parse_points(_csv(x[::-1], labels[::-1])) != points


def test_the_lab_trains_on_loaded_points_and_keeps_them_on_bad_text() -> None:
    x, labels = _two_blobs()
    model = NetsModel(optimizers=["adam"], steps=150, batch_size=32, dataset=USER_DATA)
    model.train()  # nothing to train on yet: a hint (see below)
    assert "press Load" in model.hint
    assert model.load_points(_csv(x, labels)) == ""
    assert model.dataset == USER_DATA and model.n_classes() == 2
    model.train()
    assert model.hint == "", "the hint goes once the points train"
    run = model.runs["adam"][0]
    assert run.test_acc[-1] > 0.95, "two separated blobs are learnt"
    assert model.data.name == "your data" and len(model.data.x_train) == 60
    loaded = model.user_points
    assert "line 2" in model.load_points("x,y,label\n1,2")
    assert model.user_points is loaded and "line 2" in model.data_error


def test_the_lab_asks_for_points_and_a_batch_that_fits() -> None:
    model = NetsModel(optimizers=["adam"], dataset=USER_DATA)
    plan = model.plan()
    assert not plan.jobs and any("load your points first" in p for p in plan.problems)
    x, labels = _two_blobs(40)
    model.load_points(_csv(x, labels))
    assert model.batch_size == 20, "the default batch of 64 shrinks to the training half"
    assert model.plan().jobs
    model.batch_size = 64
    plan = model.plan()
    assert not plan.jobs and any("expected 1 to 20" in p for p in plan.problems)


def test_choosing_your_points_is_a_hint_not_an_alert() -> None:
    """Before any points are given the page says what to do next (``hint``, neutral), not
    "Not trained — fix this first" (``message``, a yellow alert); a real fault still alerts."""
    model = NetsModel(optimizers=["adam"], dataset=USER_DATA)
    model.train()
    assert model.message == "" and "press Load" in model.hint
    model.width = 0
    model.train()
    assert model.message.startswith("Not trained") and "width" in model.message
    assert "load your points" not in model.message and "press Load" in model.hint


def test_an_uploaded_file_is_read_and_the_box_shows_the_verdict() -> None:
    from rlx_lab_app.views.nets.user_data_view import UserDataBox

    model = NetsModel(optimizers=["adam"])
    box = UserDataBox(model)
    assert not box.box.visible, "hidden until 'Your points' is chosen"
    x, labels = _two_blobs(30)
    box.file.filename = "blobs.csv"
    box.file.value = _csv(x, labels).encode()
    assert box.text.value == "", "the file is not copied into the page"
    assert model.dataset == USER_DATA and box.box.visible
    assert (
        "blobs.csv: 30 points, 2 classes (left, right): 15 to train on, 15 to test"
        in box.verdict.object
    )
    box.file.filename = "bad.csv"
    box.file.value = b"x,y,label\n1,2,a\n3,4"
    assert "bad.csv: line 3" in box.verdict.object and len(model.user_points.labels) == 30


def test_an_oversized_upload_is_refused_by_size_and_never_reaches_the_text_box() -> None:
    from rlx_lab_app.views.nets.user_data_view import UserDataBox

    model = NetsModel(optimizers=["adam"], dataset=USER_DATA)
    box = UserDataBox(model)
    box.file.filename = "blank.csv"
    box.file.value = b"\n" * 5_000_000 + FOUR.encode()
    assert box.text.value == "" and box.text.value_input == "", "not copied into the page"
    says = "the points are 5 MB; the limit is 1 MB (20,000 points)"
    assert model.data_error == says and model.user_points is None
    assert f"blank.csv: {says}" in box.verdict.object
    box.file.value = b"\n" * 25_000 + FOUR.encode()
    assert "25,004 lines; the limit is 21,000 lines (20,000 points" in model.data_error


def test_the_text_box_holds_more_than_the_limit_so_a_cut_paste_is_refused() -> None:
    from rlx_lab_app.views.nets.user_data_view import UserDataBox

    model = NetsModel(optimizers=["adam"], dataset=USER_DATA)
    box = UserDataBox(model)
    assert box.text.max_length == MAX_BYTES + 1, "not Panel's silent 5,000 characters"
    rows = [f"{i % 100}, {i % 37}, {'ab'[i % 2]}" for i in range(600)]
    box.text.value_input = "\n".join(rows)
    box.load.clicks += 1
    assert model.data_error == "" and len(model.user_points.labels) == 600
    box.text.value_input = ("0.123456789, 0.987654321, a\n" * 40_000)[: box.text.max_length]
    box.load.clicks += 1
    assert "more than 1 MB; the limit is 1 MB (20,000 points)" in box.verdict.object
    assert len(model.user_points.labels) == 600, "never trained on a cut paste"


def test_served_the_points_are_parsed_on_a_worker_and_used_on_the_page_loop() -> None:
    from rlx_lab_app.state.jobs import ManualPage, SessionJobs
    from rlx_lab_app.views.nets.user_data_view import UserDataBox

    model = NetsModel(optimizers=["adam"], dataset=USER_DATA)
    page = ManualPage()
    box = UserDataBox(model, jobs=SessionJobs(page))
    threads: list[str] = []

    def parse(data: str | bytes) -> Any:
        threads.append(threading.current_thread().name)
        return NetsModel.parse(data)

    box.model.parse = parse  # type: ignore[method-assign]
    box.file.filename = "four.csv"
    box.file.value = FOUR.encode()
    assert "reading the points" in box.verdict.object
    deadline = time.monotonic() + 30
    while not threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threads and threads[0].startswith("rlx-interactive"), "parsed on a worker thread"
    assert model.user_points is None, "nothing used before the page's loop runs it"
    page.run_until(lambda: model.user_points is not None)
    assert "four.csv: 4 points, 2 classes" in box.verdict.object
    assert len(model.user_points.labels) == 4
