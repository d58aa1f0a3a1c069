"""`make grade` against what an instructor would otherwise run, on the same submissions.

N copies of one chapter's perfect submission (the bundled example, or every reference
answer), under N student names, are graded three times, each in a throw-away course of its
own:

- **stock nbgrader**: nbgrader 0.9's ``nbgrader autograde`` with its default preprocessors
  (a plain kernel per notebook, no sandbox, the test cells run as written); only the
  course's folders are configured. The headline ratio is against this.
- **ours, serial, cold**: this course's configuration (sandbox, realignment, verdicts judged
  outside the kernel) run by one ``nbgrader autograde``, each kernel a fresh Python
  (``DLCOURSE_WARM=off``): the figure earlier versions of this benchmark reported.
- **ours**: what ``make grade`` does: one ``nbgrader autograde`` per core, kernels forked
  warm from a zygote (autograder/warm.py).

Both of ours must give the same gradebook. Printed: the three times and the ratios; per
notebook, where our time goes (from the timings each graded notebook keeps: the kernel's
start, the cells before the first answer (setup, imports), the other cells, the checks, the
gradebook write, and the rest: nbgrader's reading, realigning and writing); and the floor:
the checks' own compute time, spread over the cores, which no grader can beat.

    python benchmarks/bench_grading.py [N] [CHAPTER]
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the course tools, not installed

from autograder import build_examples, course, parallel  # noqa: E402
from autograder.build_examples import EXAMPLES  # noqa: E402
from autograder.preprocessors import TIMING_KEY  # noqa: E402

PARTS = ("kernel_start", "setup", "cells", "checks", "gradebook")


def submit(root: Path, chapter: str, n: int) -> Path:
    """The bundled perfect example, where the chapter has one, or every reference answer."""
    example = EXAMPLES / "example_perfect" / chapter
    for k in range(n):
        folder = root / "submitted" / f"student{k:03d}" / chapter
        if example.is_dir():
            shutil.copytree(example, folder)
        else:
            folder.mkdir(parents=True)
            nbformat.write(build_examples.submission(chapter, {}), folder / f"{chapter}.ipynb")
    return root


def ours(root: Path, chapter: str, n: int) -> Path:
    course.course_copy(root)
    course.generate(root, [chapter])
    return submit(root, chapter, n)


def stock(root: Path, chapter: str, n: int) -> Path:
    course.stock_course(root)
    course.nbgrader(root, "generate_assignment", chapter, "--force")
    return submit(root, chapter, n)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def grade(root: Path, chapter: str, jobs: int, warm: bool) -> None:
    os.environ["DLCOURSE_WARM"] = "on" if warm else "off"
    failures = course.grade(root, [chapter], jobs=jobs)
    assert failures == {}, failures


def breakdown(root: Path, chapter: str) -> dict[str, float]:
    """Mean seconds per notebook of each part, from the graded notebooks."""
    timings = [json.loads(path.read_text())["metadata"][TIMING_KEY]
               for path in sorted((root / "autograded").glob(f"*/{chapter}/{chapter}.ipynb"))]
    return {part: statistics.mean(t.get(part, 0.0) for t in timings) for part in PARTS}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    chapter = sys.argv[2] if len(sys.argv) > 2 else "ch06_dropout"
    jobs = parallel.default_jobs()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stock_root = stock(tmp / "stock", chapter, n)
        serial_root = ours(tmp / "serial", chapter, n)
        ours_root = ours(tmp / "ours", chapter, n)

        stock_s = timed(course.nbgrader, stock_root, "autograde", chapter, "--force")
        serial_s = timed(grade, serial_root, chapter, 1, False)
        ours_s = timed(grade, ours_root, chapter, jobs, True)
        assert course.gradebook_rows(ours_root) == course.gradebook_rows(serial_root)
        graded = len(list((stock_root / "autograded").glob(f"*/{chapter}/*.ipynb")))
        assert graded == n, f"stock nbgrader graded {graded} of {n}"
        cold, warm = breakdown(serial_root, chapter), breakdown(ours_root, chapter)

    print(f"{n} notebooks of {chapter} on {jobs} cores: stock nbgrader autograde {stock_s:.1f} s, "
          f"ours serial and cold {serial_s:.1f} s, ours ({jobs} jobs, warm) {ours_s:.1f} s")
    print(f"ours vs stock nbgrader: {stock_s / ours_s:.2f}x")
    print(f"ours vs our own configuration run serially, cold: {serial_s / ours_s:.2f}x")
    print(f"\nper notebook, seconds{'':20}" + "".join(f"{p:>13}" for p in PARTS + ("rest",)))
    for name, parts, wall, procs in (("ours, serial, cold", cold, serial_s, 1),
                                     (f"ours, {jobs} jobs, warm", warm, ours_s, jobs)):
        rest = wall * procs / n - sum(parts.values())  # each process's time, per notebook
        print(f"{name:<42}" + "".join(f"{parts[p]:13.2f}" for p in PARTS) + f"{rest:13.2f}")
    floor = n * warm["checks"] / jobs
    print(f"\nfloor: the checks alone, {n} x {warm['checks']:.2f} s over {jobs} cores = "
          f"{floor:.1f} s; ours takes {ours_s / floor:.1f}x the floor")


if __name__ == "__main__":
    main()
