"""Writing chapters: a plain-text form of the instructor notebooks, and the Colab stamp.

The instructor notebooks in ``solutions/`` are the source of truth. Editing them in
JupyterLab with nbgrader's "Create Assignment" toolbar works; for larger edits the text form
is easier to diff and review::

    python -m autograder.authoring export solutions/ch06_dropout/ch06_dropout.ipynb > ch06.txt
    python -m autograder.authoring import ch06.txt solutions/ch06_dropout/ch06_dropout.ipynb

Text form: a line ``%% <kind> [id=NAME] [points=N] [locked]`` starts each cell, where kind is
``markdown``, ``code``, ``solution`` (an exercise, code), ``test`` (its test cell, code,
with points) or ``written`` (a manually graded answer, markdown, with points). The first
line may be ``%% notebook {json}`` with notebook metadata for the course (``{"datasets":
["FashionMNIST"]}``: what the Colab setup cell fetches).

:func:`stamp` writes the "Open in Colab" badge (first cell) and the setup cell (id
``setup``) from the repository named once in ``pyproject.toml``; ``stamp`` on the command line
also writes what :mod:`autograder.requirements` derives from declared requirements (docstring
lists, test cells, points).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HEADER = re.compile(r"^%% (\w+)(.*)$")
KINDS = {"markdown", "code", "solution", "test", "written"}


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata ({} when it has none, as after Colab)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def course_settings(root: Path = ROOT) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["dlcourse"]


def _meta(kind: str, grade_id: str | None, points: float | None, locked: bool) -> dict:
    if kind == "solution":
        return {"grade": False, "solution": True, "locked": False, "grade_id": grade_id}
    if kind == "test":
        return {"grade": True, "solution": False, "locked": True, "points": points,
                "grade_id": grade_id}
    if kind == "written":
        return {"grade": True, "solution": True, "locked": False, "points": points,
                "grade_id": grade_id}
    if locked:
        return {"grade": False, "solution": False, "locked": True, "grade_id": grade_id}
    return {}


def text_to_notebook(text: str, chapter: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    course_meta: dict = {}
    cells: list[tuple[str, dict, list[str]]] = []
    for line in text.splitlines():
        m = HEADER.match(line)
        if m and m.group(1) == "notebook":
            course_meta = json.loads(m.group(2))
            continue
        if m and m.group(1) in KINDS:
            opts = dict(tok.split("=", 1) if "=" in tok else (tok, True)
                        for tok in shlex.split(m.group(2)))
            cells.append((m.group(1), opts, []))
            continue
        if not cells:
            if line.strip():
                raise ValueError(f"text before the first cell header: {line!r}")
            continue
        cells[-1][2].append(line)
    for k, (kind, opts, lines) in enumerate(cells):
        source = "\n".join(lines).strip("\n")
        grade_id = opts.get("id")
        points = float(opts["points"]) if "points" in opts else None
        if kind in {"solution", "test", "written"} and not grade_id:
            raise ValueError(f"cell {k}: a {kind} cell needs id=NAME")
        if kind in {"test", "written"} and points is None:
            raise ValueError(f"cell {k} ({grade_id}): a {kind} cell needs points=N")
        meta = _meta(kind, grade_id, points, bool(opts.get("locked")))
        is_markdown = kind in {"markdown", "written"}
        cell = (nbformat.v4.new_markdown_cell if is_markdown else nbformat.v4.new_code_cell)(
            source)
        cell.id = grade_id or f"{chapter[:4]}-{k:03d}"
        if meta:
            meta["schema_version"] = 3
            cell.metadata["nbgrader"] = meta
            if meta["locked"]:
                cell.metadata["editable"] = False
                cell.metadata["deletable"] = False
        nb.cells.append(cell)
    nb.metadata = {
        "accelerator": "GPU",
        "colab": {"provenance": [], "gpuType": "T4", "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "dlcourse": course_meta,
    }
    return nb


def notebook_to_text(nb) -> str:
    out = []
    course_meta = nb.metadata.get("dlcourse")
    if course_meta:
        out.append(f"%% notebook {json.dumps(course_meta)}")
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and meta.get("grade"):
            kind = "written"
        elif meta.get("solution"):
            kind = "solution"
        elif meta.get("grade"):
            kind = "test"
        else:
            kind = "markdown" if cell.cell_type == "markdown" else "code"
        header = f"%% {kind}"
        if meta.get("grade_id"):
            header += f" id={meta['grade_id']}"
        if meta.get("grade"):
            points = meta["points"]
            header += f" points={int(points) if float(points).is_integer() else points}"
        if kind in {"markdown", "code"} and meta.get("locked"):
            header += " locked"
        out.append(header)
        out.append(cell.source)
        out.append("")
    return "\n".join(out)


def release_tag(root: Path = ROOT) -> str:
    """The tag of this version's release (``make release``): v + [project] version."""
    return "v" + tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]


def helper_requirement(root: Path = ROOT) -> str:
    """What the setup cell pip-installs: the helper of this release, pinned to its tag."""
    return f"dlcourse @ git+{course_settings(root)['repository']}@{release_tag(root)}"


def badge(chapter: str, root: Path = ROOT) -> str:
    repo = course_settings(root)["repository"].removeprefix("https://github.com/").strip("/")
    url = (f"https://colab.research.google.com/github/{repo}/blob/{release_tag(root)}/"
           f"notebooks/{chapter}/{chapter}.ipynb")
    return (f'<a href="{url}" target="_parent"><img '
            f'src="https://colab.research.google.com/assets/colab-badge.svg" '
            f'alt="Open In Colab"/></a>')


IMPORTS_D2L = re.compile(r"^\s*(import d2l|from d2l\b)", re.M)


def imports_d2l(nb) -> bool:
    """Whether a code cell of ``nb`` (other than the setup cell) imports d2l."""
    return any(IMPORTS_D2L.search(c.source) for c in nb.cells
               if c.cell_type == "code" and grade_id(c) != "setup")


def setup_source(datasets: list[str], root: Path = ROOT, d2l: bool = False) -> str:
    """The setup cell: on Colab it installs the helpers, and d2l only for a chapter that
    imports it (a wasted install on every start otherwise)."""
    extra = course_settings(root)["no-deps"] if d2l else []
    packages = ", ".join(json.dumps(p) for p in [*extra, helper_requirement(root)])
    setup_args = ", ".join(json.dumps(d) for d in datasets)
    what = "the course helpers and d2l" if d2l else "the course helpers"
    return (
        f"# Setup (read-only). On Colab: install {what} without touching\n"
        "# Colab's own torch, numpy or IPython, get the data, name the device. Locally: nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        '    pip = [sys.executable, "-m", "pip", "install", "-q", "-U", "--no-deps"]\n'
        f"    subprocess.run([*pip, {packages}], check=True)\n"
        "    import dlcourse\n"
        "\n"
        f"    dlcourse.setup({setup_args})"
    )


def stamp(nb, chapter: str, root: Path = ROOT) -> bool:
    """Write the badge and the setup cell; True if anything changed."""
    datasets = nb.metadata.get("dlcourse", {}).get("datasets", [])
    changed = False
    first = nb.cells[0]
    if first.cell_type != "markdown" or first.get("id") != "colab_badge":
        raise ValueError(f"{chapter}: the first cell must be the markdown cell id=colab_badge")
    if first.source != badge(chapter, root):
        first.source, changed = badge(chapter, root), True
    setups = [c for c in nb.cells if grade_id(c) == "setup"]
    if len(setups) != 1:
        raise ValueError(f"{chapter}: expected one locked code cell with id=setup")
    source = setup_source(datasets, root, d2l=imports_d2l(nb))
    if setups[0].source != source:
        setups[0].source, changed = source, True
    return changed


def chapters(root: Path = ROOT) -> list[str]:
    return sorted(p.name for p in (root / "solutions").iterdir()
                  if (p / f"{p.name}.ipynb").is_file())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder.authoring")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="print a notebook in text form")
    p.add_argument("notebook")
    p = sub.add_parser("import", help="write a notebook from its text form (and stamp it)")
    p.add_argument("text")
    p.add_argument("notebook")
    p = sub.add_parser("stamp", help="rewrite badges, setup cells and the cells derived from "
                       "declared requirements in the solution notebooks")
    p.add_argument("chapters", nargs="*", help="default: every chapter")
    args = parser.parse_args(argv)
    if args.command == "export":
        sys.stdout.write(notebook_to_text(nbformat.read(args.notebook, as_version=4)))
    elif args.command == "import":
        chapter = Path(args.notebook).stem
        nb = text_to_notebook(Path(args.text).read_text(), chapter)
        stamp(nb, chapter)
        Path(args.notebook).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, args.notebook)
    else:
        from .requirements import stamp as stamp_requirements

        for chapter in args.chapters or chapters():
            path = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
            nb = nbformat.read(path, as_version=4)
            if stamp(nb, chapter) | stamp_requirements(nb, chapter):
                nbformat.write(nb, path)
                print(f"stamped {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
