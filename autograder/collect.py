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

Nothing the LMS says is lost. Each placed notebook gets nbgrader's ``timestamp.txt``: the
submission time from the name (Blackboard's ``_attempt_<time>_``) or else the file's time in
the download (Canvas and Moodle set it to the upload), in the zone of ``[tool.dlcourse.collect]
timezone`` (UTC by default), so that nbgrader's due dates and late penalties apply. Canvas's
``LATE`` marker is reported. A student's full name (Moodle's folders) goes into the gradebook
(a roster file adds names and emails: ``python -m autograder roster``). A notebook that is
rejected (empty, not JSON) is recorded in the gradebook for ``make table`` and the export, its
student added, and the exit status says so.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from .authoring import chapters, course_settings

# Canvas: lastfirst[_LATE]_<user id>_<submission id>_<file name>[-<n>].ipynb
# Moodle: <Full Name>_<id>_assignsubmission_file_/<file name>.ipynb
# Blackboard: <assignment>_<user name>_attempt_<YYYY-MM-DD-hh-mm-ss>_<file name>.ipynb
# nbgrader's own layout, or any folder per student: <student>/[<chapter>/]<file name>.ipynb
# flat: <student>_<chapter>.ipynb
# Optional groups: late (the LMS marked it late), time (the submission time, as Blackboard's).
DEFAULT_PATTERNS = [
    r"(?:^|/)(?P<student>[A-Za-z][A-Za-z-]*)(?P<late>_LATE|_late)?_\d+_\d+_(?P<chapter>[^/]+)"
    r"\.ipynb$",
    r"(?:^|/)(?P<student>[^/]+?)_\d+_assignsubmission_file_?/(?:.*/)?(?P<chapter>[^/]+)\.ipynb$",
    r"(?:^|/)[^/]*?_(?P<student>[^/_]+)_attempt_(?P<time>\d{4}(?:-\d\d){5})_(?P<chapter>[^/]+)"
    r"\.ipynb$",
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
    rejected: dict[tuple[str, str], str] = field(default_factory=dict)  # -> why, for the table
    unplaced: int = 0  # notebooks (or zips) no student and chapter could be found for
    late: list[tuple[str, str]] = field(default_factory=list)  # marked late by the LMS
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # student -> (first, last)

    def lines(self) -> list[str]:
        students = {s for s, _ in self.placed}
        late = [f"marked late by the LMS: {', '.join(f'{s} {c}' for s, c in self.late)}"]
        return [f"collected {len(self.placed)} notebooks from {len(students)} students",
                *self.problems, *(late if self.late else [])]

    @property
    def lost(self) -> bool:
        """Some student's notebook could not be taken in (collect then exits with 1)."""
        return bool(self.rejected or self.unplaced)


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


def full_name(raw: str) -> tuple[str, str] | None:
    """(first, last) of a name as Moodle writes it ('Ann Marie Lee'); None for a user name."""
    words = raw.split()
    return (" ".join(words[:-1]), words[-1]) if len(words) > 1 else None


def submission_time(file: File, match: re.Match) -> datetime:
    """When the LMS says it was submitted: from the name if it says, else the file's time;
    in the zone of [tool.dlcourse.collect] timezone (UTC by default)."""
    text = match.groupdict().get("time")
    when = datetime.strptime(text, "%Y-%m-%d-%H-%M-%S") if text else file.modified
    zone = course_settings().get("collect", {}).get("timezone", "UTC")
    return when.replace(tzinfo=ZoneInfo(zone)) if when.tzinfo is None else when


def collect(source: Path, root: Path, regexes: list[str] | None = None) -> Report:
    regexes = [re.compile(p) for p in (regexes or patterns())]
    known = chapters(root)
    report = Report()
    found: dict[tuple[str, str], list[tuple[File, re.Match]]] = {}
    candidates, skipped = [], []
    for file, problem in _files(source):
        if JUNK.search(file.name):
            continue
        if problem:
            skipped.append(f"cannot place {file.name}: {problem}")
            report.unplaced += 1
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
            report.unplaced += 1
            continue
        student = student_id(match.group("student"))
        chapter = chapter_of(match.group("chapter"), known)
        if not student:
            report.problems.append(f"cannot place {file.name}: no usable student name")
            report.unplaced += 1
        elif chapter is None:
            report.problems.append(f"cannot place {file.name} ({student}): which chapter? "
                                   f"the name must contain one of "
                                   f"{', '.join(c[:4] for c in known)}")
            report.unplaced += 1
        else:
            found.setdefault((student, chapter), []).append((file, match))
            if name := full_name(match.group("student")):
                report.names[student] = name
    for (student, chapter), files in sorted(found.items()):
        files.sort(key=lambda f: (submission_time(*f), f[0].name))
        newest, match = files[-1]
        if len(files) > 1:
            report.problems.append(
                f"{student} {chapter}: {len(files)} files, kept the newest ({newest.name}); "
                f"ignored {', '.join(f.name for f, _ in files[:-1])}")
        folder = root / "submitted" / student / chapter
        problem = notebook_problem(newest.data)
        if problem:
            why = f"{newest.name}: {problem}; ask the student to download it again"
            report.problems.append(f"{student} {chapter}: {why}")
            report.rejected[(student, chapter)] = why
            continue
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{chapter}.ipynb").write_bytes(newest.data)
        # nbgrader's own file: the submission time, which its due dates and penalties use
        (folder / "timestamp.txt").write_text(submission_time(newest, match).isoformat())
        report.placed[(student, chapter)] = newest.name
        if match.groupdict().get("late"):
            report.late.append((student, chapter))
    record(root, report)
    return report


def record(root: Path, report: Report) -> None:
    """Into the gradebook: the students with the names the LMS gave, and the rejected
    notebooks (a new notebook from the same student clears the record)."""
    from . import seen

    students = {s for s, _ in [*report.placed, *report.rejected]}
    with seen.gradebook(root) as gb:
        for student in sorted(students):
            first, last = report.names.get(student, (None, None))
            names = {"first_name": first, "last_name": last} if first else {}
            gb.update_or_create_student(student, **names)
    for (student, chapter), why in report.rejected.items():
        seen.record_rejected(root, chapter, student, why)
    for student, chapter in report.placed:
        seen.record_rejected(root, chapter, student, None)


def _column(row: dict, *names: str) -> str:
    lowered = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
    return next((lowered[n] for n in names if lowered.get(n)), "")


def import_roster(path: Path, root: Path) -> list[str]:
    """Names and emails into the gradebook, under the ids collect gives the same students.

    Read: nbgrader's own CSV (id, first_name, last_name, email); Canvas's gradebook export
    (Student as "Last, First", ID, SIS Login ID: its downloads name students lastfirst);
    Moodle's participants (First name, Last name, Email address: its folders use the full
    name). A row whose id has a folder in submitted/ under another of these spellings is
    filed under that one.
    """
    import csv

    from . import seen

    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    submitted = {p.name for p in (root / "submitted").iterdir()} if (
        root / "submitted").is_dir() else set()
    lines, students = [], []
    for row in rows:
        first = _column(row, "first_name", "first name")
        last = _column(row, "last_name", "last name", "surname")
        explicit, lms_id = _column(row, "id", "username", "user name"), ""
        if "," in (canvas := _column(row, "student")):  # Canvas: its ID is its own user id
            last, first = (part.strip() for part in canvas.split(",", 1))
            explicit, lms_id = "", _column(row, "id")
        email = _column(row, "email", "email address", "sis login id")
        spellings = (explicit, re.sub(r"[^a-z]", "", (last + first).lower()), f"{first} {last}")
        ids = [i for i in map(student_id, spellings) if i]
        if not ids:
            lines.append(f"roster: a row with no id or name skipped: {row}")
            continue
        chosen = next((i for i in ids if i in submitted), ids[0])
        students.append((chosen, first or None, last or None, "@" in email and email or None,
                         lms_id or None))
    with seen.gradebook(root) as gb:
        for student, first, last, email, lms_id in students:
            gb.update_or_create_student(student, first_name=first, last_name=last, email=email,
                                        lms_user_id=lms_id)
    lines.insert(0, f"roster: {len(students)} students in the gradebook with their names"
                 + (f" ({sum(1 for s in students if s[0] in submitted)} of them have submitted)"
                    if submitted else ""))
    return lines
