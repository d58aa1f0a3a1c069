"""The repository's own promises: package lists in sync, notebooks clean and generated,
the curriculum's contract kept, the Colab setup cell safe."""

import inspect
import re
import subprocess
import sys
import tomllib
import types

import nbformat
import pytest

from autograder import authoring, build_examples, course
from autograder.verdicts import declared

from .harness import ROOT, Chapter, grade_id

CHAPTERS = authoring.chapters()

# Exercise names and signatures from ../shared/COURSE.md: instructors' own tests rely on them.
# The course may add an exercise (marked so below), never rename or change one.
CONTRACT = {
    "ch00_tensors": {
        "pairwise_distances": "(points)",
        "summary_stats": "(x)",
        "matrix_rank": "(M, tol=None)",
        "float32_fields": "(x: float)",
        "contiguous_strides": "(shape)",
        "storage_index": "(index, strides, offset=0)",
        # beyond COURSE.md: the harder variant of the one-line storage_index, the rule by
        # which PyTorch decides whether view() works
        "is_contiguous": "(shape, strides)",
    },
    "ch01_dag_autograd": {
        "dag_forward": "(w1, w2, x)",
        "dag_grads_autograd": "(w1, w2, x)",
        "dag_grads_manual": "(w1, w2, x)",
        "descend": "(a, b, eta, steps, detach_coupling=False)",
        "second_derivative": "(f, x)",
        "accumulated_gradient": "(model, loss_fn, batches)",
    },
    "ch02_modules_batches": {
        "pm1_targets": "(labels, num_classes)",
        "linear_forward": "(x, weight, bias=None)",
        "linear_backward": "(grad_y, x, weight)",
        "count_parameters": "(module)",
        "Net": "()",
        "NotBuggy": "()",
        "mse": "(input, target)",
        "synthetic_data": "(w, b, num_examples, generator=None)",
        "sgd": "(params, lr, batch_size)",
    },
    "ch03_convolutions": {
        "corr1d": "(x, u)",
        "corr2d": "(X, K)",
        "conv_output_size": "(size, kernel_size, stride=1, padding=0, dilation=1)",
        "corr2d_multi_in_out": "(X, K)",
        "conv2d": "(input, weight, bias=None, stride=1, padding=0, dilation=1)",
        "Conv2D": "(kernel_size)",
        "learn_kernel": "(X, Y, kernel_size, steps=50, lr=0.03)",
    },
    "ch04_pooling": {
        "pool2d": "(X, pool_size, mode='max')",
        "max_pool2d": "(input, kernel_size, stride=None, padding=0)",
        "avg_pool2d": "(input, kernel_size, stride=None)",
        "global_avg_pool": "(x)",
    },
    "ch05_training": {
        "fashion_mnist_labels": "(indices)",
        "accuracy": "(logits, y)",
        "log_softmax": "(o)",
        "cross_entropy": "(o, y)",
        "train_epoch": "(net, loader, loss_fn, optimizer, device)",
        "evaluate": "(net, loader, device)",
        "class_accuracy": "(preds, labels, num_classes)",
        "split_indices": "(n, valid_fraction, seed)",
    },
    "ch06_dropout": {
        "dropout_layer": "(X, p)",
        "Dropout": "(p)",
        "dropout_mlp": "(p1, p2)",
    },
    "ch07_alexnet": {
        "alexnet": "(in_channels=1, num_classes=10)",
        "layer_shapes": "(net, input_shape)",
        "small_alexnet": "(num_classes=10)",
    },
    "ch08_googlenet": {
        "Inception": "(in_channels, c1, c2, c3, c4)",
        "googlenet": "(in_channels=1, num_classes=10)",
    },
    "ch09_transfer_learning": {
        "Adam": "(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08)",
        "evaluate_loss": "(net, loader, loss_fn, device=None)",
        "EarlyStopping": "(patience=3, min_delta=0.0)",
        "save_checkpoint": "(path, model, optimizer, epoch)",
        "load_checkpoint": "(path, model, optimizer=None)",
        "channel_stats": "(dataset)",
        "transfer_model": "(backbone, head, num_classes, hidden=256, p=0.2)",
        "confusion_matrix": "(preds, labels, num_classes)",
    },
}


def requirement_names(requirements):
    return {re.split(r"[<>=! ]", r.strip(), maxsplit=1)[0].lower(): r.replace(" ", "")
            for r in requirements}


def test_environment_yml_lists_the_pyproject_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_section = re.search(r"- pip:\n((?:\s+- .+\n)+)", (ROOT / "environment.yml").read_text())
    conda_pip = [line.strip()[2:] for line in pip_section.group(1).splitlines()]
    assert "-e ." in conda_pip
    course_extra = project["optional-dependencies"]["course"]
    expected = requirement_names(project["dependencies"] + course_extra)
    assert requirement_names(r for r in conda_pip if r != "-e .") == expected


def test_no_deps_pins_agree():
    pins = authoring.course_settings()["no-deps"]
    makefile = (ROOT / "Makefile").read_text()
    env = (ROOT / "environment.yml").read_text()
    for pin in pins:
        assert re.search(rf"^D2L\s*:=\s*{re.escape(pin)}$", makefile, re.M), pin
        assert f"pip install --no-deps {pin}" in env
        assert pin in (ROOT / "docs" / "instructors.md").read_text()  # why --no-deps
        assert f"pip install --no-deps {pin}" in (ROOT / "docs" / "students.md").read_text()


def test_readme_and_ci_use_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make        #" in readme and "make test   #" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def committed_notebooks():
    return sorted(p for folder in ("solutions", "notebooks", "autograder/examples")
                  for p in (ROOT / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in str(p))


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path


def test_notebooks_are_generated_from_solutions():
    assert course.check_notebooks() == []


def test_examples_are_up_to_date(tmp_path):
    build_examples.write(tmp_path)
    for (student, chapter) in build_examples.examples():
        name = f"{student}/{chapter}/{chapter}.ipynb"
        assert (tmp_path / name).read_text() == (build_examples.EXAMPLES / name).read_text(), name


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_badge_and_setup_cell_are_stamped(chapter):
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    assert not authoring.stamp(nb, chapter), "run `make notebooks`"
    assert "colab.research.google.com/github/" in nb.cells[0].source
    assert f"notebooks/{chapter}/{chapter}.ipynb" in nb.cells[0].source
    assert nb.metadata["accelerator"] == "GPU"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_text_form_round_trips(chapter):
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    again = authoring.text_to_notebook(authoring.notebook_to_text(nb), chapter)
    strip = lambda cells: [(c.cell_type, c.source, c.metadata.get("nbgrader", {})) for c in cells]
    assert strip(again.cells) == strip(nb.cells)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_follows_the_contract_and_the_style(chapter):
    ch = Chapter(chapter)
    ids = [grade_id(c) for c in ch.nb.cells if grade_id(c)]
    assert sorted(ch.exercises) == sorted(CONTRACT[chapter]), "exercise names"
    ns = ch.namespace()
    for exercise, signature in CONTRACT[chapter].items():
        obj = ns[exercise]
        target = obj.__init__ if isinstance(obj, type) else obj
        params = list(inspect.signature(target).parameters.values())
        if isinstance(obj, type):
            params = params[1:]
        assert f"({', '.join(str(p) for p in params)})" == signature, exercise
        # the test cell comes right after its exercise, with points
        k = ids.index(exercise)
        test = ch.cells[ids[k + 1]]
        assert ids[k + 1] == f"test_{exercise}" and test.metadata["nbgrader"]["points"] > 0
        # hidden tests in the cell, or requirements declared for grading outside it
        assert ("### BEGIN HIDDEN TESTS" in test.source) != (exercise in declared(chapter))
        assert "### BEGIN SOLUTION" in ch.solution(exercise)
    written = [i for i in ids if i.startswith("written_")]
    assert 1 <= len(written) <= 3
    assert ids[:2] == ["colab_badge", "setup"] and "imports" in ids


def run_setup_cell(chapter, monkeypatch, colab):
    nb = nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if grade_id(c) == "setup")
    calls = []
    import subprocess

    import dlcourse

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(("pip", a[0])))
    monkeypatch.setattr(dlcourse, "setup", lambda *names: calls.append(("setup", names)))
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "setup", "exec"), {})
    return nb, calls


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_setup_cell_does_nothing_locally(chapter, monkeypatch):
    assert run_setup_cell(chapter, monkeypatch, colab=False)[1] == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_setup_cell_on_colab_installs_only_our_packages(chapter, monkeypatch):
    nb, calls = run_setup_cell(chapter, monkeypatch, colab=True)
    (kind, command), (kind2, datasets) = calls
    assert kind == "pip" and kind2 == "setup"
    assert command[1:4] == ["-m", "pip", "install"] and "--no-deps" in command
    packages = [a for a in command[4:] if not a.startswith("-")]
    settings = authoring.course_settings()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    # pinned to the release's tag, never to a branch; d2l only where a cell imports it
    d2l = settings["no-deps"] if authoring.imports_d2l(nb) else []
    assert packages == [*d2l, f"dlcourse @ git+{settings['repository']}@v{version}"]
    assert not any(re.match(r"(torch|numpy|ipython)\b", p, re.I) for p in packages)
    assert list(datasets) == nb.metadata["dlcourse"]["datasets"]


def test_setup_cell_installs_d2l_only_where_a_cell_imports_it():
    nb = Chapter(CHAPTERS[0]).nb
    assert not authoring.imports_d2l(nb)
    assert "d2l" not in authoring.setup_source(["MNIST"], d2l=False).split("subprocess")[-1]
    nb.cells.append(nbformat.v4.new_code_cell("from d2l import torch as d2l"))
    assert authoring.imports_d2l(nb)
    pin = authoring.course_settings()["no-deps"][0]
    assert f'"{pin}"' in authoring.setup_source(["MNIST"], d2l=True)


def test_make_clean_keeps_the_course_work_unless_asked():
    """make clean removes what can be made again; grades and marks, and submissions, only
    when asked, and it says what it keeps."""
    def dry_run(*args):
        out = subprocess.run(["make", "-n", "clean", *args], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
        removed = next(line for line in out.splitlines() if line.startswith("rm -rf"))
        return set(removed.split()[2:]), out

    removed, out = dry_run()
    assert "demo" in removed and not removed & {"submitted", "autograded", "gradebook.db",
                                                   "grades.csv", "feedback"}
    assert "keeping: submitted/" in out and "keeping: autograded/" in out
    removed, _ = dry_run("GRADES=1")
    assert {"autograded", "feedback", "grades.csv", "gradebook.db"} <= removed
    assert "submitted" not in removed
    assert "submitted" in dry_run("GRADES=1", "SUBMISSIONS=1")[0]


def test_a_new_course_starts_with_the_gradebook_nbgrader_makes(tmp_path):
    """course_copy copies an empty gradebook made once (nbgrader makes each with an alembic
    process): the same tables and alembic version as one nbgrader makes itself."""
    import sqlite3

    from nbgrader.api import Gradebook

    Gradebook(f"sqlite:///{tmp_path / 'nbgrader.db'}").close()
    root = course.course_copy(tmp_path / "course")

    def content(db):
        with sqlite3.connect(db) as connection:
            return (sorted(connection.execute("SELECT type, name, sql FROM sqlite_master")),
                    connection.execute("SELECT * FROM alembic_version").fetchall(),
                    sorted(connection.execute("SELECT * FROM course")))

    assert content(root / "gradebook.db") == content(tmp_path / "nbgrader.db")
