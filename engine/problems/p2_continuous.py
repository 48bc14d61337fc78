"""Problem 2's workflow: settings → :class:`P2Result` (the exact p(x|y) of a Gaussian mixture
against the small-σ² approximation N(y + σ²∇log p(y), σ²), the error's rate, particles) → the
tables and curves every face shows.

    exact     p(x|y) = Σk πk N(x; mk, vk),  mk = (μk σ² + y sk²)/(sk² + σ²),  vk = sk²σ²/(sk² + σ²)
    approx    p(x|y) ≈ N(y + σ² ∇log p(y), σ²)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.mixture import (  # noqa: F401 - the component specs and the mixture text are P2's table
    COMPONENT, DEFAULT_MIXTURE, MAX_COMPONENTS, GaussianMixture, Row, component_value, mixture_rows, mixture_text,
)
from engine.posterior import (
    DEFAULT_SIGMA2, DEFAULT_Y, ErrorRates, ParticleCheck, PosteriorComparison, compare, error_rates,
    marginal_density, particles_near,
)
from engine.settings import SEED, Spec, check_fields, setting
from engine.tables import Column, Table, table

SIGMA2 = Spec("sigma2", "σ²", float, DEFAULT_SIGMA2, 1e-6, 100.0, help="noise variance of y = x + e",
              reason="The approximation is about small σ²: at 1e-6 its errors are already ~1e-12; above 100 "
                     "(σ = 10) the noise swamps the mixture and the numerical TV/KL stop being right "
                     "(σ² = 1000, y = −100 gives TV 0.63 for two densities that do not overlap).")
Y = Spec("y", "y", float, DEFAULT_Y, -1e6, 1e6, help="the observed y",
         reason="As far as a component's mean may be typed, so y can sit on any component.")
PARTICLES = Spec("particles", "N", int, 10**6, 1, 10**7, help="particles drawn from p(x) and moved by the noise",
                 reason="Each particle is a few float64 arrays: 10^7 take about a second and 0.3 GB; "
                        "more costs gigabytes without telling anything new.")


@dataclass(frozen=True)
class P2Settings:
    """p(x) as text ``w:mean:std,…``, the noise σ², the observed y, and the particles."""

    mixture: str = DEFAULT_MIXTURE.format()
    sigma2: float = setting(SIGMA2)
    y: float = setting(Y)
    particles: int = setting(PARTICLES)
    seed: int = setting(SEED)
    prior: GaussianMixture = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_fields(self)
        object.__setattr__(self, "prior", GaussianMixture.parse(self.mixture))

    @property
    def rows(self) -> tuple[Row, ...]:
        return mixture_rows(self.mixture)


@dataclass(frozen=True)
class P2Result:
    settings: P2Settings
    comparison: PosteriorComparison
    rates: ErrorRates
    particles: ParticleCheck | None

    @property
    def prior(self) -> GaussianMixture:
        return self.settings.prior

    # ---- tables -----------------------------------------------------------------------------------
    def posterior_table(self) -> Table:
        c = self.comparison
        return table("posterior", f"Backward conditional at y = {c.y:g}, σ² = {c.sigma2:g}, p(x) = {self.prior.format()}",
                     [Column(""), Column("mean", ".6g"), Column("variance", ".6g")],
                     [["exact p(x|y)", c.exact_mean, c.exact_variance],
                      ["N(y + σ²∇log p(y), σ²)", c.approx.mean, c.approx.variance],
                      ["error", c.mean_error, c.variance_error]],
                     notes=[f"TV {c.tv:.3g}, KL(exact ‖ approx) {c.kl:.3g}"])

    def components_table(self) -> Table:
        e = self.comparison.exact
        return table("components", "Exact posterior p(x|y), a mixture again",
                     [Column("k", "d"), Column("weight", ".4g"), Column("mean", ".6g"), Column("std", ".4g")],
                     [[k + 1, w, m, s] for k, (w, m, s) in enumerate(zip(e.weights, e.means, e.stds))])

    def errors_table(self) -> Table:
        r = self.rates
        rows: list[list[Any]] = [[f"{c.sigma2:g}", c.mean_error, c.variance_error, c.tv, c.kl] for c in r.rows]
        rows.append(["fitted rate", r.rate_mean, r.rate_variance, r.rate_tv, r.rate_kl])
        return table("errors", f"Error of the approximation against σ² at y = {r.y:g}",
                     [Column("σ²"), Column("|Δmean|", ".3g"), Column("|Δvar|", ".3g"), Column("TV", ".3g"),
                      Column("KL", ".3g")], rows,
                     notes=[explain_p2_rates(r)])

    def particles_table(self) -> Table | None:
        p = self.particles
        if p is None:
            return None
        return table("particles", f"Particles: N = {p.n_particles:,}, seed {p.seed}",
                     [Column("landed within", ".3g"), Column("landed", ",d"), Column("origins' mean", ".5g"),
                      Column("origins' variance", ".5g"), Column("exact mean", ".5g"), Column("exact variance", ".5g")],
                     [[p.window, p.n_selected, float(p.origins.mean()) if p.n_selected else None,
                       float(p.origins.var()) if p.n_selected > 1 else None,
                       self.comparison.exact_mean, self.comparison.exact_variance]])

    def tables(self) -> list[Table]:
        """Every table of Problem 2's answer."""
        particles = self.particles_table()
        return ([self.posterior_table(), self.components_table(), self.errors_table()]
                + ([particles] if particles else []))

    def summary(self) -> str:
        """Two lines: the exact posterior's moments against the approximation's, and the errors."""
        c = self.comparison
        return (f"exact mean {c.exact_mean:.5g}, var {c.exact_variance:.5g}  │  "
                f"approx mean {c.approx.mean:.5g}, var {c.approx.variance:.5g}\n"
                f"errors: |Δmean| {c.mean_error:.3g}  |Δvar| {c.variance_error:.3g}  TV {c.tv:.3g}  KL {c.kl:.3g}")

    # ---- curves for the plots ---------------------------------------------------------------------
    def density_curves(self, n: int = 241) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs over p(x)'s support (±4 std), p(x) and the noisy marginal p̃(y) = p ∗ N(0, σ²) on them."""
        lo, hi = self.prior.support(4.0)
        xs = np.linspace(lo, hi, n)
        return xs, self.prior.pdf(xs), marginal_density(self.prior, self.settings.sigma2).pdf(xs)

    def posterior_curves(self, n: int = 241) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs around both posteriors (±4.5 of the wider std), the exact p(x|y) and the approximation."""
        c = self.comparison
        sd = max(_spread(c), math.sqrt(c.approx.variance))
        center = 0.5 * (c.exact_mean + c.approx.mean)
        xs = np.linspace(center - 4.5 * sd, center + 4.5 * sd, n)
        return xs, c.exact.pdf(xs), c.approx.pdf(xs)

    def particle_histogram(self, bins: int = 40, n: int = 161):
        """(bin centres, density of the landed particles' origins, xs, exact, approx) over the exact
        posterior's ±4 std, or None when fewer than two particles landed."""
        p, c = self.particles, self.comparison
        if p is None or p.n_selected < 2:
            return None
        sd = _spread(c)
        lo, hi = c.exact_mean - 4 * sd, c.exact_mean + 4 * sd
        counts, edges = np.histogram(p.origins, bins=bins, range=(lo, hi))
        density = counts / (p.n_selected * (edges[1] - edges[0]))
        xs = np.linspace(lo, hi, n)
        return 0.5 * (edges[1:] + edges[:-1]), density, xs, c.exact.pdf(xs), c.approx.pdf(xs)

    # ---- the command line's JSON ------------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        c, rates, p = self.comparison, self.rates, self.particles
        out: dict[str, Any] = {
            "mixture": _mixture_json(self.prior), "sigma2": c.sigma2, "y": c.y,
            "exact": {**_mixture_json(c.exact), "mean": c.exact_mean, "variance": c.exact_variance},
            "approx": {"mean": c.approx.mean, "variance": c.approx.variance},
            "errors": {"mean": c.mean_error, "variance": c.variance_error, "tv": c.tv, "kl": c.kl},
            "rates": {
                "sigma2": [r.sigma2 for r in rates.rows], "mean_error": [r.mean_error for r in rates.rows],
                "variance_error": [r.variance_error for r in rates.rows],
                "tv": [r.tv for r in rates.rows], "kl": [r.kl for r in rates.rows],
                "rate_mean": rates.rate_mean, "rate_variance": rates.rate_variance,
                "rate_tv": rates.rate_tv, "rate_kl": rates.rate_kl,
                "fit_max_sigma2": rates.fit_max_sigma2,
                "leading_terms": rates.leading.as_dict() if rates.leading is not None else None,
                "predicted": ([rates.leading.predicted(r.sigma2) for r in rates.rows]
                              if rates.leading is not None else None),
            },
        }
        if p is not None:
            out["particles"] = {"n": p.n_particles, "seed": p.seed, "window": p.window, "selected": p.n_selected,
                                "mean": float(p.origins.mean()) if p.n_selected else None,
                                "variance": float(p.origins.var()) if p.n_selected > 1 else None}
        return out


def _spread(c: PosteriorComparison) -> float:
    """The exact posterior's standard deviation, never below its narrowest component's (the mixture's
    variance Σw(s² + m²) − (Σwm)² can cancel to ≤ 0 when the means are ~1e6 apart)."""
    return max(math.sqrt(max(c.exact_variance, 0.0)), min(c.exact.stds))


def _mixture_json(m: GaussianMixture) -> dict[str, list[float]]:
    return {"weights": list(m.weights), "means": list(m.means), "stds": list(m.stds)}


def compare_p2(settings: P2Settings, *, particles: bool = True) -> P2Result:
    """Compare the exact p(x|y) with the approximation at (σ², y), measure the error over σ² at y,
    and (with ``particles``) check with ``settings.particles`` particles where those landing at y came from."""
    s, prior = settings, settings.prior
    check = particles_near(prior, s.sigma2, s.y, n=s.particles, seed=s.seed) if particles else None
    return P2Result(s, compare(prior, s.sigma2, s.y), error_rates(prior, s.y), check)


def explain_p2_rates(rates) -> str:
    """Problem 2's error rates and their leading terms, from an engine.posterior.ErrorRates (plain text)."""
    lead = rates.leading
    fit = "all σ² shown" if rates.fit_max_sigma2 == float("inf") else f"σ² ≤ {rates.fit_max_sigma2:g}"
    text = (f"Fitted on {fit} at y = {rates.y:g}: error ∝ (σ²)^rate with TV {rates.rate_tv:.2f}, mean "
            f"{rates.rate_mean:.2f}, variance {rates.rate_variance:.2f}, KL {rates.rate_kl:.2f} (larger σ² are shown "
            "but not fitted: there the next order still bends the curve).")
    if lead is None:
        return text
    text += (f" With ℓ = log p at y (ℓ′ = {lead.dl1:.4g}, ℓ″ = {lead.dl2:.4g}, ℓ‴ = {lead.dl3:.4g}) the leading terms are: "
             f"mean error (exact − approx) σ⁴(ℓ‴/2 + ℓ′ℓ″) = {lead.mean_coefficient:.4g}·σ⁴, variance error (exact − σ²) σ⁴ℓ″ = {lead.dl2:.4g}·σ⁴, "
             f"TV ≈ φ(1)σ²|ℓ″| ≈ 0.242σ²|ℓ″| = {lead.tv(1.0):.4g}·σ², "
             f"KL ≈ σ⁴ℓ″²/4 = {lead.kl(1.0):.4g}·σ⁴. So TV ∝ σ² and variance, KL ∝ σ⁴ need ℓ″(y) ≠ 0, "
             "and the mean's σ⁴ needs ℓ‴/2 + ℓ′ℓ″ ≠ 0")
    if lead.curvature_vanishes():
        text += "; here ℓ″(y) = 0, so TV, variance and KL fall faster than that."
    elif lead.mean_term_vanishes():
        text += "; here ℓ‴/2 + ℓ′ℓ″ = 0, so the mean error falls faster than σ⁴."
    else:
        text += "."
    return text
