"""Grading on a cluster with Dask distributed: one task per submission, one gradebook writer.

Each task grades one student's notebook as :mod:`autograder.parallel` grades a group: an
unmodified ``nbgrader autograde`` in a worker course of its own, with the course's sandbox,
limits and verdicts, on whichever worker Dask hands it to. The task takes the submission's
files and a snapshot of the gradebook as bytes, and gives back bytes: nbgrader's exit status
and log, the worker's gradebook and the graded notebook. Only the coordinator (the process
that called :func:`autograde`) writes the course's gradebook, merging each result as it
arrives, cell by cell, exactly as parallel grading does; so the scores are those of serial
grading (tests/test_cluster.py checks it).

A worker that dies loses nothing: Dask's scheduler gives its unfinished tasks to another
worker (and a Nanny starts a fresh worker in its place). A task that has killed
``distributed.scheduler.allowed-failures`` workers (3 by default) is reported by student
and not retried again; the others are graded.

Workers need the course's code and sources (``solutions/``, ``notebooks/``, ``autograder/``,
``nbgrader_config.py``) under the same path as the coordinator, and the course's Python
environment: a shared file system or the same container image, as on SLURM clusters
(``dask-jobqueue``) and next to JupyterHub (``dask-kubernetes``, Dask Gateway). Submissions
and grades travel through Dask; nothing else is written on the workers but a temporary
folder per task. docs/instructors.md, "Grading on a cluster", says how to start one.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from . import parallel


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def grade_submission(root: str, chapter: str, student: str, submission: dict[str, bytes],
                     gradebook: bytes, threads: int = 1) -> dict:
    """One Dask task: grade ``student``'s submission in a worker course of its own.

    Runs on a worker; returns what the coordinator needs, as bytes.
    """
    with tempfile.TemporaryDirectory(prefix=f"grading-{chapter}-") as tmp:
        worker = Path(tmp) / "course"
        worker.mkdir()
        for name in parallel.LINKED:
            (worker / name).symlink_to(Path(root) / name)
        (worker / "gradebook.db").write_bytes(gradebook)
        _write(worker / "submitted" / student / chapter, submission)
        # its kernels are forked from the worker's zygote, kept from task to task
        result = parallel._autograde(worker, chapter, threads)
        graded = worker / "autograded" / student / chapter
        return {"returncode": result.returncode, "log": result.stdout + result.stderr,
                "gradebook": (worker / "gradebook.db").read_bytes(),
                "autograded": _files(graded) if graded.is_dir() else None}


@contextlib.contextmanager
def connect(address: str):
    """A Dask client: ``local:N`` starts a cluster of N worker processes on this machine
    (over loopback) and stops it afterwards; anything else is the address of a running
    scheduler (``tcp://host:8786``)."""
    from distributed import Client, LocalCluster

    if not address.startswith("local:"):
        with Client(address, set_as_default=False) as dask_client:
            yield dask_client
        return
    workers = int(address.removeprefix("local:"))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster, \
            Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


def autograde(root: Path, chapter: str, students: list[str], dask_client,
              progress: bool = True, threads: int | None = None) -> tuple[int, str]:
    """Grade ``students`` of ``chapter`` on the cluster behind ``dask_client``:
    (exit status, log), as :func:`autograder.parallel.autograde` returns them."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    root = Path(root).resolve()
    if threads is None:  # a worker process per core (docs/instructors.md): its threads
        workers = dask_client.scheduler_info()["workers"].values()
        threads = max(1, min((w["nthreads"] for w in workers), default=1))
    snapshot = dask_client.scatter((root / "gradebook.db").read_bytes(), broadcast=True)
    futures = {dask_client.submit(grade_submission, str(root), chapter, student,
                                  _files(root / "submitted" / student / chapter), snapshot,
                                  threads, key=f"grade-{chapter}-{student}", pure=False):
               student for student in students}
    status, logs = 0, []
    with tqdm(total=len(students), desc=f"grading {chapter}", unit="notebook",
              disable=not progress) as bar:
        for future in as_completed(futures, loop=dask_client.loop):
            student = futures[future]
            bar.update(1)
            try:
                result = future.result()
            except Exception as error:  # KilledWorker: it took down workers, again and again
                status = max(status, 1)
                # in nbgrader's words, so that course.error_summary names the student
                logs.append(f"ClusterError: {type(error).__name__}: {error}\n"
                            f"error processing assignment '{chapter}' for student '{student}'")
                continue
            status = max(status, result["returncode"])
            logs.append(result["log"])
            if result["autograded"] is not None:
                target = root / "autograded" / student / chapter
                shutil.rmtree(target, ignore_errors=True)
                _write(target, result["autograded"])
            with tempfile.TemporaryDirectory(prefix="merge-") as tmp:
                worker_db = Path(tmp) / "gradebook.db"
                worker_db.write_bytes(result["gradebook"])
                parallel.merge(worker_db, root / "gradebook.db", chapter, [student])
    return status, "\n".join(logs)
