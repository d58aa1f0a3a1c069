"""What the gradebook last saw, so that grading again grades only what changed and never
re-opens work an instructor has marked.

Two tables of our own live in ``gradebook.db`` next to nbgrader's (whose migrations leave
other tables alone), so that they travel with the gradebook and the marks they protect:

- ``dlcourse_graded``: per (chapter, student), the SHA-256 of the submitted file and of the
  chapter's grading (its source notebook, verdicts, preprocessors, checks and nbgrader
  configuration) when it was last graded. ``make grade`` regrades a submission only when
  either differs, or when it is named.
- ``dlcourse_answers``: per (chapter, student, cell), the SHA-256 of each answer cell as last
  graded, and ``*`` for all of them together. nbgrader's SaveAutoGrades flags every cell that
  has a manual score as "needs manual grading" on every autograde; ``SaveKeepingMarks`` (in
  ``preprocessors.py``) keeps a settled mark settled when the answers it was given for are
  unchanged.
- ``dlcourse_rejected``: per (chapter, student), why the notebook collect received could not
  be taken in, until a readable one arrives: ``make table`` and the export show it.
- ``dlcourse_generated``: per chapter, the SHA-256 of its source folder, the nbgrader
  configuration and the release notebook when ``generate_assignment`` last ran: grading runs
  it again only when one of them has changed since.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

# What decides a chapter's grades besides the submission itself.
GRADING_FILES = ("autograder/verdicts/runtime.py", "autograder/preprocessors.py",
                 "autograder/sandbox.py", "dlcourse/check.py", "nbgrader_config.py")
ALL_ANSWERS = "*"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dlcourse_graded (
    chapter TEXT NOT NULL, student TEXT NOT NULL, submission TEXT NOT NULL,
    grading TEXT NOT NULL, PRIMARY KEY (chapter, student));
CREATE TABLE IF NOT EXISTS dlcourse_rejected (
    chapter TEXT NOT NULL, student TEXT NOT NULL, why TEXT NOT NULL,
    PRIMARY KEY (chapter, student));
CREATE TABLE IF NOT EXISTS dlcourse_generated (
    chapter TEXT NOT NULL PRIMARY KEY, generation TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dlcourse_answers (
    chapter TEXT NOT NULL, student TEXT NOT NULL, cell TEXT NOT NULL, sha TEXT NOT NULL,
    PRIMARY KEY (chapter, student, cell));
"""


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def db_path(where: str | Path) -> Path:
    """The SQLite file of a course root, of nbgrader's ``sqlite:///...`` URL, or itself."""
    text = str(where)
    if text.startswith("sqlite:///"):
        return Path(text.removeprefix("sqlite:///"))
    return Path(text) if text.endswith(".db") else Path(text) / "gradebook.db"


def _connect(db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db, timeout=60)
    connection.executescript(_SCHEMA)
    return connection


def grading_key(root: Path, chapter: str) -> str:
    """Changes whenever anything that decides the chapter's grades changes."""
    parts = [f"solutions/{chapter}/{chapter}.ipynb", f"autograder/verdicts/{chapter}.py",
             *GRADING_FILES]
    digest = hashlib.sha256()
    for part in parts:
        path = root / part
        digest.update(part.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def generation_key(root: Path, chapter: str) -> str:
    """Changes whenever generate_assignment would write another release or gradebook entry,
    and when the release notebook was changed by anything else."""
    paths = [*sorted((root / "solutions" / chapter).rglob("*")), root / "nbgrader_config.py",
             root / "notebooks" / chapter / f"{chapter}.ipynb"]
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def generated(root: Path, chapter: str) -> bool:
    """Whether the release and the gradebook are what generate_assignment would make now."""
    db = db_path(root)
    if not db.is_file():
        return False
    with closing(_connect(db)) as connection:
        row = connection.execute(
            "SELECT generation FROM dlcourse_generated JOIN assignment ON name = chapter "
            "WHERE chapter = ?", (chapter,)).fetchone()
    return row is not None and row[0] == generation_key(root, chapter)


def record_generated(root: Path, chapter: str) -> None:
    with closing(_connect(db_path(root))) as connection, connection:
        connection.execute("INSERT OR REPLACE INTO dlcourse_generated VALUES (?, ?)",
                           (chapter, generation_key(root, chapter)))


def submission_key(root: Path, student: str, chapter: str) -> str:
    folder = root / "submitted" / student / chapter
    digest = hashlib.sha256((folder / f"{chapter}.ipynb").read_bytes())
    stamp = folder / "timestamp.txt"  # a new time can change the late penalty
    digest.update(stamp.read_bytes() if stamp.is_file() else b"")
    return digest.hexdigest()


def unchanged(root: Path, chapter: str, students: list[str]) -> set[str]:
    """Those of ``students`` graded before with this very submission and grading."""
    db = db_path(root)
    if not db.is_file():
        return set()
    key = grading_key(root, chapter)
    with closing(_connect(db)) as connection:
        seen = dict(connection.execute(
            "SELECT student, submission FROM dlcourse_graded WHERE chapter = ? AND grading = ?",
            (chapter, key)))
    return {s for s in students if seen.get(s) == submission_key(root, s, chapter)}


def record_graded(root: Path, chapter: str, students: list[str]) -> None:
    key = grading_key(root, chapter)
    with closing(_connect(db_path(root))) as connection, connection:
        connection.executemany(
            "INSERT OR REPLACE INTO dlcourse_graded VALUES (?, ?, ?, ?)",
            [(chapter, s, submission_key(root, s, chapter), key) for s in students])


def answers(db: Path, chapter: str, student: str) -> dict[str, str]:
    with closing(_connect(db)) as connection:
        return dict(connection.execute(
            "SELECT cell, sha FROM dlcourse_answers WHERE chapter = ? AND student = ?",
            (chapter, student)))


def record_answers(db: Path, chapter: str, student: str, shas: dict[str, str]) -> None:
    with closing(_connect(db)) as connection, connection:
        connection.execute("DELETE FROM dlcourse_answers WHERE chapter = ? AND student = ?",
                           (chapter, student))
        connection.executemany("INSERT INTO dlcourse_answers VALUES (?, ?, ?, ?)",
                               [(chapter, student, cell, h) for cell, h in shas.items()])


def copy_answers(source: Path, target: Path, chapter: str, students: list[str]) -> None:
    """A worker's answer hashes into the course's gradebook (parallel grading)."""
    for student in students:
        shas = answers(source, chapter, student)
        if shas:
            record_answers(target, chapter, student, shas)


def record_rejected(root: Path, chapter: str, student: str, why: str | None) -> None:
    """Why ``student``'s notebook of ``chapter`` was rejected; None: it no longer is."""
    with closing(_connect(db_path(root))) as connection, connection:
        connection.execute("DELETE FROM dlcourse_rejected WHERE chapter = ? AND student = ?",
                           (chapter, student))
        if why is not None:
            connection.execute("INSERT INTO dlcourse_rejected VALUES (?, ?, ?)",
                               (chapter, student, why))


def rejected(root: Path) -> dict[tuple[str, str], str]:
    """{(student, chapter): why} for every notebook collect could not take in."""
    db = db_path(root)
    if not db.is_file():
        return {}
    with closing(_connect(db)) as connection:
        return {(student, chapter): why for chapter, student, why in connection.execute(
            "SELECT chapter, student, why FROM dlcourse_rejected ORDER BY chapter, student")}


@contextlib.contextmanager
def gradebook(root: Path):
    """nbgrader's Gradebook of the course (or of a gradebook file), quiet about SQLAlchemy
    2's autoflush warnings (nbgrader 0.9's API trips them; the rows are right)."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings(), Gradebook(f"sqlite:///{db_path(root)}") as gb:
        warnings.simplefilter("ignore", SAWarning)
        yield gb
