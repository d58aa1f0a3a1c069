"""Every chapter, graded by nbgrader as handed in: the instructor notebook gets full marks and
runs without an error (so every solution notebook runs top to bottom in quick mode, as
grading runs it), the untouched student notebook scores 0 and errs only in test cells."""

import shutil

import pytest

from autograder import course

from .harness import ROOT
from .test_grading import auto_cells, autograded, errors, scores

pytestmark = pytest.mark.xdist_group("grading-chapters")

CHAPTERS = course.chapters()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = course.course_copy(tmp_path_factory.mktemp("chapters"))
    course.generate(root, CHAPTERS)
    for chapter in CHAPTERS:
        shutil.copytree(ROOT / "solutions" / chapter, root / "submitted" / "instructor" / chapter)
        shutil.copytree(root / "notebooks" / chapter, root / "submitted" / "blank" / chapter)
    failures = course.grade(root, CHAPTERS)
    assert failures == {}, failures
    return root, scores(course.gradebook_rows(root))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_instructor_notebook_gets_full_marks(graded, chapter):
    root, table = graded
    cells = auto_cells(table[("instructor", chapter)])
    assert cells and all(score == top for score, top, _ in cells.values()), cells
    assert errors(autograded(root, "instructor", chapter)) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_untouched_student_notebook_scores_zero_and_runs(graded, chapter):
    root, table = graded
    cells = table[("blank", chapter)]
    assert all(score == 0 for score, _, _ in auto_cells(cells).values()), cells
    # Unanswered written questions score 0 without waiting for the instructor.
    assert all(score == 0 and not pending for name, (score, _, pending) in cells.items()
               if name.startswith("written_"))
    assert errors(autograded(root, "blank", chapter), skip_tests=True) == []
