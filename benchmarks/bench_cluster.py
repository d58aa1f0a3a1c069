"""Grading on a Dask cluster at scale, on this machine (autograder/cluster.py).

1. **A mixed batch**: N notebooks of ch01 (100), ten of them hostile: the attacks of
   tests/test_attacks.py (patched checks, an input transformer, a lying tensor subclass,
   stealing and tampering, leaking the hidden tests, memory, endless loop and process flood)
   and a kernel that kills itself. Graded on a local cluster of 2 workers. The honest ones are
   then graded again alone, in a course of their own, by `make grade`'s path: each honest
   notebook must get exactly the same grades in both, and every hostile one a grade.
2. **Throughput**: M honest notebooks (32) on a cluster of 1 worker and of 2, timed from
   the first submission to the last merged result (cluster start excluded, each worker's
   zygote start included). Printed: notebooks per minute, the efficiency of the second worker,
   the coordinator's own time per notebook (merging results into the gradebook: the serial
   part, which bounds any cluster), the gradebook's size (every task receives it and sends it
   back), and a projection for 10,000 notebooks.

    python benchmarks/bench_cluster.py [N] [M]
"""

import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the course tools, not installed

from autograder import build_examples, cluster, course, parallel  # noqa: E402
from tests import test_attacks  # noqa: E402
from tests.implementations import ch01_dag_autograd as impl  # noqa: E402

CH = test_attacks.CH
# the limits tests/test_attacks.py grades its attacks with: the bombs go off sooner
os.environ.update({"DLCOURSE_CELL_TIMEOUT": "20", "DLCOURSE_LIMIT_MEMORY_BYTES": str(6 * 2**30),
                   "DLCOURSE_LIMIT_PROCESSES": "200", "DLCOURSE_SANDBOX": "require"})


def honest(count: int) -> dict[str, dict[str, str]]:
    """Correct submissions and each real mistake of impl.WRONG, in turn."""
    variants = [{}] + [{exercise: code} for exercise, wrongs in impl.WRONG.items()
                       for code in wrongs.values()]
    return {f"honest{k:03d}": answers
            for k, answers in zip(range(count), itertools.cycle(variants))}


def hostile(port: int) -> dict[str, dict[str, str]]:
    attacks = {name: answers for name, (answers, _, _) in test_attacks.attacks(port).items()
               if name != "victim"}
    correct = build_examples.answers(CH)
    attacks["attack_kernel_death"] = {
        "dag_forward": correct["dag_forward"] + "\nimport os\nos._exit(1)\n"}
    names = itertools.cycle(sorted(attacks))
    return {f"{name}_{k}": attacks[name] for k, name in zip(range(10), names)}


def new_course(root: Path, submissions: dict[str, dict[str, str]]) -> Path:
    course.course_copy(root)
    course.generate(root, [CH])
    for student, answers in submissions.items():
        test_attacks.submit(root, student, CH, build_examples.submission(CH, answers))
    return root


def rows_of(root: Path, students) -> dict:
    return {r["student"]: r["cells"] for r in course.gradebook_rows(root)
            if r["student"] in students}


def mixed_batch(tmp: Path, n: int) -> None:
    listener = test_attacks.Listener()
    good, bad = honest(n - 10), hostile(listener.port)
    mixed = new_course(tmp / "mixed", {**good, **bad})
    alone = new_course(tmp / "alone", good)
    start = time.perf_counter()
    with cluster.connect("local:2") as dask_client:
        course.grade(mixed, [CH], dask_client=dask_client)
    mixed_s = time.perf_counter() - start
    course.grade(alone, [CH], jobs=parallel.default_jobs())
    phoned = listener.close()
    graded = rows_of(mixed, {**good, **bad})
    same = rows_of(alone, good) == {s: graded[s] for s in good}
    print(f"mixed batch: {len(good)} honest and {len(bad)} hostile notebooks of {CH} on 2 "
          f"workers in {mixed_s:.1f} s; every hostile one graded: {set(bad) <= set(graded)}; "
          f"honest grades identical to grading them alone: {same}; connections out of the "
          f"sandbox: {len(phoned)}")
    assert same and set(bad) <= set(graded) and not phoned


def throughput(tmp: Path, m: int) -> None:
    spent = []
    merge = parallel.merge

    def timed_merge(*args):
        start = time.perf_counter()
        merge(*args)
        spent.append(time.perf_counter() - start)
    parallel.merge = timed_merge
    rate = {}
    for workers in (1, 2):
        root = new_course(tmp / f"workers{workers}", honest(m))
        with cluster.connect(f"local:{workers}") as dask_client:
            start = time.perf_counter()
            course.grade(root, [CH], dask_client=dask_client)
            rate[workers] = m / (time.perf_counter() - start) * 60
        print(f"{workers} worker(s): {m} notebooks in {m / rate[workers] * 60:.1f} s, "
              f"{rate[workers]:.1f} notebooks/min")
    parallel.merge = merge
    efficiency = rate[2] / (2 * rate[1])
    coordinator = sum(spent) / len(spent)
    print(f"the second worker adds {efficiency:.0%} of the first's rate; the coordinator "
          f"spends {coordinator:.3f} s per notebook merging, a ceiling of "
          f"{60 / coordinator:,.0f} notebooks/min whatever the number of workers")
    size = (tmp / "workers2" / "gradebook.db").stat().st_size
    print(f"the gradebook holds {size / 2**20:.1f} MB after {m} students: at 10,000, about "
          f"{size / m * 10_000 / 2**20:,.0f} MB, which every task receives and sends back")
    for workers in (2, 40, 200):
        per_min = min(rate[1] * workers * efficiency, 60 / coordinator)
        print(f"projection, 10,000 notebooks of {CH} on {workers} single-core workers like "
              f"these: {10_000 / per_min:,.0f} min")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    with tempfile.TemporaryDirectory() as tmp:
        mixed_batch(Path(tmp), n)
        throughput(Path(tmp), m)


if __name__ == "__main__":
    main()
