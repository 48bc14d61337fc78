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


# ---- items 1–4: the notebook explained (tui/screens/p5_explain.md through tui.explain.explain_p5_code) ----
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from tui.explain import crossings_sentence, explain_p3, explain_p4, explain_p5_code  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CELLS = REPO / "docs" / "toy-diffusion" / "cells.txt"
SHARED = Path("/work/shared/toy-diffusion")


def notebook_cells() -> dict[int, str]:
    """cells.txt split into {cell number: its text}."""
    cells, number = {}, None
    for line in CELLS.read_text("utf-8").splitlines():
        m = re.match(r"--- cell (\d+) \[(\w+)\]", line)
        if m:
            number = int(m.group(1))
            cells[number] = ""
        elif number is not None:
            cells[number] += line + "\n"
    return cells


def attributed_quotes(text: str) -> list[tuple[int, str]]:
    """Every `code` chunk the text attributes to a cell ("cell N: `a` and `b`"): an attribution runs
    until a ')', ';', '|', '.' + space, or a blank line in the prose between chunks."""
    parts = text.split("`")
    out, cell = [], None
    for i, part in enumerate(parts):
        if i % 2 == 0:  # prose
            found = list(re.finditer(r"cell (\d+):", part))
            if found:
                cell = int(found[-1].group(1))
                tail = part[found[-1].end():]
            else:
                tail = part
            if re.search(r"[);|]|\.\s|\n\n", tail):
                cell = None
        elif cell is not None:
            out.append((cell, part))
    return out


def test_the_copied_notebook_is_the_shared_one():
    if not SHARED.exists():
        pytest.skip("the shared notebook folder is not on this machine")
    assert CELLS.read_text("utf-8") == (SHARED / "cells.txt").read_text("utf-8")


def test_item1_alpha_bar_39_is_computed_from_the_schedule():
    text = explain_p5_code()
    assert "0.0002" not in text  # the old, wrong ᾱ39
    f = lambda t: np.cos(((t / 40) + 0.008) / 1.008 * np.pi / 2) ** 2  # noqa: E731  (cell 8, independently)
    ab39, ab38 = f(39) / f(0), f(38) / f(0)
    assert f"ᾱ39 = {ab39:.3g}" in text and f"{ab39:.3g}" == "0.00152"
    assert f"ᾱ38 = {ab38:.3g}" in text and f"β39 = {1 - ab39 / ab38:.2f}" in text


def test_item2_every_quoted_line_is_verbatim_from_its_cell():
    text = explain_p5_code()
    cells = notebook_cells()
    quotes = attributed_quotes(text)
    assert len(quotes) >= 15, quotes
    for cell, code in quotes:
        assert code in cells[cell], (cell, code)
    assert ("8", "betas = 1 - baralphas / torch.concatenate([baralphas[0:1], baralphas[0:-1]])") in \
        [(str(c), q) for c, q in quotes]
    for paraphrase in ("alphas_cumprod", "noisy = ", "F.mse_loss", "make_swiss_roll(100_000"):
        assert paraphrase not in text


def test_item3_the_mixture_variance_is_given_in_both_units():
    from engine.toy2d import make_dataset

    text = explain_p5_code()
    raw = make_dataset("swiss_roll", 100_000, 0)
    s = float(np.std(raw))  # one scalar std over all entries, as cell 4's x.std()
    assert f"N((c(t) − m)/s, {0.25 / s**2:.2g} I)" in text and f"{0.25 / s**2:.2g}" == "0.0053"
    assert "N(c(t), 0.25 I) along the curve c — in the ORIGINAL units" in text


def test_item4_ddim_is_ours_and_faithful_draws_the_notebooks_10000():
    from engine.eps_net import NOTEBOOK_SAMPLES, fast, faithful, sample_count

    text = explain_p5_code()
    assert "the notebook has no DDIM" in text
    drawn = re.findall(r"sample_ddpm(?:_x0)?\(model, (\d+), 2\)", CELLS.read_text("utf-8"))
    assert drawn and {int(n) for n in drawn} == {NOTEBOOK_SAMPLES}
    assert sample_count(faithful()) == NOTEBOOK_SAMPLES == 10_000 and sample_count(fast()) == 4000
    assert "the `faithful` recipe here draws 10,000" in text
    for path in ("README.md", "tui/screens/p5_swiss.py", "tui/report_swiss.py", "engine/eps_net.py"):
        source = (REPO / path).read_text("utf-8")
        assert "every setting of the" not in source and "notebook exactly" not in source, path


# ---- item 5: the flow follows pt exactly only in continuous time from the exact p_T ----------------
def test_item5_the_histogram_sentence_is_qualified_and_quotes_the_budget():
    from engine.mixture import DEFAULT_MIXTURE
    from engine.walk import ErrorBudget, WalkSetup

    setup = WalkSetup(DEFAULT_MIXTURE, 100, 0.25)
    budget = {"deterministic": ErrorBudget("deterministic", 0.03, 0.1143, 0.12, 0.1031),
              "stochastic": ErrorBudget("stochastic", 0.05, 0.0502, 0.06, 0.0312)}
    text = explain_p3(setup, (0, 235), budget=None)
    assert "In continuous time and started from the exact p_T, the histogram" in text
    assert "from N(0, Tσ²) the flow carries the whole start error" in text
    with_numbers = explain_p3(setup, (0, 235), budget=budget)
    assert "the flow ends at W1 0.114 and the stochastic sampler at 0.050" in with_numbers
    assert "0.103 and 0.031" in with_numbers


# ---- item 8: W1 parts are not additive ------------------------------------------------------------
def test_item8_cli_budget_note_says_parts_can_be_negative_by_more_than_the_noise(capsys):
    # the budget table is laid out once (engine.problems.p3_walk); the command line prints its notes
    from engine.problems.p3_walk import WalkResult, WalkSettings
    from engine.score_net import Evaluation
    from engine.walk import ErrorBudget
    from tui.render import print_tables

    result = WalkResult(WalkSettings(mixture="1:0:1", T=10, sigma2=0.1), "p3", Evaluation((), {}, 10_000, "prior", 0),
                        {"stochastic": ErrorBudget("stochastic", 0.01, 0.11, 0.09, 0.1)})
    print_tables([result.budget_table()])
    out = " ".join(capsys.readouterr().out.split())
    assert "by up to the sampling noise" not in out
    assert "W1 is not additive" in out and "by more than the sampling noise" in out


# ---- item 9: P4's gap at t = 1 is weight sharing, not target noise ---------------------------------
def test_item9_p4_explanation_quotes_the_t1_errors_of_the_run_shown():
    from engine.mixture import DEFAULT_MIXTURE
    from engine.score_net import ScoreErrors
    from engine.walk import WalkSetup

    setup = WalkSetup(DEFAULT_MIXTURE, 100, 0.25)
    e3 = ScoreErrors(np.array([1, 12, 100]), np.array([0.474, 0.2, 0.1]))
    e4 = ScoreErrors(np.array([1, 12, 100]), np.array([0.064, 0.05, 0.02]))
    from engine.problems.p3_walk import Comparison

    text = explain_p4(setup, comparison=Comparison(e3, e4, None, None))
    assert "0.474 (P3) and 0.064 (P4), 7.4×" in text
    assert "the two targets are the same" in text and "shares its weights across t" in text
    other = explain_p4(setup, comparison=Comparison(e3, ScoreErrors(e4.t, e4.error * 2), None, None))
    assert "0.128 (P4), 3.7×" in other  # the numbers follow the run


# ---- item 10: the homework's words; the report's round trip; crossings counted one way ---------------
def test_item10_report_p1_says_underlie_all_and_the_round_trip_is_its_own_line():
    from tui.report import ReportContext, section_p1

    p1 = section_p1(ReportContext(seed=0))
    assert "only rules" not in p1 and "underlie all the probability calculations" in p1
    line = next(x for x in p1.splitlines() if "round trip  Σy" in x)
    assert line.startswith("- ") and ". But" not in line


def test_item10_crossings_are_counted_the_same_way_on_screen_and_in_the_report():
    import inspect

    from engine.problems import p3_walk
    from engine.walk import PATH_FRAMES, TRACKED_PATHS

    # screen and report both record paths with p3_walk.record_frames and its defaults
    assert p3_walk.FRAMES == PATH_FRAMES and TRACKED_PATHS == 12
    assert inspect.signature(p3_walk.record_frames).parameters["n_trajectories"].default == TRACKED_PATHS
    report_source = (REPO / "tui" / "report_walk.py").read_text("utf-8")
    assert "p3_walk.record_frames(" in report_source and "n_trajectories=" not in report_source
    sentence = crossings_sentence(235, (61, 12))
    assert sentence.startswith("235 crossings among 12 tracked paths") and "61 frames" in sentence


# ---- the notebook's loss curve beside ours ---------------------------------------------------------
def test_notebook_losses_are_the_printed_ones_and_ours_are_grouped_by_epoch():
    import json
    from types import SimpleNamespace

    from engine.eps_net import faithful
    from engine.notebook import NOTEBOOK_EPOCH_LOSSES, epoch_mean_losses, loss_curves

    assert len(NOTEBOOK_EPOCH_LOSSES) == 100
    assert round(NOTEBOOK_EPOCH_LOSSES[0], 3) == 0.736 and round(NOTEBOOK_EPOCH_LOSSES[99], 3) == 0.437
    if (SHARED / "swissRoll.ipynb").exists():
        nb = json.loads((SHARED / "swissRoll.ipynb").read_text("utf-8"))
        printed = "".join(nb["cells"][23]["outputs"][0]["text"])
        assert [float(v) for v in re.findall(r"loss = ([0-9.e-]+)", printed)] == list(NOTEBOOK_EPOCH_LOSSES)
    # 49 steps an epoch (⌈100000/2048⌉); the epoch's number is the plain mean of its batch losses
    losses = tuple(float(i) for i in range(98))
    trained = SimpleNamespace(settings=faithful(epochs=2), outcome=SimpleNamespace(losses=losses))
    curves = loss_curves(trained)
    assert curves.ours == (24.0, 73.0) and curves.notebook == NOTEBOOK_EPOCH_LOSSES
    assert epoch_mean_losses([1.0, 2.0, 3.0], 2) == (1.5, 3.0)


def test_p4_explanation_quotes_the_eps_form_check_of_the_run():
    from engine.mixture import DEFAULT_MIXTURE
    from engine.walk import EpsFormCheck, WalkSetup

    setup = WalkSetup(DEFAULT_MIXTURE, 40, 25 / 40)
    checks = (EpsFormCheck("stochastic", 0.1234, 0.1234, 2e-15), EpsFormCheck("deterministic", 0.0567, 0.0567, 0.0))
    line = next(x for x in explain_p4(setup, eps_forms=checks).splitlines() if x.startswith("**(3)"))
    assert "W1 0.1234 and 0.0567, every particle within 2.0e-15 of the score form's" in line
