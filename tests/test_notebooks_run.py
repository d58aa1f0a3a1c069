"""Every instructor notebook runs top to bottom in quick mode, in a fresh kernel."""

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.authoring import chapters

from .harness import ROOT


@pytest.mark.parametrize("chapter", chapters())
def test_solution_notebook_runs_in_quick_mode(chapter, tmp_path):
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    # DLCOURSE_QUICK=1 comes from conftest.py through the kernel's environment; execute()
    # raises CellExecutionError on the first cell that fails.
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
