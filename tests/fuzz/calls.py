"""Call sequences for generated programs, as hypothesis strategies: a base signature
repeated with fresh data (so graphs get built and serve), and calls that change one thing —
shape (also empty and 0-d), dtype, layout (Fortran, transposed, strided, read-only,
``y is x``), the scalar's kind or value, the flag, special values (NaN, Inf, zero), or
whether state is shared with the previous call. `support.build_calls` turns them into
arguments."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st


@dataclass(frozen=True)
class CallSpec:
    shape: tuple
    dtx: str
    dty: str
    layout: str
    skind: str
    sval: float
    flag: bool
    seed: int
    reuse: bool
    special: str

    def describe(self) -> str:
        return (f"shape={self.shape} x:{self.dtx} y:{self.dty} layout={self.layout} "
                f"s={self.skind}({self.sval}) flag={self.flag} seed={self.seed} "
                f"reuse={self.reuse} special={self.special}")


SHAPES = [(4,), (3,), (2, 3), (1,), (5,), (3, 3), (0,), (2, 0), ()]
DTYPES = ["f8", "f8", "f8", "f4", "i8", "b"]
LAYOUTS = ["c"] * 6 + ["f", "t", "strided", "readonly", "alias"]
SKINDS = ["float", "int", "f8", "f4", "i8", "bool"]
SPECIALS = ["none"] * 12 + ["nan", "inf", "ninf", "zero"]


@st.composite
def call_specs(draw):
    """A call sequence: a base signature repeated with fresh data (so graphs get built and
    serve), and calls that change one thing: shape, dtype, layout, scalar kind or value,
    flag, special values (NaN, Inf, zero), or state shared with the previous call."""
    base = CallSpec(draw(st.sampled_from(SHAPES[:6])), "f8", draw(st.sampled_from(DTYPES)),
                    "c", draw(st.sampled_from(SKINDS[:2])), draw(st.sampled_from(
                        [0.5, 1.0, -0.5, 2.0, 0.0])), draw(st.booleans()), 0,
                    draw(st.booleans()), "none")
    n = draw(st.integers(3, 12))
    specs = []
    for i in range(n):
        sp = _with(base, seed=draw(st.integers(0, 1000)))
        change = draw(st.integers(0, 15)) if i >= 2 else 0
        if change == 1:
            sp = _with(sp, shape=draw(st.sampled_from(SHAPES)))
        elif change == 2:
            sp = _with(sp, dtx=draw(st.sampled_from(DTYPES)))
        elif change == 3:
            sp = _with(sp, layout=draw(st.sampled_from(LAYOUTS)))
        elif change == 4:
            sp = _with(sp, skind=draw(st.sampled_from(SKINDS)))
        elif change == 5:
            sp = _with(sp, special=draw(st.sampled_from(SPECIALS)))
        elif change in (6, 7):
            sp = _with(sp, sval=draw(st.sampled_from([1.5, -2.0, 0.0, 3.0, -0.5])))
        elif change == 8:
            sp = _with(sp, flag=not sp.flag)
        elif change == 9:
            sp = _with(sp, reuse=not sp.reuse)
        specs.append(sp)
        if draw(st.integers(0, 3)) == 3:      # later calls keep the change
            base = sp
    return specs


def _with(sp, **kw):
    d = dict(sp.__dict__)
    d.update(kw)
    return CallSpec(**d)


