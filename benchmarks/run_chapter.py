"""Run a chapter's notebook as a plain script, cell by cell, in one process.

For a machine without Jupyter (a GPU server that has torch and nothing else, as in
``benchmarks/gpu_check.sh``) and for timing a chapter: each code cell's output is printed
under a line with its id and the seconds it took, in the notebook's own folder, as Jupyter
runs it. Full mode unless ``DLCOURSE_QUICK=1``; figures are drawn but shown nowhere. Stops at
the first error, naming the cell. The notebook file is not changed.

    python benchmarks/run_chapter.py solutions/ch07_alexnet/ch07_alexnet.ipynb
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path


def code_cells(path: Path) -> list[tuple[str, str]]:
    """(id, source) of each code cell; the notebook is read as JSON, nbformat not needed."""
    notebook = json.loads(path.read_text())
    return [(cell.get("id", f"cell {i}"), "".join(cell["source"]))
            for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"]


def run(path: Path, until: str | None = None) -> dict:
    """Execute the notebook's code cells in order; return the namespace they built.

    ``until``: the id of a cell to stop before (it and the cells after it do not run).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    path = path.resolve()
    os.chdir(path.parent)
    sys.path.insert(0, str(path.parent))
    namespace = {"__name__": "__main__"}
    total = time.perf_counter()
    cells = code_cells(path)
    if until is not None and until not in [cell_id for cell_id, _ in cells]:
        sys.exit(f"{path.name} has no code cell {until}")
    for cell_id, source in cells:
        if cell_id == until:
            break
        print(f"--- {cell_id}", flush=True)
        start = time.perf_counter()
        try:
            exec(compile(source, f"<{path.stem}:{cell_id}>", "exec"), namespace)
        except Exception:
            traceback.print_exc()
            sys.exit(f"{path.name}: cell {cell_id} failed")
        seconds = time.perf_counter() - start
        if seconds >= 1:
            print(f"--- {cell_id}: {seconds:.1f} s", flush=True)
    print(f"=== {path.name}: {time.perf_counter() - total:.0f} s", flush=True)
    return namespace


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    run(Path(sys.argv[1]))
