"""The instructor pipeline end to end: nbgrader grades real submissions in a course copy.

One course is graded once per test session through `make grade`'s command line: the bundled
examples, a few implementations from tests/implementations inserted into otherwise complete
submissions, and a file that is not a notebook. Every chapter's instructor and untouched
student notebooks are graded in test_grading_chapters.py, in parallel with this.
"""

import csv
import html as html_module
import json
import re
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from autograder import build_examples, course, seen, verdicts
from autograder.preprocessors import REPAIRS_KEY

from .harness import ROOT, start_lab
from .implementations import ch01_dag_autograd as impl01
from .implementations import ch06_dropout as impl06

pytestmark = pytest.mark.xdist_group("grading")

CH01, CH06 = "ch01_dag_autograd", "ch06_dropout"
CHAPTERS = [CH01, CH06]  # the chapters of the examples

# Kills its kernel when its forward runs (as os._exit, a crash or the OOM killer would).
KILLS_THE_KERNEL = """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        import os
        os._exit(1)
"""

# A correct answer that prints 5 MB on one line (nbgrader's line limit lets it through).
PRINTS_5_MB = impl06.ALTERNATIVES["dropout_mlp"]["nn.Dropout"] + '\nprint("x" * 5_000_000)\n'

# (student, chapter) -> (answers replaced, {test cell: its score}; every other test cell gets
# full marks). Each exercise is graded by requirement and alone: a wrong dag_forward does not
# cost dag_grads_autograd, which calls it; the scores are what tests/harness.py's in-process
# grade gives these answers.
END_TO_END = {
    ("e2e_wrong", CH01): ({"dag_forward": impl01.WRONG["dag_forward"]["values: squared norm"],
                          "accumulated_gradient": impl01.WRONG["accumulated_gradient"][
                              "values: averaged over batches"]},
                         {"test_dag_forward": 0.75, "test_accumulated_gradient": 0.75}),
    ("e2e_alternative", CH01): ({"second_derivative": impl01.ALTERNATIVES["second_derivative"][
                                    "torch.func.grad twice, vmapped"],
                                 "descend": impl01.ALTERNATIVES["descend"]["one parameter vector"]},
                                {}),
    # a forbidden built-in scores the exercise 0; inverted modes lose all but "module"
    ("e2e_wrong", CH06): ({"dropout_layer": impl06.WRONG["dropout_layer"][
                              "forbidden: calls F.dropout"],
                          "Dropout": impl06.WRONG["Dropout"]["training: modes inverted"]},
                         {"test_dropout_layer": 0, "test_Dropout": 0.25}),
    # the kernel dies in test_Dropout: dropout_layer, graded before, keeps its points
    ("e2e_kernel_death", CH06): ({"Dropout": KILLS_THE_KERNEL},
                                 {"test_Dropout": 0, "test_dropout_mlp": 0}),
    ("e2e_huge_output", CH06): ({"dropout_mlp": PRINTS_5_MB}, {}),
    ("e2e_alternative", CH06): ({"dropout_mlp": impl06.ALTERNATIVES["dropout_mlp"][
                                    "dropout before each ReLU (they commute)"]}, {}),
}


def submit(root, student, chapter, nb):
    path = root / "submitted" / student / chapter / f"{chapter}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def scores(rows):
    return {(r["student"], r["chapter"]): r["cells"] for r in rows}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    # what `make` runs: the examples graded in a course of their own (here, this one)
    demo = subprocess.run([sys.executable, "-m", "autograder", "demo", str(root)],
                          capture_output=True, text=True, cwd=ROOT)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    for (student, chapter), (answers, _) in END_TO_END.items():
        submit(root, student, chapter, build_examples.submission(chapter, answers))
    broken = root / "submitted" / "broken" / CH06 / f"{CH06}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')  # a download cut short
    # what `make grade` runs: the new submissions only, the examples are graded already
    result = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "grade"],
                            capture_output=True, text=True, cwd=ROOT)
    return root, scores(course.gradebook_rows(root)), result


def autograded(root, student, chapter):
    return nbformat.read(root / "autograded" / student / chapter / f"{chapter}.ipynb", 4)


def errors(nb, skip_tests=False):
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if skip_tests and meta.get("grade") and not meta.get("solution"):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"{meta.get('grade_id', cell.get('id'))}: {output.ename}")
    return found


def auto_cells(cells):
    return {name: v for name, v in cells.items() if name.startswith("test_")}


def test_batch_completes_and_prints_the_gradebook(graded):
    """A file that is not a notebook is named with its error; everyone else is graded."""
    _, table, result = graded
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^  broken: .*NotJSONError", result.stdout, re.M), result.stdout
    for student in {student for student, _ in table}:
        assert re.search(rf"^{student}\s", result.stdout, re.M), student
    assert "ch01_dag_autograd" in result.stdout and "ch06_dropout" in result.stdout
    assert re.search(r"^ch01_dag_autograd: 3 unchanged since last graded", result.stdout, re.M)
    assert re.search(r"^ch06_dropout: 2 unchanged since last graded", result.stdout, re.M)
    assert all(s == t for s, t, _ in auto_cells(table[("example_perfect", CH06)]).values())


def visible_text(page: str) -> str:
    """What a browser shows of an HTML page: tags (syntax highlighting) out, entities decoded."""
    return html_module.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_test_lines(chapter):
    """The hidden tests of a chapter: its grading code when its exercises are declared by
    requirement, else the hidden sections of its test cells."""
    if verdicts.declared(chapter):
        return verdicts.source(chapter).splitlines()
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", 4)
    return [line for cell in nb.cells
            for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS",
                                    cell.source, re.S)
            for line in block.splitlines()]


def test_export_and_feedback(graded):
    root, table, _ = graded
    # what a submission could do to plain nbgrader's gradebook: 20 points of extra credit
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.find_grade("test_dropout_mlp", CH06, CH06, "e2e_alternative").extra_credit = 20
        gb.db.commit()
    assert scores(course.gradebook_rows(root))[("e2e_alternative", CH06)][
        "test_dropout_mlp"][0] == 2
    # no silent zeros: with written answers not marked yet, export refuses and names them,
    # feedback is written for nobody waiting for a mark ...
    for command in ("export", "feedback"):
        refused = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root),
                                  command], capture_output=True, text=True, cwd=ROOT)
        assert f"{CH01} example_wrong: written_1" in refused.stdout + refused.stderr
    assert refused.returncode == 0 and not (root / "feedback" / "example_wrong" / CH01).exists()
    assert not (root / "grades.csv").exists()
    # ... unless told to go ahead, and then the CSV and the feedback say which are unmarked
    for command in ("export", "feedback"):
        subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), command,
                        "--allow-unmarked"], check=True, capture_output=True, cwd=ROOT)
    with open(root / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # every submission's written answers wait for a grader
        key = (row["student_id"], row["assignment"])
        waiting = row["unmarked"].split()
        written = [c for c in waiting if c.startswith("written_")]
        flagged = sorted(n for n, v in table.get(key, {}).items() if v[2])
        assert bool(written) == (key in table) and sorted(waiting) == flagged, (key, waiting)
    page = (root / "feedback" / "example_wrong" / CH01 / f"{CH01}.html").read_text()
    assert re.search(r"Written response</a> \(Score: not yet marked / 2", page)
    assert not re.search(r"Written response</a> \(Score: [0-9]", page)
    assert re.search(r"\(Score: [0-9.]+ / [0-9.]+; \d answers not yet marked\)", page)
    assert {(r["student_id"], r["assignment"]) for r in rows} >= set(table)
    perfect = next(r for r in rows if r["student_id"] == "example_perfect"
                   and r["assignment"] == CH06)
    assert float(perfect["raw_score"]) == 7.0
    tampered = next(r for r in rows if r["student_id"] == "e2e_alternative"
                    and r["assignment"] == CH06)
    assert float(tampered["score"]) == 7.0  # its code points, not 7 + 20
    html = root / "feedback" / "example_wrong" / CH01 / f"{CH01}.html"
    text = visible_text(html.read_text())
    # the grade's report reaches the student: which requirement failed, and why
    assert "dag_grads_manual: 1.5 of 3 points" in text and "[not met] grad_w1" in text
    # ... but no line of any hidden test does (plain nbgrader shows them all)
    # (lines that the student's own notebook also has, a reference answer say, do not count)
    own = "\n".join(c.source for c in build_examples.examples()[("example_wrong", CH01)].cells)
    hidden = [line.strip() for line in hidden_test_lines(CH01)
              if len(line.strip()) > 25 and line.strip() not in own]
    assert len(hidden) > 20 and [line for line in hidden if line in text] == []
    assert "BEGIN HIDDEN TESTS" not in text


@pytest.fixture(scope="module")
def graded_plain(tmp_path_factory):
    """The damaged examples graded by nbgrader with none of this course's settings."""
    root = course.stock_course(tmp_path_factory.mktemp("plain"))
    plain = {key: nb for key, nb in build_examples.examples().items()
             if key[0] in ("example_warning", "example_colab")}
    plain[("e2e_kernel_death", CH06)] = build_examples.submission(
        CH06, END_TO_END[("e2e_kernel_death", CH06)][0])
    for (student, chapter), nb in plain.items():
        submit(root, student, chapter, nb)
    for chapter in {chapter for _, chapter in plain}:
        course.nbgrader(root, "generate_assignment", chapter, "--force")
        course.nbgrader(root, "autograde", chapter, "--force", check=False)
    return scores(course.gradebook_rows(root))


def documented_examples():
    """{(student, chapter): (code points, plain nbgrader points or None)} from the
    instructors' guide (docs/instructors.md, "The example submissions")."""
    documented = {}
    row = re.compile(r"\|\s*`(example_\w+)`\s*\|\s*(ch\d\d_\w+)\s*\|"
                     r"\s*([\d./]+)\s*\|\s*([\d./]*)\s*\|")
    for line in (ROOT / "docs" / "instructors.md").read_text().splitlines():
        m = row.match(line)
        if m:
            documented[(m.group(1), m.group(2))] = (m.group(3), m.group(4) or None)
    return documented


def total(cells) -> str:
    cells = auto_cells(cells)
    return f"{sum(v[0] for v in cells.values()):g}/{sum(v[1] for v in cells.values()):g}"


def test_examples_get_the_grades_the_instructors_guide_gives(graded, graded_plain):
    """docs/instructors.md's example table is what grading produces, here and with plain
    nbgrader."""
    _, table, _ = graded
    documented = documented_examples()
    assert set(documented) == set(build_examples.examples())
    for key, (points, plain_points) in documented.items():
        assert total(table[key]) == points, key
        losses = build_examples.EXPECTED_LOSSES.get(key, {})
        for name, (score, top, _) in auto_cells(table[key]).items():
            assert score == losses.get(name, top), (key, name)
        if plain_points is not None:
            assert total(graded_plain[key]) == plain_points, key


def test_a_dead_kernel_keeps_the_credit_earned_before(graded, graded_plain):
    root, table, _ = graded
    # plain nbgrader: an error for the student, 0 everywhere, dropout_layer's 3 points lost
    plain = auto_cells(graded_plain[("e2e_kernel_death", CH06)])
    assert plain and all(score == 0 for score, _, _ in plain.values())
    repairs = autograded(root, "e2e_kernel_death", CH06).metadata[REPAIRS_KEY]
    assert "the kernel died while running test_Dropout" in repairs[-1]
    assert table[("e2e_kernel_death", CH06)]["test_dropout_layer"][0] == 3


def test_huge_outputs_are_cut(graded):
    root, _, _ = graded
    path = root / "autograded" / "e2e_huge_output" / CH06 / f"{CH06}.ipynb"
    assert path.stat().st_size < 1_000_000
    assert "more characters cut by the grader" in path.read_text()


def test_plain_nbgrader_leaves_colab_damage_to_manual_grading(graded_plain):
    cells = auto_cells(graded_plain[("example_colab", CH01)])
    assert all(pending for _, _, pending in cells.values())


def test_stderr_does_not_zero_a_correct_cell(graded):
    root, table, _ = graded
    nb = autograded(root, "example_warning", CH06)
    test_cell = next(c for c in nb.cells if c.get("id") == "test_dropout_layer")
    # graded outside the test cell: its output is the grade's report, whatever the student's
    # code wrote to stderr while it was checked (plain nbgrader: 0, see docs/instructors.md's table)
    text = "".join(o.get("text", "") for o in test_cell.outputs)
    assert "dropout_layer: 3 of 3 points" in text
    assert all(o.get("name") != "stderr" for o in test_cell.outputs)
    assert all(s == t for s, t, _ in auto_cells(table[("example_warning", CH06)]).values())


def test_colab_damage_is_repaired_and_reported(graded):
    root, table, _ = graded
    repairs = autograded(root, "example_colab", CH01).metadata[REPAIRS_KEY]
    assert any("test cell 'test_dag_forward' was missing" in r for r in repairs)
    assert any("'dag_forward' had lost its nbgrader metadata" in r for r in repairs)
    assert any("written answer 'written_1'" in r for r in repairs)
    written = {n: v for n, v in table[("example_colab", CH01)].items() if n.startswith("written")}
    assert all(pending for _, _, pending in written.values())  # answers found, to be graded


@pytest.mark.parametrize("student, chapter", list(END_TO_END))
def test_implementations_end_to_end(graded, student, chapter):
    _, table, _ = graded
    _, expected = END_TO_END[(student, chapter)]
    for name, (score, top, _) in auto_cells(table[(student, chapter)]).items():
        assert score == expected.get(name, top), name


def test_the_release_is_generated_again_only_when_it_would_change(graded):
    """Grading runs generate_assignment (seconds) only when the source, the configuration or
    the release notebook changed since it last ran (autograder/seen.py)."""
    root = graded[0]
    release = root / "notebooks" / CH06 / f"{CH06}.ipynb"
    assert seen.generated(root, CH06)
    saved = release.read_bytes()
    try:
        release.write_bytes(saved.replace(b"Dropout", b"Drop-out", 1))  # edited by hand
        assert not seen.generated(root, CH06)
    finally:
        release.write_bytes(saved)
    assert seen.generated(root, CH06)


def test_grading_twice_gives_the_same_scores(graded):
    root, table, _ = graded
    course.nbgrader(root, "autograde", CH01, "--force")
    again = scores(course.gradebook_rows(root))
    for key, cells in table.items():
        if key[1] == CH01:
            assert again[key] == cells, key


def test_formgrader_shows_the_course(graded):
    """nbgrader's formgrader, in JupyterLab as `make lab` starts it, reads this course: the
    address it prints (with its token) logs in, and nothing warns about nbgrader's exchange."""
    root, table, _ = graded
    lab, address = start_lab(root, stderr=subprocess.PIPE)
    try:
        base, token = address.split("/formgrader?token=")
        assert len(token) > 20

        def get(path):
            request = urllib.request.Request(base + path,
                                             headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.load(response)

        for _ in range(120):
            try:
                assignments = {a["name"]: a for a in get("/formgrader/api/assignments")}
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("formgrader did not answer within a minute")
        with urllib.request.urlopen(base + "/formgrader/api/assignments", timeout=5) as page:
            assert "/login" in page.geturl()  # no token: the login page, not formgrader
        # what JupyterLab's Assignments tab polls: answered, without an exchange error
        listed = get("/assignments?course_id=dlcourse")
        assert listed["success"], listed
    finally:
        lab.terminate()
        log = lab.communicate(timeout=30)[1]
    assert "exchange" not in log.lower(), log
    for chapter in CHAPTERS:
        assert assignments[chapter]["source_path"] == f"solutions/{chapter}"
        assert assignments[chapter]["num_submissions"] == sum(c == chapter for _, c in table)


def test_grading_tests_share_one_worker(request):
    """Each grading fixture runs once only if pytest-xdist keeps a group on one worker (the
    `@group` suffix of the test's id); pytest 9.2 broke that silently (see pyproject.toml)."""
    if request.config.getoption("dist", "no") == "loadgroup":
        assert request.node.nodeid.endswith("@grading"), request.node.nodeid
