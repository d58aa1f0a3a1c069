"""benchmarks/run_chapter.py, which runs a chapter where there is no Jupyter (the GPU
checks): cells in order in one namespace, in the notebook's folder, stopping at the first
error with the cell's id."""

import importlib.util
import os

import nbformat
import pytest

from .harness import ROOT

spec = importlib.util.spec_from_file_location("run_chapter",
                                              ROOT / "benchmarks" / "run_chapter.py")
run_chapter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_chapter)


def notebook(folder, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")]
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        cell.id = f"c{i}"
        nb.cells.append(cell)
    path = folder / "chapter.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(autouse=True)
def _back_home():
    here = os.getcwd()
    yield
    os.chdir(here)


def test_cells_share_a_namespace_and_run_in_the_notebooks_folder(tmp_path, capsys):
    (tmp_path / "helper.py").write_text("VALUE = 41\n")
    path = notebook(tmp_path, "from helper import VALUE\nimport os", "x = VALUE + 1",
                    "print(x, os.getcwd())")
    namespace = run_chapter.run(path)
    assert namespace["x"] == 42
    out = capsys.readouterr().out
    assert f"42 {tmp_path}" in out and out.index("--- c1") < out.index("--- c2")


def test_the_first_error_stops_the_run_and_names_its_cell(tmp_path, capsys):
    path = notebook(tmp_path, "a = 1", "raise ValueError('wrong shape')", "b = 2")
    with pytest.raises(SystemExit, match="cell c1 failed"):
        run_chapter.run(path)
    captured = capsys.readouterr()
    assert "ValueError: wrong shape" in captured.err and "--- c2" not in captured.out


def test_until_stops_before_the_named_cell(tmp_path):
    path = notebook(tmp_path, "a = 1", "b = 2", "c = 3")
    namespace = run_chapter.run(path, until="c1")
    assert namespace["a"] == 1 and "b" not in namespace and "c" not in namespace
    with pytest.raises(SystemExit, match="has no code cell c9"):
        run_chapter.run(path, until="c9")
