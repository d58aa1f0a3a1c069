"""The Colab check (`make colab-check`, tests/colab/check.py) judges what it should: each
fault below, put into an otherwise clean run of a chapter, is reported, and the clean run
passes. The run itself needs Colab's versions and is `make colab-check`'s job."""

import json
from pathlib import Path

import nbformat
import pytest

from tests.colab import check

from .harness import ROOT, grade_id

CHAPTER = "ch02_modules_batches"
WHEEL = Path("/wheels/dlcourse-0.1.0-py3-none-any.whl")


def ran(student=True, **preamble):
    """The chapter as the check runs it, with the outputs of a clean run on Colab."""
    folder = "notebooks" if student else "solutions"
    nb = nbformat.read(ROOT / folder / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    check.as_on_colab(nb, WHEEL)
    said = {"python": list(check.PYTHON), "nbgrader": False, "versions": check.pinned()}
    said.update(preamble)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=json.dumps(said))]
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        if grade_id(cell) == "setup":
            cell.outputs = [nbformat.v4.new_output(
                "stream", name="stdout", text="No GPU found: using the CPU. On Colab: Runtime > "
                "Change runtime type > T4 GPU, then run the notebook again.\n")]
        elif student and check.is_test(cell):
            cell.outputs = [nbformat.v4.new_output("error", ename="NotImplementedError",
                                                   evalue="", traceback=[])]
        elif (CHAPTER, cell.get("id")) in check.EXPECTED_STDERR:
            cell.outputs = [nbformat.v4.new_output(
                "stream", name="stderr", text=check.EXPECTED_STDERR[CHAPTER, cell.get("id")])]
    return nb


def cell(nb, predicate):
    return next(c for c in nb.cells[1:] if c.cell_type == "code" and predicate(c))


def test_setup_cell_installs_the_working_tree_instead_of_github():
    nb = ran()
    setup = cell(nb, lambda c: grade_id(c) == "setup")
    assert f"dlcourse @ {WHEEL.as_uri()}" in setup.source and "github.com" not in setup.source
    assert nb.cells[0].id == "colab-check-preamble"


@pytest.mark.parametrize("student", [True, False])
def test_a_clean_run_passes(student):
    assert check.problems(ran(student), CHAPTER, student) == []


def error(ename="NameError"):
    return nbformat.v4.new_output("error", ename=ename, evalue="boom", traceback=[])


def stderr(text):
    return nbformat.v4.new_output("stream", name="stderr", text=text)


FAULTS = {
    "an error outside the tests": (True, lambda nb: cell(
        nb, lambda c: grade_id(c) == "imports").outputs.append(error())),
    "a test cell of the student notebook fails otherwise than unwritten": (True, lambda nb: cell(
        nb, check.is_test).outputs.__setitem__(0, error("AssertionError"))),
    "a test cell of the instructor notebook is unwritten": (False, lambda nb: cell(
        nb, check.is_test).outputs.append(error("NotImplementedError"))),
    "a warning": (True, lambda nb: cell(nb, lambda c: grade_id(c) == "imports").outputs.append(
        stderr("UserWarning: something\n"))),
    "a progress bar on stderr in a test cell": (False, lambda nb: cell(
        nb, check.is_test).outputs.append(stderr("100%|#####| 3/3\n"))),
    "another warning where one is expected": (True, lambda nb: cell(
        nb, lambda c: (CHAPTER, c.get("id")) in check.EXPECTED_STDERR).outputs.__setitem__(
        0, stderr("DeprecationWarning: other\n"))),
    "setup did not take Colab's branch": (True, lambda nb: cell(
        nb, lambda c: grade_id(c) == "setup").outputs.clear()),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_reported(fault):
    student, put = FAULTS[fault]
    nb = ran(student)
    put(nb)
    assert len(check.problems(nb, CHAPTER, student)) == 1


@pytest.mark.parametrize("preamble, says", [
    ({"python": [3, 11]}, "Python [3, 11]"),
    ({"nbgrader": True}, "nbgrader is installed"),
    ({"versions": {**check.pinned(), "torch": "2.14.1"}}, "torch 2.14.1, not 2.11.0"),
])
def test_a_kernel_other_than_colabs_is_reported(preamble, says):
    found = check.problems(ran(**preamble), CHAPTER, True)
    assert len(found) == 1 and says in found[0], found


def test_colabs_versions_meet_the_helpers_requirements():
    """The setup cell installs the helpers with --no-deps: Colab must already satisfy them.
    Here for the pinned packages; `make colab-check` checks all of them in Colab's venv."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    pins = check.pinned()
    pinned = [line for line in requires("dlcourse") if Requirement(line).name in pins]
    assert len(pinned) == 4  # torch, torchvision, numpy, ipython
    assert check.unmet(pinned, pins.get) == []


def test_unmet_requirements_are_named():
    have = {"torch": "2.3.1", "numpy": "2.1.3"}
    assert check.unmet(["torch>=2.4", "numpy>=1.26", "tqdm>=4.66", "pytest; extra == 'course'"],
                       have.get) == ["torch>=2.4 (Colab has 2.3.1)", "tqdm>=4.66 (Colab has none)"]


def test_a_failed_preamble_is_reported_not_a_crash():
    nb = ran()
    nb.cells[0].outputs = [error("ModuleNotFoundError")]
    found = check.problems(nb, CHAPTER, True)
    assert len(found) == 1 and "first cell failed" in found[0]
