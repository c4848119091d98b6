"""Top principal components by power iteration with deflation: repeated mat-vec products
and normalisation until the Rayleigh quotient converges (a while loop with a break)."""
import numpy as np


def power_iteration(C, v, tol=1e-10, max_iter=500):
    lam = 0.0
    it = 0
    while it < max_iter:
        w = C @ v
        v_new = w / np.linalg.norm(w)
        lam_new = float(v_new @ C @ v_new)
        it += 1
        if abs(lam_new - lam) < tol:
            v = v_new
            lam = lam_new
            break
        v, lam = v_new, lam_new
    return lam, v, it


def run(jit):
    global power_iteration
    power_iteration = jit(power_iteration)
    rng = np.random.default_rng(65)
    results = []
    for trial in range(5):
        X = rng.standard_normal((100, 6)) @ np.diag([3.0, 2.0, 1.0, 0.5, 0.3, 0.1])
        C = np.cov(X, rowvar=False)
        comps = []
        for k in range(3):
            lam, v, it = power_iteration(C, rng.standard_normal(6))
            comps.append((lam, v, it))
            C = C - lam * np.outer(v, v)
        print(f"trial {trial}: eigenvalues {[round(c[0], 4) for c in comps]}")
        results.append(comps)
    return results
