"""The clean-process check of every exercise (autograder/verdicts): its probe agrees with the
reference on every correct answer, and disagrees on the stub and on real mistakes.

A test cell's points count only if the probe agrees, so a probe that rejected a correct
answer would cost an honest student points; one that accepted everything would let a forged
test cell through.
"""

import pytest
import torch

from autograder import verdicts
from autograder.authoring import chapters

from .harness import ROOT, chapter
from .test_exercises import _cases, catalogue

CHAPTERS = chapters()


def source(name):
    return ROOT / "solutions" / name / f"{name}.ipynb"


def verdict(name, exercise, implementation):
    book = chapter(name)
    return verdicts.judge(name, exercise, book.probe(exercise, {exercise: implementation}),
                          book.reference(exercise))


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_exercise_has_a_probe_the_solution_passes(name):
    assert verdicts.has_probes(name), f"autograder/verdicts/{name}.py is missing"
    assert sorted(verdicts.probed(name)) == sorted(chapter(name).exercises)
    for exercise in chapter(name).exercises:
        want = verdicts.reference(name, exercise, source(name))
        assert "value" in want, f"{exercise}: the solution fails its probe: {want}"
        assert verdict(name, exercise, chapter(name).solution(exercise)) is None


@pytest.mark.parametrize("name", CHAPTERS)
def test_probe_rejects_the_stub_and_real_mistakes(name):
    """Every probe rejects the stub and at least one of the chapter's wrong answers (some
    mistakes, such as calling a forbidden function, show only to the tests in the kernel)."""
    for exercise in chapter(name).exercises:
        assert verdict(name, exercise, chapter(name).stub(exercise)) is not None, exercise
        wrong = catalogue(name).WRONG[exercise]
        rejected = [label for label, code in wrong.items()
                    if verdict(name, exercise, code) is not None]
        assert rejected, f"{exercise}: the probe accepts every wrong answer"


@pytest.mark.parametrize("name, exercise, label", list(_cases("ALTERNATIVES")))
def test_probe_accepts_correct_alternative(name, exercise, label):
    problem = verdict(name, exercise, catalogue(name).ALTERNATIVES[exercise][label])
    assert problem is None, f"a correct answer fails the clean-process check: {problem}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_grading_does_not_depend_on_the_number_of_threads(name):
    """The reference is built once (in whichever process grades first) and a kernel runs with
    the threads parallel grading gives it: results computed with 1 and with 4 threads must
    grade each other full marks, or a correct answer would lose points by the order of sums."""
    threads = torch.get_num_threads()
    results = []
    try:
        for n in (1, 4):
            torch.set_num_threads(n)
            ns = verdicts.namespace(source(name))
            results.append({e: verdicts.run(name, e, ns) for e in verdicts.probed(name)})
    finally:
        torch.set_num_threads(threads)
    one, four = results
    problems = [verdicts.judge(name, e, one[e], four[e]) for e in one]
    assert [p for p in problems if p] == []


class Always(torch.Tensor):
    """What a student's kernel could write: a tensor equal to anything."""

    def __eq__(self, other):
        return True


def test_plain_data_only(tmp_path):
    """A tensor subclass, an object or a pickled function in the result file is refused."""
    path = tmp_path / "result.pt"
    for forged in ({"value": torch.zeros(2).as_subclass(Always)}, {"value": print},
                   {"value": torch.nn.Linear(1, 1)}, [1, 2], {"value": 1, "extra": 2}):
        torch.save(forged, path)
        with pytest.raises(ValueError):
            verdicts.load(path)
    with pytest.raises(ValueError, match="missing"):
        verdicts.load(tmp_path / "absent.pt")
    torch.save({"value": [torch.ones(2), 3, "x", {"k": None}]}, path)
    assert verdicts.load(path)["value"][1] == 3


def test_compare():
    compare = verdicts.compare
    assert compare([torch.ones(2), 1.0], (torch.ones(2) + 1e-7, 1)) is None
    assert compare(torch.ones(2), torch.ones(3)) == "result: shape (2,), expected (3,)"
    assert "values differ" in compare(torch.ones(2), torch.zeros(2))
    assert compare(1.0, torch.ones(())) == "result: expected a tensor, got float"
    assert compare("a", "a") is None and compare(True, 1) is not None
    assert compare({"a": 1}, {"b": 1}) is not None


def test_reference_cache_follows_solution_and_torch(tmp_path, monkeypatch):
    """The cached reference results are rebuilt when the solution's code or torch changes
    (a stale cache would judge students against an old solution)."""
    name = CHAPTERS[0]
    verdicts.references(name, source(name))
    assert verdicts.cached(name, source(name))
    edited = tmp_path / f"{name}.ipynb"
    edited.write_text(source(name).read_text().replace("torch", "torch ", 1))
    assert not verdicts.cached(name, edited)
    verdicts._key.cache_clear()
    real = verdicts.importlib.metadata.version
    monkeypatch.setattr(verdicts.importlib.metadata, "version",
                        lambda dist: "0.0.1" if dist == "torch" else real(dist))
    try:
        assert not verdicts.cached(name, source(name))
    finally:
        monkeypatch.undo()
        verdicts._key.cache_clear()
