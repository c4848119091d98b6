"""NumPy helpers in training code: ``np.finfo(float).eps`` / ``np.iinfo`` folded as
constants, unpacking ``np.linalg.eig``/``svd``/``qr`` results (named tuples),
``np.array(dout, copy=True)`` updated in place (the graph's own copy), and
``as_strided`` named precisely in explain()."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(64)


def _r(*shape):
    return rng.standard_normal(shape)


def safe_normalize(x):
    eps = np.finfo(float).eps
    tiny = np.finfo(x.dtype).tiny
    return x / (np.abs(x).sum() + eps) + tiny * 0 + np.iinfo(np.int32).max // 2 ** 30


def relu_backward_copy_true(dout, x):
    dx = np.array(dout, copy=True)
    dx[x < 0] = 0
    return dx


def relu_backward_astype_copy(dout, x):
    dx = dout.astype(np.float64, copy=True)
    dx[x <= 0] *= 0.5
    return dx


def pca_eig(X):
    C = np.cov(X.T)
    eigvals, eigvecs = np.linalg.eig(C)
    order = np.argsort(eigvals)[::-1]
    return eigvals[order].real, eigvecs[:, order].real


def svd_qr(A):
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    Q, R = np.linalg.qr(A)
    return (U * S) @ Vt, Q @ R


def windows(x):
    return np.lib.stride_tricks.as_strided(x, shape=(3, 2), strides=(8, 8)).sum()


def test_finfo_and_iinfo_fold_as_constants():
    f = differential(safe_normalize, [((_r(5),), {}) for _ in range(5)])
    steady(f, 3)
    g = f.graphs[-1]
    assert not any(n.op in ("np.finfo", "np.iinfo") for n in g.nodes())


def test_copy_true_result_is_updated_in_place_without_touching_the_argument():
    for fn in (relu_backward_copy_true, relu_backward_astype_copy):
        f = differential(fn, [((_r(6), _r(6)), {}) for _ in range(6)])
        steady(f, 3)


def test_eig_result_unpacked():
    f = differential(pca_eig, [((_r(20, 3),), {}) for _ in range(5)])
    steady(f, 3)


def test_svd_and_qr_results_unpacked():
    f = differential(svd_qr, [((_r(4, 3),), {}) for _ in range(5)])
    steady(f, 3)


def test_as_strided_is_named_in_explain():
    f = differential(windows, [((_r(4),), {}) for _ in range(3)])
    assert f.stats["graph_calls"] == 0
    assert "np.lib.stride_tricks.as_strided() makes a view with arbitrary strides" in f.explain()


def softmax_backward_per_sample(output, dvalues):
    """The per-sample Jacobian of a softmax layer, as a popular book writes it."""
    dinputs = np.empty_like(dvalues)
    for index, (single_output, single_dvalues) in enumerate(zip(output, dvalues)):
        single_output = single_output.reshape(-1, 1)
        jacobian = np.diagflat(single_output) - np.dot(single_output, single_output.T)
        dinputs[index] = np.dot(jacobian, single_dvalues)
    return dinputs


def poly_steps(p, x, m):
    d = np.polyder(p, m)          # m == 0: p itself
    d *= 2.0                      # then updates the caller's p
    return np.polyval(d, x), np.polyadd(p, np.polymul(p, p)), np.vander(x, 3)


def test_diagflat_and_polynomial_helpers():
    rng = np.random.default_rng(77)
    out = rng.random((4, 3))
    out /= out.sum(axis=1, keepdims=True)
    f = differential(softmax_backward_per_sample,
                     [(out, rng.standard_normal((4, 3))) for _ in range(6)])
    steady(f, 3)
    calls = [(np.array([1.0, -2.0, 0.5]), np.linspace(0, 1, 4), m) for m in (1, 1, 1, 0, 1, 0)]
    differential(poly_steps, calls)
