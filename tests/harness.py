"""Run a chapter's test cells in-process against any implementation of an exercise.

Grading a notebook end to end takes seconds per notebook; the exercise tests need dozens of
implementations per chapter. Here a namespace is built the way the notebook builds it (the
imports cell, then every solution cell in order), the implementation under test replaces one
solution, and the exercise's test cell (visible and hidden tests) runs in that namespace.

The audit, the exercise tests and the probe tests ask about the same implementations; a
:func:`chapter`'s results are kept, so each is computed once per process (conftest.py puts a
chapter's tests on one worker).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import verdicts
from autograder.authoring import grade_id, nbgrader_meta

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Outcome:
    passed: bool
    error: str = ""


class Chapter:
    def __init__(self, chapter: str):
        self.name = chapter
        self.source = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
        self.nb = nbformat.read(self.source, as_version=4)
        self.cells = {grade_id(c): c for c in self.nb.cells if grade_id(c)}
        self.exercises = [grade_id(c) for c in self.nb.cells
                          if nbgrader_meta(c).get("solution") and c.cell_type == "code"]
        self._probed: dict = {}
        self._outcomes: dict = {}

    def solution(self, exercise: str) -> str:
        return self.cells[exercise].source

    def stub(self, exercise: str) -> str:
        """The student's starting point for ``exercise``, from the release notebook."""
        release = nbformat.read(ROOT / "notebooks" / self.name / f"{self.name}.ipynb", 4)
        return next(c.source for c in release.cells if grade_id(c) == exercise)

    def test_source(self, exercise: str) -> str:
        return self.cells[f"test_{exercise}"].source

    def visible_test_source(self, exercise: str) -> str:
        return re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "",
                      self.test_source(exercise), flags=re.S)

    def namespace(self, overrides: dict[str, str] | None = None) -> dict:
        return verdicts.namespace(self.nb, overrides)

    def grade(self, exercise: str, implementation: str | None = None,
              others: dict[str, str] | None = None) -> verdicts.Grade:
        """The grade of a declared exercise, computed as grading computes it, with
        ``implementation`` in place of the solution (and ``others`` in place of other
        exercises' solutions)."""
        overrides = dict(others or {})
        if implementation is not None:
            overrides[exercise] = implementation
        return verdicts.grade(self.name, exercise, self.probe(exercise, overrides),
                              self.reference(exercise))

    def probe(self, exercise: str, overrides: dict[str, str]) -> dict:
        """The probe's result (autograder/verdicts) with ``overrides`` in place of solutions."""
        key = (exercise, tuple(sorted(overrides.items())))
        if key not in self._probed:
            self._probed[key] = verdicts.run(self.name, exercise, self.namespace(overrides))
        return self._probed[key]

    def reference(self, exercise: str) -> dict:
        return verdicts.reference(self.name, exercise, self.source)

    def run(self, exercise: str, implementation: str | None = None,
            visible_only: bool = False) -> Outcome:
        """Run the test cell of ``exercise`` with ``implementation`` in place of the solution."""
        key = (exercise, implementation, visible_only)
        if key not in self._outcomes:
            self._outcomes[key] = self._run(exercise, implementation, visible_only)
        return self._outcomes[key]

    def _run(self, exercise: str, implementation: str | None, visible_only: bool) -> Outcome:
        overrides = {exercise: implementation} if implementation is not None else {}
        test = self.visible_test_source(exercise) if visible_only else self.test_source(exercise)
        try:
            ns = self.namespace(overrides)
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(test, f"test_{exercise}", "exec", dont_inherit=True), ns)
        except Exception as error:  # noqa: BLE001 - any exception is a failed test cell
            return Outcome(False, f"{type(error).__name__}: {error}")
        return Outcome(True)


@functools.cache
def chapter(name: str) -> Chapter:
    """The chapter's one :class:`Chapter` in this process, with what it has computed."""
    return Chapter(name)


def start_lab(root: Path, stderr=None):
    """`make lab` on the course at ``root``, on a free port: (the process, the formgrader
    address it printed, with its token). The caller terminates the process."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    lab = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(root), "lab",
                            "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=stderr if stderr is not None else subprocess.DEVNULL,
                           text=True)
    address = re.match(r"formgrader:\s+(http://\S+)", lab.stdout.readline()).group(1)
    assert address.startswith(f"http://127.0.0.1:{port}/formgrader?token="), address
    return lab, address
