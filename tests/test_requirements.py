"""Exercises declared by requirement (autograder/verdicts/<chapter>.py): what the notebooks
say is derived from the declaration, the visible checks say which requirement failed and
why, and grading is fair to honest students (``python -m autograder audit``)."""

import copy

import nbformat
import pytest
import torch

from autograder import audit, requirements, verdicts
from autograder.authoring import chapters, grade_id
from dlcourse.check import Check, CheckFailed, check_requirements

from .harness import ROOT, chapter

DECLARED = [name for name in chapters() if verdicts.declared(name)]


def source(name):
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", 4)


@pytest.mark.parametrize("name", DECLARED)
def test_notebook_cells_are_derived_from_the_declaration(name):
    """Docstring lists, test cells and points are what `make notebooks` writes."""
    nb = source(name)
    assert not requirements.stamp(copy.deepcopy(nb), name), \
        f"{name}: run `make notebooks` (python -m autograder.authoring stamp)"
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    for exercise, declaration in verdicts.declared(name).items():
        assert cells[f"test_{exercise}"].metadata.nbgrader.points == declaration.points
        for req in declaration.requirements:
            assert f"- {req.name} ({req.points:g}):" in cells[exercise].source
            assert req.visible, f"{exercise}: requirement {req.name!r} has no visible check"
        assert "BEGIN HIDDEN TESTS" not in cells[f"test_{exercise}"].source


@pytest.mark.parametrize("name", DECLARED)
def test_audit(name, capsys):
    """Every wrong implementation loses points and (goal: 99 %) fails a visible check; every
    alternative gets full marks; a wrong earlier exercise never costs a later one."""
    audits = audit.audit_chapter(name)
    print("\n".join(audit.report(name, audits)))
    problems = [p for a in audits for p in a.problems]
    assert problems == []
    wrong = sum(a.wrong for a in audits)
    visible = sum(a.wrong_visible for a in audits)
    assert visible >= 0.99 * wrong, [s for a in audits for s in a.surprises]
    assert all(a.wrong and a.alternatives for a in audits)


def test_check_requirements_names_the_requirement_and_the_hint(capsys):
    ns = {"torch": torch, "double": lambda x: x * 2.0}
    checks = [Check("values", "double(torch.ones(2))", torch.tensor([2.0, 2.0])),
              Check("dtype", "double(torch.ones(2, dtype=torch.float64)).dtype",
                    "torch.float32", "a made-up hint")]
    with pytest.raises(CheckFailed) as failure:
        check_requirements("double", ns, checks)
    message = str(failure.value)
    assert "requirement 'dtype' not met" in message and "a made-up hint" in message
    assert "'values'" not in message
    assert "ok       values" in capsys.readouterr().out
    check_requirements("double", ns, checks[:1])  # passes


def test_check_requirements_blames_a_wrong_earlier_exercise():
    ns = {"torch": torch, "inner": lambda x: x + 1.0}
    ns["outer"] = lambda x: ns["inner"](x) * 2.0
    inner_checks = [Check("values", "inner(torch.zeros(1))", torch.tensor([0.5]))]
    outer_checks = [Check("values", "outer(torch.zeros(1))", torch.tensor([1.0]))]
    with pytest.raises(CheckFailed, match="outer uses your inner, which fails its own check"):
        check_requirements("outer", ns, outer_checks, uses={"inner": inner_checks})


def test_an_exercise_not_written_says_so():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="f is not written yet"):
        check_requirements("f", {"torch": torch, "f": stub},
                           [Check("values", "f(1)", 1)])


def test_a_forbidden_built_in_scores_zero():
    name = "ch03_convolutions"
    use_conv = """
def corr1d(x, u):
    return torch.nn.functional.conv1d(x.view(1, 1, -1), u.view(1, 1, -1)).view(-1)
"""
    grade = chapter(name).grade("corr1d", use_conv)
    assert grade.score == 0 and "conv1d" in grade.forbidden
    assert "0 points: corr1d must not use" in grade.report("corr1d")


def test_literals_round_trip():
    values = [torch.tensor([[1.5, -2.0]]), torch.tensor([1, 2]),
              torch.tensor(0.1, dtype=torch.float64), torch.tensor([float("nan"), float("inf")]),
              (3, "a", None, True), {"k": [1.0, 2]}, torch.zeros(0, 3)]
    for value in values:
        again = eval(requirements.literal(value), {"torch": torch})  # noqa: S307
        assert verdicts.compare(again, value, rtol=0, atol=0) is None, value
        if isinstance(value, torch.Tensor):
            assert again.dtype == value.dtype


def test_stamping_ignores_round_off_only():
    """The stored values' last digits change with the number of threads; `make notebooks`
    keeps them then, and rewrites them for any real change."""
    same = requirements.same_but_round_off
    cell = "check_requirements('f', globals(), [Check('values', 'f()', {})])"
    assert same(cell.format("torch.tensor([1.0, -2.5e-08])"),
                cell.format("torch.tensor([1.00000012, 3.1e-08])"))
    assert same(cell.format("[0.123456789, 7]"), cell.format("[\n    0.123456791, 7]"))
    for changed in ("torch.tensor([1.0, 2.5e-05])", "torch.tensor([1.0001, -2.5e-08])",
                    "torch.tensor([1, -2.5e-08])", "torch.tensor([[1.0, -2.5e-08]])"):
        assert not same(cell.format("torch.tensor([1.0, -2.5e-08])"), cell.format(changed)), \
            changed
    assert not same(cell.format("[-1.0]"), cell.format("[1.0]"))
    assert not same(cell.format("[-x]"), cell.format("[x]"))


@pytest.mark.parametrize("name", DECLARED)
def test_the_stub_scores_nothing(name):
    """No free points: the untouched exercise meets no requirement (a device check on a stub
    that raises is not 'device-agnostic')."""
    for exercise in verdicts.declared(name):
        grade = chapter(name).grade(exercise, chapter(name).stub(exercise))
        assert grade.score == 0, grade.report(exercise)
