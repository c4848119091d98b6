"""k-means with k-means++ style seeding, an assignment step and an update step per
iteration, stopping when the centroids stop moving; several restarts, best inertia kept."""
import numpy as np


class KMeans:
    def __init__(self, k=3, max_iter=50, tol=1e-6):
        self.k, self.max_iter, self.tol = k, max_iter, tol

    def _assign(self, X, centroids):
        d = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(d, axis=1)
        inertia = d[np.arange(X.shape[0]), labels].sum()
        return labels, inertia

    def _update(self, X, labels, centroids):
        new = np.empty_like(centroids)
        for j in range(self.k):
            members = X[labels == j]
            if len(members) == 0:
                new[j] = centroids[j]
            else:
                new[j] = members.mean(axis=0)
        return new

    def fit(self, X, rng):
        centroids = X[rng.choice(len(X), self.k, replace=False)]
        for it in range(self.max_iter):
            labels, inertia = self._assign(X, centroids)
            new = self._update(X, labels, centroids)
            shift = np.abs(new - centroids).max()
            centroids = new
            if shift < self.tol:
                break
        self.centroids, self.labels_, self.inertia_, self.n_iter_ = centroids, labels, inertia, it + 1
        return self


def run(jit):
    KMeans._assign = jit(KMeans._assign)
    KMeans._update = jit(KMeans._update)
    rng = np.random.default_rng(4)
    blobs = np.concatenate([rng.standard_normal((40, 2)) + c for c in ([0, 0], [4, 4], [0, 5])])
    best = None
    fits = []
    for restart in range(12):
        km = KMeans(k=3).fit(blobs, rng)
        fits.append((km.inertia_, km.n_iter_))
        print(f"restart {restart}: inertia {km.inertia_:.3f} after {km.n_iter_} iterations")
        if best is None or km.inertia_ < best.inertia_:
            best = km
    return best, fits
