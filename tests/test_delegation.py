"""Nothing a student can import or read does an exercise for them: a submission that hands
the exercise to a shipped function (every public function of ``dlcourse`` and of d2l whose
signature fits, and every helper the student notebook defines outside the exercises) never
meets the exercise's main requirement (its first), unless that function is forbidden in the
exercise, and then it scores 0 with the function's name."""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io

import matplotlib.pyplot as plt
import nbformat
import pytest

from autograder import verdicts
from autograder.authoring import chapters, nbgrader_meta

from .harness import ROOT, Chapter

MODULES = ["d2l.torch", "dlcourse", "dlcourse.check", "dlcourse.data", "dlcourse.plot",
           "dlcourse.runtime", "dlcourse.train"]


def _required(function) -> list[str]:
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _fits(function, arity: int) -> bool:
    try:
        return len(_required(function)) == arity
    except (TypeError, ValueError):  # no signature (a builtin)
        return False


def shipped() -> dict[str, tuple[str, object]]:
    """{dotted name: (import line, function)} of every public function the packages define."""
    out = {}
    for name in MODULES:
        module = importlib.import_module(name)
        alias = "d2l" if name == "d2l.torch" else name
        line = "from d2l import torch as d2l" if name == "d2l.torch" else f"import {name}"
        for attr, obj in vars(module).items():
            if (not attr.startswith("_") and inspect.isfunction(obj)
                    and obj.__module__.split(".")[0] == name.split(".")[0]):
                out[f"{alias}.{attr}"] = (line, obj)
    return out


def notebook_helpers(chapter: str) -> dict[str, tuple[str, object]]:
    """{name: (its definition, function)} of the functions the student notebook defines in
    cells that are neither exercises nor checks (demos, plotting helpers)."""
    nb = nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or meta.get("solution") or meta.get("grade"):
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef):
                source = ast.get_source_segment(cell.source, node)
                scope: dict = {}
                exec("import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
                     + source, scope)
                out[node.name] = (source, scope[node.name])
    return out


def delegations(chapter: str, exercise: str, reference) -> dict[str, str]:
    params = _required(reference)
    args = ", ".join(params)
    out = {}
    for name, (line, function) in {**shipped(), **notebook_helpers(chapter)}.items():
        if _fits(function, len(params)):
            out[name] = f"{line}\n\n\ndef {exercise}({args}):\n    return {name}({args})\n"
    return out


@pytest.mark.parametrize("chapter", chapters())
def test_no_shipped_function_does_an_exercise(chapter):
    book = Chapter(chapter)
    ns = book.namespace()
    problems, tried = [], 0
    for exercise, declaration in verdicts.declared(chapter).items():
        if not inspect.isfunction(ns.get(exercise)):
            continue  # a class: delegating would mean subclassing, which the checks see
        main = declaration.requirements[0].name
        for name, source in delegations(chapter, exercise, ns[exercise]).items():
            tried += 1
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                grade = book.grade(exercise, source)
            met = {r for r, _, _, problem in grade.requirements if not problem}
            if grade.forbidden:
                if grade.score != 0 or name.split(".")[-1] not in grade.forbidden:
                    problems.append(f"{exercise} -> {name}: forbidden ({grade.forbidden}) "
                                    f"but {grade.score:g} points")
            elif main in met:
                problems.append(f"{exercise} -> {name}: meets '{main}' ({grade.score:g}/"
                                f"{grade.points:g}): forbid it in {exercise}")
        plt.close("all")  # the plotting helpers, handed an exercise's arguments, open figures
    assert tried, f"{chapter}: no delegation tried"
    assert problems == []
