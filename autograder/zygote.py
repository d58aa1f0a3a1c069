"""A warm grading kernel's two ends, as one self-contained script (it imports nothing of the
course: inside the sandbox, ``autograder/`` is out of sight, so the grader passes this file's
text to ``python -c``).

``serve SOCKET`` is the zygote. It runs in a sandbox of its own (:mod:`autograder.warm`),
imports the heavy modules once, then waits on a Unix socket that only root can reach. For
each request it forks one kernel: the child closes the zygote's sockets, takes its client's
stdout and stderr (passed with the request) and the limits, drops to the student's fresh uid
(so it can touch neither the zygote nor anyone else's folder), moves to the student's working
folder, takes the kernel's environment and becomes ``ipykernel``. One kernel at a time: when
it has exited, or its client has gone, every process of that uid is killed and what it left
in ``/tmp`` and in System V IPC removed, before the next request is read. The zygote exits
when the grader closes its standard input.

``client SOCKET REQUEST`` is what the kernel manager starts as the kernel's process: it hands
the request to the zygote and lives as long as the kernel does, with the kernel's exit status.
When the kernel manager kills it, the zygote sees the connection close and kills the kernel.
"""

import importlib
import json
import os
import random
import resource
import select
import shutil
import signal
import socket
import sys
import time
import traceback

#: the folders the zygote's imports made in /tmp (see serve)
MADE: list[str] = []


def _running(uid: int) -> bool:
    """Whether a process of ``uid`` other than this one is running (a zombie is not)."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:  # gone meanwhile
            continue
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            return True
    return False


def _reap(uid: int) -> None:
    """Kill every process of ``uid`` and remove what it left in /tmp and in System V IPC, as
    ``uid`` itself."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for _ in range(1000):  # a fork bomb forks while it is being killed
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
                # kill(-1) succeeds while the sandbox holds any process, ours or not (the
                # others answer EPERM): what is left of ours is read from /proc
                if not _running(uid):
                    break
                time.sleep(0.001)
            for entry in os.scandir("/tmp"):
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    def writable(fn, path, _exc):
                        os.chmod(os.path.dirname(path), 0o700)
                        fn(path)
                    shutil.rmtree(entry.path, onerror=writable)
                else:
                    os.unlink(entry.path)
            # and its System V shared memory, semaphores and queues (the IPC namespace too is
            # the zygote's): ipcrm --all removes what the calling uid may remove
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.execvp("ipcrm", ["ipcrm", "--all"])
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _become_kernel(request: dict) -> None:
    """In the forked child: the student's limits, uid, folder and environment, then ipykernel."""
    for name, value in request["limits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a plain uid: every capability goes with it
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # What a fresh interpreter would have drawn for itself: the zygote's draws are shared.
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "torch" in sys.modules and "OMP_NUM_THREADS" in os.environ:
        sys.modules["torch"].set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        # what ipykernel gives a matplotlib imported after it starts (init_gui_pylab)
        if not os.environ.get("MPLBACKEND"):
            os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        matplotlib.rcParams["backend"] = os.environ["MPLBACKEND"]
    for folder in MADE:
        os.makedirs(folder, exist_ok=True)
    argv = request["argv"]  # the kernelspec's, without the interpreter: -m ipykernel_launcher ...
    if argv[0] != "-m":
        raise ValueError(f"a warm kernel runs a module (-m), not {argv!r}")
    import runpy

    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)


def serve(path: str, preload: list[str]) -> None:
    # The imports run in a kernel's environment (its HOME, /tmp), so that whatever they
    # remember of it (tempfile's folder, torch's compile cache) is what a cold kernel has.
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception as error:  # a chapter's optional import: the kernel will say
            print(f"zygote: not preloaded: {name}: {error}", file=sys.stderr)
    # What they wrote there is root's: gone, so that a kernel finds /tmp as a cold one does.
    # The folders they made come back in each kernel, its own (matplotlib's, for one, is
    # remembered as made).
    own = os.path.dirname(os.path.dirname(path))  # this zygote's folder, the kernels' too
    for folder, dirs, _ in os.walk("/tmp"):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) != own]
        MADE.extend(os.path.join(folder, d) for d in dirs)
    for entry in os.scandir("/tmp"):
        if entry.path != own:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    print("ready", flush=True)
    os.dup2(2, 1)  # the grader reads nothing more from it
    stdin = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([listener, stdin], [], [])
        if stdin in ready and not os.read(stdin, 1024):
            return
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        with conn:
            outputs = []
            try:
                request, outputs = _receive(conn)
                pid = os.fork()
            except (ValueError, OSError) as error:  # a client gone before asking; no fork
                print(f"zygote: no kernel: {error!r}", file=sys.stderr)
                for fd in outputs:
                    os.close(fd)
                continue
            if pid == 0:
                try:
                    os.setsid()
                    for fd in (listener.fileno(), conn.fileno()):
                        os.close(fd)
                    null = os.open(os.devnull, os.O_RDONLY)
                    os.dup2(null, 0)
                    os.close(null)
                    # its output goes where a cold kernel's goes: its client's stdout, stderr
                    for fd, onto in zip(outputs, (1, 2)):
                        os.dup2(fd, onto)
                        os.close(fd)
                    _become_kernel(request)
                except SystemExit as done:
                    os._exit(done.code if isinstance(done.code, int) else 1)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            for fd in outputs:
                os.close(fd)
            try:
                conn.sendall(f"started {pid}\n".encode())
            except OSError:
                pass  # its client is gone: _watch sees it
            code = _watch(pid, conn, stdin)
            _reap(request["uid"])
            if code is None:  # the grader is gone
                return
            try:
                conn.sendall(f"exit {code}\n".encode())
            except OSError:
                pass


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """A request, a line of JSON, and the client's stdout and stderr, passed with it."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 2)
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 16)
        if not more:
            raise ValueError("the client went away mid-request")
        data += more
    return json.loads(data), fds


def _watch(pid: int, conn: socket.socket, stdin: int) -> int | None:
    """Wait for the kernel to exit (its exit status) or its client to go (-9: killed)."""
    while True:
        ready, _, _ = select.select([conn, stdin], [], [], 0.05)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        gone = conn in ready and not conn.recv(1024)
        grader_gone = stdin in ready and not os.read(stdin, 1024)
        if gone or grader_gone:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None if grader_gone else -signal.SIGKILL


def client(path: str, request: str) -> None:
    """Run as the kernel's process, in the environment the kernel manager gave the kernel."""
    request = json.loads(request)
    env = dict(os.environ)
    env.update(request.pop("set_env"))
    for name in request.pop("unset_env"):
        env.pop(name, None)
    request["env"] = env
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    message = json.dumps(request).encode() + b"\n"
    sent = socket.send_fds(conn, [message], [1, 2])
    conn.sendall(message[sent:])
    for line in conn.makefile():
        word, _, value = line.partition(" ")
        if word == "exit":
            code = int(value)
            sys.exit(code if code >= 0 else 128 - code)
    sys.exit(1)  # the zygote went away


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
        # Nothing is left to tidy (the sandbox's /tmp goes with it), and the interpreter's
        # own teardown of torch and the rest would cost most of a second of CPU per zygote.
        sys.stderr.flush()
        os._exit(0)
    else:
        client(sys.argv[2], sys.argv[3])
