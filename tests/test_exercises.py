"""Every exercise's tests accept every correct answer and reject the real mistakes.

For each chapter, tests/implementations/<chapter>.py lists correct implementations written
differently from the solution (ALTERNATIVES) and plausible wrong ones (WRONG). The chapter's
test cell (visible and hidden tests) runs in-process against each of them.
"""

import importlib

import pytest

from autograder import verdicts
from autograder.authoring import chapters

from .harness import chapter

CHAPTERS = chapters()
MIN_WRONG, MIN_ALTERNATIVES = 3, 2


def catalogue(name):
    return importlib.import_module(f"tests.implementations.{name}")


def _cases(kind):
    for name in CHAPTERS:
        try:
            module = catalogue(name)
        except ModuleNotFoundError:  # test_every_exercise_has_enough_implementations fails
            continue
        for exercise, implementations in getattr(module, kind).items():
            for label in implementations:
                yield pytest.param(name, exercise, label, id=f"{name}-{exercise}-{label}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_exercise_has_enough_implementations(name):
    module = catalogue(name)
    for exercise in chapter(name).exercises:
        wrong = module.WRONG.get(exercise, {})
        alternatives = module.ALTERNATIVES.get(exercise, {})
        assert len(wrong) >= MIN_WRONG, f"{exercise}: {len(wrong)} wrong implementations"
        assert len(alternatives) >= MIN_ALTERNATIVES, \
            f"{exercise}: {len(alternatives)} alternative implementations"
    assert set(module.WRONG) | set(module.ALTERNATIVES) <= set(chapter(name).exercises)


@pytest.mark.parametrize("name", CHAPTERS)
def test_reference_solutions_pass(name):
    for exercise in chapter(name).exercises:
        outcome = chapter(name).run(exercise)
        assert outcome.passed, f"{exercise}: the solution fails its own tests: {outcome.error}"


@pytest.mark.parametrize("name, exercise, label", list(_cases("ALTERNATIVES")))
def test_correct_alternative_gets_full_marks(name, exercise, label):
    source = catalogue(name).ALTERNATIVES[exercise][label]
    outcome = chapter(name).run(exercise, source)
    assert outcome.passed, f"correct answer rejected: {outcome.error}"


@pytest.mark.parametrize("name, exercise, label", list(_cases("WRONG")))
def test_wrong_implementation_loses_the_points(name, exercise, label):
    source = catalogue(name).WRONG[exercise][label]
    if exercise in verdicts.declared(name):  # its grade is computed outside the test cell
        grade = chapter(name).grade(exercise, source)
        assert grade.score < grade.points, "a wrong answer gets full marks"
        return
    outcome = chapter(name).run(exercise, source)
    assert not outcome.passed, "a wrong answer passed every test"


@pytest.mark.parametrize("name", CHAPTERS)
def test_stub_fails(name):
    """The student's starting point (raise NotImplementedError) scores nothing."""
    for exercise in chapter(name).exercises:
        stub = chapter(name).stub(exercise)
        assert "raise NotImplementedError()" in stub
        assert not chapter(name).run(exercise, stub).passed, exercise
