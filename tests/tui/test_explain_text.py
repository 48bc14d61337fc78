"""Issue 12: every sentence the app shows is true and every number in it comes from the run shown.

Each test would fail on the old text (the old phrase is asserted absent, the new numbers are recomputed
independently here)."""

from __future__ import annotations

import re

import pytest

from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.posterior import error_rates, leading_terms
from tui.explain import explain_p2_rates


# ---- item 7: Problem 2's rates --------------------------------------------------------------------
def test_p2_rates_text_is_fitted_asymptotically_and_gives_the_leading_terms():
    rates = error_rates(DEFAULT_MIXTURE, 1.0)
    text = explain_p2_rates(rates)
    assert "rate ≈ 1" not in text and "σ² ≤ 0.01" in text
    assert f"TV {rates.rate_tv:.2f}" in text and f"KL {rates.rate_kl:.2f}" in text
    lead = leading_terms(DEFAULT_MIXTURE, 1.0)
    for value in (lead.dl1, lead.dl2, lead.dl3, 0.5 * lead.dl3 + lead.dl1 * lead.dl2, lead.dl2**2 / 4):
        assert f"{value:.4g}" in text
    assert "ℓ″(y) ≠ 0" in text and "ℓ‴/2 + ℓ′ℓ″ ≠ 0" in text and "0.242" in text


def test_p2_rates_text_says_when_the_curvature_vanishes():
    prior = GaussianMixture.parse("0.5:-1.5:0.7,0.5:1.5:0.7")
    lo, hi = 0.0, 1.5
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if leading_terms(prior, mid).dl2 > 0 else (lo, mid)
    assert "here ℓ″(y) = 0" in explain_p2_rates(error_rates(prior, lo))
    assert "here ℓ‴/2 + ℓ′ℓ″ = 0" in explain_p2_rates(error_rates(prior, 0.0))
