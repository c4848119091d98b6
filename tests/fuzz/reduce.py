"""Reduce a failing program further than hypothesis's shrinking does: delete statements
(with their nested blocks) and calls one at a time while the failure keeps its kind.

Hypothesis shrinks the choices a program was drawn from; deleting a statement in the
middle changes every later draw, so its minimal example often keeps dead statements.
This pass removes them: ``reduce_program(prog, signature)`` returns the smallest program
found that still fails with ``signature(exc) == signature(original failure)``.
"""
from __future__ import annotations

import dataclasses
import re
import signal

from .runner import run_program

RUN_TIMEOUT_S = 30


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _failure(prog, signature, check_warnings=False):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(RUN_TIMEOUT_S)
    try:
        run_program(prog, check_warnings=check_warnings)
    except _Timeout:
        return None
    except Exception as exc:           # noqa: BLE001
        return signature(exc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _units(lines):
    """(start, end) of each deletable statement of a function body: the line and the
    lines indented under it."""
    out = []
    in_def = False
    for i, line in enumerate(lines):
        if line.startswith("def "):
            in_def = True
            continue
        if not line.strip():
            continue
        if _indent(line) == 0:
            in_def = False
            continue
        if not in_def or line.strip().startswith(("else:", "except")) or \
                re.fullmatch(r"k\d+ \+= 1", line.strip()):   # a while loop's counter
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() and _indent(lines[end]) > _indent(line):
            end += 1
        out.append((i, end))
    return out


def _delete(lines, start, end):
    """``lines`` without [start, end); a block left empty gets ``pass``."""
    new = lines[:start] + lines[end:]
    i = start - 1
    if i >= 0 and new[i].rstrip().endswith(":"):
        nxt = new[start] if start < len(new) else ""
        if not nxt.strip() or _indent(nxt) <= _indent(new[i]):
            new.insert(start, " " * (_indent(new[i]) + 4) + "pass")
    return new


def reduce_program(prog, signature, max_runs: int = 400, check_warnings: bool = False):
    target = _failure(prog, signature, check_warnings)
    if target is None:
        return prog
    runs = 0
    changed = True
    while changed and runs < max_runs:
        changed = False
        lines = prog.source.split("\n")
        for start, end in reversed(_units(lines)):
            if runs >= max_runs:
                break
            cand = dataclasses.replace(prog, source="\n".join(_delete(lines, start, end)))
            runs += 1
            if cand.source != prog.source and _failure(cand, signature, check_warnings) == target:
                prog, changed = cand, True
                break
        if changed:
            continue
        for i in reversed(range(len(prog.calls))):
            if len(prog.calls) <= 1 or runs >= max_runs:
                break
            cand = dataclasses.replace(prog, calls=prog.calls[:i] + prog.calls[i + 1:])
            runs += 1
            if _failure(cand, signature, check_warnings) == target:
                prog, changed = cand, True
                break
    return prog
