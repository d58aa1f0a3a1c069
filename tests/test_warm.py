"""Warm grading kernels (autograder/warm.py): forked from a zygote, sandboxed as a cold one.

Three kernels of one grading process, in a row, report what they can see and do. That the
scores equal cold grading's is tested where batches are graded: tests/test_parallel.py and
tests/test_cluster.py grade warm and compare with the serial, cold batch of conftest.py.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import sandbox, warm

from .harness import ROOT
from .test_sandbox import ATTEMPT

KERNELS = r"""
import json, logging, sys, tempfile, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from autograder import warm
from autograder.sandbox import SandboxedKernelManager

logging.basicConfig()  # the kernel manager's warnings, on stderr (nbgrader's log, grading)
cells = sys.argv[1:]
for code in cells:
    if code == "KILL THE ZYGOTE":
        warm._zygote.process.kill()
        warm._zygote.process.wait()
        continue
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        start = time.perf_counter()
        NotebookClient(nb, kernel_manager_class=SandboxedKernelManager, timeout=120,
                       resources={"metadata": {"path": tmp}}).execute()
        out = [o for o in nb.cells[0].outputs if o.get("name") == "stdout"]
        seen = json.loads(out[-1]["text"].splitlines()[-1])
        seen["seconds"] = time.perf_counter() - start
        seen["warm"] = warm._zygote is not None
        print(json.dumps(seen), flush=True)
"""

PROBE = ATTEMPT + r"""
import signal, subprocess, time
start = time.perf_counter()
import torch
seen["import torch"] = time.perf_counter() - start
root = Path(%r)
attempt("read solutions", lambda: next((root / "solutions").iterdir()))
attempt("read gradebook", lambda: (root / "gradebook.db").read_bytes())
attempt("write course root", lambda: (root / "pwned.txt").write_text("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
here = Path.cwd().parent            # this kernel's own folder, in the zygote's
pool = here.parent
attempt("list the zygote's folder", lambda: os.listdir(pool))
attempt("ask the zygote for a kernel", lambda: socket.socket(socket.AF_UNIX).connect(
    str(pool / "control" / "zygote.sock")))
attempt("signal the zygote", lambda: os.kill(os.getppid(), signal.SIGKILL))
seen["processes of others"] = [p for p in os.listdir("/proc") if p.isdigit()
                                and os.stat(f"/proc/{p}").st_uid not in (0, os.getuid())]
seen["tmp"] = sorted(os.listdir("/tmp"))
with open("/proc/sysvipc/shm") as table:  # uid is the 8th column
    seen["shared memory of others"] = [line for line in table.readlines()[1:]
                                       if int(line.split()[7]) not in (0, os.getuid())]
import ctypes
seen["shared memory made"] = ctypes.CDLL(None).shmget(0, 4096, 0o1000 | 0o666)  # IPC_CREAT
attempt("write /tmp", lambda: Path("/tmp/left-behind.txt").write_text(str(os.getuid())))
seen["uid"] = os.getuid()
seen["limits"] = {name: resource.getrlimit(getattr(resource, name))[0]
                  for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU", "RLIMIT_FSIZE")}
import matplotlib, tempfile
seen["backend"] = matplotlib.get_backend()
seen["tempdir"] = tempfile.gettempdir()
attempt("write a temporary file", lambda: tempfile.NamedTemporaryFile().write(b"x"))
from torch._inductor.runtime.cache_dir_utils import cache_dir
attempt("write torch's compile cache", lambda: (Path(cache_dir()) / "x").write_text("x"))
attempt("write matplotlib's cache", lambda: (Path(matplotlib.get_cachedir()) / "x").write_text("x"))
# left running on purpose: the next student's kernel must not find it
subprocess.Popen(["sleep", "300"], start_new_session=True)
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def kernels():
    if not warm.enabled() or sandbox.unavailable():
        pytest.skip("warm kernels need a sandbox and a grader running as root "
                    "(autograder/warm.py); here kernels start cold, as tested elsewhere")
    probe = PROBE % str(ROOT)
    seen = {}
    for how, count in (("on", 3), ("off", 1)):
        result = subprocess.run([sys.executable, "-c", KERNELS, *[probe] * count], cwd=ROOT,
                                env=dict(os.environ, DLCOURSE_WARM=how),
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        seen[how] = [json.loads(line) for line in result.stdout.splitlines()
                     if line.startswith("{")]
        # what a kernel prints to its own stdout and stderr reaches the grader's, as a cold
        # one's does (ipykernel's banner, once per kernel), not the zygote's
        banners = result.stdout.count("To connect another client")
        assert banners == count, (how, banners)
    return seen["on"], seen["off"][0]


def test_kernels_are_forked_warm_with_torch_already_imported(kernels):
    warm_ones, cold = kernels
    assert len(warm_ones) == 3 and all(k["warm"] for k in warm_ones) and not cold["warm"]
    assert all(k["import torch"] < 0.05 for k in warm_ones), [k["import torch"] for k in warm_ones]
    assert cold["import torch"] > 0.2
    # matplotlib as the cold kernel, which imports it after ipykernel has started, has it
    assert {k["backend"] for k in warm_ones} == {cold["backend"]}


def test_a_warm_kernel_is_sandboxed_as_a_cold_one(kernels):
    warm_ones, cold = kernels
    for seen in warm_ones:
        for name in ("read solutions", "read gradebook"):
            assert seen[name] in ("FileNotFoundError", "PermissionError"), (name, seen[name])
        assert seen["write course root"] in ("FileNotFoundError", "OSError", "PermissionError")
        assert seen["network"] == "OSError"
        assert seen["limits"] == {"RLIMIT_AS": sandbox.limit("memory_bytes"),
                                  "RLIMIT_NPROC": sandbox.limit("processes"),
                                  "RLIMIT_CPU": sandbox.limit("cpu_seconds"),
                                  "RLIMIT_FSIZE": sandbox.limit("file_bytes")}
        assert sandbox.UID_RANGE[0] <= seen["uid"] < sandbox.UID_RANGE[1]
        assert seen["write /tmp"] is True
        same = ("read solutions", "read gradebook", "write course root", "network", "limits",
                "tempdir", "write a temporary file", "write torch's compile cache",
                "write matplotlib's cache")
        assert {k: seen[k] for k in same} == {k: cold[k] for k in same}
    assert not (ROOT / "pwned.txt").exists()


def test_a_kernel_cannot_reach_the_zygote_or_other_students(kernels):
    kernels, _ = kernels
    for seen in kernels:
        assert seen["list the zygote's folder"] == "PermissionError"
        assert seen["ask the zygote for a kernel"] == "PermissionError"
        assert seen["signal the zygote"] == "PermissionError"
    assert len({k["uid"] for k in kernels}) == 3  # one uid per student


def test_nothing_of_a_student_is_left_for_the_next(kernels):
    kernels, _ = kernels
    for seen in kernels:
        # the previous kernel's file in /tmp, its background process and its System V
        # shared memory are gone
        assert "left-behind.txt" not in seen["tmp"]
        assert seen["processes of others"] == []
        assert seen["shared memory made"] >= 0 and seen["shared memory of others"] == []


def test_a_dead_zygote_costs_nothing_but_warmth():
    """The out-of-memory killer takes the zygote: the next kernels start cold, and work."""
    if not warm.enabled() or sandbox.unavailable():
        pytest.skip("warm kernels need a sandbox and a grader running as root")
    probe = PROBE % str(ROOT)
    result = subprocess.run([sys.executable, "-c", KERNELS, probe, "KILL THE ZYGOTE", probe],
                            cwd=ROOT, env=dict(os.environ, DLCOURSE_WARM="on"),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    before, after = [json.loads(line) for line in result.stdout.splitlines()
                     if line.startswith("{")]
    assert before["warm"] and not after["warm"]
    assert after["import torch"] > 0.2 and after["read solutions"] == before["read solutions"]
    assert "the warm-kernel zygote exited: kernels start cold" in result.stderr


def test_a_zygote_is_lent_to_one_grading_process_at_a_time_and_kept(monkeypatch):
    """`make grade` and a Dask worker lend their zygotes to the nbgrader processes they
    start: the next process gets the same one, two at once get two, a dead one is replaced,
    and a process lent one that has died since starts its kernels cold, saying so."""
    if not warm.enabled() or sandbox.unavailable():
        pytest.skip("warm kernels need a sandbox and a grader running as root")
    with warm.lent() as first:
        pass
    with warm.lent() as again, warm.lent() as second:
        assert again == first and second[warm.LENT] != first[warm.LENT]
    dead = next(z for z in warm._lendable if str(z.folder) == first[warm.LENT])
    dead.process.kill()
    dead.process.wait()
    with warm.lent() as after:
        assert after[warm.LENT] not in (first[warm.LENT], None)
    assert dead not in warm._lendable

    class Log:
        said = []

        def warning(self, *args):
            self.said.append(args[0] % args[1:])

    for name, value in first.items():  # a grading process lent the dead one
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(warm, "_zygote", None)
    monkeypatch.setattr(warm, "_failed", False)
    assert warm.zygote(Log()) is None and warm.zygote(Log()) is None
    assert Log.said == ["the warm-kernel zygote exited: kernels start cold"]


def test_a_killed_grading_process_leaves_no_zygote_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(warm.tempfile, "gettempdir", lambda: str(tmp_path))
    gone = subprocess.Popen(["true"])  # a process that has ended: its pid is free
    gone.wait()
    for owner in (gone.pid, os.getpid()):
        (tmp_path / f"dlcourse-warm-{owner}-abc" / "control").mkdir(parents=True)
    (tmp_path / "dlcourse-warm-unrelated").mkdir()
    warm.sweep()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"dlcourse-warm-{os.getpid()}-abc", "dlcourse-warm-unrelated"]


def test_chapter_imports_are_read_from_the_release_notebooks():
    names = warm.chapter_imports(ROOT / "notebooks")
    assert "torch" in names and "torch.nn.functional" in names
    assert not any(n.split(".")[0] in warm.NOT_BEFORE_THE_KERNEL for n in names)


def test_the_reaper_stops_when_nothing_of_the_uid_is_running():
    """kill(-1) succeeds while any other process exists, so the zygote's reaper asks /proc
    whether a process of the kernel's uid is still running (a zombie is not)."""
    from autograder import zygote

    if os.getuid() != 0:
        pytest.skip("starting a process as another uid needs root")
    uid = 54321  # no one's
    assert not zygote._running(uid)
    sleeper = subprocess.Popen(["sleep", "60"], user=uid, group=uid)
    try:
        assert zygote._running(uid)
        sleeper.kill()
        os.waitid(os.P_PID, sleeper.pid, os.WEXITED | os.WNOWAIT)  # a zombie, left unreaped
        assert "zombie" in Path(f"/proc/{sleeper.pid}/status").read_text()
        assert not zygote._running(uid)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not zygote._running(uid)
