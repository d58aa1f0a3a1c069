"""nbgrader preprocessors that make autograding survive real submissions.

- :class:`RealignToRelease` (sanitize stage, before nbgrader's ``OverwriteCells``) rebuilds a
  submission on the release notebook: answers are taken from the student, everything else
  from the release. It handles what Colab and VS Code do to notebooks (cell metadata lost,
  test cells deleted or retyped, cells moved or duplicated) and records each repair.
- :class:`StderrIsNotFailure` (autograde stage, after ``Execute``) stops nbgrader from
  scoring a test cell 0 only because something wrote to stderr (a warning, a tqdm bar):
  a test cell fails when it raises, and only then.
- :class:`ExecuteKeepingCredit` (nbgrader's ``Execute``) runs the kernel in a sandbox, checks
  each passed test against a probe judged outside the kernel, and keeps the points of the
  cells that ran before a kernel died (``os._exit``, a crash, the out-of-memory killer).
- :class:`HideHiddenTests` (feedback) keeps the hidden tests out of the feedback HTML.
- :class:`TruncateOutput` (autograde stage) cuts outputs that nbgrader's line limit lets
  through: one enormous line, a huge image.
- :class:`SaveKeepingMarks` (nbgrader's ``SaveAutoGrades``) does not re-open a mark an
  instructor set by hand when the answers it was given for are the ones graded again.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import secrets
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor, SaveAutoGrades

from . import seen, verdicts
from .authoring import nbgrader_meta

REPAIRS_KEY = "dlcourse_repairs"
#: where the graded notebook keeps what its grading cost, in seconds (benchmarks read it)
TIMING_KEY = "dlcourse_timing"


def defined_names(source: str) -> list[str]:
    """Top-level functions and classes a code cell defines (best effort on broken code)."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return re.findall(r"^(?:async\s+)?(?:def|class)\s+(\w+)", source, flags=re.M)
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def realign(submission, release) -> tuple[list, list[str]]:
    """The release's cells with the student's answers in them, and what had to be repaired.

    An answer cell is found by its nbgrader id, or, when the metadata is gone, by the
    exercise name it defines (code) or by following its question (written answers). Every
    other cell comes from the release, so tests and read-only cells are always the
    instructor's. Student cells that match nothing and define something (helpers) are
    kept, just before the next answer that followed them in the submission.
    """
    repairs: list[str] = []
    sub_cells = submission.cells
    release_sources = {c.source.strip() for c in release.cells}
    release_ids = {c.get("id") for c in release.cells if c.get("id")}

    by_grade_id: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for i, cell in enumerate(sub_cells):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            by_grade_id[gid] = i  # duplicates: the last one is what ran last
        if cell.cell_type == "code":
            for name in defined_names(cell.source):
                by_name[name] = i

    answer_of: dict[str, int] = {}  # release grade_id -> index of the student's cell
    for k, rc in enumerate(release.cells):
        meta = nbgrader_meta(rc)
        if not meta.get("solution"):
            continue
        gid = meta["grade_id"]
        if gid in by_grade_id:
            answer_of[gid] = by_grade_id[gid]
        elif rc.cell_type == "code" and gid in by_name:
            answer_of[gid] = by_name[gid]
            repairs.append(f"answer '{gid}' had lost its nbgrader metadata: "
                           f"found by the name it defines")
        elif rc.cell_type == "markdown" and k > 0:
            question = release.cells[k - 1].source.strip()
            for i, cell in enumerate(sub_cells[:-1]):
                nxt = sub_cells[i + 1]
                if cell.source.strip() == question and nxt.source.strip() not in release_sources:
                    answer_of[gid] = i + 1
                    repairs.append(f"written answer '{gid}' had lost its nbgrader metadata: "
                                   f"found after its question")
                    break
        if gid not in answer_of:
            repairs.append(f"answer cell '{gid}' is missing: the empty stub was put back")

    used = set(answer_of.values())
    extras_before: dict[int, list] = {}  # student answer index -> helper cells before it
    pending = []
    for i, cell in enumerate(sub_cells):
        if i in used:
            if pending:
                extras_before.setdefault(i, []).extend(pending)
                pending = []
            continue
        if cell.cell_type != "code" or cell.get("id") in release_ids:
            continue
        if nbgrader_meta(cell).get("grade_id") or cell.source.strip() in release_sources:
            continue
        if defined_names(cell.source):
            pending.append(cell)
    if pending:
        repairs.append(f"{len(pending)} extra cell(s) after the last answer were left out")

    cells = []
    for rc in release.cells:
        meta = nbgrader_meta(rc)
        gid = meta.get("grade_id")
        cell = copy.deepcopy(rc)
        if meta.get("solution") and gid in answer_of:
            i = answer_of[gid]
            for extra in extras_before.pop(i, []):
                helper = nbformat.v4.new_code_cell(extra.source)
                cells.append(helper)
                repairs.append(f"kept extra cell defining {', '.join(defined_names(extra.source))}"
                               f" before answer '{gid}'")
            student = sub_cells[i]
            if student.cell_type != rc.cell_type:
                repairs.append(f"answer '{gid}' was retyped to {student.cell_type}: "
                               f"restored as {rc.cell_type}")
            cell.source = student.source
        elif gid and not meta.get("solution"):
            original = by_grade_id.get(gid)
            kind = "test" if meta.get("grade") else "read-only"
            if original is None:
                repairs.append(f"{kind} cell '{gid}' was missing: restored from the release")
            elif sub_cells[original].source.strip() != rc.source.strip():
                repairs.append(f"{kind} cell '{gid}' was edited: restored from the release")
        cells.append(cell)
    return cells, repairs


class RealignToRelease(NbGraderPreprocessor):
    """Rebuild each submission on its release notebook (see :func:`realign`)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        path = os.path.join(coursedir.format_path(coursedir.release_directory, ".",
                                                  info["assignment"]),
                            f"{info['notebook']}.ipynb")
        release = nbformat.read(path, as_version=4)
        cells, repairs = realign(nb, release)
        nb.cells = cells
        nb.metadata[REPAIRS_KEY] = repairs
        for line in repairs:
            self.log.warning("%s / %s: %s", info["student"], info["assignment"], line)
        return nb, resources


class StderrIsNotFailure(NbGraderPreprocessor):
    """Relabel stderr output as stdout in cells that did not raise."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            outputs = cell.get("outputs", [])
            if not any(o.output_type == "error" for o in outputs):
                for output in outputs:
                    if output.output_type == "stream" and output.name == "stderr":
                        output.name = "stdout"
        return cell, resources


class ExecuteKeepingCredit(Execute):
    """nbgrader's ``Execute``, with the kernel in a sandbox, verdicts checked outside it, and a
    kernel death that costs only the cells it did not run.

    - The kernel runs in :mod:`autograder.sandbox` (no access to solutions, gradebook or other
      students; no network; memory, process and CPU limits).
    - Right after each test cell ``test_<exercise>``, the exercise's probe runs in the kernel
      and writes what the student's code returns; when the notebook is done, a test cell that
      passed keeps its points only if that agrees with the reference solution, compared in
      this process (:mod:`autograder.verdicts`). A disagreement (or a probe that did not
      run) adds an error to the test cell, which scores 0.
    - A student's ``os._exit()``, a segfault or the out-of-memory killer ends the kernel;
      plain nbgrader then reports an error for the student and records no grade at all. Here
      the cells that ran keep their outputs (and their points), every code cell from the one
      that was running onwards gets an error output saying what happened (so its tests score
      0), and the event is recorded with the repairs.
    """

    def __init__(self, *args, **kwargs):
        from .sandbox import SandboxedKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess_cell(self, cell, resources, index):
        self._running = index
        start = time.perf_counter()
        timing = self._timing
        timing.setdefault("kernel_start", start - self._started)  # the first cell: it is up
        meta = nbgrader_meta(cell)
        exercise = self._probed.get(meta.get("grade_id"))
        if exercise:
            # Its checks run once, in the grading code, which evaluates the same expressions
            # and more: the test cell itself would only repeat them (and decides nothing).
            self._verdicts[exercise] = self._run_probe(exercise, index)
            part = "checks"
        else:
            cell, resources = super().preprocess_cell(cell, resources, index)
            part = ("checks" if meta.get("grade") and not meta.get("solution") else
                    "setup" if not self._answered else "cells")
        self._answered = self._answered or bool(meta.get("solution"))
        timing[part] += time.perf_counter() - start
        return cell, resources

    def _run_probe(self, exercise, index):
        """Run the exercise's grading code in the kernel, grade what it wrote here."""
        folder = Path(getattr(self.km, "workdir", None) or self._folder)
        path = folder / f".dlcourse-verdict-{self._nonce}-{exercise}.pt"
        probe = nbformat.v4.new_code_cell(verdicts.kernel_code(self._chapter, exercise,
                                                               str(path)))
        cell = self.nb.cells[index]
        self.execute_cell(probe, index, store_history=False)  # its outputs are dropped
        self.nb.cells[index] = cell  # nbclient stores the cell it ran in the notebook
        try:
            got = verdicts.load(path)
        except ValueError as error:
            got = {"error": str(error)}
        finally:
            path.unlink(missing_ok=True)
        want = verdicts.reference(self._chapter, exercise, self._source)
        return verdicts.grade(self._chapter, exercise, got, want)

    def preprocess(self, nb, resources=None, km=None):
        info = (resources or {}).get("nbgrader", {})
        self._running = 0
        self._chapter = info.get("assignment", "")
        self._folder = Path((resources or {}).get("metadata", {}).get("path") or ".").resolve()
        self._nonce = secrets.token_hex(8)
        self._probed = {f"test_{name}": name for name in verdicts.probed(self._chapter)}
        self._verdicts = {}
        # the kernel's start, the cells before the first answer (setup and imports), the other
        # cells, the checks (test cells and probes), and later the gradebook write
        self._timing = {"setup": 0.0, "cells": 0.0, "checks": 0.0}
        self._answered = False
        self._started = time.perf_counter()
        coursedir = CourseDirectory(config=self.config)
        self._source = Path(coursedir.format_path(coursedir.source_directory, ".",
                                                  self._chapter),
                            f"{info.get('notebook', self._chapter)}.ipynb")
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except DeadKernelError as error:
            died_in = nb.cells[self._running]
            where = nbgrader_meta(died_in).get("grade_id") or f"cell {self._running + 1}"
            for cell in nb.cells[self._running:]:
                if cell.cell_type == "code":
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="DeadKernelError",
                        evalue=f"the kernel died while running {where}; cells from there on "
                               "were not run",
                        traceback=[f"DeadKernelError: the kernel died while running {where} "
                                   f"({error})"]))
            message = (f"the kernel died while running {where}: the cells before it are "
                       "graded, the rest score 0")
            nb.metadata.setdefault(REPAIRS_KEY, []).append(message)
            self.log.warning("%s / %s: %s", info.get("student"), info.get("assignment"), message)
        self._apply_verdicts(nb, info)
        nb.metadata[TIMING_KEY] = {k: round(v, 3) for k, v in self._timing.items()}
        return nb, resources

    def _apply_verdicts(self, nb, info):
        """Score each exercise's test cell by the grade computed here."""
        for cell in nb.cells:
            exercise = self._probed.get(nbgrader_meta(cell).get("grade_id"))
            if exercise:
                self._score(cell, exercise, info)

    def _score(self, cell, exercise, info):
        """The test cell's outputs become the grade: the report of every requirement (met or
        not, and why) and the score, a number, which nbgrader reads as partial credit
        (``nbgrader.utils.determine_grade``). What the visible checks printed in the kernel
        is replaced: the same checks ran again, here, and decide."""
        grade = self._verdicts.get(exercise)
        if grade is None:  # the kernel died before the exercise's test cell ran
            grade = verdicts.grade(self._chapter, exercise, {"error": "the check did not run"},
                                   verdicts.reference(self._chapter, exercise, self._source))
        report = grade.report(exercise)
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=report + "\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": f"{grade.score:g}"},
                                   execution_count=cell.get("execution_count")),
        ]
        if grade.score < grade.points:
            self.log.info("%s / %s: %s", info.get("student"), self._chapter, report)


class HideHiddenTests(ClearHiddenTests):
    """Feedback without the hidden tests: their source is cut out of the test cells (nbgrader's
    ``ClearHiddenTests``) and so are the tracebacks, which quote the failing line and the lines
    around it; what stays of a failure is its message ("dq/dw1: largest difference …").

    Student code sees each test cell's source when it runs (an IPython input transformer can
    print it), so every output line that quotes a line of the hidden tests is cut as well; so
    is every line that quotes the chapter's grading code (``autograder/verdicts``: the
    hidden inputs and the correct versions of earlier exercises), which runs in the kernel
    after each test cell."""

    QUOTED = "[a line of the hidden tests, removed from the feedback]"

    def preprocess(self, nb, resources):
        self._hidden = set()
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            inside = False
            for line in cell.source.splitlines():
                if self.begin_test_delimeter in line or self.end_test_delimeter in line:
                    inside = self.begin_test_delimeter in line
                elif inside and len(line.strip()) >= 12:  # "else:", ")" say nothing
                    self._hidden.add(line.strip())
        chapter = resources.get("nbgrader", {}).get("assignment", "")
        if verdicts.has_probes(chapter):
            shown = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
            self._hidden.update(line.strip() for line in verdicts.source(chapter).splitlines()
                                if len(line.strip()) >= 12 and line.strip() not in shown
                                and not line.strip().startswith("#"))
        return super().preprocess(nb, resources)

    def _scrub(self, text: str) -> str:
        if not self._hidden or not isinstance(text, str):
            return text
        return "\n".join(self.QUOTED if any(h in line for h in self._hidden) else line
                         for line in text.split("\n"))

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                if meta.get("grade") and not meta.get("solution"):
                    output.traceback = [f"{output.ename}: {output.evalue}"]
                output.evalue = self._scrub(output.evalue)
                output.traceback = [self._scrub(line) for line in output.traceback]
            elif output.output_type == "stream":
                output.text = self._scrub(output.text)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime == "application/json":
                    output.data[mime] = self._scrub(value)
        return cell, resources


class TruncateOutput(NbGraderPreprocessor):
    """Cut every text output to ``max_chars`` characters and drop images over ``max_bytes``.

    nbgrader's ``LimitOutput`` counts lines; ``print("x" * 10**8)`` is one line, and it would
    make the graded notebook, the feedback page and formgrader 100 MB each.
    """

    max_chars = 100_000
    max_bytes = 2_000_000

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return (text[:self.max_chars] +
                f"\n... [{len(text) - self.max_chars:,} more characters cut by the grader]\n")

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = self._cut(output.text)
            elif output.output_type == "error":
                output.evalue = self._cut(output.evalue)
                output.traceback = [self._cut(line) for line in output.traceback]
            elif "data" in output:
                for mime, value in list(output.data.items()):
                    if not isinstance(value, str):
                        continue
                    if mime.startswith("image/") and len(value) > self.max_bytes:
                        output.data["text/plain"] = (f"[an image of {len(value):,} bytes, "
                                                     "removed by the grader]")
                        del output.data[mime]
                    else:
                        output.data[mime] = self._cut(value)
        return cell, resources


class SaveKeepingMarks(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades`` flags every cell with a manual score as "needs manual
    grading" each time it grades, so that grading a chapter again for one late student re-opens
    every mark already given. Here a mark stays settled when what it was given for is
    unchanged: a written answer's own text, or, for a test cell whose score was overridden, all
    the answers of the notebook (see :mod:`autograder.seen`). A changed answer is flagged as
    nbgrader flags it; the mark and the comments stay in the gradebook either way."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self._db = seen.db_path(info["db_url"])
        self._before = seen.answers(self._db, info["assignment"], info["student"])
        self._now = {cell.metadata.nbgrader["grade_id"]: seen.sha(cell.source)
                     for cell in nb.cells if utils.is_solution(cell)}
        self._now[seen.ALL_ANSWERS] = seen.sha("\0".join(
            f"{k}\0{v}" for k, v in sorted(self._now.items())))
        start = time.perf_counter()
        nb, resources = super().preprocess(nb, resources)
        seen.record_answers(self._db, info["assignment"], info["student"], self._now)
        if TIMING_KEY in nb.metadata:
            nb.metadata[TIMING_KEY]["gradebook"] = round(time.perf_counter() - start, 3)
        return nb, resources

    def _add_score(self, cell, resources):
        grade = self.gradebook.find_grade(cell.metadata.nbgrader["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        settled = grade.manual_score is not None and not grade.needs_manual_grade
        super()._add_score(cell, resources)
        key = cell.metadata.nbgrader["grade_id"] if utils.is_solution(cell) else seen.ALL_ANSWERS
        if settled and key in self._before and self._before[key] == self._now.get(key):
            grade.needs_manual_grade = False
            self.gradebook.db.commit()
