"""Threads for fused kernels: the helper threads a call splits its tiles with, and when to
split. Splitting never changes results (each tile is computed the same way by whichever
thread takes it), only speed: it pays only while a core is free for the helper — otherwise
the threads take turns holding the GIL and each turn waits for a thread to be scheduled.
`cores_free` asks the machine (other processes' CPU use), `Chooser` asks each kernel's own
timings."""
from __future__ import annotations

import os
import threading
import time

from .. import config


class _Helper:
    """A helper thread that runs one job at a time (a dedicated thread, not a pool: waking
    it is one lock release). ``busy`` is held from `offer` until the job returns, so two
    calls never hand it a job at once (a second caller runs alone instead)."""

    def __init__(self):
        self.busy = threading.Lock()
        self.go = threading.Lock()
        self.go.acquire()
        self.job = None
        self.thread = threading.Thread(target=self._loop, name="janus_lite-kernel",
                                       daemon=True)
        self.thread.start()

    def _loop(self):
        while True:
            self.go.acquire()
            job, self.job = self.job, None
            try:
                job()
            finally:
                self.busy.release()

    def offer(self, job) -> bool:
        """Hand ``job`` over; False (and nothing runs) while the helper is busy."""
        if not self.busy.acquire(blocking=False):
            return False
        self.job = job
        self.go.release()
        return True


_helpers: list = []
_helpers_pid = None
_helpers_lock = threading.Lock()


def helpers() -> list:
    """The kernel helper threads, KERNEL_THREADS - 1 of them (made again after a fork:
    threads do not survive it)."""
    global _helpers, _helpers_pid
    want = max(0, config.KERNEL_THREADS - 1)
    if _helpers_pid != os.getpid() or len(_helpers) < want:
        with _helpers_lock:
            if _helpers_pid != os.getpid():
                _helpers, _helpers_pid = [], os.getpid()
            while len(_helpers) < want:
                _helpers.append(_Helper())
    return _helpers[:want]


class _Idle:
    """Whether the other processes on the machine leave a core for a helper thread: the
    CPUs busy over the last window (``/proc/stat``, niced processes included) minus the CPU
    time this process used in it. Unlike the load average it reacts within a fraction of a
    second and does not count our own threads. Re-read at most every 0.1 s; True where ``/proc/stat`` is missing."""

    def __init__(self):
        self.at = -1.0
        self.last = None
        self.free = True

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self.at < 0.1:
            return self.free
        self.at = now
        try:
            with open("/proc/stat", "rb") as f:
                vals = [int(v) for v in f.readline().split()[1:8]]
        except (OSError, ValueError):
            return True
        # niced processes count as busy: measured, a helper thread gained nothing next to
        # a nice-19 process (it was woken on the caller's core)
        total, idle, mine = sum(vals), vals[3] + vals[4], time.process_time()
        if self.last is not None:
            t0, i0, m0, at0 = self.last
            ncpu = os.cpu_count() or 1
            if total > t0:
                busy = ncpu * (1 - (idle - i0) / (total - t0))
                ours = (mine - m0) / max(now - at0, 1e-3)
                others = busy - ours
                self.free = others < ncpu - max(2, config.KERNEL_THREADS) + 0.5
        self.last = (total, idle, mine, now)
        return self.free


cores_free = _Idle()


class Chooser:
    """Per kernel, while `cores_free`: run alone or split across threads, whichever had the
    lower median wall time per element over its last few calls (split must win by 10%).
    Both give the same bits, so only speed is at stake; a second thread pays only when a
    core is free for it: otherwise the threads take turns holding the GIL, each turn waits
    for a thread to be scheduled, and the caller waits at the end for a helper descheduled
    mid-tile (measured: a 3 ms Adam update took 8 ms split on a busy machine). The losing
    mode is re-tried after 2, 4, … up to 128 calls, so a change in the machine is noticed."""

    KEEP = 5
    MARGIN = 0.9        # split must be 10% faster: alone uses less CPU and risks no GIL stall

    def __init__(self):
        self.times = ([], [])           # recent seconds per element: alone, split
        self.wait = [0, 0]               # calls before the mode is tried again
        self.every = [2, 2]

    def pick(self) -> int:
        a, b = self.times
        if len(b) < 2 or len(a) < 2:
            return 1 if len(b) < len(a) else 0
        best = 1 if _median(b) < self.MARGIN * _median(a) else 0
        other = 1 - best
        self.wait[other] += 1
        if self.wait[other] >= self.every[other]:
            self.wait[other] = 0
            self.every[other] = min(128, 2 * self.every[other])
            return other
        return best

    def record(self, mode: int, per_element: float) -> None:
        t = self.times[mode]
        t.append(per_element)
        if len(t) > self.KEEP:
            del t[0]
        a, b = self.times
        if len(a) >= 2 and len(b) >= 2 and \
                (_median(b) < self.MARGIN * _median(a)) == (mode == 1):
            self.every[mode] = 2        # it wins now: try the other one soon again


def _median(xs):
    return sorted(xs)[len(xs) // 2]


__all__ = ["Chooser", "cores_free", "helpers"]
