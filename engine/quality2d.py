"""Sample quality in 2-D: energy distance and MMD² against fresh data, beside the floor.

Energy distance:  ED = 2 E|X − Y| − E|X − X'| − E|Y − Y'|, as the V-statistic (all n² pairs within
a set, so ED ≥ 0 always; two fresh samples of size n give ED ≈ 2 E|X − X'|/n, the floor)
MMD² (Gaussian kernel k(a, b) = exp(−|a − b|²/(2h²)), unbiased):
    MMD² = E k(X, X') + E k(Y, Y') − 2 E k(X, Y)
Bandwidths h = 0.1 and 0.5 in standardized units: the small one catches blur and over-sharpening.
The floor is the same number for two independent fresh samples of the data (same sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BANDWIDTHS = (0.1, 0.5)


def _pair_sums(a: np.ndarray, b: np.ndarray, bandwidths, chunk: int = 1024) -> tuple[float, list[float]]:
    """Σ |a_i − b_j| and Σ k_h(a_i, b_j) over all pairs, in chunks (no n×m matrix kept)."""
    dist_sum = 0.0
    kern = [0.0] * len(bandwidths)
    b_sq = (b * b).sum(1)
    for i in range(0, len(a), chunk):
        ab = a[i:i + chunk]
        d2 = np.maximum((ab * ab).sum(1)[:, None] + b_sq[None, :] - 2 * ab @ b.T, 0.0)
        dist_sum += float(np.sqrt(d2).sum())
        for j, h in enumerate(bandwidths):
            kern[j] += float(np.exp(-d2 / (2 * h * h)).sum())
    return dist_sum, kern


@dataclass(frozen=True)
class Quality2D:
    energy: float
    mmd2: dict[float, float]


def compare(x: np.ndarray, y: np.ndarray, bandwidths=BANDWIDTHS) -> Quality2D:
    """Energy distance and MMD² between two samples (standardized units)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, m = len(x), len(y)
    dxy, kxy = _pair_sums(x, y, bandwidths)
    dxx, kxx = _pair_sums(x, x, bandwidths)
    dyy, kyy = _pair_sums(y, y, bandwidths)
    energy = 2 * dxy / (n * m) - dxx / (n * n) - dyy / (m * m)  # V-statistic: never negative
    # MMD² unbiased: the within-set kernel sums include the n diagonal pairs (kernel 1): remove them
    mmd = {h: (kxx[j] - n) / (n * (n - 1)) + (kyy[j] - m) / (m * (m - 1)) - 2 * kxy[j] / (n * m)
           for j, h in enumerate(bandwidths)}
    return Quality2D(float(energy), {h: float(v) for h, v in mmd.items()})
