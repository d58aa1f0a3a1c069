"""The instructor's commands, run by the Makefile: ``python -m autograder <command>``.

Each command is a thin layer over nbgrader's own (``generate_assignment``, ``autograde``,
``export``, ``generate_feedback``) run in the course root, so that an instructor who knows
nbgrader can always fall back on it.

    notebooks             stamp badges/setup cells, regenerate notebooks/ from solutions/
    collect FROM          an LMS download (zip or folder) into submitted/<student>/<chapter>/
    examples              copy the bundled example submissions into submitted/
    grade [CHAPTER ...]   autograde every submitted/<student>/<chapter>/<chapter>.ipynb
                          (on all cores; --jobs 1 for nbgrader's serial autograde)
    table                 print the gradebook
    export                write grades.csv (nbgrader export)
    feedback              write feedback/ HTML (nbgrader generate_feedback)
    audit [CHAPTER ...]   how declared exercises grade known wrong and correct answers
    release [FOLDER]      what students get, as a git repository tagged v<version> (release/)
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .authoring import ROOT, chapters
from .build_examples import EXAMPLES


def nbgrader(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root, with this venv's tools on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"nbgrader {' '.join(args)} failed (exit {result.returncode})")
    return result


def course_copy(target: Path) -> Path:
    """A course root at ``target`` that shares this repository's sources (for tests)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("solutions", "autograder", "nbgrader_config.py", "pyproject.toml"):
        link = target / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    return target


def generate(root: Path, chapter_ids: list[str]) -> None:
    """notebooks/<chapter>/ from solutions/<chapter>/, and the gradebook's copy of its cells."""
    for chapter in chapter_ids:
        nbgrader(root, "generate_assignment", chapter, "--force")


def check_notebooks() -> list[str]:
    """Chapters whose committed student notebook differs from a fresh generate_assignment."""
    with tempfile.TemporaryDirectory() as tmp:
        root = course_copy(Path(tmp))
        generate(root, chapters())
        stale = []
        for chapter in chapters():
            name = f"{chapter}/{chapter}.ipynb"
            committed = ROOT / "notebooks" / name
            if not committed.exists() or not filecmp.cmp(committed, root / "notebooks" / name,
                                                         shallow=False):
                stale.append(chapter)
        return stale


def submissions(root: Path, chapter: str) -> list[str]:
    folder = root / "submitted"
    if not folder.is_dir():
        return []
    return sorted(s.name for s in folder.iterdir()
                  if (s / chapter / f"{chapter}.ipynb").is_file())


def grade(root: Path, chapter_ids: list[str], jobs: int = 1,
          progress: bool = False) -> dict[str, str]:
    """Autograde all submissions of the chapters; {chapter: nbgrader's log} for failures.

    ``jobs`` > 1 grades that many submissions at once (:mod:`autograder.parallel`).
    """
    from . import parallel, verdicts

    failures = {}
    for chapter in chapter_ids:
        students = submissions(root, chapter)
        if not students:
            continue
        generate(root, [chapter])  # keeps the gradebook's copy of the source current
        solution = root / "solutions" / chapter / f"{chapter}.ipynb"
        if verdicts.has_probes(chapter) and not verdicts.cached(chapter, solution):
            verdicts.references(chapter, solution)  # once here, not in every grading process
        print(f"grading {chapter}: {', '.join(students)}", flush=True)
        if jobs > 1 and len(students) > 1:
            status, log = parallel.autograde(root, chapter, students, jobs, progress)
        else:
            result = nbgrader(root, "autograde", chapter, "--force", check=False)
            status, log = result.returncode, result.stdout + result.stderr
        if status != 0:
            failures[chapter] = log
    return failures


def error_summary(log: str) -> list[str]:
    """From nbgrader's log: which student failed, and the exception that said why."""
    summary, last_error = [], "see nbgrader's log"
    for line in log.splitlines():
        student = re.search(r"error processing assignment '.*' for student '(.*)'", line)
        if student:
            summary.append(f"  {student.group(1)}: {last_error}")
            last_error = "see nbgrader's log"
        elif re.match(r"\s*[\w.]+(Error|Exception|Exit): ", line):
            last_error = line.strip()  # the last one of a traceback says why
    return summary


def gradebook_rows(root: Path) -> list[dict]:
    """One row per (student, chapter) with the score of each graded cell."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            for student in sorted(gb.students, key=lambda s: s.id):
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                cells = {}
                for notebook in submission.notebooks:
                    for g in notebook.grades:  # extra credit never lifts a cell above its max
                        cells[g.name] = (min(g.score, g.max_score), g.max_score,
                                         g.needs_manual_grade)
                rows.append({"student": student.id, "chapter": assignment.name, "cells": cells})
    return rows


def cap_scores(root: Path) -> list[str]:
    """No cell above its maximum in ``grades.csv``: nbgrader's export adds extra credit
    uncapped (a submission that wrote extra credit into the gradebook scored 22/4). Each
    total becomes the sum of the cells' scores, each capped at the cell's maximum."""
    import csv

    capped_totals = {(r["student"], r["chapter"]): sum(v[0] for v in r["cells"].values())
                     for r in gradebook_rows(root)}
    path = root / "grades.csv"
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    capped = []
    for row in rows:
        total = capped_totals.get((row["student_id"], row["assignment"]))
        if total is not None and float(row["raw_score"]) > total + 1e-9:
            capped.append(f"capped {row['student_id']} {row['assignment']}: "
                          f"{float(row['raw_score']):g} -> {total:g} (extra credit above a "
                          "cell's maximum)")
            row["raw_score"] = str(total)
            row["score"] = str(max(0.0, total - float(row["late_submission_penalty"] or 0)))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return capped


def format_table(rows: list[dict]) -> str:
    lines = []
    for chapter in sorted({r["chapter"] for r in rows}):
        chapter_rows = [r for r in rows if r["chapter"] == chapter]
        names = list(chapter_rows[0]["cells"])
        tests = [n for n in names if n.startswith("test_")]
        written = [n for n in names if not n.startswith("test_")]
        header = ["student"] + [n.removeprefix("test_") for n in tests] + ["code", "written"]
        table = [header]
        for r in chapter_rows:
            cells = r["cells"]
            row = [r["student"]]
            # "?" marks a test cell nbgrader could not score (it needs a manual grade)
            row += [f"{'?' if cells[n][2] else format(cells[n][0], 'g')}/{cells[n][1]:g}"
                    for n in tests]
            code = sum(cells[n][0] for n in tests)
            row.append(f"{code:g}/{sum(cells[n][1] for n in tests):g}")
            pending = sum(1 for n in written if cells[n][2])
            done = sum(cells[n][0] for n in written if not cells[n][2])
            total = sum(cells[n][1] for n in written)
            row.append(f"{pending} to grade" if pending else f"{done:g}/{total:g}")
            table.append(row)
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        lines.append(f"\n{chapter}")
        for k, row in enumerate(table):
            lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def copy_examples(root: Path) -> list[str]:
    copied = []
    for student in sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and
                          not p.name.startswith(("_", "."))):
        for chapter_dir in student.iterdir():
            dest = root / "submitted" / student.name / chapter_dir.name
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(chapter_dir, dest)
            copied.append(f"{student.name}/{chapter_dir.name}")
    return copied


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="course root (default: here)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("notebooks")
    sub.add_parser("examples")
    p = sub.add_parser("collect")
    p.add_argument("source", type=Path, help="the LMS download: a .zip or a folder")
    p.add_argument("--pattern", action="append", help="a regular expression with named groups "
                   "student and chapter, tried on each file's path (repeatable)")
    p = sub.add_parser("grade")
    p.add_argument("chapters", nargs="*")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="submissions graded at once (default: one per core; 1: nbgrader's "
                        "own serial autograde)")
    sub.add_parser("table")
    sub.add_parser("export")
    sub.add_parser("feedback")
    p = sub.add_parser("audit")
    p.add_argument("chapters", nargs="*")
    p = sub.add_parser("release")
    p.add_argument("target", nargs="?")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    if args.command == "notebooks":
        from .authoring import main as authoring_main
        from .build_examples import write as write_examples

        authoring_main(["stamp"])
        generate(root, chapters())
        print(f"notebooks/ regenerated for {len(chapters())} chapters")
        print(f"{len(write_examples())} example submissions rebuilt in autograder/examples/")
    elif args.command == "collect":
        from .collect import collect

        if not args.source.exists():
            raise SystemExit(f"collect: {args.source} does not exist")
        print("\n".join(collect(args.source, root, args.pattern).lines()))
    elif args.command == "examples":
        for name in copy_examples(root):
            print(f"submitted/{name}")
    elif args.command == "grade":
        unknown = sorted(set(args.chapters) - set(chapters()))
        if unknown:
            raise SystemExit(f"unknown chapter(s) {', '.join(unknown)}; "
                             f"chapters: {', '.join(chapters())}")
        from .parallel import default_jobs

        jobs = args.jobs or default_jobs()
        failures = grade(root, args.chapters or chapters(), jobs, progress=True)
        print(format_table(gradebook_rows(root)))
        for chapter, log in failures.items():
            print(f"\n{chapter}: some submissions could not be graded:")
            print("\n".join(error_summary(log)))
        if failures:
            raise SystemExit(1)
    elif args.command == "table":
        print(format_table(gradebook_rows(root)))
    elif args.command == "export":
        nbgrader(root, "export")
        for line in cap_scores(root):
            print(line)
        print(f"wrote {root / 'grades.csv'}")
    elif args.command == "audit":
        from .audit import main as audit_main

        raise SystemExit(audit_main(args.chapters))
    elif args.command == "release":
        from .release import main as release_main

        raise SystemExit(release_main([args.target] if args.target else []))
    elif args.command == "feedback":
        for chapter in chapters():
            if submissions(root, chapter):
                nbgrader(root, "generate_feedback", chapter, "--force")
        print(f"wrote {root / 'feedback'}")
