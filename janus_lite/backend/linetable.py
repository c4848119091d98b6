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


def _varint(table, i):
    """(value, next index) of the unsigned varint at ``table[i]`` (6 bits a byte)."""
    b = table[i]
    val, shift = b & 63, 6
    while b & 64:
        i += 1
        b = table[i]
        val |= (b & 63) << shift
        shift += 6
    return val, i + 1


def _svarint(table, i):
    v, i = _varint(table, i)
    return (-(v >> 1) if v & 1 else v >> 1), i


def entries(code) -> list:
    """The location table as [(code units, (line, end_line, col, end_col) or None)]; a
    missing column or end line is None."""
    table, out = code.co_linetable, []
    append = out.append
    i, n, line = 0, len(code.co_linetable), code.co_firstlineno
    while i < n:
        first = table[i]
        kind, length = (first >> 3) & 15, (first & 7) + 1
        if kind < _ONE_LINE0:                       # short form: this line, two columns
            second = table[i + 1]
            col = kind * 8 + ((second >> 4) & 7)
            append((length, (line, line, col, col + (second & 15))))
            i += 2
        elif kind < _NO_COLUMNS:                    # one-line forms
            line += kind - _ONE_LINE0
            append((length, (line, line, table[i + 1], table[i + 2])))
            i += 3
        elif kind == _NONE:
            append((length, None))
            i += 1
        elif kind == _NO_COLUMNS:
            delta, i = _svarint(table, i + 1)
            line += delta
            append((length, (line, line, None, None)))
        else:                                       # long form
            delta, i = _svarint(table, i + 1)
            line += delta
            end, i = _varint(table, i)
            col, i = _varint(table, i)
            end_col, i = _varint(table, i)
            append((length, (line, line + end, col - 1 if col else None,
                             end_col - 1 if end_col else None)))
    return out


def _put_varint(out, val):
    while val >= 64:
        out.append(64 | (val & 63))
        val >>= 6
    out.append(val)


def _put_svarint(out, val):
    _put_varint(out, ((-val) << 1) | 1 if val < 0 else val << 1)


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
    append = out.append
    prev = firstlineno
    for length, pos in items:
        while length > 0:
            size = 8 if length > 8 else length
            length -= size
            head = 127 + size            # 128 | (size - 1)
            if pos is None:
                append(head | (_NONE << 3))
                continue
            line, end, col, end_col = pos
            delta = line - prev
            if col is None or end_col is None:
                if end == line or end is None:
                    append(head | (_NO_COLUMNS << 3))
                    _put_svarint(out, delta)
                    prev = line
                    continue
            elif end == line:
                if delta == 0 and col < 80 and 0 <= end_col - col < 16:
                    append(head | ((col >> 3) << 3))
                    append(((col & 7) << 4) | (end_col - col))
                    continue
                if 0 <= delta < 3 and col < 128 and end_col < 128:
                    append(head | ((_ONE_LINE0 + delta) << 3))
                    append(col)
                    append(end_col)
                    prev = line
                    continue
            append(head | (_LONG << 3))
            _put_svarint(out, delta)
            _put_varint(out, (end if end is not None else line) - line)
            _put_varint(out, col + 1 if col is not None else 0)
            _put_varint(out, end_col + 1 if end_col is not None else 0)
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
