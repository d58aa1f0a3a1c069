"""Verdicts judged outside the student's kernel.

The tests of a notebook run in the student's kernel, where the student's code ran first: an
IPython input transformer can blank them, a patched ``torch.allclose`` or ``expect_close`` can
pass anything, a tensor subclass can answer ``==`` with True. So a test cell's points count
only if a second, independent check agrees.

For every exercise, ``autograder/verdicts/<chapter>.py`` has a *probe*: ``probe_<exercise>(ns)``
calls the exercise's functions from the namespace ``ns`` on fixed inputs and returns what they
gave (tensors, numbers, strings, lists and dicts of them). Right after the exercise's test
cell, the grader runs the probe in the student's kernel, which writes the result to a file.
The grader reads it back as data only (``torch.load(weights_only=True)``, plain types, plain
tensors), runs the same probe in its own process on the reference solution, and compares the
two (``compare_<exercise>(got, want)`` where a chapter defines one, :func:`compare` otherwise).
Anything the student's kernel does to itself can change what it writes, never the reference
or the comparison; a missing or unreadable file is a failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import os
import textwrap
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
    return [name[len("probe_"):] for name in _module(chapter) if name.startswith("probe_")]


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
    """What the reference results depend on: the probes, the solution's code, torch (its
    installed version, read without importing it)."""
    nb = nbformat.read(solution, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    text = "\0".join([source(chapter), importlib.metadata.version("torch"), *code])
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
    """The default comparison, :func:`autograder.verdicts.runtime.compare` (imported on first
    use: importing this package does not import torch)."""
    from .runtime import compare as runtime_compare

    return runtime_compare(got, want, rtol, atol, where)


def judge(chapter: str, exercise: str, got: dict, want: dict) -> str | None:
    """None if the student's probe result ``got`` agrees with the reference ``want``."""
    if "error" in want:
        raise RuntimeError(f"the reference solution fails the probe of {exercise}: "
                           f"{want['error']}")
    if "error" in got:
        return got["error"]
    custom = _module(chapter).get(f"compare_{exercise}")
    return (custom or compare)(got["value"], want["value"])
