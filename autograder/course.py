"""The instructor's commands, run by the Makefile: ``python -m autograder <command>``.

Each command is a thin layer over nbgrader's own (``generate_assignment``, ``autograde``,
``export``, ``generate_feedback``) run in the course root, so that an instructor who knows
nbgrader can always fall back on it.

    notebooks             stamp badges/setup cells, regenerate notebooks/ from solutions/
    collect FROM          an LMS download (zip or folder) into submitted/<student>/<chapter>/
    roster FILE           students' names and emails into the gradebook (a CSV from the LMS)
    demo [FOLDER]         grade the bundled example submissions in a course of their own
                          (demo/), never in this course's gradebook
    grade [CHAPTER ...]   autograde submitted/<student>/<chapter>/<chapter>.ipynb that are
                          new or changed since last graded (--all: every one; --student S:
                          S's); on all cores, --jobs 1 for nbgrader's serial autograde
    table                 print the gradebook
    export                write grades.csv (nbgrader export)
    feedback              write feedback/ HTML (nbgrader generate_feedback)
    audit [CHAPTER ...]   how declared exercises grade known wrong and correct answers
    release [FOLDER]      what students get, as a git repository tagged v<version> (release/)
    lab [--port P]        JupyterLab with formgrader, printing the address to open (token)
"""

from __future__ import annotations

import argparse
import contextlib
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


def nbgrader(root: Path, *args: str, check: bool = True,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root, with this venv's tools on PATH (and
    ``env`` added to the environment)."""
    env = dict(os.environ, **(env or {}))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"nbgrader {' '.join(args)} failed (exit {result.returncode})")
    return result


def empty_gradebook(target: Path) -> None:
    """An empty gradebook at ``target``, as nbgrader makes one, copied from one made once per
    nbgrader version: nbgrader makes each by running alembic in a process of its own (over a
    second of CPU, for every test course and demo)."""
    import nbgrader
    from nbgrader.api import Gradebook

    made = ROOT / "build" / f"gradebook-nbgrader-{nbgrader.__version__}.db"
    if not made.is_file():
        made.parent.mkdir(exist_ok=True)
        fresh = made.with_name(f"{made.name}.{os.getpid()}")
        Gradebook(f"sqlite:///{fresh}").close()
        os.replace(fresh, made)
    shutil.copyfile(made, target)


def course_copy(target: Path) -> Path:
    """A course root at ``target`` that shares this repository's sources (for tests)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("solutions", "autograder", "nbgrader_config.py", "pyproject.toml"):
        link = target / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    if not (target / "gradebook.db").exists():
        empty_gradebook(target / "gradebook.db")
    return target


STOCK_CONFIG = """c = get_config()
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
"""


def stock_course(target: Path) -> Path:
    """A course root at ``target`` with this course's sources and nbgrader 0.9 as shipped:
    none of this course's settings, only where its folders are (for comparisons)."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "solutions").symlink_to(ROOT / "solutions")
    (target / "nbgrader_config.py").write_text(STOCK_CONFIG)
    empty_gradebook(target / "gradebook.db")
    return target


def generate(root: Path, chapter_ids: list[str]) -> None:
    """notebooks/<chapter>/ from solutions/<chapter>/, and the gradebook's copy of its cells;
    recorded, so that grading runs it again only once they have changed (autograder/seen.py)."""
    from . import seen

    for chapter in chapter_ids:
        nbgrader(root, "generate_assignment", chapter, "--force")
        seen.record_generated(root, chapter)


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


def grade(root: Path, chapter_ids: list[str], jobs: int = 1, progress: bool = False,
          students: list[str] | None = None, everything: bool = True,
          dask_client=None) -> dict[str, str]:
    """Autograde the submissions of the chapters; {chapter: nbgrader's log} for failures.

    ``students`` names whom to grade (default: all who submitted). Unless ``everything``, a
    submission graded before, with the same file and the same grading, is not graded again
    (:mod:`autograder.seen`). ``jobs`` > 1 grades that many submissions at once
    (:mod:`autograder.parallel`); a ``dask_client`` grades them on its cluster instead
    (:mod:`autograder.cluster`).
    """
    from . import cluster, parallel, seen, verdicts, warm

    failures = {}
    for chapter in chapter_ids:
        submitted = submissions(root, chapter)
        todo = [s for s in submitted if students is None or s in students]
        skipped = sorted(seen.unchanged(root, chapter, todo)) if not everything else []
        todo = [s for s in todo if s not in skipped]
        if skipped:
            print(f"{chapter}: {len(skipped)} unchanged since last graded, not graded again "
                  f"(--all to regrade): {', '.join(skipped)}", flush=True)
        if not todo:
            continue
        if not seen.generated(root, chapter):  # the gradebook's copy of the source, current
            generate(root, [chapter])
        solution = root / "solutions" / chapter / f"{chapter}.ipynb"
        if verdicts.has_probes(chapter) and not verdicts.cached(chapter, solution):
            verdicts.references(chapter, solution)  # once here, not in every grading process
        print(f"grading {chapter}: {', '.join(todo)}", flush=True)
        if dask_client is not None:
            status, log = cluster.autograde(root, chapter, todo, dask_client, progress)
        elif jobs > 1 and len(todo) > 1:
            status, log = parallel.autograde(root, chapter, todo, jobs, progress)
        else:
            status, log = 0, ""
            everyone = todo == submitted
            for student in [None] if everyone else todo:  # nbgrader takes one student or all
                with warm.lent() as lent:  # a zygote kept from chapter to chapter
                    result = nbgrader(root, "autograde", chapter, "--force",
                                      *([f"--student={student}"] if student else []),
                                      check=False, env=lent)
                status, log = max(status, result.returncode), log + result.stdout + result.stderr
        if status != 0:
            failures[chapter] = log
        seen.record_graded(root, chapter, graded_students(root, chapter, todo))
    return failures


def graded_students(root: Path, chapter: str, students: list[str]) -> list[str]:
    """Those of ``students`` whose submission of ``chapter`` is in the gradebook."""
    from nbgrader.api import MissingEntry

    from . import seen

    found = []
    with seen.gradebook(root) as gb:
        for student in students:
            try:
                gb.find_submission(chapter, student)
            except MissingEntry:
                continue
            if (root / "autograded" / student / chapter / f"{chapter}.ipynb").is_file():
                found.append(student)
    return found


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
    from nbgrader.api import MissingEntry

    from . import seen

    rows = []
    with seen.gradebook(root) as gb:
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


def unmarked(root: Path) -> dict[tuple[str, str], list[str]]:
    """{(student, chapter): the cells still waiting for a grader}: written answers not marked
    yet, and test cells nbgrader could not score."""
    return {(r["student"], r["chapter"]): pending for r in gradebook_rows(root)
            if (pending := [n for n, v in r["cells"].items() if v[2]])}


def unmarked_lines(waiting: dict[tuple[str, str], list[str]]) -> list[str]:
    return [f"  {chapter} {student}: {', '.join(cells)}"
            for (student, chapter), cells in sorted(waiting.items(), key=lambda k: k[0][::-1])]


def rejected_lines(root: Path) -> list[str]:
    from . import seen

    lines = [f"  {chapter} {student}: {why}"
             for (student, chapter), why in sorted(seen.rejected(root).items(),
                                                   key=lambda k: k[0][::-1])]
    return ["\nrejected at collect, nothing graded:", *lines] if lines else []


def annotate_csv(path: Path, waiting: dict[tuple[str, str], list[str]],
                 rejected: dict[tuple[str, str], str]) -> None:
    """Two columns nbgrader's export lacks: ``unmarked``, the cells counted as 0 because
    nobody has marked them yet, and ``problem``, why collect could not take the notebook in."""
    import csv

    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        key = (row["student_id"], row["assignment"])
        row["unmarked"] = " ".join(waiting.get(key, []))
        row["problem"] = rejected.get(key, "")
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*fields, "unmarked", "problem"])
        writer.writeheader()
        writer.writerows(rows)


def mark_unmarked_in_feedback(html: str, cells: list[str]) -> str:
    """nbgrader's feedback shows an unmarked answer as "Score: 0.0 / 2.0": say "not yet
    marked" instead, in the contents, at the cell and in the total."""
    for cell in map(re.escape, cells):
        html = re.sub(rf'(href="#{cell}">[^<]*</a> \(Score: )[0-9.]+', r"\g<1>not yet marked", html)
        html = re.sub(rf'(<a name="{cell}"></a>.*?Score: )[0-9.]+', r"\g<1>not yet marked", html,
                      count=1, flags=re.S)
    n = len(cells)
    return re.sub(r"(<h4>[^<]*\(Score: [0-9.]+ / [0-9.]+)\)",
                  rf"\g<1>; {n} {'answer' if n == 1 else 'answers'} not yet marked)", html, count=1)


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


def free_port(first: int, ip: str) -> int:
    import socket

    for port in range(first, first + 100):
        with socket.socket() as s:
            try:
                s.bind((ip, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"lab: no free port from {first} to {first + 99}")


def lab(root: Path, port: int, ip: str) -> None:
    """JupyterLab on the course with formgrader, after printing where to log in: the address
    with its token, and how to reach it from a laptop when the course is on a server."""
    import secrets
    import socket

    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    port = free_port(port, ip)
    host = "127.0.0.1" if ip in ("127.0.0.1", "localhost", "0.0.0.0") else ip
    print(f"formgrader:  http://{host}:{port}/formgrader?token={token}\n"
          f"JupyterLab:  http://{host}:{port}/lab?token={token}\n"
          f"On a server with no browser: on your own machine run\n"
          f"    ssh -N -L {port}:127.0.0.1:{port} <you>@{socket.gethostname()}\n"
          f"and open the formgrader address above there. Stop with Ctrl-C.\n"
          "Grade written answers in formgrader's Manual Grading; its Release and Collect "
          "buttons are nbgrader's JupyterHub exchange, which this course does not use "
          "(make release, make collect).", flush=True)
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ip={ip}",
               f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:  # Jupyter refuses root unless told; containers and CI often are
        command.append("--allow-root")
    os.chdir(root)
    os.execve(sys.executable, command, env)  # Jupyter itself, so that signals reach it


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="course root (default: here)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("notebooks")
    p = sub.add_parser("demo")
    p.add_argument("folder", nargs="?", type=Path, help="default: demo/ in the course root")
    p = sub.add_parser("collect")
    p.add_argument("source", type=Path, help="the LMS download: a .zip or a folder")
    p.add_argument("--pattern", action="append", help="a regular expression with named groups "
                   "student and chapter, tried on each file's path (repeatable)")
    p = sub.add_parser("roster")
    p.add_argument("file", type=Path, help="a CSV: nbgrader's (id, first_name, last_name, "
                   "email), Canvas's gradebook export or Moodle's participants")
    p = sub.add_parser("grade")
    p.add_argument("chapters", nargs="*")
    p.add_argument("--student", action="append", help="grade this student (repeatable), "
                   "changed or not")
    p.add_argument("--all", action="store_true", help="grade every submission again, changed "
                   "or not (default: only those new or changed since they were last graded)")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="submissions graded at once (default: one per core; 1: nbgrader's "
                        "own serial autograde)")
    p.add_argument("--dask", metavar="ADDRESS", help="grade on a Dask cluster: a scheduler's "
                   "address (tcp://host:8786), or local:N for N worker processes here")
    sub.add_parser("table")
    for name in ("export", "feedback"):
        p = sub.add_parser(name)
        p.add_argument("--allow-unmarked", action="store_true",
                       help="go ahead with answers not yet marked: 'unmarked' in grades.csv, "
                            "'not yet marked' in the feedback")
    p = sub.add_parser("lab")
    p.add_argument("--port", type=int, default=8888, help="the first port tried (8888)")
    p.add_argument("--ip", default="127.0.0.1", help="the address to listen on (127.0.0.1: "
                   "this machine only; reach a server through an SSH tunnel)")
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
        report = collect(args.source, root, args.pattern)
        print("\n".join(report.lines()))
        if report.lost:
            raise SystemExit(f"collect: {len(report.rejected)} notebooks rejected and "
                             f"{report.unplaced} files not placed (above); the rest is in "
                             "submitted/")
    elif args.command == "roster":
        from .collect import import_roster

        if not args.file.is_file():
            raise SystemExit(f"roster: {args.file} does not exist")
        print("\n".join(import_roster(args.file, root)))
    elif args.command == "demo":
        from .parallel import default_jobs

        demo = course_copy((args.folder or root / "demo").resolve())
        copied = copy_examples(demo)
        examples = sorted({name.split("/")[1] for name in copied})
        failures = grade(demo, examples, default_jobs(), progress=True, everything=False)
        print(format_table(gradebook_rows(demo)))
        print(f"\n{len(copied)} example submissions graded in {demo}, a course of its own "
              "(its own gradebook); this course's gradebook is untouched")
        if failures:
            raise SystemExit(1)
    elif args.command == "grade":
        unknown = sorted(set(args.chapters) - set(chapters()))
        if unknown:
            raise SystemExit(f"unknown chapter(s) {', '.join(unknown)}; "
                             f"chapters: {', '.join(chapters())}")
        from .parallel import default_jobs

        jobs = args.jobs or default_jobs()
        with contextlib.ExitStack() as stack:
            dask_client = None
            if args.dask:
                from .cluster import connect

                dask_client = stack.enter_context(connect(args.dask))
                print(f"grading on {args.dask}: "
                      f"{len(dask_client.scheduler_info()['workers'])} Dask workers", flush=True)
            failures = grade(root, args.chapters or chapters(), jobs, progress=True,
                             students=args.student, everything=args.all or bool(args.student),
                             dask_client=dask_client)
        print(format_table(gradebook_rows(root)))
        print("\n".join(rejected_lines(root)))
        for chapter, log in failures.items():
            print(f"\n{chapter}: some submissions could not be graded:")
            print("\n".join(error_summary(log)))
        if failures:
            raise SystemExit(1)
    elif args.command == "table":
        print(format_table(gradebook_rows(root)))
        print("\n".join(rejected_lines(root)))
    elif args.command == "export":
        from . import seen

        waiting = unmarked(root)
        if waiting and not args.allow_unmarked:
            raise SystemExit("export: not written, these answers are not marked yet (formgrader, "
                             "`make lab`):\n" + "\n".join(unmarked_lines(waiting)) +
                             "\nMark them, or export anyway with --allow-unmarked "
                             "(make export ALLOW_UNMARKED=1): grades.csv then names them.")
        nbgrader(root, "export")
        for line in cap_scores(root):
            print(line)
        annotate_csv(root / "grades.csv", waiting, seen.rejected(root))
        if waiting:
            print("not marked yet, counted 0 and named in the 'unmarked' column:")
            print("\n".join(unmarked_lines(waiting)))
        print("\n".join(rejected_lines(root)))
        print(f"wrote {root / 'grades.csv'}")
    elif args.command == "lab":
        lab(root, args.port, args.ip)
    elif args.command == "audit":
        from .audit import main as audit_main

        raise SystemExit(audit_main(args.chapters))
    elif args.command == "release":
        from .release import main as release_main

        raise SystemExit(release_main([args.target] if args.target else []))
    elif args.command == "feedback":
        waiting = unmarked(root)
        for chapter in chapters():
            if submissions(root, chapter):
                nbgrader(root, "generate_feedback", chapter, "--force")
        for (student, chapter), cells in sorted(waiting.items()):
            folder = root / "feedback" / student / chapter
            if not args.allow_unmarked:
                shutil.rmtree(folder, ignore_errors=True)
                if folder.parent.is_dir() and not any(folder.parent.iterdir()):
                    folder.parent.rmdir()
                continue
            for page in folder.glob("*.html"):
                page.write_text(mark_unmarked_in_feedback(page.read_text(), cells))
        if waiting:
            print("not marked yet (" + ("their feedback says 'not yet marked'" if
                  args.allow_unmarked else "no feedback written for them: mark them, or "
                  "make feedback ALLOW_UNMARKED=1") + "):")
            print("\n".join(unmarked_lines(waiting)))
        print(f"wrote {root / 'feedback'}")
