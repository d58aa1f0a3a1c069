import os
import shutil

import pytest

# Tests run the chapters the way grading does: quick mode, no display.
os.environ.setdefault("DLCOURSE_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# `make test` runs several workers on the machine's cores, and every process they start that
# imports torch (audits in-process, grading kernels, nbgrader) would take one thread per core:
# threads fighting over cores that spin while they wait. One thread each: three ch05-ch07
# audits at once took 147-166 s with torch's default of 2 threads on 2 cores, 35-63 s with 1.
os.environ.setdefault("OMP_NUM_THREADS", "1")

CH06 = "ch06_dropout"


def submissions_of_ch06(root):
    """A batch of ch06: two examples, the solution, a wrong answer and a broken file."""
    import nbformat

    from autograder import build_examples

    from .harness import ROOT
    from .implementations import ch06_dropout as impl06

    for student in ("example_perfect", "example_warning"):
        shutil.copytree(build_examples.EXAMPLES / student / CH06,
                        root / "submitted" / student / CH06)
    shutil.copytree(ROOT / "solutions" / CH06, root / "submitted" / "instructor" / CH06)
    wrong = build_examples.submission(
        CH06, {"Dropout": impl06.WRONG["Dropout"]["training: modes inverted"]})
    (root / "submitted" / "wrong" / CH06).mkdir(parents=True)
    nbformat.write(wrong, root / "submitted" / "wrong" / CH06 / f"{CH06}.ipynb")
    broken = root / "submitted" / "broken" / CH06 / f"{CH06}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')


@pytest.fixture(scope="session")
def serial_ch06(tmp_path_factory):
    """The ch06 batch graded by nbgrader's own serial autograde, with cold kernels (a fresh
    Python each): what parallel and cluster grading, with warm kernels (autograder/warm.py),
    must equal. (root, failures, gradebook rows); tests in the same xdist group share it."""
    from autograder import course

    root = course.course_copy(tmp_path_factory.mktemp("serial"))
    course.generate(root, [CH06])
    submissions_of_ch06(root)
    before = os.environ.get("DLCOURSE_WARM")
    os.environ["DLCOURSE_WARM"] = "off"
    try:
        failures = course.grade(root, [CH06], jobs=1)
    finally:
        if before is None:
            del os.environ["DLCOURSE_WARM"]
        else:
            os.environ["DLCOURSE_WARM"] = before
    return root, failures, course.gradebook_rows(root)


# A chapter's exercise, probe and audit tests ask about the same implementations; on one
# worker they share what tests.harness.chapter has computed: each is run once, not three times.
SHARING = ("test_exercises.py", "test_verdicts.py", "test_requirements.py")


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup reads the marks
def pytest_collection_modifyitems(items):
    for item in items:
        params = getattr(item, "callspec", None)
        if item.path.name in SHARING and params and "name" in params.params:
            item.add_marker(pytest.mark.xdist_group(f"chapter-{params.params['name']}"))
