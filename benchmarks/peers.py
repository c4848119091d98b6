"""Peer implementations, timed beside janus_lite when the package is installed.

torch.compile gets the unchanged NumPy function (TorchDynamo traces NumPy code). numba and
jax need rewrites, written once here and marked ``# REWRITE``; workloads without a rewrite
are skipped for that peer.
"""
from __future__ import annotations

import importlib.util

import numpy as np


def _has(mod) -> bool:
    return importlib.util.find_spec(mod) is not None


def implementations(workload: str):
    """``[(name, callable)]`` of the installed peers for ``workload``."""
    from . import workloads as W
    fn = {w[0]: w[1] for w in W.WORKLOADS}[workload]
    out = []
    if _has("torch"):
        import torch
        out.append(("torch.compile", torch.compile(fn)))
    if _has("numba"):
        nb = _numba(workload)
        if nb is not None:
            out.append(("numba (rewrite)", nb))
    if _has("jax"):
        jx = _jax(workload)
        if jx is not None:
            out.append(("jax.jit (rewrite)", jx))
    return out


def _numba(workload):
    import numba
    if workload == "adam_1e6":
        @numba.njit(cache=False)
        def kernel(p, g, m, v, lr, b1, b2, eps, t):        # REWRITE: one fused loop
            pn, mn, vn = np.empty_like(p), np.empty_like(m), np.empty_like(v)
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t
            for i in range(p.size):
                mi = np.float32(b1) * m[i] + np.float32(1 - b1) * g[i]
                vi = np.float32(b2) * v[i] + np.float32(1 - b2) * g[i] * g[i]
                pn[i] = p[i] - np.float32(lr) * (mi / np.float32(c1)) / \
                    (np.sqrt(vi / np.float32(c2)) + np.float32(eps))
                mn[i], vn[i] = mi, vi
            return pn, mn, vn
        return kernel
    if workload == "clip_by_norm_if":
        @numba.njit
        def clip(g, max_norm):                              # REWRITE: explicit loop
            s = 0.0
            for x in g:
                s += x * x
            norm = np.sqrt(s)
            return g * (max_norm / norm) if norm > max_norm else g
        return clip
    if workload == "gd_while_20x20":
        from .workloads import gradient_descent
        return numba.njit(gradient_descent)               # unchanged code compiles
    if workload == "elementwise_chain_1e6":
        from .workloads import elementwise_chain
        return numba.njit(elementwise_chain)
    return None


def _jax(workload):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    if workload == "adam_1e6":
        @jax.jit
        def adam(p, g, m, v, lr, b1, b2, eps, t):          # REWRITE: jnp instead of np
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            p = p - lr * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps)
            return p, m, v
        return lambda *a: tuple(np.asarray(x) for x in adam(*a))
    if workload == "elementwise_chain_1e6":
        @jax.jit
        def chain(x):                                        # REWRITE: jnp instead of np
            y = jnp.tanh(x) * 0.5 + 0.5
            return jnp.exp(-y * y) * x + y
        return lambda x: np.asarray(chain(x))
    return None
