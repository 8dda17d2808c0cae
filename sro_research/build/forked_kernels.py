"""Warm kernels: each report's kernel is forked from a process that has already imported pandas,
matplotlib, seaborn, statsmodels, scipy, IPython and the package (`kernel_fork_server`), instead of
starting a new interpreter that imports them again (about 8 s per report on the 2-core build machine).

Every report still gets a kernel of its own, with its own environment, working folder, connection
file and session: a fresh copy of a parent that never ran anything, so nothing one report does (a
global, a module attribute, a matplotlib setting, the random state) reaches another.

`ForkedKernelProvisioner` plugs this into jupyter_client: a `LocalProvisioner` whose `launch_kernel`
asks a fork server instead of running the kernelspec's command, and whose process handle
(`ForkedKernel`) offers what a `Popen` does (pid, poll, wait, send_signal, terminate, kill). The
kernel leads its own process group, so `execution.stop_kernels_now` (killpg) works as before.

A server serves one environment (the variables a report sets for itself, and the package's own
`SRO_*` variables, aside: none is read at import). It lives as long as the process that started it
and every process forked from that (a build's workers inherit it); a dask worker starts its own.
Kernels are started plainly, as jupyter_client does, when `$SRO_FORKED_KERNELS` is `0`, off Linux,
for a kernelspec that is not this interpreter's ipykernel, or when the server cannot serve.
"""

from __future__ import annotations

import atexit
import json
import os
import pathlib
import select
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

ENABLE_ENV = "SRO_FORKED_KERNELS"  # "0": start every kernel as a new interpreter
RUNTIME_ONLY_PREFIX = "SRO_"  # the package reads its variables when a report runs, never at import
# Also set per kernel or per test, and read by nothing at import: no reason for another server.
NOT_FOR_IMPORTS = ("JPY_", "PYTEST_CURRENT_TEST", "PYTHONEXECUTABLE")
READY_TIMEOUT = 300.0  # seconds a server may take to import everything (a loaded 2-core machine: ~10)
MAX_SERVERS = 3  # kept per process, one per environment; an idle one beyond this is stopped
SERVER_COMMAND = "from sro_research.build.kernel_fork_server import serve; serve({fd})"


class ForkUnavailable(Exception):
    """The fork server could not give a kernel; the caller starts one plainly."""


def enabled() -> bool:
    return (sys.platform.startswith("linux") and hasattr(socket, "send_fds")
            and os.environ.get(ENABLE_ENV, "1").strip() != "0")


def forkable(cmd: list[str]) -> bool:
    """Is this kernel command the one the server can become: `python -m ipykernel_launcher ...`,
    with this very interpreter (a kernelspec of another environment is started plainly)?"""
    return len(cmd) >= 3 and cmd[0] == sys.executable and cmd[1:3] == ["-m", "ipykernel_launcher"]


def comparable(env: dict[str, str], per_report: frozenset[str]) -> dict[str, str]:
    """The part of an environment that can change what an import does (what a server is for)."""
    return {name: value for name, value in env.items()
            if name not in per_report and not name.startswith((RUNTIME_ONLY_PREFIX, *NOT_FOR_IMPORTS))}


class ForkedKernel:
    """The Popen-like handle of a forked kernel. It is the server's child, not ours: its exit status
    arrives as a line on `status` ("exit C"), and signals go to its pid (which leads its own group)."""

    stdin = stdout = stderr = None  # what LocalProvisioner.wait closes on a Popen

    def __init__(self, pid: int, status: socket.socket, buffered: bytes, on_exit):
        self.pid, self.returncode = pid, None
        self._status, self._buffer, self._on_exit = status, buffered, on_exit

    def _read_exit(self, timeout: float | None) -> int | None:
        """The exit code once the server reports it (None if not yet); 255 if the server vanished."""
        if self.returncode is not None:
            return self.returncode
        while b"\n" not in self._buffer:
            if not select.select([self._status], [], [], timeout)[0]:
                return None
            chunk = self._status.recv(256)
            if not chunk:
                self._buffer += b"exit 255\n"  # the server is gone; so is the kernel (it polls its parent)
                break
            self._buffer += chunk
        line = self._buffer.split(b"\n", 1)[0].decode()
        self.returncode = int(line.split()[1]) if line.startswith("exit ") else 255
        self._status.close()
        self._on_exit()
        return self.returncode

    def poll(self) -> int | None:
        return self._read_exit(0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._read_exit(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"forked kernel {self.pid}", timeout)
        return code

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:  # once reaped, the pid may belong to someone else
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """One `kernel_fork_server` process for one environment, and our end of its socket."""

    def __init__(self, env: dict[str, str]):
        self.env, self.owner, self.running, self.dead = env, os.getpid(), 0, False
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVER_COMMAND.format(fd=theirs.fileno())], env=env,
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        finally:
            theirs.close()

    def serves(self, env: dict[str, str], per_report: frozenset[str]) -> bool:
        if self.dead or (self.owner == os.getpid() and self.process.poll() is not None):
            return False  # (a forked worker cannot poll its parent's child: it finds out by asking)
        return comparable(self.env, per_report) == comparable(env, per_report)

    def launch(self, cmd: list[str], env: dict[str, str], cwd: str) -> ForkedKernel:
        """A new kernel; blocks until the server has imported everything and forked it."""
        mine, theirs = socket.socketpair()
        try:
            request = json.dumps({"argv": cmd, "env": env, "cwd": cwd}).encode()
            socket.send_fds(self.control, [request], [theirs.fileno()])
            theirs.close()
            mine.settimeout(READY_TIMEOUT)
            received = b""
            while b"\n" not in received:
                chunk = mine.recv(256)
                if not chunk:
                    raise ForkUnavailable("the kernel fork server stopped")
                received += chunk
        except (OSError, ForkUnavailable) as exc:  # refused, gone, or still importing after READY_TIMEOUT
            self.dead = True
            mine.close()
            theirs.close()
            raise ForkUnavailable(str(exc) or type(exc).__name__) from exc
        line, rest = received.split(b"\n", 1)
        if not line.startswith(b"pid "):
            mine.close()
            raise ForkUnavailable(line.decode(errors="replace"))
        mine.settimeout(None)
        with _lock:
            self.running += 1
        return ForkedKernel(int(line.split()[1]), mine, rest, self._kernel_ended)

    def _kernel_ended(self) -> None:
        with _lock:
            self.running -= 1

    def close(self) -> None:
        """Our end closed; the server exits once no process holds one (a worker's copy included)."""
        self.dead = True
        self.control.close()


_servers: list[ForkServer] = []
_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # a thread of the parent may have held it at the fork


os.register_at_fork(after_in_child=_after_fork_in_child)


def server_for(env: dict[str, str], per_report: frozenset[str] = frozenset()) -> ForkServer:
    """The running server for this environment, or a new one (its imports run from now on)."""
    with _lock:
        for server in [s for s in _servers if s.dead]:
            _servers.remove(server)
            server.close()
        for server in _servers:
            if server.serves(env, per_report):
                return server
        idle = [s for s in _servers if s.owner == os.getpid() and not s.running]
        while len(_servers) >= MAX_SERVERS and idle:
            server = idle.pop(0)
            _servers.remove(server)
            server.close()
        server = ForkServer(comparable(env, per_report))
        _servers.append(server)
        return server


@atexit.register
def _stop_own_servers() -> None:
    """At exit: close our ends and wait (briefly) for the servers we started, so none outlives its
    build and their CPU time counts as the build's (benchmarks read it)."""
    for server in _servers:
        if server.owner == os.getpid():
            server.close()
            try:
                server.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass


def prestart() -> None:
    """Start this process's server now, so its imports overlap the build's own start; the workers
    forked afterwards inherit it."""
    if enabled():
        try:
            server_for(dict(os.environ))
        except OSError as exc:
            _warn(f"the kernel fork server did not start ({exc})")


_warned: set[str] = set()


def _warn(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        print(f"sro-research: {message}; starting kernels plainly", file=sys.stderr, flush=True)


class ForkedKernelProvisioner(LocalProvisioner):
    """A LocalProvisioner whose kernel is forked from a warm server (falls back to LocalProvisioner's
    own start when it cannot be)."""

    per_report: frozenset[str] = frozenset()  # variables each report sets for itself (set by the manager)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        env, cwd = kwargs.get("env") or dict(os.environ), str(kwargs.get("cwd") or os.getcwd())
        if enabled() and forkable(cmd):
            try:
                self.process = server_for(env, self.per_report).launch(cmd, env, cwd)
            except (ForkUnavailable, OSError) as exc:
                _warn(f"a kernel could not be forked ({exc})")
            else:
                self.pid = self.pgid = self.process.pid
                self.cwd = pathlib.Path(cwd)
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)
