"""`make grade` on all cores against serial `nbgrader autograde`, on the same submissions.

Two throw-away courses get the same N submissions of one chapter (the bundled perfect
example under N student names). One is graded by nbgrader's own serial autograde (this
course's configuration, ``--jobs 1``), the other by the parallel path. Printed: both times,
the ratio, and the parallel path's own overhead per notebook (preparing the worker courses
and merging their gradebooks), timed directly.

    python benchmarks/bench_grading.py [N] [CHAPTER]
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the course tools, not installed

from autograder import course, parallel  # noqa: E402
from autograder.build_examples import EXAMPLES  # noqa: E402


def setup(root: Path, chapter: str, n: int) -> Path:
    course.course_copy(root)
    course.generate(root, [chapter])
    for k in range(n):
        shutil.copytree(EXAMPLES / "example_perfect" / chapter,
                        root / "submitted" / f"student{k:03d}" / chapter)
    return root


def timed(fn, spent):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)
    return wrapper


def cpu_seconds() -> float:
    """CPU time the whole machine has spent so far. Our own children's count would miss the
    kernels: they are killed inside bwrap, never waited for, so their time is not passed up."""
    with open("/proc/stat") as f:
        ticks = f.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, ticks[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    chapter = sys.argv[2] if len(sys.argv) > 2 else "ch06_dropout"
    jobs = parallel.default_jobs()
    with tempfile.TemporaryDirectory() as tmp:
        serial_root = setup(Path(tmp) / "serial", chapter, n)
        parallel_root = setup(Path(tmp) / "parallel", chapter, n)

        start, cpu = time.perf_counter(), cpu_seconds()
        assert course.grade(serial_root, [chapter], jobs=1) == {}
        serial, serial_cpu = time.perf_counter() - start, cpu_seconds() - cpu

        spent = []
        parallel._worker_course = timed(parallel._worker_course, spent)
        parallel.merge = timed(parallel.merge, spent)
        start, cpu = time.perf_counter(), cpu_seconds()
        assert course.grade(parallel_root, [chapter], jobs=jobs) == {}
        ours, ours_cpu = time.perf_counter() - start, cpu_seconds() - cpu

        assert course.gradebook_rows(parallel_root) == course.gradebook_rows(serial_root)
    print(f"{n} notebooks of {chapter}: serial nbgrader autograde {serial:.1f} s, "
          f"{jobs} jobs {ours:.1f} s")
    print(f"grading vs serial nbgrader: {serial / ours:.2f}x")
    print(f"CPU time of the machine (nbgrader, the kernels, the rest): serial {serial_cpu:.1f} s "
          f"({serial_cpu / serial:.2f} cores busy), parallel {ours_cpu:.1f} s "
          f"({ours_cpu / ours:.2f} cores busy)")
    print(f"overhead of the parallel path: {sum(spent) / n:.2f} s per notebook "
          f"(worker courses and gradebook merges, {sum(spent):.1f} s in all)")


if __name__ == "__main__":
    main()
