"""Realignment of damaged submissions onto the release notebook (no nbgrader run needed)."""

import copy

import nbformat
import pytest

from autograder.build_examples import as_colab_saves_it, release, submission
from autograder.preprocessors import defined_names, realign

from .harness import grade_id

CH01 = "ch01_dag_autograd"


def cell_of(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def rebuilt(nb):
    cells, repairs = realign(nb, release(CH01))
    return {grade_id(c): c for c in cells if grade_id(c)}, cells, repairs


@pytest.fixture
def filled():
    return submission(CH01)


def test_intact_submission_needs_no_repair(filled):
    cells, all_cells, repairs = rebuilt(filled)
    assert repairs == []
    assert [c.source for c in all_cells] == [c.source for c in filled.cells]


def test_lost_metadata_and_deleted_tests(filled):
    damaged = as_colab_saves_it(filled, delete=("test_descend", "imports"))
    cells, _, repairs = rebuilt(damaged)
    assert cells["dag_forward"].source == cell_of(filled, "dag_forward").source
    assert cells["written_2"].source == cell_of(filled, "written_2").source
    assert cells["test_descend"].source == cell_of(release(CH01), "test_descend").source
    assert any("read-only cell 'imports' was missing" in r for r in repairs)


def test_moved_duplicated_retyped_and_extra_cells(filled):
    nb = copy.deepcopy(filled)
    answer = cell_of(nb, "descend")
    old = copy.deepcopy(answer)
    old.source = "def descend(a, b, eta, steps, detach_coupling=False):\n    return 0.0, 0.0"
    helper = nbformat.v4.new_code_cell("def _step(a, g, eta):\n    return a - eta * g")
    scribble = nbformat.v4.new_code_cell("print('trying things')")
    nb.cells.remove(answer)
    # the answer moved to the end, an older copy of it higher up, a helper before it
    nb.cells[5:5] = [old]
    nb.cells += [scribble, helper, answer]
    retyped = cell_of(nb, "second_derivative")
    retyped.cell_type = "markdown"
    del retyped["outputs"], retyped["execution_count"]
    cells, all_cells, repairs = rebuilt(nb)
    assert cells["descend"].source == answer.source  # the last definition is what ran last
    assert cells["second_derivative"].cell_type == "code"
    assert any("retyped to markdown" in r for r in repairs)
    order = [grade_id(c) or c.source for c in all_cells]
    assert order.index(helper.source) == order.index("descend") - 1
    assert scribble.source not in order  # defines nothing: left out
    assert [grade_id(c) for c in all_cells if grade_id(c)] == \
        [grade_id(c) for c in release(CH01).cells if grade_id(c)]


def test_missing_answer_gets_the_stub_and_edited_tests_are_restored(filled):
    nb = copy.deepcopy(filled)
    nb.cells.remove(cell_of(nb, "dag_grads_manual"))
    cell_of(nb, "test_dag_forward").source = "pass  # tests removed by the student"
    cells, _, repairs = rebuilt(nb)
    assert "NotImplementedError" in cells["dag_grads_manual"].source
    assert cells["test_dag_forward"].source == cell_of(release(CH01), "test_dag_forward").source
    assert any("answer cell 'dag_grads_manual' is missing" in r for r in repairs)
    assert any("test cell 'test_dag_forward' was edited" in r for r in repairs)


@pytest.mark.parametrize("source, names", [
    ("def f(x):\n    return x\nclass C:\n    pass", ["f", "C"]),
    ("%matplotlib inline\ndef g():\n    pass", ["g"]),
    ("def broken(:\n    pass\ndef h():", ["broken", "h"]),
    ("x = 1", []),
])
def test_defined_names(source, names):
    assert defined_names(source) == names
