"""``make release``: what students get, written as a git repository of its own.

The course's source repository (this one: solutions, hidden grading data, the mistake
catalogues) stays private. Students see one public repository, the one named in
``pyproject.toml`` (``[tool.dlcourse] repository``); this command writes its content::

    release/
      README.md                     the students' README (docs/students.md, chapter table)
      LICENSE
      pyproject.toml                the helper package's metadata, nothing of the course's
      dlcourse/                     the helper package the notebooks import
      data/README.md                where the data goes (``python -m dlcourse data`` gets it)
      notebooks/<chapter>/<chapter>.ipynb   the student notebooks

and commits it, tagged ``v<version>`` (``[project] version``). The notebooks' Colab badges
and setup cells name that tag (``make notebooks`` stamps them): a notebook released today
installs, next month too, the helper it was released with. To publish::

    make release
    git -C release push --follow-tags <the public repository> main

A second ``make release`` of the same version with a different content is refused: bump the
version, run ``make notebooks``, release again. Before anything is written, the student
notebooks must be up to date with ``solutions/`` and the leak scan (:func:`leaks`) must find
no exercise's reference code in anything the release holds.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import nbformat

from .authoring import ROOT, badge, chapters, course_settings, nbgrader_meta, release_tag

HELPER_FILES = ["__init__.py", "__main__.py", "check.py", "data.py", "plot.py", "runtime.py",
                "train.py"]
# A stretch of reference code this long (characters, whitespace and comments removed) found
# in the release is a leak, and so is a whole reference line of at least SHORTEST characters.
# Shorter ones are the idioms every chapter teaches (``net.eval()``, ``X.to(device)``).
LEAK_CHARS = 40
SHORTEST = 24
# (exercise, reference line squeezed, file) -> why that line in that file gives nothing away
_CH02 = "notebooks/ch02_modules_batches/ch02_modules_batches.ipynb"
_TRAIN = ("dlcourse.train is the loop later chapters train with; train_epoch and evaluate may "
          "not call it (forbidden, with its name), and it shares with them only the lines "
          "that count correct predictions")
ALLOWED: dict[tuple[str, str, str], str] = {
    ("ch02_modules_batches/NotBuggy", "self.conv=nn.Conv2d(1,32,kernel_size=5)", _CH02):
        "the class the exercise fixes is shown to the student: its correct lines stay",
    ("ch02_modules_batches/NotBuggy", "self.param=nn.Parameter(torch.randn(123,456))", _CH02):
        "the class the exercise fixes is shown to the student: its correct lines stay",
    ("ch05_training/train_epoch", "loss_sum,correct,n=0.0,0,0", "dlcourse/train.py"): _TRAIN,
    ("ch05_training/train_epoch", "correct+=(logits.argmax(dim=1)==y).sum().item()",
     "dlcourse/train.py"): _TRAIN,
    ("ch05_training/evaluate", "correct+=(net(X).argmax(dim=1)==y).sum().item()",
     "dlcourse/train.py"): _TRAIN,
    ("ch05_training/split_indices", "generator=torch.Generator().manual_seed(seed)",
     "notebooks/ch03_convolutions/ch03_convolutions.ipynb"):
        "a seeded generator, the idiom ch03 uses for its own random kernels",
    ("ch08_googlenet/googlenet", "nn.AdaptiveAvgPool2d((1,1)),nn.Flatten())",
     "notebooks/ch04_pooling/ch04_pooling.ipynb"):
        "global average pooling as ch04 teaches it; ch08's statement names it too",
}


def _pyproject(root: Path) -> str:
    """The release's pyproject.toml: the [project] table and the build system, so that
    ``pip install git+<repository>@<tag>`` builds the helper; no course extras."""
    data = tomllib.loads((root / "pyproject.toml").read_text())
    project = data["project"]
    deps = "".join(f'    "{d}",\n' for d in project["dependencies"])
    return (
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{project["name"]}"\nversion = "{project["version"]}"\n'
        f'description = "{project["description"]}"\nreadme = "README.md"\n'
        f'requires-python = "{project["requires-python"]}"\nlicense = "{project["license"]}"\n'
        f"dependencies = [\n{deps}]\n\n"
        '[tool.setuptools]\npackages = ["dlcourse"]\n'
    )


def _title(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    heading = next(c.source for c in nb.cells if c.cell_type == "markdown"
                   and c.source.startswith("# "))
    return heading.splitlines()[0].removeprefix("# ").strip()


def student_readme(root: Path = ROOT) -> str:
    rows = [f"| {_title(root / 'notebooks' / ch / f'{ch}.ipynb')} | {badge(ch, root)} |"
            for ch in chapters(root)]
    table = "| chapter | open |\n| --- | --- |\n" + "\n".join(rows)
    text = (root / "docs" / "students.md").read_text()
    return text.replace("{chapters}", table).replace("{version}", release_tag(root))


def write_tree(target: Path, root: Path = ROOT) -> list[str]:
    """Write the release's files into ``target`` (its .git, if any, is kept); the relative
    paths written."""
    for child in target.iterdir() if target.exists() else []:
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    files = {
        "README.md": student_readme(root),
        "LICENSE": (root / "LICENSE").read_text(),
        "pyproject.toml": _pyproject(root),
        "data/README.md": "# data/\n\nThe datasets land here: `python -m dlcourse data` (or "
                          "the first notebook that needs them). Set `DLCOURSE_DATA` to keep "
                          "them elsewhere.\n",
    }
    for name in HELPER_FILES:
        files[f"dlcourse/{name}"] = (root / "dlcourse" / name).read_text()
    for chapter in chapters(root):
        path = f"notebooks/{chapter}/{chapter}.ipynb"
        files[path] = (root / path).read_text()
    for relative, text in files.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text)
    return sorted(files)


# --- The leak scan -----------------------------------------------------------------------


_LAYOUT = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)


def _squeezed_lines(code: str, literals: bool = True) -> list[str]:
    """Each line of ``code`` without comments and whitespace: the same statement however it
    is laid out. ``literals=False`` puts ``'.'`` for every string literal (data such as label
    names, not code)."""
    rows: dict[int, list[str]] = {}
    try:
        for t in tokenize.generate_tokens(io.StringIO(code).readline):
            if t.type not in _LAYOUT:
                text = "'.'" if t.type == tokenize.STRING and not literals else t.string
                rows.setdefault(t.start[0], []).append(text)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [re.sub(r"\s+", "", line) for line in code.splitlines()]
    return ["".join(tokens) for _, tokens in sorted(rows.items())]


def _squeeze(code: str) -> str:
    return "".join(_squeezed_lines(code))


def reference_code(root: Path = ROOT) -> dict[str, list[str]]:
    """{exercise: its reference solution's statements, squeezed}: the lines between the
    solution markers of every solution cell, without the signature the student is given."""
    out = {}
    for chapter in chapters(root):
        nb = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type != "code" or not meta.get("solution"):
                continue
            body = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
            lines = [line for part in body for line in _squeezed_lines(part, literals=False)]
            out[f"{chapter}/{meta['grade_id']}"] = [s for s in lines if s]
    return out


def _release_code(target: Path) -> dict[str, str]:
    """{where: squeezed code} for the code a student can read or import in the release: each
    code cell (docstrings, hints and demos included) and each helper module. Markdown is the
    exercises' statements (GoogLeNet's channel table): not code, not scanned."""
    out = {}
    for path in sorted(target.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                where = f"{path.relative_to(target).as_posix()} cell {cell.get('id', i)}"
                out[where] = _squeeze(cell.source)
    for path in sorted(target.rglob("*.py")):
        out[path.relative_to(target).as_posix()] = _squeeze(path.read_text())
    # code written out in a docstring or a hint is squeezed too
    return {where: re.sub(r"\s+", "", text) for where, text in out.items()}


def leaks(target: Path, root: Path = ROOT, length: int = LEAK_CHARS) -> list[str]:
    """Where the release holds a stretch of an exercise's reference code (``length``
    characters or more, squeezed): the answer, given away. Empty when nothing is found."""
    texts = _release_code(target)
    windows: dict[str, str] = {}
    for where, text in texts.items():
        for i in range(len(text) - length + 1):
            windows.setdefault(text[i:i + length], where)

    def where_found(line):
        if len(line) < length:  # a short line counts whole
            return next((where for where, text in texts.items() if line in text), None)
        return next((windows[line[i:i + length]] for i in range(len(line) - length + 1)
                     if line[i:i + length] in windows), None)

    found = []
    for exercise, lines in reference_code(root).items():
        for line in lines:
            where = where_found(line) if len(line) >= SHORTEST else None
            if where and (exercise, line, where.split(" cell ")[0]) not in ALLOWED:
                found.append(f"{exercise}: {line!r} is in {where}")
    return found


# --- Commit and tag ----------------------------------------------------------------------


def _git(target: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    identity = ["-c", "user.name=dlcourse release", "-c", "user.email=release@dlcourse.invalid"]
    return subprocess.run(["git", "-C", str(target), *identity, *args], check=check,
                          capture_output=True, text=True)


def release(target: Path, root: Path = ROOT, check_notebooks: bool = True) -> str:
    """Write, scan, commit and tag the release in ``target``; what was done, in a line."""
    if check_notebooks:
        from .course import check_notebooks as stale_notebooks

        stale = stale_notebooks()
        if stale:
            raise SystemExit(f"notebooks/ is not up to date for {', '.join(stale)}: "
                             "run `make notebooks` first")
    tag = release_tag(root)
    target.mkdir(parents=True, exist_ok=True)
    if not (target / ".git").is_dir():
        _git(target, "init", "-q", "-b", "main")
    write_tree(target, root)
    found = leaks(target, root)
    if found:
        raise SystemExit("the release gives answers away; nothing committed:\n  "
                         + "\n  ".join(found))
    _git(target, "add", "-A")
    exists = _git(target, "rev-parse", "-q", "--verify", f"refs/tags/{tag}", check=False)
    if exists.returncode == 0:
        if _git(target, "diff", "--cached", "--quiet", tag, check=False).returncode == 0:
            _git(target, "reset", "-q", "--hard", tag)
            return f"{target}: {tag} already released, unchanged"
        raise SystemExit(f"{tag} is already released with a different content: bump [project] "
                         "version in pyproject.toml, run `make notebooks`, then release again")
    _git(target, "commit", "-q", "-m", f"dlcourse {tag}")
    _git(target, "tag", "-a", tag, "-m", f"dlcourse {tag}")
    url = course_settings(root)["repository"]
    return (f"{target}: released {tag}; publish it with "
            f"`git -C {target} push --follow-tags {url} main`")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder release")
    parser.add_argument("target", nargs="?", default=str(ROOT / "release"))
    args = parser.parse_args(argv)
    print(release(Path(args.target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
