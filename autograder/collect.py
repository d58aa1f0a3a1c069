"""Intake: an LMS download (a zip or a folder) into ``submitted/<student>/<chapter>/``.

Students download their notebook from Colab and upload it to the course's LMS, which hands
the instructor one archive with its own naming scheme. Each file's path inside the download
is matched against regular expressions with two named groups, ``student`` and ``chapter``;
the first that matches places the file. The chapter group only has to contain the chapter's
number (``ch01``): Colab's "Copy of ch01_dag_autograd (2).ipynb" is ch01_dag_autograd.

The patterns are in ``pyproject.toml`` (``[tool.dlcourse.collect] patterns``) or given with
``--pattern``. Nested zips (a zip per student) are opened; nothing is extracted to disk
under a name from the archive. Every file that cannot be placed gets one line saying why;
a file that is not a readable notebook is reported with the student's name and not placed.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from .authoring import chapters, course_settings

# Canvas: lastfirst[_LATE]_<user id>_<submission id>_<file name>[-<n>].ipynb
# Moodle: <Full Name>_<id>_assignsubmission_file_/<file name>.ipynb
# nbgrader's own layout, or any folder per student: <student>/[<chapter>/]<file name>.ipynb
# flat: <student>_<chapter>.ipynb
DEFAULT_PATTERNS = [
    r"(?:^|/)(?P<student>[A-Za-z][A-Za-z-]*)(?:_LATE|_late)?_\d+_\d+_(?P<chapter>[^/]+)\.ipynb$",
    r"(?:^|/)(?P<student>[^/]+?)_\d+_assignsubmission_file_?/(?:.*/)?(?P<chapter>[^/]+)\.ipynb$",
    r"^(?P<student>[^/]+)/(?:.*/)?(?P<chapter>[^/]*ch\d\d[^/]*)\.ipynb$",
    r"^(?P<student>[^/]+)/(?P<chapter>ch\d\d[^/]*)/[^/]+\.ipynb$",
    r"^(?P<student>[^/]+?)[_ -]+(?P<chapter>(?:Copy of )?ch\d\d[^/]*)\.ipynb$",
]
JUNK = re.compile(r"(^|/)(__MACOSX|\.ipynb_checkpoints|\.DS_Store|Thumbs\.db|\._[^/]*)(/|$)")
# a chapter's name at the start of a path component ("ch01…", "Copy of ch01…"), not "mitch12"
CHAPTERISH = re.compile(r"^(?:copy of )?ch\d\d(?!\d)", re.I)
MAX_BYTES = 50_000_000  # a notebook with outputs is a few MB; more is a mistake or an attack


@dataclass
class File:
    name: str  # path inside the download, for messages
    data: bytes
    modified: datetime


@dataclass
class Report:
    placed: dict[tuple[str, str], str] = field(default_factory=dict)  # (student, ch) -> name
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        students = {s for s, _ in self.placed}
        return [f"collected {len(self.placed)} notebooks from {len(students)} students",
                *self.problems]


def patterns() -> list[str]:
    return course_settings().get("collect", {}).get("patterns", DEFAULT_PATTERNS)


def student_id(raw: str) -> str:
    """A folder name nbgrader accepts: 'Ann Lee' -> 'ann_lee'; never '..' or a path."""
    return re.sub(r"[^a-z0-9_.-]+", "_", raw.lower()).strip("_.-")


def chapter_of(text: str, known: list[str]) -> str | None:
    m = re.search(r"(?<![a-z])ch(\d\d)(?!\d)", text, re.I)
    if not m:
        return None
    candidates = [c for c in known if c.startswith(f"ch{m.group(1)}")]
    return candidates[0] if len(candidates) == 1 else None


def _files(source: Path):
    """Every file of the download with its path inside it; nested zips are opened."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                name = path.relative_to(source).as_posix()
                if path.stat().st_size > MAX_BYTES:
                    yield File(name, b"", datetime.fromtimestamp(path.stat().st_mtime)), "too large"
                    continue
                data = path.read_bytes()
                yield from _expand(File(name, data, datetime.fromtimestamp(path.stat().st_mtime)))
    else:
        yield from _expand(File(source.name, source.read_bytes(), datetime.now()), top=True)


def _expand(file: File, top: bool = False, depth: int = 0):
    if not (top or file.name.lower().endswith(".zip")):
        yield file, None
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.data))
    except zipfile.BadZipFile:
        yield file, "not a readable zip archive"
        return
    prefix = "" if top else file.name.removesuffix(".zip") + "/"
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = prefix + info.filename
        when = datetime(*info.date_time)
        if info.file_size > MAX_BYTES:
            yield File(name, b"", when), "too large"
        elif name.lower().endswith(".zip") and depth < 2:
            yield from _expand(File(name, archive.read(info), when), depth=depth + 1)
        else:
            yield File(name, archive.read(info), when), None


def _strip_common_folder(files: list[File]) -> None:
    """An archive that wraps everything in one folder ('Ch01 submissions/…'): drop it, but
    not the folder of a lone student ('ann/ch01_dag_autograd/…')."""
    parts = [PurePosixPath(f.name).parts for f in files]
    while (parts and all(len(p) > 2 for p in parts) and len({p[0] for p in parts}) == 1
           and not any(CHAPTERISH.search(p[1]) for p in parts)):
        parts = [p[1:] for p in parts]
    for f, p in zip(files, parts):
        f.name = "/".join(p)


def notebook_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be graded as a notebook, or None when it can."""
    if not data.strip():
        return "the file is empty"
    try:
        nb = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"not a notebook: not JSON ({error})"
    if not isinstance(nb, dict):
        return "not a notebook: JSON but not an object"
    if nb.get("nbformat") != 4:
        return f"notebook format {nb.get('nbformat')!r}, expected 4 (save it again in Jupyter)"
    if not isinstance(nb.get("cells"), list):
        return "not a notebook: no list of cells"
    return None


def collect(source: Path, root: Path, regexes: list[str] | None = None) -> Report:
    regexes = [re.compile(p) for p in (regexes or patterns())]
    known = chapters(root)
    report = Report()
    found: dict[tuple[str, str], list[File]] = {}
    candidates, skipped = [], []
    for file, problem in _files(source):
        if JUNK.search(file.name):
            continue
        if problem:
            skipped.append(f"cannot place {file.name}: {problem}")
        elif file.name.lower().endswith(".ipynb"):
            candidates.append(file)
        else:
            skipped.append(f"cannot place {file.name}: not a notebook (.ipynb)")
    _strip_common_folder(candidates)
    report.problems.extend(skipped)
    for file in candidates:
        match = next((m for r in regexes if (m := r.search(file.name))
                      and not CHAPTERISH.search(m.group("student"))), None)
        if match is None:
            report.problems.append(f"cannot place {file.name}: no pattern gives a student and "
                                   "a chapter (see [tool.dlcourse.collect] in pyproject.toml)")
            continue
        student = student_id(match.group("student"))
        chapter = chapter_of(match.group("chapter"), known)
        if not student:
            report.problems.append(f"cannot place {file.name}: no usable student name")
        elif chapter is None:
            report.problems.append(f"cannot place {file.name} ({student}): which chapter? "
                                   f"the name must contain one of "
                                   f"{', '.join(c[:4] for c in known)}")
        else:
            found.setdefault((student, chapter), []).append(file)
    for (student, chapter), files in sorted(found.items()):
        files.sort(key=lambda f: (f.modified, f.name))
        newest = files[-1]
        if len(files) > 1:
            report.problems.append(
                f"{student} {chapter}: {len(files)} files, kept the newest ({newest.name}); "
                f"ignored {', '.join(f.name for f in files[:-1])}")
        problem = notebook_problem(newest.data)
        if problem:
            report.problems.append(f"{student} {chapter}: {newest.name}: {problem}; "
                                   "ask the student to download it again")
            continue
        target = root / "submitted" / student / chapter / f"{chapter}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(newest.data)
        report.placed[(student, chapter)] = newest.name
    return report
