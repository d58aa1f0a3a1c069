"""Warm grading kernels: the interpreter, torch and the chapters' imports paid once per
grading process, not once per notebook.

A cold grading kernel is a new Python in a new sandbox: it imports torch, torchvision and
matplotlib (seconds of CPU) before the student's first cell. Here each grading process starts
one *zygote*, in a sandbox of its own built exactly as a kernel's is (:mod:`autograder.sandbox`:
the same read-only system, no network, no course files, private ``/tmp``), which imports those
modules once. Every kernel is then forked from it, one student each, never reused: the child
takes the kernel's limits, a fresh uid of its own (it can reach neither the zygote, which stays
root inside the sandbox, nor another student's folder), the student's working folder and the
kernel's environment, and runs ``ipykernel``. When it ends, every process of its uid is killed
and its files in ``/tmp`` removed before the next kernel is forked (:mod:`autograder.zygote`).

Warm kernels need what gives every student a uid of their own: a grader running as root (a
grading server, a container, CI). Otherwise, with ``DLCOURSE_WARM=off``, or while another
kernel of the same process is running, a kernel starts cold, as before.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from . import sandbox

#: imported by every chapter's kernel (through dlcourse) and by ipykernel itself
ALWAYS = ("numpy", "torch", "torchvision", "matplotlib.pyplot", "ipykernel.kernelapp")
#: imports that look for the running kernel when they are imported (tqdm.auto picks its bar by
#: it; matplotlib_inline's backend, which d2l imports, hooks into it) and dlcourse, which
#: imports tqdm.auto: left to the kernel, which imports them as a cold one does
NOT_BEFORE_THE_KERNEL = ("tqdm", "dlcourse", "d2l", "matplotlib_inline")

SOURCE = Path(__file__).with_name("zygote.py")
#: the folder of a zygote that the process which started this one lends it, and its pid
LENT, LENT_PID = "DLCOURSE_ZYGOTE", "DLCOURSE_ZYGOTE_PID"


def enabled() -> bool:
    return (os.environ.get("DLCOURSE_WARM", "on").lower() not in ("off", "0", "no")
            and sandbox.fresh_uid() is not None)


def chapter_imports(notebooks: Path) -> list[str]:
    """The modules the release notebooks import at top level, heaviest-first order kept."""
    names: dict[str, None] = {}
    for path in sorted(notebooks.glob("*/*.ipynb")):
        for cell in json.loads(path.read_text()).get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    names.update((a.name, None) for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names[node.module] = None
    return [n for n in names if n.split(".")[0] not in NOT_BEFORE_THE_KERNEL]


def sweep() -> None:
    """Remove the folders of zygotes whose grading process is gone (killed before it could
    close them; its zygote exits with it)."""
    for folder in Path(tempfile.gettempdir()).glob("dlcourse-warm-*-*"):
        owner = folder.name.split("-")[2]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(folder, ignore_errors=True)


class Zygote:
    """The sandboxed process that kernels are forked from: one per grading process, or per
    grading process at once of a process that lends them (:func:`lent`)."""

    process: subprocess.Popen | None = None

    pid: int | None = None  # a lent zygote's: its owner holds the process

    @classmethod
    def attach(cls, folder: Path, pid: int) -> Zygote:
        """Another process's zygote, lent to this one (see :func:`lent`)."""
        self = cls.__new__(cls)
        self.folder, self.socket = folder, folder / "control" / "zygote.sock"
        self.pid, self.busy = pid, threading.Lock()
        return self

    def __init__(self, preload: list[str]):
        sweep()
        self.folder = Path(tempfile.mkdtemp(prefix=f"dlcourse-warm-{os.getpid()}-"))
        self.folder.chmod(0o711)  # each kernel reaches its own folder in it, lists nothing
        control = self.folder / "control"  # root's alone: a kernel must not ask for kernels
        control.mkdir(mode=0o700)
        self.socket = control / "zygote.sock"
        prefix = sandbox._bwrap_prefix(self.folder, ((self.folder, self.folder),))
        # It must outlive the thread that starts it; it exits when our end of stdin closes.
        prefix.remove("--die-with-parent")
        self.process = subprocess.Popen(
            prefix + ["--", sys.executable, "-c", SOURCE.read_text(), "serve",
                      str(self.socket), *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.process.stdout], [], [], 120)
        if not ready or self.process.stdout.readline().strip() != b"ready":
            self.close()
            raise RuntimeError("the warm-kernel zygote did not start")
        self.busy = threading.Lock()

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:  # its owner has not reaped it yet: a zombie is dead too
            return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    def command(self, kernel_cmd: list[str], cwd: Path, uid: int) -> list[str]:
        """The kernel manager's command for one kernel forked from the zygote."""
        request = {"argv": kernel_cmd[1:], "cwd": str(cwd), "uid": uid,
                   "limits": sandbox.rlimits(), "set_env": sandbox.KERNEL_ENV,
                   "unset_env": list(sandbox.KERNEL_ENV_UNSET)}
        return [sys.executable, "-c", SOURCE.read_text(), "client", str(self.socket),
                json.dumps(request)]

    def close(self) -> None:
        if self.process is None:  # lent: its owner closes it
            return
        self.process.stdin.close()  # the zygote's cue (its bwrap may be gone already)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


_zygote: Zygote | None = None
# a zygote could not start, or died: this process's kernels, and those it lends, start cold
_failed = False


def _start(log=None) -> Zygote | None:
    try:
        from .authoring import ROOT

        zygote = Zygote(list(dict.fromkeys(ALWAYS + tuple(chapter_imports(ROOT / "notebooks")))))
    except Exception as error:
        if log is not None:
            log.warning("warm kernels unavailable, kernels start cold: %s", error)
        return None
    atexit.register(zygote.close)
    return zygote


def zygote(log=None) -> Zygote | None:
    """This process's zygote, started on first use; None where kernels start cold."""
    global _zygote, _failed
    if _zygote is None and not _failed and os.environ.get(LENT) and enabled():
        _zygote = Zygote.attach(Path(os.environ[LENT]), int(os.environ[LENT_PID]))
    if _zygote is not None and not _zygote.alive():
        if log is not None:  # killed (the out-of-memory killer?): the next kernels start cold
            log.warning("the warm-kernel zygote exited: kernels start cold")
        _zygote.close()
        _zygote, _failed = None, True
    if _zygote is None and not _failed and enabled() and not sandbox.unavailable():
        _zygote = _start(log)
        _failed = _zygote is None
    return _zygote


_lendable: list[Zygote] = []
_lendable_lock = threading.Lock()


def _borrow() -> Zygote | None:
    """A zygote of this process's that is not lent out, started if there is none."""
    global _failed
    with _lendable_lock:
        for own in list(_lendable):
            if not own.alive():
                _lendable.remove(own)
                own.close()
            elif own.busy.acquire(blocking=False):
                return own
        if _failed:
            return None
    own = _start()
    if own is None:
        _failed = True
        return None
    own.busy.acquire()
    with _lendable_lock:
        _lendable.append(own)
    return own


@contextlib.contextmanager
def lent():
    """The environment for an ``nbgrader autograde`` that this process starts (one chapter of
    `make grade`, one job of it, one Dask task): a zygote of this process's, lent to one
    grading process at a time and kept for the next. A batch pays for as many zygotes as it
    runs grading processes at once, not one per chapter, job or task."""
    if not enabled() or sandbox.unavailable():
        yield {}
        return
    own = _borrow()
    if own is None:  # it could not start one either
        yield {"DLCOURSE_WARM": "off"}
        return
    try:
        yield {LENT: str(own.folder), LENT_PID: str(own.process.pid)}
    finally:
        own.busy.release()
