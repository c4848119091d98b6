"""Moving a compiled code object's source positions to other lines, without the AST.

Generated code is compiled from its text (one C-level step) and then each instruction's
position is moved to the user's line by rewriting the code's location table (the format of
CPython 3.11-3.13, ``Objects/locations.md``), instead of parsing the text into Python AST
objects, renumbering every node and compiling those. The table is written the way CPython's
assembler writes it, so the code object is the one compiling the renumbered AST gives.
"""
from __future__ import annotations

import dis
import sys
import types

SUPPORTED = (3, 11) <= sys.version_info[:2] <= (3, 13)
"""The location-table format (and the assembler's way of writing it) is known for these."""

_MERGES = sys.version_info[:2] >= (3, 12)
"""3.12's assembler writes one entry per run of instructions at the same position; 3.11's
writes one per instruction."""

_NOP = dis.opmap["NOP"]

_NONE, _LONG, _NO_COLUMNS, _ONE_LINE0 = 15, 14, 13, 10


def entries(code) -> list:
    """The location table as [(code units, (line, end_line, col, end_col) or None)]; a
    missing column or end line is None."""
    table, out = code.co_linetable, []
    i, n, line = 0, len(code.co_linetable), code.co_firstlineno

    def varint():
        nonlocal i
        b = table[i]
        i += 1
        val, shift = b & 63, 6
        while b & 64:
            b = table[i]
            i += 1
            val |= (b & 63) << shift
            shift += 6
        return val

    def svarint():
        v = varint()
        return -(v >> 1) if v & 1 else v >> 1

    while i < n:
        first = table[i]
        i += 1
        kind, length = (first >> 3) & 15, (first & 7) + 1
        if kind == _NONE:
            out.append((length, None))
            continue
        if kind == _LONG:
            line += svarint()
            end = line + varint()
            col, end_col = varint() - 1, varint() - 1
            out.append((length, (line, end, None if col < 0 else col,
                                 None if end_col < 0 else end_col)))
        elif kind == _NO_COLUMNS:
            line += svarint()
            out.append((length, (line, line, None, None)))
        elif kind >= _ONE_LINE0:
            line += kind - _ONE_LINE0
            col, end_col = table[i], table[i + 1]
            i += 2
            out.append((length, (line, line, col, end_col)))
        else:
            second = table[i]
            i += 1
            col = kind * 8 + ((second >> 4) & 7)
            out.append((length, (line, line, col, col + (second & 15))))
    return out


def encode(items, firstlineno: int) -> bytes:
    """The location table of [(code units, position or None)], as the assembler writes it
    (runs longer than 8 code units split; on 3.12+ equal neighbours merged first)."""
    if _MERGES:
        merged: list = []
        for length, pos in items:
            if merged and merged[-1][1] == pos:
                merged[-1][0] += length
            else:
                merged.append([length, pos])
        items = merged
    out = bytearray()
    prev = firstlineno

    def varint(val):
        while val >= 64:
            out.append(64 | (val & 63))
            val >>= 6
        out.append(val)

    def svarint(val):
        varint(((-val) << 1) | 1 if val < 0 else val << 1)

    for length, pos in items:
        while length > 0:
            size = min(length, 8)
            length -= size
            head = 128 | (size - 1)
            if pos is None:
                out.append(head | (_NONE << 3))
                continue
            line, end, col, end_col = pos
            delta = line - prev
            if col is None or end_col is None:
                if end == line or end is None:
                    out.append(head | (_NO_COLUMNS << 3))
                    svarint(delta)
                    prev = line
                    continue
            elif end == line:
                if delta == 0 and col < 80 and 0 <= end_col - col < 16:
                    out.append(head | ((col >> 3) << 3))
                    out.append(((col & 7) << 4) | (end_col - col))
                    continue
                if 0 <= delta < 3 and col < 128 and end_col < 128:
                    out.append(head | ((_ONE_LINE0 + delta) << 3))
                    out.append(col)
                    out.append(end_col)
                    prev = line
                    continue
            out.append(head | (_LONG << 3))
            svarint(delta)
            varint((end if end is not None else line) - line)
            varint(col + 1 if col is not None else 0)
            varint(end_col + 1 if end_col is not None else 0)
            prev = line
    return bytes(out)


def has_nop(code) -> bool:
    """Does ``code`` (or code among its constants) hold a NOP? The compiler keeps a NOP
    (``try:``, ``while True:``) only where its line differs from its neighbours', so moved
    lines can make the code differ from compiling the moved source: not for relocation.
    (Opcodes sit at even offsets; a fresh code object's inline caches are zero.)"""
    return _NOP in code.co_code[::2] or \
        any(has_nop(c) for c in code.co_consts if isinstance(c, types.CodeType))


def relocated(code, move, firstlineno):
    """``code`` (and the code objects among its constants) with every position ``p`` moved
    to ``move(p)`` and its first line ``firstlineno(code.co_firstlineno)``."""
    consts = code.co_consts
    if any(isinstance(c, types.CodeType) for c in consts):
        consts = tuple(relocated(c, move, firstlineno) if isinstance(c, types.CodeType)
                       else c for c in consts)
    first = firstlineno(code.co_firstlineno)
    items = [(length, None if pos is None else move(pos)) for length, pos in entries(code)]
    return code.replace(co_consts=consts, co_firstlineno=first,
                        co_linetable=encode(items, first))
