"""PCA by eigendecomposition of the covariance matrix; the fitted transform is applied to
a stream of mini-batches and the reconstruction error tracked."""
import numpy as np


class PCA:
    def __init__(self, n_components):
        self.n_components = n_components

    def fit(self, X):
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        cov = Xc.T @ Xc / (X.shape[0] - 1)
        eigvals, eigvecs = np.linalg.eigh(cov)
        order = np.argsort(eigvals)[::-1]
        self.explained_variance_ = eigvals[order][: self.n_components]
        self.components_ = eigvecs[:, order][:, : self.n_components].T
        return self

    def transform(self, X):
        return (X - self.mean_) @ self.components_.T

    def inverse_transform(self, Z):
        return Z @ self.components_ + self.mean_

    def reconstruction_error(self, X):
        Z = self.transform(X)
        R = self.inverse_transform(Z)
        return np.mean(np.sum((X - R) ** 2, axis=1))


def run(jit):
    PCA.transform = jit(PCA.transform)
    PCA.reconstruction_error = jit(PCA.reconstruction_error)
    rng = np.random.default_rng(12)
    latent = rng.standard_normal((400, 3))
    mixing = rng.standard_normal((3, 10))
    X = latent @ mixing + 0.05 * rng.standard_normal((400, 10))
    pca = PCA(3).fit(X[:200])
    errors, codes = [], []
    for i in range(200, 400, 8):
        batch = X[i:i + 8]
        codes.append(pca.transform(batch))
        errors.append(pca.reconstruction_error(batch))
    print("mean reconstruction error %.6f" % np.mean(errors))
    return pca, errors, codes
