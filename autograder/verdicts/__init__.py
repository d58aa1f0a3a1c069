"""Grading judged outside the student's kernel.

The notebook's checks run in the student's kernel, where the student's code ran first: an
IPython input transformer can blank them, a patched ``torch.allclose`` or
``check_requirements`` can pass anything, a tensor subclass can answer ``==`` with True. So
they decide nothing. Every exercise is declared by requirement in
``autograder/verdicts/<chapter>.py`` (``declare(name, Requirement(...), ...)``, see
``runtime.py``); at grading, the declaration's expressions and hidden inputs run in the
student's kernel (:func:`kernel_code`), which writes what the student's functions returned to
a file. The grader reads it back as data only (``torch.load(weights_only=True)``, plain types,
plain tensors), runs the same code in its own process on the reference solution, and
:func:`grade` scores each requirement's share. Anything the student's kernel does to itself
can change what it writes, never the reference or the comparison; a missing or unreadable file
fails every requirement. The notebook's test cell is derived from the same declaration
(:mod:`autograder.requirements`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import os
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
MAX_BYTES = 50_000_000


def has_probes(chapter: str) -> bool:
    return (HERE / f"{chapter}.py").is_file()


@cache
def source(chapter: str) -> str:
    """The probe source of a chapter: the runtime, then the chapter's probes."""
    return (HERE / "runtime.py").read_text() + "\n\n" + (HERE / f"{chapter}.py").read_text()


@cache
def _module(chapter: str) -> dict:
    module = {"__name__": f"dlcourse_verdicts_{chapter}"}
    exec(compile(source(chapter), f"verdicts/{chapter}.py", "exec", dont_inherit=True), module)
    return module


def probed(chapter: str) -> list[str]:
    """The exercises of ``chapter`` that have a probe."""
    if not has_probes(chapter):
        return []
    return list(_module(chapter).get("EXERCISES", {}))


def run(chapter: str, exercise: str, ns: dict) -> dict:
    """The probe's result on ``ns``, in this process (for the reference and for tests)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return _module(chapter)["run_probe"](exercise, ns)


def kernel_code(chapter: str, exercise: str, path: str) -> str:
    """What the student's kernel runs after the exercise's test cell."""
    return textwrap.dedent(f"""\
        def _dlcourse_verdict():
            import IPython
            import torch
            module = {{"__name__": "dlcourse_verdict"}}
            exec(compile({source(chapter)!r}, "dlcourse_verdict", "exec"), module)
            torch.save(module["run_probe"]({exercise!r}, IPython.get_ipython().user_ns),
                       {path!r})
        _dlcourse_verdict()
        del _dlcourse_verdict
        """)


def namespace(notebook: Path | nbformat.NotebookNode, overrides: dict[str, str] | None = None,
              exercises: list[str] | None = None) -> dict:
    """The namespace a notebook's solutions build: its imports cell, then every solution cell
    in order (``overrides`` replaces some by other source)."""
    from autograder.authoring import grade_id, nbgrader_meta

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else \
        nbformat.read(notebook, as_version=4)
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    solutions = [grade_id(c) for c in nb.cells
                 if nbgrader_meta(c).get("solution") and c.cell_type == "code"]
    overrides = overrides or {}
    ns: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(cells["imports"].source, "imports", "exec", dont_inherit=True), ns)
        for name in solutions:
            code = textwrap.dedent(overrides.get(name, cells[name].source))
            exec(compile(code, name, "exec", dont_inherit=True), ns)
    return ns


CACHE = HERE / "cache"
_references: dict = {}


@cache  # read once per grading process, not once per exercise
def _key(chapter: str, solution: Path) -> str:
    """What the reference results depend on: the probes, the helpers their expressions use
    (dlcourse/check.py), the solution's code, torch (its installed version, read without
    importing it)."""
    nb = nbformat.read(solution, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    helpers = (HERE.parents[1] / "dlcourse" / "check.py").read_text()
    text = "\0".join([source(chapter), helpers, importlib.metadata.version("torch"), *code])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cache_file(chapter: str, solution: Path) -> Path:
    return CACHE / f"{chapter}-{_key(chapter, solution)}.pt"


def cached(chapter: str, solution: Path) -> bool:
    """Whether the reference results for this version of the probes and solution are built."""
    return _cache_file(chapter, solution).is_file()


def references(chapter: str, solution: Path) -> dict:
    """{exercise: the probe's result on the reference solution}, for ``solution`` (the source
    notebook). Computed once per version of the probes and the solution, then read from
    ``autograder/verdicts/cache/`` (building the reference imports the chapter's packages,
    seconds that every grading process would otherwise pay)."""
    import torch

    path = _cache_file(chapter, solution)
    if path not in _references:
        if path.is_file():
            _references[path] = torch.load(path, weights_only=True)
        else:
            ns = namespace(solution)
            _references[path] = {name: run(chapter, name, ns) for name in probed(chapter)}
            CACHE.mkdir(exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            torch.save(_references[path], partial)
            partial.replace(path)  # atomic: parallel graders may write it at once
    return _references[path]


def reference(chapter: str, exercise: str, solution: Path) -> dict:
    """The probe's result on the reference solution (``solution``: the source notebook)."""
    return references(chapter, solution)[exercise]


def _plain_only(value, where="result") -> None:
    """Refuse anything but plain data: a tensor subclass or an object could compare as equal."""
    import torch

    if type(value) in (list, tuple):
        for i, v in enumerate(value):
            _plain_only(v, f"{where}[{i}]")
    elif type(value) is dict:
        for k, v in value.items():
            if type(k) is not str:
                raise TypeError(f"{where}: a key of type {type(k).__name__}")
            _plain_only(v, f"{where}[{k!r}]")
    elif type(value) not in (torch.Tensor, bool, int, float, str, type(None)):
        raise TypeError(f"{where} is a {type(value).__name__}, not plain data")


def load(path: Path) -> dict:
    """What the student's kernel wrote, as data; ValueError if it is missing or not plain."""
    import torch

    if not path.is_file():
        raise ValueError("the check did not run (its result file is missing)")
    if path.stat().st_size > MAX_BYTES:
        raise ValueError("the check's result file is too large")
    try:
        result = torch.load(path, weights_only=True)
        _plain_only(result)
    except Exception as error:  # noqa: BLE001 - anything unreadable is a failure
        raise ValueError(f"the check's result file is not plain data ({error})") from None
    if type(result) is not dict or not ({"value"} == set(result) or {"error"} == set(result)):
        raise ValueError("the check's result file is malformed")
    return result


def compare(got, want, rtol: float = 1e-4, atol: float = 1e-5, where: str = "result"):
    """The comparison of the notebooks' checks and the probes, :func:`dlcourse.check.compare`
    (imported on first use: importing this package does not import torch)."""
    from dlcourse.check import compare as check_compare

    return check_compare(got, want, rtol, atol, where)


def declared(chapter: str) -> dict:
    """{exercise: its declaration} for the exercises of ``chapter`` declared by requirement."""
    return dict(_module(chapter).get("EXERCISES", {})) if has_probes(chapter) else {}


@dataclass
class Grade:
    """An exercise's score and, per requirement, (statement, points, why not met or None)."""

    score: float
    points: float
    requirements: list = field(default_factory=list)
    forbidden: str = ""

    def report(self, exercise: str) -> str:
        """What the graded notebook and the feedback show under the test cell."""
        lines = [f"{exercise}: {self.score:g} of {self.points:g} points"]
        if self.forbidden:
            lines.append(f"  0 points: {exercise} must not use {self.forbidden}")
        for name, statement, points, problem in self.requirements:
            mark = "met    " if problem is None else "not met"
            lines.append(f"  [{mark}] {name} ({points:g}): {statement}")
            if problem:
                lines.append("            " + problem.replace("\n", "\n            "))
        return "\n".join(lines)


def _requirement_problem(req, got: dict, want: dict) -> str | None:
    if "error" in want:
        raise RuntimeError(f"the reference solution fails requirement {req.name!r}: "
                           f"{want['error']}")
    if "error" in got:
        return got["error"]
    (got_visible, got_hidden), (want_visible, want_hidden) = got["value"], want["value"]
    judge_one = req.judge or (lambda g, w: compare(g, w, req.rtol, req.atol, "result"))
    if len(got_visible) != len(want_visible):
        return "the check's result is malformed"
    for (expression, _), g, w in zip(req.visible, got_visible, want_visible):
        problem = judge_one(g, w)
        if problem:
            return f"{expression}: {problem}"
    problem = judge_one(got_hidden, want_hidden)
    return f"on other inputs: {problem}" if problem else None


def grade(chapter: str, exercise: str, got: dict, want: dict) -> Grade:
    """The score of a declared exercise: each requirement's points if what the student's
    code gave (``got``) agrees with the reference's (``want``), 0 for all if it called a
    forbidden built-in."""
    declaration = declared(chapter)[exercise]
    if "error" in want:
        raise RuntimeError(f"the reference solution fails the probe of {exercise}: "
                           f"{want['error']}")
    if "error" in got or type(got["value"]) is not dict or \
            set(got["value"]) != {"requirements", "forbidden"}:
        problem = got.get("error", "the check's result is malformed")
        return Grade(0.0, declaration.points, [(r.name, r.statement, r.points, problem)
                                               for r in declaration.requirements])
    results, forbidden = got["value"]["requirements"], got["value"]["forbidden"]
    rows, score = [], 0.0
    for req in declaration.requirements:
        result = results.get(req.name) if type(results) is dict else None
        problem = ("the check's result is malformed" if type(result) is not dict else
                   _requirement_problem(req, result, want["value"]["requirements"][req.name]))
        rows.append((req.name, req.statement, req.points, problem))
        score += req.points if problem is None else 0.0
    if forbidden:
        return Grade(0.0, declaration.points, rows, ", ".join(map(str, forbidden)))
    return Grade(score, declaration.points, rows)


def judge(chapter: str, exercise: str, got: dict, want: dict) -> str | None:
    """None if the student's result ``got`` gets full marks against the reference ``want``,
    else the grade's report."""
    result = grade(chapter, exercise, got, want)
    return None if result.score == result.points else result.report(exercise)
