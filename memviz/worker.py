"""One worker: what runs inside it (a process the pool starts, or a thread of the server) —
train one job, report its progress in batches, answer Stop — a worker process's life (`serve`),
and the server's handle on that process (`Process`, which memviz.workers' slots drive).
"""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from memviz.config import ConfigError
from memviz.i18n import Message
from memviz.progress import TrainingDiverged

log = logging.getLogger(__name__)
REPORT_SECONDS = 0.1  # a worker sends its new losses at most this often


def work(job_id: int, fn: Callable, cfg: Hashable, channel: Any) -> tuple[str, Any]:
    """Train fn(cfg, on_step) reporting to the channel; ('ok', result) or (status, message).

    `channel` is (send(job_id, step, total, losses), stopped(job_id) -> bool)."""
    send, stopped = channel
    if stopped(job_id):
        return "stopped", Message("jobs.stopped_early")
    send(job_id, 0, 0, ())  # started
    pending: list[float] = []
    last = [time.monotonic()]

    def on_step(step: int, total: int, loss: float) -> bool:
        pending.append(float(loss))
        now = time.monotonic()
        if now - last[0] >= REPORT_SECONDS or step == total:
            last[0] = now
            send(job_id, step, total, tuple(pending))
            pending.clear()
        return stopped(job_id)

    try:
        result = fn(cfg, on_step)
    except TrainingDiverged as e:  # exceptions travel as text: theirs need not unpickle
        return "diverged", _reason(e)
    except ConfigError as e:
        return "config", _reason(e)
    except MemoryError:
        return "failed", Message("jobs.out_of_memory")
    except Exception as e:  # noqa: BLE001 - reported to the student as one line, logged here
        log.exception("training %s failed", fn)
        return "failed", Message("jobs.failed_try", name=type(e).__name__)
    finally:
        give_back_memory()
    return ("stopped", Message("jobs.stopped")) if stopped(job_id) else ("ok", result)


def give_back_memory() -> None:
    """Return freed heap to the system: glibc keeps it otherwise, so an idle worker would hold its
    biggest run's memory (555 MB after a 1.2 GB GRU run; 308 MB trimmed), and the server what
    its biggest page draw needed."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim, nothing lost
        pass


def _reason(e: Exception) -> str | Message:
    """An error's message to send back: a Message as it is (each reader's language), else text
    (this worker's language: English)."""
    return e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Message) else str(e)


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel SIGKILL this process when the thread that started it ends (the
    server's slot thread; it lives as long as the server). Elsewhere the socket's end of file
    does it (serve)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the server died before prctl took effect
        os._exit(0)


def serve(fd: int, parent: int) -> None:
    """A worker process's life: run the jobs that arrive on socket `fd`, one at a time.

    Messages in: ("run", job_id, fn, cfg), ("stop", job_id). Out: ("ready", pid),
    ("progress", job_id, step, total, losses), ("result", job_id, status, value),
    ("cannot travel", job_id, text). Only the main thread sends; only the reader thread reads.
    Messages are plain pickles between this server and its own child (never user or disk
    bytes): by value, so a result never depends on the worker staying alive after sending it
    (torch's multiprocessing pickler would pass tensors as file descriptors to fetch later).
    """
    _die_with_parent(parent)
    conn = Connection(fd)
    import torch  # noqa: F401 - imported before "ready": the first run does not pay for it
    import torch._dynamo  # noqa: F401 - torch.optim imports it on the first step (~1.9 s)

    from memviz.devices import use_cpu_threads

    use_cpu_threads()
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    stopped: set[int] = set()

    def read() -> None:
        try:
            while True:
                msg = recv(conn)
                if msg[0] == "stop":
                    stopped.add(msg[1])
                else:
                    tasks.put(msg)
        except (EOFError, OSError):  # the server is gone (or closed us): so are we
            os._exit(0)

    threading.Thread(target=read, daemon=True, name="memviz-worker-reader").start()
    channel = (lambda *m: send(conn, ("progress", *m)), lambda job_id: job_id in stopped)
    send(conn, ("ready", os.getpid()))
    while True:
        _, job_id, fn, cfg = tasks.get()
        status, value = work(job_id, fn, cfg, channel)
        try:
            send(conn, ("result", job_id, status, value))
        except (pickle.PicklingError, TypeError, AttributeError) as e:  # nothing was written
            send(conn, ("cannot travel", job_id, f"cannot pickle: {type(e).__name__}: {e}"))
        del value
        stopped.discard(job_id)
        give_back_memory()


def send(conn: Connection, msg: tuple) -> None:
    conn.send_bytes(pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL))


def recv(conn: Connection) -> tuple:
    return pickle.loads(conn.recv_bytes())  # noqa: S301 - our own worker's bytes, see serve


class Process:
    """The server's handle on one worker process (started running `serve`): the process and the
    server's end of its socket."""

    def __init__(self) -> None:
        here, child = socket.socketpair()
        root = str(Path(__file__).resolve().parent.parent)  # the folder holding memviz/
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])]))
        code = (f"from memviz.worker import serve; serve({child.fileno()}, {os.getpid()})")
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=[child.fileno()],
                                         env=env, stdin=subprocess.DEVNULL)
        finally:
            child.close()
        self.conn = Connection(here.detach())
        self.send_lock = threading.Lock()

    def send(self, msg: tuple) -> bool:
        """Send msg; False if the worker is gone."""
        try:
            with self.send_lock:
                send(self.conn, msg)
            return True
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL (works on a stopped process too), reap, close the socket."""
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            log.warning("worker %s did not die on SIGKILL", self.proc.pid)
        self.conn.close()
