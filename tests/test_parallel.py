"""Grading on all cores gives the gradebook and the graded notebooks that serial nbgrader gives."""

import shutil

import nbformat
import pytest

from autograder import course, parallel

from .conftest import CH06, submissions_of_ch06

pytestmark = pytest.mark.xdist_group("grading-parallel")


@pytest.fixture(scope="module")
def both(tmp_path_factory, serial_ch06):
    root = course.course_copy(tmp_path_factory.mktemp("jobs2"))
    course.generate(root, [CH06])
    submissions_of_ch06(root)
    failures = course.grade(root, [CH06], jobs=2)
    return {1: serial_ch06, 2: (root, failures, course.gradebook_rows(root))}


def test_parallel_grading_equals_serial_grading(both):
    (serial_root, serial_failures, serial), (root, failures, rows) = both[1], both[2]
    assert rows == serial
    assert {r["student"] for r in rows} == {"example_perfect", "example_warning", "instructor",
                                            "wrong", "broken"}
    scores = {r["student"]: r["cells"] for r in rows}
    assert all(score == 0 for score, _, _ in scores["broken"].values())
    assert scores["wrong"]["test_Dropout"][0] == 0.25  # inverted modes: only "module" met
    assert scores["instructor"]["test_Dropout"][0] == 2
    # the broken file is named in the log, as serial nbgrader names it
    assert course.error_summary(failures[CH06])[0].startswith("  broken: ")
    assert course.error_summary(serial_failures[CH06])[0].startswith("  broken: ")
    for student in ("example_perfect", "example_warning", "instructor", "wrong"):
        ours = nbformat.read(root / "autograded" / student / CH06 / f"{CH06}.ipynb", 4)
        theirs = nbformat.read(serial_root / "autograded" / student / CH06 / f"{CH06}.ipynb", 4)
        assert [c.source for c in ours.cells] == [c.source for c in theirs.cells]


def test_a_regrade_keeps_the_instructors_manual_grades(both):
    """Grading again after formgrader work: the written answers' grades stay."""
    from nbgrader.api import Gradebook

    root, _, _ = both[2]
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db) as gb:
        gb.find_grade("written_1", CH06, CH06, "example_perfect").manual_score = 1.5
        gb.db.commit()
    shutil.rmtree(root / "submitted" / "broken")
    assert course.grade(root, [CH06], jobs=2) == {}
    with Gradebook(db) as gb:
        assert gb.find_grade("written_1", CH06, CH06, "example_perfect").score == 1.5


def test_partition_balances_by_size(tmp_path):
    sizes = {"a": 900, "b": 500, "c": 400, "d": 300, "e": 100}
    for student, size in sizes.items():
        path = tmp_path / "submitted" / student / CH06 / f"{CH06}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_bytes(b" " * size)
    groups = parallel.partition(tmp_path, CH06, list(sizes), 2)
    assert groups == [["a", "d"], ["b", "c", "e"]]  # 1200 and 1000 bytes
    assert parallel.partition(tmp_path, CH06, ["a"], 4) == [["a"]]
