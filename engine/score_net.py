"""Learning the score sθ(x, t) of the random walk (Problems 3 and 4), in torch.

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
inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.settings import SEED, Spec, check_fields, setting
from engine.training import DEFAULT_THREADS, TrainOutcome, TrainProgress, run_training, torch_setup
from engine.walk import SIGMA2, T_STEPS, WalkSetup, marginal_at

if TYPE_CHECKING:  # pragma: no cover
    import torch

TARGETS = ("p3", "p4")
CHECKPOINT_KIND = {"p3": "p3-score", "p4": "p4-score"}

TARGET = Spec("target", "target", str, "p3", choices=TARGETS,
              help="p3: regress xt−1 on xt + σ²sθ; p4: regress x0 on xt + tσ²sθ (the ε target)")
STEPS = Spec("steps", "steps", int, 8000, 1, 1_000_000, help="training steps (Adam, one batch each)",
             reason="About 500 steps/s on one core: 10⁶ steps is half an hour, long after the loss stops improving.")
LR = Spec("lr", "lr", float, 3e-3, 0.0, 10.0, low_open=True, help="Adam's learning rate, decayed by a cosine",
          reason="Adam moves each weight by about lr a step: from about 1 on a run diverges, and the blow-up "
                 "guard stops it and says so; up to 10 is allowed so that this can be seen.")
BATCH = Spec("batch", "batch", int, 512, 1, 1_000_000, help="samples of (x0, t) per training step",
             reason="At least one sample; 10⁶ a step already fills a gigabyte of activations.")
HIDDEN = Spec("hidden", "hidden width", int, 64, 4, 1024, help="width of the score network's hidden layers",
              reason="Fewer than 4 units cannot bend the score; 1024 is far more than a 1-D score needs.")


@dataclass(frozen=True)
class TrainSettings:
    """Everything that determines a trained score network (saved beside its weights)."""

    mixture: str
    T: int = setting(T_STEPS)
    sigma2: float = setting(SIGMA2)
    target: str = setting(TARGET)
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
    """A trained network with the settings that made it and how training went."""

    settings: TrainSettings
    model: Any = None
    outcome: TrainOutcome | None = None
    device: str = "cpu"

    def score_fn(self, batch: int = 1 << 16) -> Callable[[np.ndarray, int], np.ndarray]:
        """sθ as a numpy score function s(x, t) for the samplers in engine.walk."""
        import torch

        model, device = self.model, self.device

        def score(x: np.ndarray, t: int) -> np.ndarray:
            out = np.empty_like(np.asarray(x, dtype=float))
            with torch.no_grad():
                for i in range(0, len(out), batch):
                    xb = torch.as_tensor(x[i:i + batch], dtype=torch.float32, device=device)
                    tb = torch.full_like(xb, float(t))
                    out[i:i + batch] = model(xb, tb).double().cpu().numpy()
            return out

        return score


def _sample_p0(p0, n: int, gen: "torch.Generator", device) -> "torch.Tensor":
    import torch

    w = torch.tensor(p0.weights, dtype=torch.float32, device=device)
    mu = torch.tensor(p0.means, dtype=torch.float32, device=device)
    sd = torch.tensor(p0.stds, dtype=torch.float32, device=device)
    k = torch.multinomial(w, n, replacement=True, generator=gen)
    return mu[k] + sd[k] * torch.randn(n, generator=gen, device=device)


def _sample_t(T: int, n: int, gen: "torch.Generator", device) -> "torch.Tensor":
    """t in 1..T, half uniformly (the homework's average over t) and half log-uniformly, so the
    small t — where pt has the most structure and the last, decisive reverse steps happen — get
    enough examples. Each t's minimiser (∇log pt) does not depend on how often t is drawn."""
    import torch

    uniform = torch.randint(1, T + 1, (n - n // 2,), generator=gen, device=device).float()
    log_u = torch.exp(torch.rand(n // 2, generator=gen, device=device) * math.log(T + 1)).floor().clamp(1, T)
    return torch.cat([uniform, log_u])


def train_score(settings: TrainSettings, *, threads: int = DEFAULT_THREADS, device: str = "cpu",
                on_progress: Callable[[TrainProgress], Any] | None = None,
                should_stop: Callable[[], bool] | None = None) -> TrainedScore:
    """Train sθ with the Problem 3 or Problem 4 target (Adam, cosine-decayed rate, seeded).

    p3: xt−1 = x0 + √((t−1)σ²) z1, xt = xt−1 + σ z2, loss (xt−1 − xt − σ²sθ)² · Var(pt)/σ⁴
    p4: xt = x0 + √(tσ²) z,                           loss (x0 − xt − tσ²sθ)² · Var(pt)/(tσ²)²
    """
    import torch

    dev = torch_setup(threads, device, settings.seed)
    setup = settings.setup()
    model = build_model(settings, setup.p0.variance()).to(dev)
    gen = torch.Generator(device=dev).manual_seed(settings.seed)
    opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=settings.steps, eta_min=settings.lr * 0.05)
    s2, T, n = setup.sigma2, setup.T, settings.batch
    v0 = setup.p0.variance()

    guard = BlowUpGuard(model)

    def loss_at(step: int) -> torch.Tensor:
        x0 = _sample_p0(setup.p0, n, gen, dev)
        t = _sample_t(T, n, gen, dev)
        weight = v0 + t * s2  # Var pt: the excess loss becomes Var(pt)·(sθ − ∇log pt)², the same for both
        if settings.target == "p3":
            x_prev = x0 + torch.sqrt((t - 1) * s2) * torch.randn(n, generator=gen, device=dev)
            xt = x_prev + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev)
            loss = ((x_prev - xt - s2 * model(xt, t)) ** 2 * weight).mean() / s2**2
        else:
            var = t * s2
            xt = x0 + torch.sqrt(var) * torch.randn(n, generator=gen, device=dev)
            loss = ((x0 - xt - var * model(xt, t)) ** 2 * weight / var**2).mean()
        return guard.check(step, loss)

    outcome = run_training(model, opt, loss_at, settings.steps, on_progress=on_progress,
                           should_stop=should_stop, scheduler=sched)
    outcome = guard.finish(outcome)
    model.eval()
    return TrainedScore(settings, model, outcome, str(dev))


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


def load_trained(settings: TrainSettings, state_dict: dict, device: str = "cpu") -> TrainedScore:
    """Rebuild a trained score network from a checkpoint's weights."""
    setup = settings.setup()
    model = build_model(settings, setup.p0.variance())
    model.load_state_dict(state_dict)
    model.eval()
    return TrainedScore(settings, model.to(device), None, device)


@dataclass(frozen=True)
class ScoreErrors:
    """Relative squared error of a learned score against the oracle, per t:
    E_{x~pt}[(sθ(x,t) − ∇log pt(x))²] · vt  (vt = Var pt, so every t is on the same scale)."""

    t: np.ndarray
    error: np.ndarray

    @property
    def mean(self) -> float:
        return float(np.mean(self.error))


def score_errors(trained: TrainedScore, n: int = 4000, n_t: int = 10, seed: int = 0) -> ScoreErrors:
    """Measure sθ against the exact score on fresh samples of pt at n_t values of t."""
    setup = trained.settings.setup()
    rng = np.random.default_rng(seed)
    ts = np.unique(np.linspace(1, setup.T, n_t).round().astype(int))
    score = trained.score_fn()
    errs = []
    for t in ts:
        pt = marginal_at(setup, int(t))
        x = pt.sample(n, rng)
        errs.append(float(np.mean((score(x, int(t)) - pt.score(x)) ** 2) * pt.variance()))
    return ScoreErrors(ts, np.array(errs))


def steps_per_second(settings: TrainSettings, threads: int, steps: int = 200) -> float:
    """Training speed at a thread count (for bench/): steps/s over a short run."""
    short = TrainSettings(**{**settings.as_dict(), "steps": steps})
    start = time.perf_counter()
    out = train_score(short, threads=threads)
    return out.outcome.steps_done / (time.perf_counter() - start)


@dataclass(frozen=True)
class QualityRow:
    score: str  # "learned" or "exact"
    method: str  # "stochastic" or "deterministic"
    w1: float
    tv: float


@dataclass(frozen=True)
class Evaluation:
    """Samples of x0 from the learned score and the quality table (learned/exact × sampler)."""

    rows: tuple[QualityRow, ...]
    samples: dict[str, np.ndarray]  # method → x0 from the learned score
    n: int
    start: str
    seed: int

    def row(self, score: str, method: str) -> QualityRow:
        return next(r for r in self.rows if r.score == score and r.method == method)


def evaluate(trained: TrainedScore, n: int = 20_000, seed: int = 0, start: str = "prior",
             methods: tuple[str, ...] = ("stochastic", "deterministic")) -> Evaluation:
    """Sample n particles with the learned and the exact score by each method (same seed, same
    start) and measure W1 and TV to p0."""
    from engine.walk import exact_score_fn, sample, tv_histogram, wasserstein1

    setup = trained.settings.setup()
    rows, samples = [], {}
    for name, fn in (("learned", trained.score_fn()), ("exact", exact_score_fn(setup))):
        for method in methods:
            x0 = sample(setup, fn, n, method=method, start=start, seed=seed, max_frames=2).x0
            if name == "learned":
                samples[method] = x0
            rows.append(QualityRow(name, method, wasserstein1(x0, setup.p0), tv_histogram(x0, setup.p0)))
    return Evaluation(tuple(rows), samples, n, start, seed)
