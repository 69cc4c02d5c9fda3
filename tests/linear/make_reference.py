#!/usr/bin/python3
"""Reference coefficients from scikit-learn for tests/linear/reference_test.cpp.

Run once with Debian's python3-sklearn:  /usr/bin/python3 tests/linear/make_reference.py
It writes tests/linear/reference.json. The tests read the same data files from the
python3-sklearn package path and never import scikit-learn themselves.

gibbs's costs use the lecture's 1/n; the mapping onto scikit-learn's parameters is
  Ridge       alpha = n * lam
  Lasso       alpha = lam / 2
  ElasticNet  alpha = l1/2 + l2, l1_ratio = (l1/2) / alpha
  Logistic    C = 1 / (2 n lam)
"""
import gzip
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
HERE = os.path.dirname(os.path.abspath(__file__))


def franke(x, y):
    return (0.75 * np.exp(-0.25 * (9 * x - 2) ** 2 - 0.25 * (9 * y - 2) ** 2)
            + 0.75 * np.exp(-((9 * x + 1) ** 2) / 49.0 - 0.1 * (9 * y + 1))
            + 0.5 * np.exp(-0.25 * (9 * x - 7) ** 2 - 0.25 * (9 * y - 3) ** 2)
            - 0.2 * np.exp(-((9 * x - 4) ** 2) - (9 * y - 7) ** 2))


def regression_sets():
    X = np.loadtxt(gzip.open(f"{DATA}/diabetes_data_raw.csv.gz"))
    y = np.loadtxt(gzip.open(f"{DATA}/diabetes_target.csv.gz"))
    yield "diabetes", X, y, {"ridge": 0.01, "lasso": 0.5, "l1": 0.5, "l2": 0.01}
    W = np.loadtxt(f"{DATA}/wine_data.csv", delimiter=",", skiprows=1)
    # alcohol (column 0) from the other 12 chemical measurements; the class label is dropped.
    yield "wine", W[:, 1:13], W[:, 0], {"ridge": 0.1, "lasso": 0.02, "l1": 0.02, "l2": 0.05}
    # Franke function on a 20x20 grid of [0,1]^2, degree-5 polynomial in (x, y), standardized.
    g = np.linspace(0, 1, 20)
    xx, yy = np.meshgrid(g, g)
    xx, yy = xx.ravel(), yy.ravel()
    P = PolynomialFeatures(5, include_bias=False).fit_transform(np.c_[xx, yy])
    P = StandardScaler().fit_transform(P)
    yield "franke", P, franke(xx, yy), {"ridge": 1e-4, "lasso": 1e-3, "l1": 1e-3, "l2": 1e-3}


def main():
    out = {"sklearn_version": sklearn.__version__, "regression": {}, "classification": {}}
    tight = dict(tol=1e-12, max_iter=10_000_000, selection="cyclic")
    for name, X, y, lam in regression_sets():
        n = X.shape[0]
        fits = {
            "ols": LinearRegression().fit(X, y),
            "ridge": Ridge(alpha=n * lam["ridge"], solver="svd").fit(X, y),
            "lasso": Lasso(alpha=lam["lasso"] / 2, **tight).fit(X, y),
            "elasticnet": ElasticNet(alpha=lam["l1"] / 2 + lam["l2"],
                                     l1_ratio=(lam["l1"] / 2) / (lam["l1"] / 2 + lam["l2"]),
                                     **tight).fit(X, y),
        }
        entry = {"lambda": lam}
        for model, f in fits.items():
            entry[model] = {"intercept": float(f.intercept_), "coef": f.coef_.tolist()}
        out["regression"][name] = entry

    bc = np.loadtxt(f"{DATA}/breast_cancer.csv", delimiter=",", skiprows=1)
    iris = np.loadtxt(f"{DATA}/iris.csv", delimiter=",", skiprows=1)
    wine = np.loadtxt(f"{DATA}/wine_data.csv", delimiter=",", skiprows=1)
    for name, D, lam in [("breast_cancer", bc, 0.01), ("iris", iris, 0.005), ("wine", wine, 0.01)]:
        X = StandardScaler().fit_transform(D[:, :-1])
        t = D[:, -1].astype(int)
        n = X.shape[0]
        multi = t.max() > 1
        kw = dict(C=1.0 / (2 * n * lam), tol=1e-8, max_iter=1000)
        if multi:
            kw["multi_class"] = "multinomial"
        f = LogisticRegression(solver="newton-cg", **kw).fit(X, t)
        b = f.intercept_ - f.intercept_.mean() if multi else f.intercept_
        # Certify the optimum: the gradient of C = (1/n) sum loss + lam |W|^2 must vanish.
        Z = X @ f.coef_.T + b
        if multi:
            P = np.exp(Z - Z.max(1, keepdims=True))
            P /= P.sum(1, keepdims=True)
            R = P - np.eye(t.max() + 1)[t]
        else:
            R = 1 / (1 + np.exp(-Z)) - t[:, None]
        grad_w = X.T @ R / n + 2 * lam * f.coef_.T
        grad_b = R.mean(0)
        worst = max(np.abs(grad_w).max(), np.abs(grad_b).max())
        assert worst < 1e-9, (name, worst)
        out["classification"][name] = {"lambda": lam, "intercept": b.tolist(),
                                       "coef": f.coef_.tolist()}
    with open(os.path.join(HERE, "reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
