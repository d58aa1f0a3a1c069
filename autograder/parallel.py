"""Grading on all cores: nbgrader's own ``autograde``, several at once, merged into one gradebook.

nbgrader grades one notebook after another, and its SQLite gradebook takes one writer at a
time. Here the submissions of a chapter are split into ``jobs`` groups (longest files first,
each to the least loaded group). Each group is graded by an unmodified ``nbgrader autograde``
in a worker course of its own: the course's sources linked, a copy of the gradebook as it is
now, copies of the group's submissions. When all are done, the graded notebooks move into
``autograded/`` and each worker's results are copied into the course's gradebook, cell by
cell, exactly as they are (so the result is what serial grading gives, which the tests
check). Each kernel gets ``cores // jobs`` threads, so that the workers do not fight over the
cores.

For a course that outgrows one machine, :mod:`autograder.cluster` grades on a Dask cluster
with the same worker courses: see "Grading on a cluster (Dask)" in docs/instructors.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import seen, warm

LINKED = ("solutions", "notebooks", "autograder", "nbgrader_config.py", "pyproject.toml")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def partition(root: Path, chapter: str, students: list[str], jobs: int) -> list[list[str]]:
    """Longest submissions first, each to the group with the fewest bytes so far."""
    size = {s: (root / "submitted" / s / chapter / f"{chapter}.ipynb").stat().st_size
            for s in students}
    groups: list[list[str]] = [[] for _ in range(min(jobs, len(students)))]
    loads = [0] * len(groups)
    for s in sorted(students, key=lambda s: (-size[s], s)):
        k = loads.index(min(loads))
        groups[k].append(s)
        loads[k] += size[s]
    return [sorted(g) for g in groups]


def _worker_course(base: Path, root: Path, chapter: str, students: list[str]) -> Path:
    base.mkdir(parents=True)
    for name in LINKED:
        (base / name).symlink_to((root / name).resolve())
    shutil.copy2(root / "gradebook.db", base / "gradebook.db")
    for s in students:
        shutil.copytree(root / "submitted" / s / chapter, base / "submitted" / s / chapter)
    return base


def _autograde(worker: Path, chapter: str, threads: int) -> subprocess.CompletedProcess:
    """``nbgrader autograde`` in a worker course, its kernels forked from a zygote of this
    process's (:func:`autograder.warm.lent`)."""
    with warm.lent() as lent:
        env = dict(os.environ, **lent)
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(threads)
        return subprocess.run([sys.executable, "-m", "nbgrader", "autograde", chapter,
                               "--force"], cwd=worker, env=env, capture_output=True, text=True)


def merge(worker_db: Path, course_db: Path, chapter: str, students: list[str]) -> None:
    """Copy the worker's results for ``students`` into the course's gradebook, as they are,
    with what it recorded of their answers (:mod:`autograder.seen`)."""
    from nbgrader.api import MissingEntry

    with seen.gradebook(worker_db) as src, seen.gradebook(course_db) as dst:
        for student in students:
            try:
                submission = src.find_submission(chapter, student)
            except MissingEntry:  # nbgrader could not grade it; its log says why
                continue
            s = submission.student
            dst.update_or_create_student(s.id, first_name=s.first_name, last_name=s.last_name,
                                         email=s.email, lms_user_id=s.lms_user_id)
            dst.update_or_create_submission(chapter, s.id, timestamp=submission.timestamp,
                                            extension=submission.extension)
            for nb in submission.notebooks:
                target = dst.find_submission_notebook(nb.name, chapter, s.id)
                target.flagged = nb.flagged
                target.late_submission_penalty = nb.late_submission_penalty
                for g in nb.grades:
                    t = dst.find_grade(g.name, nb.name, chapter, s.id)
                    t.auto_score, t.manual_score = g.auto_score, g.manual_score
                    t.extra_credit, t.needs_manual_grade = g.extra_credit, g.needs_manual_grade
                for c in nb.comments:
                    t = dst.find_comment(c.name, nb.name, chapter, s.id)
                    t.auto_comment, t.manual_comment = c.auto_comment, c.manual_comment
            dst.db.commit()
    seen.copy_answers(worker_db, course_db, chapter, students)


def autograde(root: Path, chapter: str, students: list[str], jobs: int,
              progress: bool = True) -> tuple[int, str]:
    """Grade ``students`` of ``chapter`` with ``jobs`` nbgrader processes: (exit status, log)."""
    from tqdm.auto import tqdm

    groups = partition(root, chapter, students, jobs)
    threads = max(1, default_jobs() // len(groups))
    with tempfile.TemporaryDirectory(prefix=f"grading-{chapter}-") as tmp:
        workers = [_worker_course(Path(tmp) / f"worker{k}", root, chapter, g)
                   for k, g in enumerate(groups)]
        bar = tqdm(total=len(students), desc=f"grading {chapter}", unit="notebook",
                   disable=not progress)
        with ThreadPoolExecutor(len(workers)) as pool:
            futures = [pool.submit(_autograde, w, chapter, threads) for w in workers]
            while not all(f.done() for f in futures):
                time.sleep(0.5)
                # nbgrader creates a student's autograded folder when it starts on it
                started = sum(len(list((w / "autograded").glob(f"*/{chapter}")))
                              for w in workers)
                running = sum(not f.done() for f in futures)
                if started - running > bar.n:
                    bar.update(started - running - bar.n)
            results = [f.result() for f in futures]
        if bar.n < len(students):
            bar.update(len(students) - bar.n)
        bar.close()
        for worker, group in zip(workers, groups):
            for s in group:
                graded = worker / "autograded" / s / chapter
                if graded.is_dir():
                    target = root / "autograded" / s / chapter
                    shutil.rmtree(target, ignore_errors=True)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(graded, target)
            merge(worker / "gradebook.db", root / "gradebook.db", chapter, group)
    status = max(r.returncode for r in results)
    return status, "\n".join(r.stdout + r.stderr for r in results)
