"""Learning the score sθ(x, t) of the random walk (Problems 3 and 4): numpy on the CPU (engine.walk_net,
the same network as build_model's torch module, gradients by hand), torch on a GPU.

Two targets, one network:

    Problem 3 ("p3"):  L(θ) = E[(xt−1 − (xt + σ² sθ(xt, t)))²]
        Tweedie: E[xt−1 | xt] = xt + σ²∇log pt(xt), so the minimiser is sθ = ∇log pt.
    Problem 4 ("p4"):  L(θ) = E[(x0 − (xt + tσ² sθ(xt, t)))²],  i.e. εθ = −tσ² sθ and
        L = E[(εt − εθ(x0 + εt, t))²] with εt ~ N(0, tσ²); the minimiser is again ∇log pt.

Each t's term is rescaled (which leaves each t's minimiser unchanged) so that both targets put
the same weight on the score error: P3's by Var(pt)/σ⁴ and P4's by Var(pt)/(tσ²)², making the
expected excess loss Var(pt)·E(sθ − ∇log pt)² for both — the relative score error the oracle
measures. What then differs is only the noise of the regression target: Var(xt−1 | xt) = O(σ²)
against Var(x0 | xt), which for large t is far smaller relative to the signal (the homework's
"x0 is a better target").

The network is preconditioned with the known scale of pt: with vt = Var p0 + tσ²,
sθ(x, t) = fθ(x/√vt, log t/log(T+1))/√vt — a small MLP fθ then only learns an O(1) shape. Torch is imported
inside the functions, and only for a GPU, a checkpoint or homework_loss: ``hw7-tui p3``/``p4`` never
import it (that alone cost ~1 s of each run, more than the training).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import InvalidInput
from engine.settings import SEED, Spec, check_fields, setting
from engine.training import DEFAULT_THREADS, TrainOutcome, TrainProgress, run_training, torch_setup
from engine.walk import SIGMA2, T_STEPS, ErrorBudget, WalkSetup, marginal_at
from engine.walk_exact import ExactSide, QualityRow, exact_side

if TYPE_CHECKING:  # pragma: no cover
    import torch

TARGETS = ("p3", "p4")
GRID_POINTS = 1024  # GridScore: points per t
GRID_SPAN = 8.0  # GridScore: the grid covers pt's support ± this many standard deviations
LOSSES = ("homework", "balanced")
LOG_UNIFORM_SHARE = 0.9
"""The balanced loss draws this share of each batch's t log-uniformly, the rest uniformly. Chosen by
bench/sweep_p3p4.py on the tuning mixtures (see TrainSettings' comment): at ½ the P3 target's score
error at t = 1 was 0.67 (relative), at 0.9 0.12, with the P4 target no worse; all t keep P(t) > 0."""
CHECKPOINT_KIND = {"p3": "p3-score", "p4": "p4-score"}

TARGET = Spec("target", "target", str, "p3", choices=TARGETS,
              help="p3: regress xt−1 on xt + σ²sθ; p4: regress x0 on xt + tσ²sθ (the ε target)")
STEPS = Spec("steps", "steps", int, 1000, 1, 1_000_000, help="training steps (Adam, one batch each)",
             reason="About 1,500 steps a second on one core: 10⁶ steps is over ten minutes, long after the loss "
                    "stops improving.")
LR = Spec("lr", "lr", float, 2e-2, 0.0, 10.0, low_open=True, help="Adam's learning rate, decayed by a cosine",
          reason="Adam moves each weight by about lr a step: from about 1 on a run diverges, and the blow-up "
                 "guard stops it and says so; up to 10 is allowed so that this can be seen.")
BATCH = Spec("batch", "batch", int, 2048, 1, 1_000_000, help="samples of (x0, t) per training step",
             reason="At least one sample; 10⁶ a step already fills a gigabyte of activations.")
HIDDEN = Spec("hidden", "hidden width", int, 32, 4, 1024, help="width of the score network's hidden layers",
              reason="Fewer than 4 units cannot bend the score; 1024 is far more than a 1-D score needs.")
LOSS = Spec("loss", "loss", str, "balanced", choices=LOSSES,
            help="homework: the homework's L(θ) exactly (t uniform, no weights); balanced: each t weighted by "
                 f"Var(pt)/c², {LOG_UNIFORM_SHARE:.0%} of the t log-uniform (same minimiser)")


@dataclass(frozen=True)
class TrainSettings:
    """Everything that determines a trained score network (saved beside its weights)."""

    mixture: str
    T: int = setting(T_STEPS)
    sigma2: float = setting(SIGMA2)
    target: str = setting(TARGET)
    # loss: see train_score; checkpoints saved before this setting existed trained "balanced" (from_saved).
    # Defaults chosen by bench/sweep_p3p4.py (3 seeds × 5 mixtures × both targets): 1,000 steps of 2,048
    # examples at lr 0.02 on a 32-wide net kept both learned samplers within 1.5 × exact W1 + 0.03 in 30/30
    # runs (12/12 on the mixtures not tuned on, per target) in about a second of training; the homework's
    # unweighted loss at the same budget did not (t = 1's score error stays ~10× larger).
    # Issue 11 (numpy trainer, engine.walk_net; tuned on "default" and "three wide" only, the other five
    # mixtures of sweep_p3p4.py held out — "four narrow" and "wide+spike" added afterwards, never used to choose):
    #   sweep_p3p4.py --losses balanced --budgets 1000x2048@2e-2h32,1000x1024@2e-2h32,600x2048@2e-2h32,
    #                 1000x2048@2e-2h16        (then: no weight average, half the t log-uniform)
    #     P3 on the default mixture 2/3 · 1/3 · 0/3 · 0/3 seeds within the goal (P4 3/3 for all four):
    #     half the batch, 60 % of the steps or a 16-wide net lose P3.
    #   Same per-step cost, better steps: the moving average of the iterates (EMA_DECAY 0.99) → P3 3/3 on
    #   both tuning mixtures; then LOG_UNIFORM_SHARE ½ → 0.75 → 0.9 → 1: P3 score error on the default
    #   mixture 0.074 → 0.025 → 0.018 → 0.013 but deterministic W1 worse again at 1 (large t starved): 0.9.
    #   Check: sweep_p3p4.py --losses balanced --budgets 1000x2048@2e-2h32,1000x1024@2e-2h32
    #     within the goal in 21/21 runs per target and budget (7 mixtures × 3 seeds; 18/18 held out).
    #     1000x2048, mean of 3 seeds, learned W1 (exact) sto / det · score error (EMA and ½ log-uniform before):
    #       P3 default   0.121 (0.106) / 0.128 (0.119) · 0.018 (0.074)
    #       P3 4 narrow  0.231 (0.202) / 0.215 (0.149) · 0.136 (0.210)
    #       P4 default   0.108 (0.106) / 0.117 (0.119) · 0.0017 (0.0024)
    #       P4 4 narrow  0.214 (0.202) / 0.170 (0.149) · 0.026 (0.126)
    #     1000x1024 (half the training time) also passed 21/21 but with P3's score error 2–3× larger
    #     (default 0.048): the batch stays 2048, the margin is worth the ~0.4 s.
    loss: str = setting(LOSS)
    steps: int = setting(STEPS)
    lr: float = setting(LR)
    batch: int = setting(BATCH)
    hidden: int = setting(HIDDEN)
    seed: int = setting(SEED)

    def __post_init__(self) -> None:
        check_fields(self)  # the same Spec objects as the boxes and options (T and σ² are engine.walk's)
        self.setup()  # and the mixture

    def setup(self) -> WalkSetup:
        from engine.mixture import GaussianMixture

        return WalkSetup(GaussianMixture.parse(self.mixture), int(self.T), float(self.sigma2))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> "TrainSettings":
        """Settings read back from a checkpoint. A checkpoint written before the ``loss`` setting
        existed was trained with the balanced loss (the only one then), so that is what it gets."""
        return cls(**{"loss": "balanced", **saved})


def build_model(settings: TrainSettings, variance0: float) -> "torch.nn.Module":
    """sθ(x, t) = fθ(x/√vt, log t/log(T+1))/√vt with fθ an MLP 2 → hidden → hidden → hidden → 1 (SiLU)."""
    import torch
    from torch import nn

    class ScoreNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            h = settings.hidden
            self.f = nn.Sequential(nn.Linear(2, h), nn.SiLU(), nn.Linear(h, h), nn.SiLU(),
                                   nn.Linear(h, h), nn.SiLU(), nn.Linear(h, 1))
            self.register_buffer("v0", torch.tensor(float(variance0)))
            self.register_buffer("sigma2", torch.tensor(float(settings.sigma2)))
            self.register_buffer("T", torch.tensor(float(settings.T)))

        def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            v = self.v0 + t * self.sigma2
            scale = torch.rsqrt(v)
            inp = torch.stack([x * scale, torch.log(t) / torch.log(self.T + 1)], dim=-1)
            return self.f(inp).squeeze(-1) * scale

    return ScoreNet()


@dataclass(frozen=True)
class TrainedScore:
    """A trained network with the settings that made it and how training went.

    ``net`` (engine.walk_net.WalkNet, numpy) is what every evaluation calls; ``model`` is the same
    weights as build_model's torch module, made when first asked for (saving a checkpoint), so that
    training and evaluating never import torch."""

    settings: TrainSettings
    net: Any = None
    outcome: TrainOutcome | None = None
    device: str = "cpu"
    homework_losses: tuple[float, ...] = field(default=(), repr=False)
    """per-step loss in the homework's units (an estimate of L(θ) on each batch), whatever was trained"""

    @cached_property
    def model(self) -> "torch.nn.Module":
        """build_model's torch module holding ``net``'s weights (eval mode, on ``device``)."""
        from engine.checkpoint import as_tensors

        model = build_model(self.settings, self.settings.setup().p0.variance())
        model.load_state_dict(as_tensors(self.net.state_dict()))
        return model.eval().to(self.device)

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights to save (build_model's names; numpy arrays: saving imports no torch)."""
        return self.net.state_dict()

    @property
    def final_homework_loss(self) -> float:
        """The homework's L(θ) at the end of training: the mean of the last ≤ 100 steps' estimates."""
        tail = self.homework_losses[-100:]
        return float(np.mean(tail)) if tail else math.nan

    def score_fn(self, batch: int = 1 << 16) -> Callable[[np.ndarray, int], np.ndarray]:
        """sθ as a numpy score function s(x, t) for the samplers in engine.walk (float32 inside)."""

        def score(x: np.ndarray, t: int) -> np.ndarray:
            return self.score_at(np.asarray(x, dtype=float), np.full(np.shape(x), float(t)), batch).astype(float)

        return score

    def score_at(self, x: np.ndarray, t: np.ndarray, batch: int = 1 << 14) -> np.ndarray:
        """sθ(x_i, t_i) for arrays of points and steps (any t per point), as float32 (the numpy net,
        in chunks of ``batch`` points)."""
        x = np.ascontiguousarray(x, dtype=np.float32).ravel()
        t = np.ascontiguousarray(t, dtype=np.float32).ravel()
        out = np.empty(len(x), dtype=np.float32)
        for i in range(0, len(x), batch):
            out[i:i + batch] = self.net(x[i:i + batch], t[i:i + batch])
        return out

    def grid_score_fn(self, points: int = GRID_POINTS, span: float = GRID_SPAN) -> "GridScore":
        """sθ tabulated once on a grid per t and interpolated linearly (see GridScore); built once per
        (points, span) and kept (the weights of a TrainedScore do not change), so both samplers, the
        budget and Problem 4's ε forms share one table."""
        grids = self.__dict__.setdefault("_grids", {})
        key = (int(points), float(span))
        if key not in grids:
            grids[key] = GridScore.build(self, points, span)
        return grids[key]


@dataclass(frozen=True)
class GridScore:
    """sθ(·, t) evaluated once, for every t = 1..T in one batched pass, on `points` equally spaced x
    covering pt's support ± span standard deviations, then s(x, t) = linear interpolation.

    A reverse sampler then costs one network pass in all instead of one per step (200 passes of
    20,000 particles for the two samplers), and both samplers share it. Points outside a t's grid
    are sent to the network itself, so no particle is ever extrapolated. The interpolation error,
    |s_interp − sθ|·√Var(pt) (the score error's units) at the grid midpoints, is interpolation_error().
    """

    trained: "TrainedScore"
    lo: np.ndarray  # (T + 1,) grid start per t (index 0 unused)
    step: np.ndarray  # (T + 1,) grid spacing per t
    table: np.ndarray  # (T + 1, points) sθ on the grid
    points: int

    @classmethod
    def build(cls, trained: "TrainedScore", points: int = GRID_POINTS, span: float = GRID_SPAN) -> "GridScore":
        setup = trained.settings.setup()
        T = setup.T
        lo, hi = np.zeros(T + 1), np.ones(T + 1)
        for t in range(1, T + 1):
            lo[t], hi[t] = marginal_at(setup, t).support(span)
        u = np.linspace(0.0, 1.0, points)
        xs = lo[1:, None] + (hi - lo)[1:, None] * u[None, :]
        ts = np.broadcast_to(np.arange(1, T + 1, dtype=float)[:, None], xs.shape)
        table = np.zeros((T + 1, points))
        table[1:] = trained.score_at(xs, ts).reshape(T, points)
        return cls(trained, lo, (hi - lo) / (points - 1), table, points)

    def __call__(self, x: np.ndarray, t: int) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if not 1 <= t < len(self.lo):
            return self.trained.score_fn()(x, t)
        pos = (x - self.lo[t]) / self.step[t]
        i = np.clip(pos.astype(np.intp), 0, self.points - 2)
        frac = pos - i
        row = self.table[t]
        out = row[i] + frac * (row[i + 1] - row[i])
        outside = (pos < 0) | (pos > self.points - 1)
        if outside.any():
            out[outside] = self.trained.score_at(x[outside], np.full(int(outside.sum()), float(t)))
        return out

    def interpolation_error(self, ts: np.ndarray | None = None) -> float:
        """max over t in ts (default: 10 values from 1 to T) and over all grid midpoints of
        |s_interp − sθ|·√Var(pt): the interpolation's own error, in the score error's units."""
        if ts is None:
            return self._default_interpolation_error
        return self._interpolation_error(ts)

    @cached_property
    def _default_interpolation_error(self) -> float:
        return self._interpolation_error(None)

    def _interpolation_error(self, ts: np.ndarray | None) -> float:
        setup = self.trained.settings.setup()
        T = len(self.lo) - 1
        ts = np.unique(np.linspace(1, T, 10).round().astype(int)) if ts is None else np.asarray(ts, dtype=int)
        mids = self.lo[ts, None] + self.step[ts, None] * (np.arange(self.points - 1)[None, :] + 0.5)
        exact = self.trained.score_at(mids, np.broadcast_to(ts[:, None].astype(float), mids.shape)).reshape(mids.shape)
        worst = 0.0
        for k, t in enumerate(ts):
            err = np.abs(self(mids[k], int(t)) - exact[k]) * math.sqrt(marginal_at(setup, int(t)).variance())
            worst = max(worst, float(err.max()))
        return worst


def _sample_p0(p0, n: int, gen: "torch.Generator", device) -> "torch.Tensor":
    import torch

    w = torch.tensor(p0.weights, dtype=torch.float32, device=device)
    mu = torch.tensor(p0.means, dtype=torch.float32, device=device)
    sd = torch.tensor(p0.stds, dtype=torch.float32, device=device)
    k = torch.multinomial(w, n, replacement=True, generator=gen)
    return mu[k] + sd[k] * torch.randn(n, generator=gen, device=device)


def _log_uniform_count(n: int) -> int:
    """How many of a batch of n t's are log-uniform (the rest are uniform)."""
    return int(round(n * LOG_UNIFORM_SHARE))


def _sample_t(T: int, n: int, gen: "torch.Generator", device, loss: str = "balanced") -> "torch.Tensor":
    """t in 1..T. homework: uniform (the homework's average over t). balanced: LOG_UNIFORM_SHARE of them
    log-uniformly, the rest uniformly, so the small t — where pt has the most structure and the last,
    decisive reverse steps happen — get enough examples. Each t's minimiser (∇log pt) does not depend
    on how often t is drawn; the probability of each t is t_probabilities()."""
    import torch

    if loss == "homework":
        return torch.randint(1, T + 1, (n,), generator=gen, device=device).float()
    k = _log_uniform_count(n)
    uniform = torch.randint(1, T + 1, (n - k,), generator=gen, device=device).float()
    log_u = torch.exp(torch.rand(k, generator=gen, device=device) * math.log(T + 1)).floor().clamp(1, T)
    return torch.cat([uniform, log_u])


def t_probabilities(T: int, loss: str) -> np.ndarray:
    """P(t = k), k = 1..T, of _sample_t: homework 1/T; balanced (1 − a)·1/T + a·log((k+1)/k)/log(T+1)
    with a = LOG_UNIFORM_SHARE (⌊exp(U log(T+1))⌋ = k exactly when U ∈ [log k, log(k+1))/log(T+1))."""
    k = np.arange(1, T + 1, dtype=float)
    uniform = np.full(T, 1.0 / T)
    if loss == "homework":
        return uniform
    a = LOG_UNIFORM_SHARE
    return (1 - a) * uniform + a * np.log((k + 1) / k) / math.log(T + 1)


def _pairs(settings: TrainSettings, p0, n: int, gen: "torch.Generator", dev, t: "torch.Tensor"):
    """(target, xt, c) for a batch: the homework's regression is target ≈ xt + c·sθ(xt, t).
    p3: xt−1 = x0 + √((t−1)σ²) z1, xt = xt−1 + σ z2, target xt−1, c = σ²
    p4: xt = x0 + √(tσ²) z, target x0, c = tσ²"""
    import torch

    s2 = settings.sigma2
    x0 = _sample_p0(p0, n, gen, dev)
    if settings.target == "p3":
        x_prev = x0 + torch.sqrt((t - 1) * s2) * torch.randn(n, generator=gen, device=dev)
        xt = x_prev + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev)
        return x_prev, xt, torch.full_like(t, s2)
    var = t * s2
    return x0, x0 + torch.sqrt(var) * torch.randn(n, generator=gen, device=dev), var


def _sample_t_np(T: int, n: int, rng: np.random.Generator, loss: str = "balanced", rows: int = 1) -> np.ndarray:
    """_sample_t with a numpy generator, for ``rows`` batches of n at once ((rows, n) float32): the same
    law, t_probabilities() (balanced: in each batch the first n − k uniform, the last k log-uniform,
    k = _log_uniform_count(n))."""
    if loss == "homework":
        return rng.integers(1, T + 1, (rows, n)).astype(np.float32)
    k = _log_uniform_count(n)
    t = np.empty((rows, n), dtype=np.float32)
    t[:, :n - k] = rng.integers(1, T + 1, (rows, n - k))
    t[:, n - k:] = np.clip(np.floor(np.exp(rng.random((rows, k)) * math.log(T + 1))), 1, T)
    return t


def _pairs_np(settings: TrainSettings, p0, rng: np.random.Generator, t: np.ndarray):
    """_pairs with a numpy generator (float32, any shape of t): (target, xt, c), target ≈ xt + c·sθ(xt, t)."""
    f32 = np.float32
    shape = t.shape
    k = np.minimum(np.searchsorted(np.cumsum(p0.weights), rng.random(shape) * float(np.sum(p0.weights))),
                   len(p0.weights) - 1)
    x0 = (np.asarray(p0.means, dtype=f32)[k]
          + np.asarray(p0.stds, dtype=f32)[k] * rng.standard_normal(shape, dtype=f32))
    s2 = f32(settings.sigma2)
    if settings.target == "p3":
        x_prev = x0 + np.sqrt((t - 1) * s2) * rng.standard_normal(shape, dtype=f32)
        xt = x_prev + np.sqrt(s2) * rng.standard_normal(shape, dtype=f32)
        return x_prev, xt, np.full(shape, s2, dtype=f32)
    var = t * s2
    return x0, x0 + np.sqrt(var) * rng.standard_normal(shape, dtype=f32), var


def train_score(settings: TrainSettings, *, threads: int = DEFAULT_THREADS, device: str = "cpu",
                on_progress: Callable[[TrainProgress], Any] | None = None,
                should_stop: Callable[[], bool] | None = None, backend: str | None = None) -> TrainedScore:
    """Train sθ with the Problem 3 or Problem 4 target (Adam, cosine-decayed rate, seeded); the weights
    kept are the moving average of the iterates (EMA_DECAY) unless the run diverged.

    The homework's per-example term is ℓ = (target − (xt + c·sθ(xt, t)))², with
    p3: target xt−1, c = σ²;   p4: target x0, c = tσ²   (see _pairs).
    loss "homework": L(θ) = mean of ℓ over t ~ U{1..T} — the homework's L(θ) exactly.
    loss "balanced": t log-uniform (LOG_UNIFORM_SHARE of them) or uniform, ℓ weighted by Var(pt)/c², i.e. Var(pt)/σ⁴ (p3)
        or Var(pt)/(tσ²)² (p4): the excess loss is then Var(pt)·(sθ − ∇log pt)² at every t.
    Either way the per-step loss is also recorded in the homework's units (homework_losses): the
    batch mean of ℓ·(1/T)/P(t), an unbiased estimate of L(θ) for the batch's weights; on_progress
    reports that value (outcome.losses / final_loss stay in the trained loss's own units).

    backend "numpy" (the default on the CPU: engine.walk_net, no torch imported) or "torch" (the
    default on a GPU): the same network, loss, Adam and schedule; their random draws differ.
    """
    backend = backend or ("numpy" if device == "cpu" else "torch")
    if backend not in ("numpy", "torch"):
        raise InvalidInput(f"backend must be 'numpy' or 'torch', got {backend!r}")
    if backend == "torch":
        return _train_torch(settings, threads=threads, device=device, on_progress=on_progress,
                            should_stop=should_stop)
    if device != "cpu":
        raise InvalidInput(f"the numpy backend trains on the CPU only, not on {device!r}")
    from engine.blas import set_blas_threads

    if threads < 1:
        raise InvalidInput(f"threads must be ≥ 1, got {threads}")
    set_blas_threads(threads)
    return _train_numpy(settings, on_progress=on_progress, should_stop=should_stop)


EMA_DECAY = 0.99
"""The trained weights are the exponential moving average of Adam's iterates, θ̄ ← d θ̄ + (1 − d) θ with
d = min(0.99, (1 + k)/(10 + k)) after step k (averages the steps' noise away at no extra gradient cost).
Chosen by bench/sweep_p3p4.py: at the default budget the P3 target's samplers met the goal in 3/3 seeds
on the default mixture with it, 2/3 without (see TrainSettings' comment)."""
BLOCK = 32  # _train_numpy draws the random numbers of this many steps at once


def ema_decay(step: int) -> float:
    """d after step ``step`` (0-based) of the weights' moving average (EMA_DECAY, warmed up)."""
    return min(EMA_DECAY, (1 + step) / (10 + step))


def _train_numpy(settings: TrainSettings, *, on_progress: Callable[[TrainProgress], Any] | None = None,
                 should_stop: Callable[[], bool] | None = None, report_every_s: float = 0.05) -> TrainedScore:
    """train_score on the CPU with engine.walk_net: the loop of engine.training.run_training (stop asked
    before every step, progress every report_every_s, a non-finite loss restores the last good weights)
    and BlowUpGuard's rule (a loss > FACTOR × the lowest restores the weights of the lowest)."""
    from engine.training import TrainOutcome
    from engine.walk_net import FlatAdam, WalkNet

    if settings.steps < 1:
        raise InvalidInput(f"steps must be ≥ 1, got {settings.steps}")
    setup = settings.setup()
    rng = np.random.default_rng(settings.seed)
    v0 = setup.p0.variance()
    net = WalkNet.init(settings.hidden, v0, settings.sigma2, setup.T, rng)
    opt = FlatAdam(net.theta, settings.lr)
    lr0, lr_min, steps = settings.lr, settings.lr * 0.05, settings.steps
    T, n = setup.T, settings.batch
    to_homework = (1.0 / (T * t_probabilities(T, settings.loss))).astype(np.float32)
    grad = np.empty_like(net.theta)
    ema = net.theta.copy()
    good, best_theta = net.theta.copy(), net.theta.copy()
    best, best_step, tripped = math.inf, -1, None
    losses: list[float] = []
    homework_losses: list[float] = []
    status, message = "done", ""
    start = time.perf_counter()
    last_report = -math.inf

    def report(step: int, now: float) -> None:
        if on_progress is not None:
            loss = homework_losses[step - 1] if step > 0 else math.nan
            on_progress(TrainProgress(step, steps, loss, now - start))

    for step in range(steps):
        if should_stop is not None and should_stop():
            status, message = "cancelled", f"cancelled after {step} of {steps} steps"
            break
        if step % BLOCK == 0:  # the random draws of BLOCK steps at once (one numpy call each, not BLOCK)
            rows = min(BLOCK, steps - step)
            ts = _sample_t_np(T, n, rng, settings.loss, rows)
            targets, xts, cs = _pairs_np(settings, setup.p0, rng, ts)
            ws = None if settings.loss == "homework" else (v0 + ts * np.float32(settings.sigma2)) / (cs * cs)
            to_hw = to_homework[ts.astype(np.intp) - 1]
        i = step % BLOCK
        t, target, xt, c = ts[i], targets[i], xts[i], cs[i]
        with np.errstate(all="ignore"):
            value, ell = net.loss_and_grad(xt, t, target, c, None if ws is None else ws[i], grad)
            homework_losses.append(float(np.dot(ell, to_hw[i])) / n)
        if math.isfinite(value) and value > BlowUpGuard.FACTOR * best:
            tripped = (step, value)
            status = "diverged"
            break
        if not math.isfinite(value):
            status = "diverged"
            message = (f"loss became {value} at step {step + 1}: the learning rate is too large; "
                       f"kept the weights of step {step}")
            break
        if value < best:  # these weights (before this step's update) gave the lowest loss yet
            best, best_step = value, step
            np.copyto(best_theta, net.theta)
        np.copyto(good, net.theta)  # the weights that produced this finite loss are the last good ones
        with np.errstate(all="ignore"):
            opt.step(grad)
            ema += (1 - ema_decay(step)) * (net.theta - ema)
        opt.lr = lr_min + (lr0 - lr_min) * 0.5 * (1 + math.cos(math.pi * min(step + 1, steps) / steps))
        losses.append(value)
        now = time.perf_counter()
        if on_progress is not None and now - last_report >= report_every_s:
            last_report = now
            report(step + 1, now)
    if status != "diverged":
        np.copyto(net.theta, ema)
    if tripped is not None:
        np.copyto(net.theta, best_theta)
        message = (f"loss jumped to {tripped[1]:.3g} at step {tripped[0] + 1} (lowest {best:.3g}): the learning "
                   f"rate is too large; kept the weights of step {best_step}")
    elif status == "diverged" or not np.isfinite(net.theta).all():
        np.copyto(net.theta, good)
        if status != "diverged":
            status, message = "diverged", "parameters became non-finite; kept the last good weights"
    elapsed = time.perf_counter() - start
    report(len(losses), time.perf_counter())
    outcome = TrainOutcome(status, len(losses), steps, losses[-1] if losses else math.nan, elapsed, tuple(losses),
                           message)
    return TrainedScore(settings, net, outcome, "cpu", tuple(homework_losses[:len(losses)]))


def _train_torch(settings: TrainSettings, *, threads: int = DEFAULT_THREADS, device: str = "cpu",
                 on_progress: Callable[[TrainProgress], Any] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> TrainedScore:
    """train_score with torch (backend "torch"): build_model, engine.training's Adam and loop."""
    import torch

    from engine.training import Adam, CosineRate
    from engine.walk_net import WalkNet

    dev = torch_setup(threads, device, settings.seed)
    setup = settings.setup()
    model = build_model(settings, setup.p0.variance()).to(dev)
    gen = torch.Generator(device=dev).manual_seed(settings.seed)
    opt = Adam(model.parameters(), lr=settings.lr)
    sched = CosineRate(opt, settings.steps, settings.lr * 0.05)
    T, n = setup.T, settings.batch
    v0 = setup.p0.variance()
    # importance weights (1/T)/P(t) that turn a batch mean into the homework's uniform-t average
    to_homework = torch.as_tensor(1.0 / (T * t_probabilities(T, settings.loss)), dtype=torch.float32, device=dev)
    homework_losses: list[float] = []

    guard = BlowUpGuard(model)

    def loss_at(step: int) -> torch.Tensor:
        t = _sample_t(T, n, gen, dev, settings.loss)
        target, xt, c = _pairs(settings, setup.p0, n, gen, dev, t)
        ell = (target - xt - c * model(xt, t)) ** 2
        with torch.no_grad():
            homework_losses.append(float((ell * to_homework[t.long() - 1]).mean()))
        if settings.loss == "homework":
            loss = ell.mean()
        else:
            loss = (ell * ((v0 + t * settings.sigma2) / c**2)).mean()
        return guard.check(step, loss)

    def progress_in_homework_units(p: TrainProgress) -> None:
        # progress (the screens' loss curve, the CLI's bar) is shown in the homework's units, whatever is trained
        if on_progress is not None:
            on_progress(replace(p, loss=homework_losses[p.step - 1]) if 0 < p.step <= len(homework_losses) else p)

    params = list(model.parameters())
    ema = [p.detach().clone() for p in params]

    class RateAndAverage:  # run_training calls step() after each optimizer step
        k = 0

        def step(self) -> None:
            sched.step()
            with torch.no_grad():
                torch._foreach_lerp_(ema, params, 1 - ema_decay(self.k))
            self.k += 1

    outcome = run_training(model, opt, loss_at, settings.steps, on_progress=progress_in_homework_units,
                           should_stop=should_stop, scheduler=RateAndAverage())
    if outcome.status != "diverged":
        with torch.no_grad():
            for p, e in zip(params, ema):
                p.copy_(e)
    outcome = guard.finish(outcome)
    model.eval()
    trained = TrainedScore(settings, WalkNet.from_state_dict(model.state_dict()), outcome, str(dev),
                           tuple(homework_losses[:outcome.steps_done]))
    trained.__dict__["model"] = model  # the torch module itself (cached_property's slot)
    return trained


class BlowUpGuard:
    """Catches a learning rate that is too large even when the loss stays finite (Adam keeps the
    weights finite, so the loss can sit at 10¹⁵ without ever becoming NaN).

    A step whose loss exceeds FACTOR × the lowest loss seen so far counts as diverged: its loss is
    handed to run_training as +∞ (which stops the run), and finish() puts back the weights that
    gave the lowest loss. Honest batch losses vary by a factor of a few, never by FACTOR.
    """

    FACTOR = 1e4

    def __init__(self, model: "torch.nn.Module") -> None:
        self.model = model
        self.best = math.inf
        self.best_step = -1
        self.best_state: dict | None = None
        self.tripped: tuple[int, float] | None = None

    def check(self, step: int, loss: "torch.Tensor") -> "torch.Tensor":
        import torch

        value = float(loss.detach())
        if math.isfinite(value) and value > self.FACTOR * self.best:
            self.tripped = (step, value)
            return torch.full_like(loss, math.inf)
        if value < self.best:  # these weights (before this step's update) gave the lowest loss yet
            self.best, self.best_step = value, step
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        return loss

    def finish(self, outcome: TrainOutcome) -> TrainOutcome:
        from dataclasses import replace

        if self.tripped is None or outcome.status != "diverged" or self.best_state is None:
            return outcome
        self.model.load_state_dict(self.best_state)
        step, value = self.tripped
        return replace(outcome, message=(
            f"loss jumped to {value:.3g} at step {step + 1} (lowest {self.best:.3g}): the learning rate is too "
            f"large; kept the weights of step {self.best_step}"))


def expected_weights(settings: TrainSettings) -> dict[str, np.ndarray]:
    """The names and shapes of build_model's weights, with the buffers its settings make (v0, σ², T),
    as arrays — what a checkpoint must hold to fit these settings (built without torch)."""
    from engine.walk_net import WalkNet

    return WalkNet(np.zeros(WalkNet.size(settings.hidden)), settings.hidden, settings.setup().p0.variance(),
                   settings.sigma2, settings.T).state_dict()


def check_fits(settings: TrainSettings, state_dict: dict, *, finite: bool = False) -> None:
    """InvalidInput (one line) unless these weights fit the model these settings build: names,
    shapes, and the buffers made from the settings — cheap enough to ask before changing anything."""
    from engine.checkpoint import check_weights
    from engine.walk_net import BUFFERS

    check_weights(expected_weights(settings), state_dict, finite=finite, buffers=BUFFERS)


def load_trained(settings: TrainSettings, state_dict: dict, device: str = "cpu") -> TrainedScore:
    """Rebuild a trained score network from a checkpoint's weights (arrays or tensors), checked first
    (shapes, finite values, settings-made buffers: one line, nothing changed). The numpy net is what
    evaluates it (numpy's BLAS set to one thread, as for training); no torch is imported — the torch
    module (``model``) is made only when asked for."""
    from engine.blas import set_blas_threads
    from engine.walk_net import WalkNet

    set_blas_threads(DEFAULT_THREADS)
    check_fits(settings, state_dict, finite=True)
    return TrainedScore(settings, WalkNet.from_state_dict(state_dict), None, device)


@dataclass(frozen=True)
class ScoreErrors:
    """Relative squared error of a learned score against the oracle, per t:
    E_{x~pt}[(sθ(x,t) − ∇log pt(x))²] · vt  (vt = Var pt, so every t is on the same scale),
    estimated on n fresh samples per t; stderr is each estimate's standard error (std of the
    per-sample terms / √n)."""

    t: np.ndarray
    error: np.ndarray
    stderr: np.ndarray | None = None
    n: int = 0

    @property
    def mean(self) -> float:
        return float(np.mean(self.error))

    @property
    def mean_stderr(self) -> float:
        """Standard error of `mean` (the t's samples are independent)."""
        if self.stderr is None:
            return math.nan
        return float(np.sqrt(np.sum(np.asarray(self.stderr) ** 2)) / len(self.error))


def score_errors(trained: TrainedScore, n: int = 4000, n_t: int = 10, seed: int = 0,
                 should_stop: Callable[[], bool] | None = None) -> ScoreErrors:
    """Measure sθ against the exact score on n fresh samples of pt at n_t values of t (one network pass).
    ``should_stop`` is asked before the pass and before each t's comparison (InterruptedError when it
    says stop)."""
    if should_stop is not None and should_stop():
        raise InterruptedError("evaluation cancelled")
    setup = trained.settings.setup()
    rng = np.random.default_rng(seed)
    ts = np.unique(np.linspace(1, setup.T, n_t).round().astype(int))
    marginals = [marginal_at(setup, int(t)) for t in ts]
    xs = np.stack([pt.sample(n, rng) for pt in marginals])
    learned = trained.score_at(xs, np.broadcast_to(ts[:, None].astype(float), xs.shape)).reshape(xs.shape)
    errs, ses = [], []
    for k, pt in enumerate(marginals):
        if should_stop is not None and should_stop():
            raise InterruptedError("evaluation cancelled")
        terms = (learned[k].astype(float) - pt.score(xs[k])) ** 2 * pt.variance()
        errs.append(float(terms.mean()))
        ses.append(float(terms.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan)
    return ScoreErrors(ts, np.array(errs), np.array(ses), n)


@dataclass(frozen=True)
class LossEstimate:
    """A Monte Carlo estimate with its standard error."""

    value: float
    stderr: float
    n: int


def homework_loss(trained: TrainedScore, n: int = 100_000, seed: int = 0) -> LossEstimate:
    """The homework's L(θ) for the trained network, on n fresh examples, t ~ U{1..T}, no weights:
    p3  E[(xt−1 − (xt + σ² sθ(xt, t)))²],   p4  E[(x0 − (xt + tσ² sθ(xt, t)))²]."""
    import torch

    s = trained.settings
    setup = s.setup()
    gen = torch.Generator().manual_seed(int(seed) + 7919)
    with torch.inference_mode():
        t = _sample_t(setup.T, n, gen, "cpu", "homework")
        target, xt, c = _pairs(s, setup.p0, n, gen, "cpu", t)
        ell = ((target - xt - c * trained.model.to("cpu")(xt, t)) ** 2).double()
        trained.model.to(trained.device)
    return LossEstimate(float(ell.mean()), float(ell.std() / math.sqrt(n)), n)


def steps_per_second(settings: TrainSettings, threads: int, steps: int = 200) -> float:
    """Training speed at a thread count (for bench/): steps/s over a short run."""
    short = TrainSettings(**{**settings.as_dict(), "steps": steps})
    start = time.perf_counter()
    out = train_score(short, threads=threads)
    return out.outcome.steps_done / (time.perf_counter() - start)


@dataclass(frozen=True)
class Evaluation:
    """Samples of x0 from the learned score and the quality table (learned/exact × sampler), with
    each sampler's error budget (when asked for) and the learned score's interpolation error."""

    rows: tuple[QualityRow, ...]
    samples: dict[str, np.ndarray]  # method → x0 from the learned score
    n: int
    start: str
    seed: int
    budget: dict[str, ErrorBudget] | None = None  # method → W1 budget (engine.walk.ErrorBudget)
    interpolation_error: float | None = None  # GridScore.interpolation_error (None: sθ called directly)

    def row(self, score: str, method: str) -> QualityRow:
        return next(r for r in self.rows if r.score == score and r.method == method)


def evaluate(trained: TrainedScore, n: int = 20_000, seed: int = 0, start: str = "prior",
             methods: tuple[str, ...] = ("stochastic", "deterministic"), *, exact: ExactSide | None = None,
             budget: bool = True, grid: bool = True, should_stop: Callable[[], bool] | None = None) -> Evaluation:
    """Sample n particles with the learned and the exact score by each method (same seed, same
    start) and measure W1 and TV to p0; with `budget`, also each method's error budget.

    The exact side (exact-score rows and the budget's exact parts) does not depend on the model:
    pass it in (engine.walk_exact.exact_side with the same setup, n, seed, start) to skip it here.
    The learned score is tabulated once on a grid and interpolated (grid=True, see GridScore; the
    interpolation error is returned) — or called at every step (grid=False). The budget's "with
    learned" W1 is the learned sampler from N(0, Tσ²): the quality table's own run when start is
    "prior", so nothing is sampled twice. ``should_stop`` is asked at every sampling step
    (InterruptedError when it says stop).
    """
    from engine.walk import sample, tv_histogram, wasserstein1

    setup = trained.settings.setup()
    if exact is None or not exact.matches(setup, n, seed, start) or any(m not in exact.parts for m in methods):
        exact = exact_side(setup, n, seed, start, methods, should_stop=should_stop)
    fn = trained.grid_score_fn() if grid else trained.score_fn()
    rows, samples, budgets = [], {}, {}
    for method in methods:
        x0 = sample(setup, fn, n, method=method, start=start, seed=seed, max_frames=2, should_stop=should_stop).x0
        samples[method] = x0
        rows.append(QualityRow("learned", method, wasserstein1(x0, setup.p0), tv_histogram(x0, setup.p0)))
        if budget:
            with_learned = rows[-1].w1 if start == "prior" else wasserstein1(
                sample(setup, fn, n, method=method, start="prior", seed=seed, max_frames=2,
                       should_stop=should_stop).x0, setup.p0)
            budgets[method] = exact.parts[method].budget(method, with_learned)
    rows += [exact.row(m) for m in methods]
    return Evaluation(tuple(rows), samples, n, start, seed, budgets if budget else None,
                      fn.interpolation_error() if grid else None)


# ---- the evaluation stored beside a checkpoint's weights ------------------------------------------
def evaluation_metrics(ev: Evaluation, errors: ScoreErrors | None = None) -> dict[str, Any]:
    """The quality table, the budget and the score error as plain values for a checkpoint's metrics
    (engine.checkpoint.save_checkpoint(..., metrics=...)), so a loaded model shows its numbers without
    sampling again. evaluation_from_metrics reads them back (the samples themselves are not kept)."""
    out: dict[str, Any] = {
        "n": ev.n, "start": ev.start, "seed": ev.seed, "interpolation_error": ev.interpolation_error,
        "rows": [[r.score, r.method, r.w1, r.tv] for r in ev.rows],
        "budget": None if ev.budget is None else {
            m: [b.discretization, b.with_prior, b.with_learned, b.prior_limit] for m, b in ev.budget.items()},
    }
    if errors is not None:
        out["score_error"] = {"t": [int(t) for t in errors.t], "error": [float(e) for e in errors.error],
                              "stderr": None if errors.stderr is None else [float(e) for e in errors.stderr],
                              "n": errors.n}
    return {"evaluation": out}


def evaluation_from_metrics(metrics: dict[str, Any]) -> tuple[Evaluation, ScoreErrors | None] | None:
    """(Evaluation without samples, ScoreErrors or None) from evaluation_metrics' dict; None when the
    checkpoint holds no evaluation (older checkpoints) or it is not readable."""
    d = metrics.get("evaluation") if isinstance(metrics, dict) else None
    if not isinstance(d, dict):
        return None
    try:
        rows = tuple(QualityRow(str(s), str(m), float(w), float(tv)) for s, m, w, tv in d["rows"])
        budget = None if d.get("budget") is None else {
            m: ErrorBudget(m, float(a), float(b), None if c is None else float(c), None if p is None else float(p))
            for m, (a, b, c, p) in d["budget"].items()}
        ev = Evaluation(rows, {}, int(d["n"]), str(d["start"]), int(d["seed"]), budget, d.get("interpolation_error"))
        e = d.get("score_error")
        errors = None if e is None else ScoreErrors(
            np.array(e["t"], dtype=int), np.array(e["error"], dtype=float),
            None if e.get("stderr") is None else np.array(e["stderr"], dtype=float), int(e.get("n", 0)))
    except (KeyError, TypeError, ValueError):
        return None
    return ev, errors
