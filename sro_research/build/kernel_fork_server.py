"""The process warm kernels are forked from: it imports the heavy libraries once, then forks one
fresh kernel per report.

`forked_kernels` starts it as a new interpreter (`python -c "...serve(FD)"`), so it holds nothing of
the build: no thread, no zmq context, no event loop. It only imports and forks, and refuses to serve
if an import started a thread or a zmq context (forking those is unsafe); the build then starts
plain kernels. Each child becomes one report's kernel, as `python -m ipykernel_launcher -f FILE`
would: the report's environment, working folder and argv, a session of its own (so killpg stops it
and anything it started). Every child is a copy of this never-used parent: no report sees another's
state.

Protocol, over a SOCK_SEQPACKET socket pair (one message per request, so the build's processes that
share the client end cannot interleave): a request is one JSON message {argv, env, cwd} carrying one
file descriptor, a stream socket; on it the server writes "pid N" once the child leads its own
session, and "exit C" when it ends. The server exits when every client end is closed.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import selectors
import signal
import socket
import sys
import threading

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # what ipykernel sets before any import
# Imported once here instead of in every kernel (about 8 s per kernel on the 2-core build machine).
LIBRARIES = ("numpy", "pandas", "scipy.stats", "statsmodels.api", "matplotlib.pyplot", "seaborn",
             "IPython", "IPython.display", "ipykernel.kernelapp",
             # What the kernel itself imports as it starts (debugpy alone is most of a second).
             "ipykernel.debugger", "IPython.core.debugger", "IPython.extensions.storemagic", "sqlite3")
# The package's own modules are imported too (by name: the build imports no report layer), except the
# build and the command line, which a kernel never runs. None reads a file or the environment at import.
PACKAGE, NOT_IN_KERNELS = "sro_research", ("sro_research.build", "sro_research.cli", "sro_research.__main__")
# Imported by a kernel only once its shell exists: at import it hooks figures into that shell.
MUST_NOT_PRELOAD = "matplotlib_inline"
MAX_REQUEST = 1 << 20  # bytes: argv, environment and folder of one kernel


def preload() -> list[str]:
    """Import what every report's kernel imports; returns the modules that failed (the kernel imports
    them again itself and shows the error where the notebook does)."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    # debugpy warns at import that frozen modules may hide breakpoints; the kernels debug nothing.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    failed = []
    for name in LIBRARIES:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    package = importlib.import_module(PACKAGE)
    for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.", onerror=failed.append):
        if not module.name.startswith(NOT_IN_KERNELS):
            try:
                importlib.import_module(module.name)
            except Exception:
                failed.append(module.name)
    return failed


def started_something() -> str:
    """Why forking this process would be unsafe or would change the kernels, or '' when it is not."""
    if threading.active_count() > 1:
        return f"an import started {threading.active_count() - 1} thread(s)"
    zmq = sys.modules.get("zmq")
    if zmq is not None and zmq.Context._instance is not None:
        return "an import created a zmq context"
    if any(name == MUST_NOT_PRELOAD or name.startswith(MUST_NOT_PRELOAD + ".") for name in sys.modules):
        return f"an import loaded {MUST_NOT_PRELOAD}"
    return ""


def serve(control_fd: int) -> None:
    """Entry point of the server process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the build, which closes our socket
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # as ipykernel_launcher does: the cwd is not where the libraries come from
    preload()
    problem = started_something()
    control = socket.socket(fileno=control_fd)
    if problem:
        print(f"sro-research: kernels are started plainly, not forked: {problem}", file=sys.stderr, flush=True)
    else:
        _Server(control).run()
    # At once: tearing down every imported library takes seconds on a loaded machine, and the build
    # waits for this process at exit. Closing the socket (at exit) tells any client still asking.
    os._exit(0)


class _Server:
    """The accept-fork-reap loop: one request at a time, each answered with the child's pid."""

    def __init__(self, control: socket.socket):
        self.control = control
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, socket.socket] = {}  # pid -> where its exit is reported

    def run(self) -> None:
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so SIGCHLD wakes the selector
        self.selector.register(self.control, selectors.EVENT_READ)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        while True:
            ready = {key.fileobj for key, _ in self.selector.select()}
            if self.wake_r in ready:
                self._reap()
            if self.control in ready:
                try:
                    message, fds, _, _ = socket.recv_fds(self.control, MAX_REQUEST, 1)
                except OSError:
                    message, fds = b"", []
                if not message:
                    return  # every client end is closed: the build is over
                reply = socket.socket(fileno=fds[0])
                pid = self._fork_kernel(json.loads(message), reply)
                if pid:
                    self.children[pid] = reply
                else:
                    reply.close()

    def _reap(self) -> None:
        try:
            while os.read(self.wake_r, 4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            reply = self.children.pop(pid, None)
            if reply is not None:
                _send(reply, f"exit {os.waitstatus_to_exitcode(status)}\n")
                reply.close()

    def _fork_kernel(self, request: dict, reply: socket.socket) -> int:
        """Fork one kernel; returns its pid once it leads its own session (0 if the fork failed)."""
        ready_r, ready_w = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(ready_r)
            os.close(ready_w)
            _send(reply, f"error {exc}\n")
            return 0
        if pid == 0:  # the kernel
            code = 1
            try:
                os.close(ready_r)
                os.setsid()  # its own session and process group, as jupyter_client starts kernels
                os.close(ready_w)  # the server may now tell the client our pid
                self._close_in_child(reply)
                code = _run_kernel(request)
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(ready_w)
        os.read(ready_r, 1)  # EOF once the child called setsid (or died)
        os.close(ready_r)
        _send(reply, f"pid {pid}\n")
        return pid

    def _close_in_child(self, reply: socket.socket) -> None:
        """The kernel keeps none of the server's descriptors (detached first: the socket objects stay
        alive in the child's copy of this frame and must not close a number zmq reuses later)."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        self.selector.close()
        for sock in (self.control, reply, *self.children.values()):
            os.close(sock.detach())
        os.close(self.wake_r)
        os.close(self.wake_w)


def _send(reply: socket.socket, line: str) -> None:
    try:
        reply.sendall(line.encode())
    except OSError:  # the client is gone (its worker was stopped): nothing to tell
        pass


def _run_kernel(request: dict) -> int:
    """In the child: become `python -m ipykernel_launcher ...` with the report's env and folder."""
    import atexit
    import runpy

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # The kernel exits if this server goes away. ipykernel reads $JPY_PARENT_PID when it is imported
    # (here, before any report), so the value goes in as an argument.
    os.environ["JPY_PARENT_PID"] = parent = str(os.getppid())
    sys.path.insert(0, os.getcwd())  # `python -m` puts the cwd first; ipykernel_launcher removes it
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()  # fresh entropy, as a new interpreter (Python's `random` reseeds after fork itself)
    argv = request["argv"]
    sys.argv = [argv[2], *argv[3:], f"--IPKernelApp.parent_handle={parent}"]  # [python, -m, ipykernel_launcher, -f, FILE]
    code = 0
    try:
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        atexit._run_exitfuncs()  # what interpreter exit would run: IPython saves its history
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    return code
