"""Every chapter, graded by nbgrader as handed in: the instructor notebook gets full marks and
runs without an error (so every solution notebook runs top to bottom in quick mode, as
grading runs it), the untouched student notebook scores 0 and errs only in test cells. And
partial credit by requirement, end to end, for a chapter declared by requirement."""

import shutil

import nbformat
import pytest

from autograder import build_examples, course

from .harness import ROOT
from .test_grading import auto_cells, autograded, errors, scores

CHAPTERS = course.chapters()
CH03 = "ch03_convolutions"

# d2l's corr1d (float32 zeros on the CPU: right values and gradients, wrong dtype and device)
# and a corr2d that flips the kernel, with every later exercise right.
D2L_CORR1D = """
def corr1d(X, K):
    w = K.shape[0]
    Y = torch.zeros((X.shape[0] - w + 1))
    for i in range(Y.shape[0]):
        Y[i] = (X[i: i + w] * K).sum()
    return Y
"""
FLIPPED_CORR2D = """
def corr2d(X, K):
    h, w = K.shape
    Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K.flip(0, 1)).sum()
    return Y
"""
# corr1d loses dtype and device (0.25 each); corr2d loses values only (1.5 of 3): its gradients
# are those of the function it computes. The other exercises: full marks.
PARTIAL = {"test_corr1d": 1.5, "test_corr2d": 1.5}


# whether grading left the release that course.generate had made as it was (not made again)
UNTOUCHED_RELEASE: dict[str, bool] = {}


def on_its_worker(chapter):
    """A chapter's tests on one worker, the chapters spread over the workers: each chapter is
    graded once, in a course of its own, by the worker that runs its tests."""
    return pytest.param(chapter, marks=pytest.mark.xdist_group(f"grading-{chapter}"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    done = {}

    def grade(chapter):
        if chapter not in done:
            root = course.course_copy(tmp_path_factory.mktemp(chapter))
            course.generate(root, [chapter])
            shutil.copytree(ROOT / "solutions" / chapter,
                            root / "submitted" / "instructor" / chapter)
            shutil.copytree(root / "notebooks" / chapter, root / "submitted" / "blank" / chapter)
            if chapter == CH03:
                nb = build_examples.submission(CH03, {"corr1d": D2L_CORR1D,
                                                      "corr2d": FLIPPED_CORR2D})
                (root / "submitted" / "partial" / CH03).mkdir(parents=True)
                nbformat.write(nb, root / "submitted" / "partial" / CH03 / f"{CH03}.ipynb")
            release = root / "notebooks" / chapter / f"{chapter}.ipynb"
            made = release.stat().st_mtime_ns
            failures = course.grade(root, [chapter])
            assert failures == {}, failures
            UNTOUCHED_RELEASE[chapter] = release.stat().st_mtime_ns == made
            done[chapter] = root, scores(course.gradebook_rows(root))
        return done[chapter]

    return grade


@pytest.mark.parametrize("chapter", [on_its_worker(chapter) for chapter in CHAPTERS])
def test_instructor_notebook_gets_full_marks(graded, chapter):
    root, table = graded(chapter)
    cells = auto_cells(table[("instructor", chapter)])
    assert cells and all(score == top for score, top, _ in cells.values()), cells
    assert errors(autograded(root, "instructor", chapter)) == []


@pytest.mark.parametrize("chapter", [on_its_worker(chapter) for chapter in CHAPTERS])
def test_untouched_student_notebook_scores_zero_and_runs(graded, chapter):
    root, table = graded(chapter)
    cells = table[("blank", chapter)]
    assert all(score == 0 for score, _, _ in auto_cells(cells).values()), cells
    # Unanswered written questions score 0 without waiting for the instructor.
    assert all(score == 0 and not pending for name, (score, _, pending) in cells.items()
               if name.startswith("written_"))
    assert errors(autograded(root, "blank", chapter), skip_tests=True) == []


@pytest.mark.xdist_group(f"grading-{CH03}")
def test_partial_credit_by_requirement_end_to_end(graded):
    """nbgrader scores each requirement's share (a number as the test cell's output), and the
    graded notebook says which requirement failed and why; a wrong corr2d costs only corr2d."""
    root, table = graded(CH03)
    cells = auto_cells(table[("partial", CH03)])
    for name, (score, top, _) in cells.items():
        assert score == PARTIAL.get(name, top), name
    graded_cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c
                    for c in autograded(root, "partial", CH03).cells}
    text = "".join(o.get("text", "") for o in graded_cells["test_corr1d"].outputs)
    assert "corr1d: 1.5 of 2 points" in text and "[not met] dtype" in text
    assert "[met    ] values" in text


@pytest.mark.xdist_group(f"grading-{CH03}")
def test_grading_does_not_generate_again_what_generate_made(graded):
    """generate_assignment takes seconds: once course.generate (make notebooks) has made a
    chapter's release and gradebook entry, grading does not make them again."""
    graded(CH03)
    assert UNTOUCHED_RELEASE[CH03]
