"""The sandbox of the grading kernels (autograder/sandbox.py), property by property.

A Python process started the way a grading kernel is (same bwrap arguments, limits and uid)
reports what it can see and do. End to end, through nbgrader, see tests/test_attacks.py.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder import sandbox

from .harness import ROOT

# What the probes of this file and of tests/test_warm.py start with: `attempt` records
# whether something worked, or the name of the error that stopped it.
ATTEMPT = r"""
import json, os, resource, socket, sys
from pathlib import Path
seen = {}
def attempt(name, fn):
    try:
        fn()
        seen[name] = True
    except Exception as error:
        seen[name] = type(error).__name__
"""

PROBE = ATTEMPT + r"""
root = Path(sys.argv[1])
attempt("read solutions", lambda: next((root / "solutions").iterdir()))
attempt("read autograder", lambda: (root / "autograder" / "sandbox.py").read_text())
attempt("read nbgrader_config", lambda: (root / "nbgrader_config.py").read_text())
attempt("read gradebook", lambda: (root / "gradebook.db").read_bytes())
attempt("write course root", lambda: (root / "pwned.txt").write_text("x"))
attempt("write dlcourse", lambda: (root / "dlcourse" / "pwned.py").write_text("x"))
attempt("write working folder", lambda: Path("mine.txt").write_text("x"))
attempt("write /tmp", lambda: Path("/tmp/mine.txt").write_text("x"))
seen["home"] = sorted(os.listdir("/root")) if os.path.isdir("/root") else []
attempt("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
attempt("import torch and dlcourse", lambda: __import__("dlcourse"))
seen["uid"] = os.getuid()
seen["cwd"] = os.getcwd()
seen["limits"] = {name: resource.getrlimit(getattr(resource, name))[0]
                  for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU", "RLIMIT_FSIZE")}
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def inside():
    """What a process in the sandbox saw, and where its writes went."""
    if sandbox.unavailable():
        pytest.fail(f"no sandbox on this machine: {sandbox.unavailable()} (make setup "
                    "installs bubblewrap; grading would run student code unisolated)")
    with tempfile.TemporaryDirectory() as tmp:
        cwd, kernel_dir, scratch = (Path(tmp) / name for name in ("cwd", "kernel", "work"))
        for folder in (cwd, kernel_dir, scratch):
            folder.mkdir()
        (kernel_dir / "probe.py").write_text(PROBE)
        uid = sandbox.fresh_uid()
        sandbox.hand_over(Path(tmp), uid)
        command = sandbox.command([sys.executable, str(kernel_dir / "probe.py"), str(ROOT)],
                                  cwd, kernel_dir, scratch, uid)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        yield json.loads(result.stdout.splitlines()[-1]), cwd, scratch


def test_course_files_are_out_of_sight_and_reach(inside):
    seen, _, _ = inside
    # of root's home, only the way to Python (pyenv, conda) where it is installed there
    needed = {p.relative_to("/root").parts[0] for pair in sandbox._readable_roots()
              for p in pair if Path("/root") in p.parents}
    assert set(seen["home"]) <= needed, seen["home"]
    for name in ("read solutions", "read autograder", "read nbgrader_config", "read gradebook"):
        assert seen[name] in ("FileNotFoundError", "PermissionError"), (name, seen[name])
    for name in ("write course root", "write dlcourse"):
        assert seen[name] in ("FileNotFoundError", "OSError", "PermissionError"), name
    assert not (ROOT / "pwned.txt").exists() and not (ROOT / "dlcourse" / "pwned.py").exists()


def test_what_a_notebook_needs_works(inside):
    seen, cwd, scratch = inside
    assert seen["import torch and dlcourse"] is True
    assert seen["write working folder"] is True and seen["write /tmp"] is True
    assert seen["cwd"] == str(cwd)
    # its working folder is the scratch copy: nothing lands in the graded folder
    assert (scratch / "mine.txt").exists() and not (cwd / "mine.txt").exists()


def test_no_network_and_limits(inside):
    seen, _, _ = inside
    assert seen["network"] == "OSError"
    limits = seen["limits"]
    assert limits["RLIMIT_AS"] == sandbox.limit("memory_bytes")
    assert limits["RLIMIT_NPROC"] == sandbox.limit("processes")
    assert limits["RLIMIT_CPU"] == sandbox.limit("cpu_seconds")
    assert limits["RLIMIT_FSIZE"] == sandbox.limit("file_bytes")
    if os.geteuid() == 0:  # root is exempt from the process limit: a uid of its own
        assert sandbox.UID_RANGE[0] <= seen["uid"] < sandbox.UID_RANGE[1]


LINKED = r"""
import subprocess, sys
from pathlib import Path
from autograder import sandbox
tmp = Path(sys.argv[1])
command = sandbox.command([sys.executable, "-c", "import dlcourse, torch; print('ok')"],
                          tmp / "cwd", tmp / "kernel", tmp / "work", None)
result = subprocess.run(command, capture_output=True, text=True)
print(sys.executable, result.returncode, result.stdout.strip(), result.stderr[-500:])
"""


def test_a_venv_reached_through_a_symlink_works(tmp_path):
    """A checkout whose .venv links to another one (CI caches, shared venvs): the kernel's
    command names the python through the link, so the link must exist in the sandbox."""
    if sandbox.unavailable():
        pytest.fail(f"no sandbox on this machine: {sandbox.unavailable()}")
    link = tmp_path / "linked-venv"
    link.symlink_to(Path(sys.prefix).resolve())
    for folder in ("cwd", "kernel", "work"):
        (tmp_path / folder).mkdir()
    result = subprocess.run([str(link / "bin" / "python"), "-c", LINKED, str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert result.stdout.startswith(str(link)), (result.stdout, result.stderr)
    assert result.stdout.split()[1:3] == ["0", "ok"], result.stdout


def test_missing_bwrap_is_said_and_require_refuses(monkeypatch, caplog):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.unavailable.cache_clear()
    try:
        assert sandbox.unavailable() == "bubblewrap (bwrap) is not installed"
        monkeypatch.setenv("DLCOURSE_SANDBOX", "require")
        with pytest.raises(RuntimeError, match="no sandbox: bubblewrap"):
            asyncio.run(sandbox.SandboxedKernelManager(kernel_name="python3").start_kernel())
    finally:
        monkeypatch.undo()
        sandbox.unavailable.cache_clear()
    monkeypatch.setenv("DLCOURSE_LIMIT_PROCESSES", "77")
    assert sandbox.limit("processes") == 77
