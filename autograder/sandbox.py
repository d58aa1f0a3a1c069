"""Student code runs in a sandbox: bubblewrap (Debian's ``bubblewrap`` package, ``bwrap``).

Each grading kernel is started inside ``bwrap`` by :class:`SandboxedKernelManager` (nbgrader
is told to use it in ``nbgrader_config.py``). Inside, the kernel

- sees the system (``/usr``, ``/etc``), Python and the course's virtual environment, the
  ``dlcourse`` package and the datasets, all read-only; ``solutions/``, the release and
  source notebooks, the gradebook, ``autograder/`` and every other student's files are not
  there at all;
- can write only to its own submission's folder (``autograded/<student>/<chapter>/``, where
  nbgrader runs the notebook) and to a private ``/tmp`` of ``tmp_bytes``;
- has no network (a network namespace of its own, with no interfaces but loopback), its own
  process and IPC namespaces, and dies with its kernel manager;
- is limited by ``setrlimit``: address space (``memory_bytes``), processes and threads
  (``processes``), CPU seconds (``cpu_seconds``) and file size (``file_bytes``), each
  overridable as ``DLCOURSE_LIMIT_<NAME>``; nbgrader's per-cell timeout
  (``DLCOURSE_CELL_TIMEOUT``, 180 s) bounds the wall-clock time of each cell.

When the grader runs as root (a grading server, a container, CI), the kernel also runs as an
unprivileged uid of its own, fresh for every kernel (root is exempt from the process limit,
and the limit counts every process of a uid: processes a fork bomb left behind, still
being reaped, must not count against the next student graded).
A normal user grading on their own machine keeps their uid inside a user namespace.

The kernel talks to nbgrader over Unix sockets (ZeroMQ's ``ipc`` transport) in a folder of
its own, since it has no network to share with the grader.

Where ``bwrap`` is missing or cannot create namespaces, grading goes on without isolation
and says so once, in the grader's log: ``sudo apt install bubblewrap`` (Debian/Ubuntu; on
other systems the package of the same name). ``DLCOURSE_SANDBOX=off`` turns it off on
purpose, ``DLCOURSE_SANDBOX=require`` makes its absence an error.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import secrets
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

UID_RANGE = (100_000, 1_000_000)  # above any real account, below 2**31

LIMITS = {
    "memory_bytes": 8 * 2**30,  # address space: torch alone reserves about 4.5 GB of it
    "processes": 512,
    "cpu_seconds": 1800,
    "file_bytes": 2**30,
    "tmp_bytes": 512 * 2**20,
}



def limit(name: str) -> int:
    """A limit of :data:`LIMITS`, or its override ``DLCOURSE_LIMIT_<NAME>`` (bytes, seconds)."""
    return int(os.environ.get(f"DLCOURSE_LIMIT_{name.upper()}", LIMITS[name]))


INSTALL_HINT = ("student code will run WITHOUT isolation: it can read solutions/ and the "
                "gradebook. Install bubblewrap (sudo apt install bubblewrap) to grade in a "
                "sandbox, or set DLCOURSE_SANDBOX=off to silence this.")


def mode() -> str:
    return os.environ.get("DLCOURSE_SANDBOX", "on").lower()


@functools.cache
def unavailable() -> str | None:
    """Why the sandbox cannot be used here, or None if it can."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    probe = subprocess.run(_bwrap_prefix(Path("/")) + ["--", "true"], capture_output=True,
                           text=True)
    if probe.returncode != 0:
        return f"bwrap cannot create a sandbox here: {probe.stderr.strip()}"
    return None


def fresh_uid() -> int | None:
    """An unprivileged uid for one kernel, when the grader is root (else None: the user's)."""
    if os.geteuid() != 0:
        return None
    return secrets.SystemRandom().randrange(*UID_RANGE)


def _readable_roots() -> list[tuple[Path, Path]]:
    """What the kernel needs to read, as (folder, where the kernel sees it) pairs: Python,
    the virtual environment and its packages, the dlcourse package, the datasets (found as
    dlcourse.data does, without importing torch into the grader). A path reached through
    a symlink (a venv linked into the checkout) is seen both where it really is and where
    the kernel's command names it."""
    package = Path(importlib.util.find_spec("dlcourse").origin).parent
    checkout = package.parent
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(sys.executable).parent, package}
    paths.update(Path(p) for p in site.getsitepackages())
    if os.environ.get("DLCOURSE_DATA"):
        paths.add(Path(os.environ["DLCOURSE_DATA"]).expanduser())
    if (checkout / "pyproject.toml").is_file():  # how dlcourse recognises its checkout
        paths.update({checkout / "pyproject.toml", checkout / "data"})
    seen = {}
    for path in filter(Path.exists, paths):
        real = path.resolve()
        seen[real] = real
        seen.setdefault(Path(os.path.abspath(path)), real)
    for system in (Path("/usr"), Path("/etc")):
        seen.pop(system, None)

    def covered(at: Path) -> bool:  # already visible through a bound ancestor
        return any(up in seen and seen[up] / at.relative_to(up) == seen[at]
                   for up in at.parents)
    return sorted((real, at) for at, real in seen.items() if not covered(at))


#: a kernel's environment in the sandbox, on top of the one its kernel manager gives it
KERNEL_ENV = {"HOME": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib"}
# ipykernel would take its parent, pid 1 of the sandbox, for a dead one; --die-with-parent
# (cold kernels) and the zygote (warm ones, autograder/warm.py) do that job
KERNEL_ENV_UNSET = ("JPY_PARENT_PID",)


def rlimits() -> dict[str, int]:
    """The limits of every process of a kernel, as setrlimit names them."""
    return {"RLIMIT_AS": limit("memory_bytes"), "RLIMIT_NPROC": limit("processes"),
            "RLIMIT_CPU": limit("cpu_seconds"), "RLIMIT_FSIZE": limit("file_bytes")}


def _dirs(targets: list[Path]) -> list[str]:
    """bwrap creates missing parents of mount points as root-only folders; make them 0755."""
    args, made = [], {Path("/"), Path("/tmp"), Path("/usr"), Path("/etc")}
    for target in targets:
        for parent in reversed(target.parents):
            if parent not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    return args


def _bwrap_prefix(cwd: Path, writable: tuple[tuple[Path, Path], ...] = ()) -> list[str]:
    """bwrap's arguments; ``writable``: (folder, where the kernel sees it) pairs."""
    args = ["bwrap", "--die-with-parent", "--new-session",
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / link
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    if os.geteuid() == 0:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user"]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limit("tmp_bytes")), "--tmpfs", "/tmp"]
    readable = _readable_roots() if cwd != Path("/") else []
    args += _dirs([seen for _, seen in readable + list(writable)])
    # outer folders first: a mount hides whatever was mounted below its mount point
    mounts = [("--ro-bind", *pair) for pair in readable] + [("--bind", *pair) for pair in writable]
    for how, path, seen in sorted(mounts, key=lambda mount: len(mount[2].parts)):
        args += [how, str(path), str(seen)]
    args += ["--chdir", str(cwd)]
    for name, value in KERNEL_ENV.items():
        args += ["--setenv", name, value]
    for name in KERNEL_ENV_UNSET:
        args += ["--unsetenv", name]
    return args


def command(kernel_cmd: list[str], cwd: Path, kernel_dir: Path, scratch: Path,
            uid: int | None) -> list[str]:
    """``kernel_cmd`` run in the sandbox, with the limits, as ``uid``; its working folder
    ``cwd`` is ``scratch`` in fact."""
    limits = ["prlimit", *(f"--{name.removeprefix('RLIMIT_').lower()}={value}"
                           for name, value in rlimits().items()), "--"]
    inner = []
    if uid is not None:
        inner = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--"]
    writable = ((scratch, cwd), (kernel_dir, kernel_dir))
    return limits + _bwrap_prefix(cwd, writable) + ["--"] + inner + kernel_cmd


def hand_over(path: Path, uid: int | None) -> None:
    """Make ``path`` (and what is in it) writable by ``uid``."""
    if uid is None:
        return
    os.chown(path, uid, uid)
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)


_warned = False


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox (see the module's docstring)."""

    #: where the files the kernel writes to its working folder end up
    workdir: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        global _warned
        self.workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        reason = unavailable() if mode() != "off" else "DLCOURSE_SANDBOX=off"
        if reason:
            if mode() == "require":
                raise RuntimeError(f"no sandbox: {reason} (DLCOURSE_SANDBOX=require)")
            if not _warned and mode() != "off":
                self.log.warning("no sandbox: %s; %s", reason, INSTALL_HINT)
                _warned = True
            return await super()._async_pre_start_kernel(**kw)
        from . import warm

        # Forked from this process's zygote when it can be (autograder/warm.py): one kernel
        # at a time, since the kernels of one zygote share its /tmp.
        self._warm = warm.zygote(self.log)
        if self._warm is not None and not self._warm.busy.acquire(blocking=False):
            self._warm = None
        # A folder of its own for the connection file and the sockets: the kernel has no
        # network to share with the grader, and must not see other kernels' keys.
        self._sandbox_dir = Path(tempfile.mkdtemp(
            prefix="dlcourse-kernel-", dir=self._warm.folder if self._warm else None))
        self.transport = "ipc"
        self.connection_file = str(self._sandbox_dir / "kernel.json")
        self.ip = str(self._sandbox_dir / "ipc")
        # bwrap keeps the kernel out of the grader's process group: interrupt by message.
        self.kernel_spec.interrupt_mode = "message"
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        # The kernel works in a copy of its folder without the notebook: nbgrader has
        # already put the hidden tests into that notebook, and it copies every other file
        # of the folder into the feedback, so what the kernel writes must not land there.
        cwd, self.workdir = self.workdir, self._sandbox_dir / "work"
        shutil.copytree(cwd, self.workdir, ignore=shutil.ignore_patterns("*.ipynb"),
                        symlinks=True)
        uid = fresh_uid()
        hand_over(self._sandbox_dir, uid)
        if self._warm is not None:
            return self._warm.command(cmd, self.workdir, uid), kw
        return command(cmd, cwd, self._sandbox_dir, self.workdir, uid), kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        folder = getattr(self, "_sandbox_dir", None)
        if folder is not None and not restart:
            shutil.rmtree(folder, ignore_errors=True)
            if getattr(self, "_warm", None) is not None:
                self._warm.busy.release()
                self._warm = None
