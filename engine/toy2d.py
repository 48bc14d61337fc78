"""Two-dimensional data sets for Problem 5: the toy-diffusion swiss roll (the default) and a few
classic toys, each standardized the way the notebook does it (one scalar mean, one scalar std).

Swiss roll (sklearn's definition, as in the notebook): u ~ U(0, 1), t = 1.5π(1 + 2u),
point (t cos t, t sin t) + N(0, noise²) per coordinate (the notebook keeps sklearn's first and
third coordinates). It is a continuous mixture of N(c(t), noise² I) along the curve c, which
:func:`swiss_roll_curve` discretizes for an exact score (engine.vp.MixtureScore).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput

DATASETS = ("swiss_roll", "two_moons", "eight_gaussians", "checkerboard")
DEFAULT_N = 100_000
SWISS_NOISE = 0.5


@dataclass(frozen=True)
class Standardizer:
    """x_std = (x − mean)/std with one scalar mean and one scalar std over all entries."""

    mean: float
    std: float

    @classmethod
    def fit(cls, x: np.ndarray) -> "Standardizer":
        return cls(float(x.mean()), float(x.std()))

    def forward(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return z * self.std + self.mean


def swiss_roll(n: int, rng: np.random.Generator, noise: float = SWISS_NOISE) -> np.ndarray:
    """(t cos t, t sin t) + N(0, noise²), t = 1.5π(1 + 2u), u ~ U(0, 1)."""
    t = 1.5 * math.pi * (1 + 2 * rng.random(n))
    x = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    return x + noise * rng.standard_normal((n, 2))


def swiss_roll_curve(n_points: int = 4000) -> np.ndarray:
    """The noiseless curve at n_points equally spaced values of t (equal weights: t is uniform)."""
    t = 1.5 * math.pi * (1 + 2 * (np.arange(n_points) + 0.5) / n_points)
    return np.stack([t * np.cos(t), t * np.sin(t)], axis=1)


def two_moons(n: int, rng: np.random.Generator, noise: float = 0.1) -> np.ndarray:
    """sklearn's two interleaving half circles, + N(0, noise²)."""
    n1 = n // 2
    a = math.pi * rng.random(n1)
    b = math.pi * rng.random(n - n1)
    upper = np.stack([np.cos(a), np.sin(a)], axis=1)
    lower = np.stack([1 - np.cos(b), 0.5 - np.sin(b)], axis=1)
    return np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))


def eight_gaussians(n: int, rng: np.random.Generator, radius: float = 2.0, std: float = 0.1) -> np.ndarray:
    """Eight N(center, std² I) on a circle of the given radius, equal weights."""
    k = rng.integers(0, 8, n)
    angle = 2 * math.pi * k / 8
    centers = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centers + std * rng.standard_normal((n, 2))


def checkerboard(n: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform on the black squares of a 4×4 board on [−2, 2]²."""
    x1 = rng.random(n) * 4 - 2
    col = rng.integers(0, 2, n) * 2  # 0 or 2: which of the two black squares in the row
    x2 = rng.random(n) - 2 + col + (np.floor(x1) % 2)
    return np.stack([x1, x2], axis=1)


_MAKERS = {"swiss_roll": swiss_roll, "two_moons": two_moons, "eight_gaussians": eight_gaussians,
           "checkerboard": checkerboard}


def make_dataset(name: str, n: int, seed: int) -> np.ndarray:
    """n points of a data set, in its original units (float64, shape (n, 2))."""
    if name not in _MAKERS:
        raise InvalidInput(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    if not isinstance(n, (int, np.integer)) or not 1 <= n <= 10**7:
        raise InvalidInput(f"the number of data points must be from 1 to 10^7, got {n!r}")
    return _MAKERS[name](int(n), np.random.default_rng(seed))
