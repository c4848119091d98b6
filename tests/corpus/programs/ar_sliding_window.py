"""An autoregressive time-series model: lagged features from a strided sliding window,
least squares fit per series, one-step-ahead predictions rolled forward in a loop."""
import numpy as np


def lag_matrix(series, p):
    windows = np.lib.stride_tricks.sliding_window_view(series, p + 1)
    return windows[:, :p][:, ::-1], windows[:, p]


def forecast(coef, history, steps):
    hist = list(history)
    out = []
    for _ in range(steps):
        x = np.array(hist[-len(coef):][::-1])
        nxt = float(x @ coef)
        out.append(nxt)
        hist.append(nxt)
    return out


def run(jit):
    global lag_matrix, forecast
    lag_matrix = jit(lag_matrix)
    forecast = jit(forecast)
    rng = np.random.default_rng(70)
    results = []
    for s in range(12):
        e = rng.standard_normal(120)
        x = np.zeros(120)
        for t in range(2, 120):
            x[t] = 0.6 * x[t - 1] - 0.2 * x[t - 2] + e[t]
        X, y = lag_matrix(x, 3)
        coef = np.linalg.lstsq(X, y, rcond=None)[0]
        results.append((coef, forecast(coef, x[-3:], 5)))
    print("mean coefficients", np.round(np.mean([r[0] for r in results], axis=0), 3))
    return results
