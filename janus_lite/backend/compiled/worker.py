"""numba compiles in a separate process, so that nothing of it runs in the user's process.

A background thread of the user's process (`Pool`) hands each job to one long-lived worker
process (started at the first job, ``python -c`` running `main` below) and waits for its
answer: waiting on a pipe touches no Python-global state, and the compile gets a core of its
own instead of contending for the user's GIL. The worker runs the start-up self-check of the
lowering table, checks the products the graph lowers on their exact shapes, and imports the
generated module, which compiles every function for its explicit signature and writes
numba's on-disk cache (``config.CACHE_DIR/__pycache__``); the user's process then loads the
compiled code from that cache in the calling thread at a call boundary (`tier.Pending`).

The worker's own output (stdout and stderr: numba's, LLVM's) goes to an unnamed temporary
file and is logged at DEBUG on topic ``janus_lite.tier``,
with the warnings it caught; answers travel as JSON lines on a pipe of their own.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

log = logging.getLogger("janus_lite.tier")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
"""The directory holding the ``janus_lite`` package this process imported (the worker
imports the same copy)."""

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
        "from janus_lite.backend.compiled.worker import main; main()")


# -- the worker process ---------------------------------------------------------------------
def serve(req: dict) -> dict:
    """Answer one job: ``{"cache_dir", "module", "ops", "matvecs"}`` →
    ``{"disabled", "matvec", "skip" | "error" | "ok", "seconds", "warnings"}``."""
    import warnings

    from ... import config
    from . import selfcheck
    from .build import import_path
    from .table import DISABLED
    config.CACHE_DIR = req["cache_dir"]
    t0 = time.perf_counter()
    res: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            selfcheck.run()
            why = skip_reason(req["ops"], [(tuple(s), d, t) for s, d, t in req["matvecs"]])
            if why:
                res["skip"] = why
            else:
                import_path(req["module"])
                res["ok"] = True
        except Exception as exc:      # noqa: BLE001 (reported to the user's process)
            res["error"] = f"{type(exc).__name__}: {exc}"
    res["disabled"] = dict(DISABLED)
    res["matvec"] = [[list(k[0]), k[1], k[2], v] for k, v in selfcheck._MATVEC.items()]
    res["seconds"] = time.perf_counter() - t0
    res["warnings"] = [f"{w.category.__name__}: {w.message} ({os.path.basename(w.filename)}:"
                       f"{w.lineno})" for w in caught]
    return res


def skip_reason(ops, matvecs) -> str:
    """Why the self-check rules this graph's lowering out ("" when it does not)."""
    from . import selfcheck
    from .table import DISABLED
    off = sorted(set(ops) & set(DISABLED))
    if off:
        return f"self-check switched off {', '.join(off)}"
    for shape, dt, trans in sorted(matvecs):
        if not selfcheck.matvec_ok(tuple(shape), dt, trans):
            return (f"{'transposed ' if trans else ''}{tuple(shape)} {dt} matrix @ vector "
                    f"differs from NumPy's here")
    return ""


def main() -> None:
    """The worker's loop: one JSON request per line on stdin, one answer per line on the
    pipe that was stdout; everything else printed goes to stderr (the log file)."""
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            res = serve(json.loads(line))
        except Exception as exc:      # noqa: BLE001
            res = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(res) + "\n")
        answers.flush()


# -- the user's process ---------------------------------------------------------------------
class WorkerDied(Exception):
    pass


class Pool:
    """One background thread and one worker process, started at the first job; jobs run
    one at a time, in order."""

    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self._thread = None
        self._proc = None
        self._log = None
        self._lock = threading.Lock()
        self._closing = False
        self._atexit = False

    def submit(self, request: dict, done) -> None:
        """Compile ``request`` in the worker; then ``done(answer)`` runs in the pool's
        thread (it may only record the answer and install an entry)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="janus_lite-tier",
                                                daemon=True)
                self._thread.start()
        self._queue.put((request, done))

    def _serve(self):
        while True:
            request, done = self._queue.get()
            try:
                answer = self._ask(request)
            except Exception as exc:      # noqa: BLE001 (the NumPy tier keeps serving)
                self._stop()
                answer = {"error": f"compile worker failed: {type(exc).__name__}: {exc}"}
            if self._closing:
                return                    # the interpreter is exiting: nothing to install
            try:
                done(answer)
            except Exception:             # noqa: BLE001
                log.exception("compiled tier: installing a compiled graph failed")

    def _start(self):
        self._log = tempfile.TemporaryFile()      # the worker's output (deleted on close)
        self._log_pos = 0
        # its own session: a Ctrl-C at the terminal interrupts the user's process, not it
        self._proc = subprocess.Popen([sys.executable, "-c", BOOT, ROOT],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._log, close_fds=True,
                                      start_new_session=True)
        if not self._atexit:
            atexit.register(self.close)
            self._atexit = True

    def close(self):
        """At exit: end the worker (it also ends by itself when this process's end of its
        pipe closes) and reap it, so no ``ResourceWarning`` is left for the exit."""
        self._closing = True
        self._stop()

    def _stop(self):
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.kill()
                proc.wait(timeout=10)
            except Exception:             # noqa: BLE001
                pass
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()
                except Exception:         # noqa: BLE001
                    pass
        log_file, self._log = self._log, None
        if log_file is not None:
            log_file.close()

    def _ask(self, request):
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        t0 = time.perf_counter()
        self._proc.stdin.write((json.dumps(request) + "\n").encode())
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            raise WorkerDied(f"the worker exited with status {code}")
        answer = json.loads(line)
        answer["wall_s"] = time.perf_counter() - t0
        answer["output"] = self._new_output()
        return answer

    def _new_output(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(self._log_pos)
            data = self._log.read()
            self._log_pos = self._log.tell()
            return data.decode(errors="replace")
        except Exception:                 # noqa: BLE001
            return ""


POOL = Pool()
