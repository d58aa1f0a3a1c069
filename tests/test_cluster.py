"""Grading on a Dask cluster (two worker processes over loopback) gives the gradebook and the
graded notebooks that serial nbgrader gives, and loses nothing when a worker dies."""

import os
import signal
import threading
import time

import nbformat
import pytest

from autograder import cluster, course

from .conftest import CH06, submissions_of_ch06

# with test_parallel.py, whose serial grading of the same batch it compares with
pytestmark = pytest.mark.xdist_group("grading-parallel")

STUDENTS = {"example_perfect", "example_warning", "instructor", "wrong", "broken"}


def _course(tmp_path_factory, name):
    root = course.course_copy(tmp_path_factory.mktemp(name))
    course.generate(root, [CH06])
    submissions_of_ch06(root)
    return root


def _same_as_serial(root, failures, serial_ch06):
    serial_root, serial_failures, serial_rows = serial_ch06
    rows = course.gradebook_rows(root)
    assert rows == serial_rows and {r["student"] for r in rows} == STUDENTS
    # the broken file is named, as serial nbgrader names it
    assert course.error_summary(failures[CH06])[0].startswith("  broken: ")
    for student in STUDENTS - {"broken"}:
        ours = nbformat.read(root / "autograded" / student / CH06 / f"{CH06}.ipynb", 4)
        theirs = nbformat.read(serial_root / "autograded" / student / CH06 / f"{CH06}.ipynb", 4)
        assert [c.source for c in ours.cells] == [c.source for c in theirs.cells]


def test_grading_on_a_local_cluster_equals_serial_grading(tmp_path_factory, serial_ch06, capsys):
    root = _course(tmp_path_factory, "cluster")
    with cluster.connect("local:2") as dask_client:
        failures = course.grade(root, [CH06], progress=True, dask_client=dask_client)
        workers = {r for r in dask_client.run(os.getpid).values()}
    _same_as_serial(root, failures, serial_ch06)
    assert len(workers) == 2 and os.getpid() not in workers  # graded in the workers
    assert f"grading {CH06}: 100%" in capsys.readouterr().err  # progress, as it arrives


def test_a_worker_killed_mid_batch_loses_nothing(tmp_path_factory, serial_ch06):
    root = _course(tmp_path_factory, "killed")
    killed = []

    def kill_a_busy_worker(dask_client):
        """SIGKILL the first worker seen grading, as the OOM killer or a lost node would."""
        while True:
            busy = [address for address, keys in dask_client.processing().items() if keys]
            if busy:
                pid = dask_client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.2)

    with cluster.connect("local:2") as dask_client:
        killer = threading.Thread(target=kill_a_busy_worker, args=(dask_client,), daemon=True)
        killer.start()
        failures = course.grade(root, [CH06], dask_client=dask_client)
        killer.join(timeout=5)
    assert killed, "no worker was killed: the test proved nothing"
    _same_as_serial(root, failures, serial_ch06)
