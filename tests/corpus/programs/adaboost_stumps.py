"""AdaBoost with decision stumps: each round searches every feature and threshold for the
weighted-error minimum, then reweights the samples."""
import numpy as np


class DecisionStump:
    def __init__(self):
        self.polarity = 1
        self.feature_index = None
        self.threshold = None
        self.alpha = None


def best_stump(X, y, w):
    n_samples, n_features = X.shape
    min_error = np.inf
    best = (0, 0.0, 1)
    for feature_i in range(n_features):
        feature_values = X[:, feature_i]
        thresholds = np.unique(np.percentile(feature_values, [10, 30, 50, 70, 90]))
        for threshold in thresholds:
            p = 1
            prediction = np.ones(n_samples)
            prediction[feature_values < threshold] = -1
            error = np.sum(w[y != prediction])
            if error > 0.5:
                error = 1 - error
                p = -1
            if error < min_error:
                min_error = error
                best = (feature_i, threshold, p)
    return best, min_error


def stump_predict(X, feature_index, threshold, polarity):
    predictions = np.ones(X.shape[0])
    negative_idx = polarity * X[:, feature_index] < polarity * threshold
    predictions[negative_idx] = -1
    return predictions


def run(jit):
    global best_stump, stump_predict
    best_stump = jit(best_stump)
    stump_predict = jit(stump_predict)
    rng = np.random.default_rng(17)
    X = rng.standard_normal((120, 4))
    y = np.where(X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0, 1.0, -1.0)
    w = np.full(120, 1 / 120)
    clfs = []
    for t in range(20):
        (fi, thr, pol), err = best_stump(X, y, w)
        clf = DecisionStump()
        clf.feature_index, clf.threshold, clf.polarity = fi, thr, pol
        clf.alpha = 0.5 * np.log((1.0 - err) / (err + 1e-10))
        pred = stump_predict(X, fi, thr, pol)
        w *= np.exp(-clf.alpha * y * pred)
        w /= np.sum(w)
        clfs.append(clf)
    agg = sum(c.alpha * stump_predict(X, c.feature_index, c.threshold, c.polarity) for c in clfs)
    acc = float(np.mean(np.sign(agg) == y))
    print(f"training accuracy {acc:.3f}")
    return clfs, w, acc
