"""Problem 5: the ε-predicting MLP and its two recipes — the notebook's, faithfully, and a fast one.

Loss (both recipes):  L(θ) = E ‖ε − ε̂θ(√ᾱt x0 + √(1−ᾱt) ε, t)‖²   — Problem 4's ε loss in VP form.

``faithful`` keeps the toy-diffusion notebook's training settings, including the odd ones (and draws
its 10,000 samples, NOTEBOOK_SAMPLES; the data draw and the random numbers are ours):
  * 100 epochs over the 100,000 points *in order* (no shuffling), batches of 2048 → 4,900 steps;
  * t ~ U{0, …, 39} per point, although the sampler never uses t = 0;
  * the raw integer t appended to (x, y) as a third input;
  * Linear(3→64) with *no activation after it*, then 4 × [Linear(64→64) + ReLU], Linear(64→2);
  * Adam at 1e-3 and a LinearLR scheduler that is created but never stepped (the rate stays 1e-3).
``fast`` (the default) is what we would do on a CPU: 3,500 random minibatches of 640 (drawn 250
steps at a time), t ~ U{1, …, T−1} (the steps the sampler uses), a sinusoidal embedding of t, a ReLU
after the first layer, 40 hidden units instead of 64, a larger rate decayed by a cosine, sampling
with an exponential moving average of the weights, one thread (measured fastest here; see
bench/bench_p5.py; the budget from bench/sweep_p5.py, see STEPS below).

Backends (train_eps): the fast recipe trains and samples in numpy on the CPU (engine.eps_mlp: the same
network as engine.nets.EpsNet, a hand-written backward pass, no ``import torch`` — about a second of
a fresh process — and ~1.5× fewer seconds a step than torch here); the faithful recipe is the
notebook's torch code, and a GPU (``device="cuda"``) trains either recipe in torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.eps_mlp import ema_decay  # noqa: F401  (the EMA's ramp, one definition for both backends)
from engine.errors import InvalidInput
from engine.settings import SEED, Spec, check_fields, setting
from engine.toy2d import DATASETS, DEFAULT_N, Standardizer, make_dataset
from engine.training import DEFAULT_THREADS, TrainOutcome, TrainProgress, run_training, torch_setup
from engine.vp import SCHEDULES, Schedule, make_schedule

if TYPE_CHECKING:  # pragma: no cover
    import torch

RECIPES = ("fast", "faithful")
"""The recipes, the default first (one order for the screen's key, the command line and the engine)."""
EMBEDDINGS = ("sinusoidal", "raw")
CHECKPOINT_KIND = "p5-eps"

# ---- every setting declared once (engine checks, command line, screen boxes, saved state) ----------
RECIPE = Spec("recipe", "recipe", str, "fast", choices=RECIPES,
              help="faithful: the toy-diffusion notebook's training settings and its 10,000 samples; fast: ours for a CPU")
DATASET = Spec("dataset", "data set", str, "swiss_roll", choices=DATASETS, help="the 2-D data set")
EMBEDDING = Spec("embedding", "time embedding", str, "sinusoidal", choices=EMBEDDINGS,
                 help="how t enters the network: 16 sinusoids of t/T, or t itself (the notebook)")
SCHEDULE = Spec("schedule", "schedule", str, "cosine", choices=SCHEDULES, help="the noise schedule ᾱt")
T_STEPS = Spec("T", "T", int, 40, 2, 1000, help="diffusion steps",
               reason="T = 1 leaves no step to learn; beyond 1000 a CPU run and its 40-frame movie stop making sense")
S_OFFSET = Spec("s", "s", float, 0.008, 0, 1, low_open=True, help="the cosine schedule's offset")
# The fast recipe's budget — 3,500 steps of 640 points on a 40-wide net — was chosen by bench/sweep_p5.py
# (the four data sets × seeds, DDPM energy distance / the floor's expectation, 4,000 samples each; tables
# in docs/sweep_p5.md). Round 8 (the numpy trainer, 48 runs: seeds 0–11 × the four data sets): 38 of 48
# runs within 2×, mean 1.40, worst 4.29, against 30 of 48, 1.70, 4.07 for the former 2,000 steps, at the
# same CPU time per step (p5 end to end 0.129–0.149× the faithful recipe's training in the same run).
# 3,000 steps (36/48, 1.48), 3,000 with EMA 0.995 or lr 0.01, and 2,000 × 1,024 (37/48, ~1.50) cost
# about as much and did no better; 4,000 (39/48, 1.40) is as good at 0.14–0.15× end to end. A wider net
# or a larger batch is not free in numpy (CPU ms/step: 40 × 640 0.45, × 1,024 0.69, × 1,536 1.0;
# 48 wide 0.57–0.59, 64 wide 0.85). Round 6 (torch, 16 runs) chose the width and batch: 32 wide × 768
# measured as well but learns too slowly in its first 400 steps
# (tests/engine/test_eps_net.py::test_a_short_run_beats_the_gaussian_clearly). Fewer steps (1,600,
# 1,400, 1,000), a batch of 256, stratified t, a larger rate, a slower EMA and Min-SNR weights all
# measured worse.
STEPS = Spec("steps", "steps", int, 3500, 1, 10**6, help="optimizer steps (the fast recipe)",
             reason="A million steps is hours on one CPU thread")
EPOCHS = Spec("epochs", "epochs", int, 100, 1, 10_000, help="passes over the data (the faithful recipe)",
              reason="10,000 epochs of the notebook are days on one CPU thread")
BATCH = Spec("batch", "batch", int, 640, 1, 100_000, help="points per optimizer step",
             reason="At most the default data set's size")
LR = Spec("lr", "learning rate", float, 2e-2, 0, 10, low_open=True, help="Adam's learning rate",
          reason="Beyond 10 every run diverges")
EMA = Spec("ema", "EMA decay", float, 0.99, 0, 0.9999, help="0 = off, else sample with an average of the weights",
           reason="1 would never move from the initial weights")
HIDDEN = Spec("hidden", "hidden width", int, 40, 4, 1024, help="width of the MLP's hidden layers")
N_DATA = Spec("n_data", "data points", int, DEFAULT_N, 100, 10**7, help="training points drawn from the data set",
              reason="10 million points take 160 MB")


@dataclass(frozen=True)
class RecipeSettings:
    """Everything that determines a trained ε-network (saved beside its weights)."""

    recipe: str = setting(RECIPE)
    dataset: str = setting(DATASET)
    T: int = setting(T_STEPS)
    s: float = setting(S_OFFSET)
    schedule: str = setting(SCHEDULE)
    steps: int = setting(STEPS)  # fast: optimizer steps; faithful: derived from epochs
    epochs: int = setting(EPOCHS)  # faithful only
    batch: int = setting(BATCH)
    lr: float = setting(LR)
    embedding: str = setting(EMBEDDING)
    first_activation: bool = True
    shuffle: bool = True
    t_from_one: bool = True
    lr_decay: bool = True
    ema: float = setting(EMA)  # 0 = off; else sample with an exponential moving average of the weights
    hidden: int = setting(HIDDEN)
    n_data: int = setting(N_DATA)
    seed: int = setting(SEED)

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def total_steps(self) -> int:
        """Optimizer steps: faithful = epochs × ⌈n_data / batch⌉ (4,900 for the notebook)."""
        if self.recipe == "faithful":
            return self.epochs * math.ceil(self.n_data / self.batch)
        return self.steps

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def faithful(**overrides: Any) -> RecipeSettings:
    """The notebook's settings, every one of them (see the module docstring)."""
    base = RecipeSettings(recipe="faithful", batch=2048, lr=1e-3, epochs=100, embedding="raw", hidden=64,
                          first_activation=False,  # the notebook: no activation after the first Linear
                          shuffle=False,  # the notebook: batches taken in order, never shuffled
                          t_from_one=False,  # the notebook: t ~ U{0..T−1}, but sampling never uses t = 0
                          lr_decay=False,  # the notebook: LinearLR created but never stepped
                          ema=0.0)  # the notebook samples with the last weights
    return replace(base, **overrides)


def fast(**overrides: Any) -> RecipeSettings:
    """Our CPU recipe (the default)."""
    return replace(RecipeSettings(), **overrides)


def recipe(name: str, **overrides: Any) -> RecipeSettings:
    """The named recipe's settings with ``overrides`` (the name is checked by :data:`RECIPE`)."""
    return {"faithful": faithful, "fast": fast}[RECIPE.check(name)](**overrides)


def build_model(settings: RecipeSettings) -> "torch.nn.Module":
    """ε̂θ(x, t) as the recipe asks (engine.nets.EpsNet)."""
    from engine.nets import EpsNet

    return EpsNet(hidden=settings.hidden, embedding=settings.embedding,
                  first_activation=settings.first_activation, T=settings.T)


@dataclass(frozen=True)
class TrainedEps:
    """A trained ε̂θ with the settings that made it. ``net`` is what sampling calls: an
    engine.eps_mlp.EpsMLP (numpy: the fast recipe trained on the CPU, no torch) or build_model's torch
    module (the faithful recipe, a GPU, a loaded checkpoint); ``model`` is always the torch module
    (for a checkpoint), made from the numpy weights when first asked for."""

    settings: RecipeSettings
    net: Any
    standardizer: Standardizer
    schedule: Schedule
    outcome: TrainOutcome | None = None
    device: str = "cpu"

    @property
    def is_numpy(self) -> bool:
        from engine.eps_mlp import EpsMLP

        return isinstance(self.net, EpsMLP)

    @cached_property
    def model(self) -> "torch.nn.Module":
        """build_model's torch module holding these weights (the numpy net's: eval mode, on ``device``)."""
        if not self.is_numpy:
            return self.net
        from engine.checkpoint import as_tensors

        model = build_model(self.settings)
        model.load_state_dict(as_tensors(self.net.state_dict()))
        return model.eval().to(self.device)

    def state_dict(self) -> dict[str, Any]:
        """The weights to save (EpsNet's names; the numpy net's arrays — saving then imports no torch —
        or the torch module's tensors; engine.checkpoint stores them as arrays)."""
        return self.net.state_dict() if self.is_numpy else self.model.state_dict()

    def eps_fn(self, batch: int = 1 << 15) -> Callable[[np.ndarray, int], np.ndarray]:
        """ε̂θ as a numpy function ε̂(x, t) of points x (n, 2) and one integer t, for engine.vp.sample."""
        if self.is_numpy:
            net = self.net

            def eps_np(x: np.ndarray, t: int) -> np.ndarray:
                out = np.empty(np.shape(x))
                for i in range(0, len(x), batch):
                    xb = np.asarray(x[i:i + batch], dtype=np.float32)
                    out[i:i + batch] = net(xb, np.full(len(xb), t, dtype=np.float32))
                return out

            return eps_np
        import torch

        model, device = self.model, self.device

        def eps(x: np.ndarray, t: int) -> np.ndarray:
            out = np.empty_like(x)
            with torch.inference_mode():
                for i in range(0, len(x), batch):
                    xb = torch.as_tensor(x[i:i + batch], dtype=torch.float32, device=device)
                    tb = torch.full((len(xb),), float(t), device=device)
                    out[i:i + batch] = model(xb, tb).double().cpu().numpy()
            return out

        return eps


def load_data(settings: RecipeSettings) -> tuple[np.ndarray, Standardizer]:
    """The training data (standardized) and its standardizer."""
    raw = make_dataset(settings.dataset, settings.n_data, settings.seed)
    std = Standardizer.fit(raw)
    return std.forward(raw), std


DRAW_STEPS, DRAW_POINTS = 250, 1 << 20
"""Random minibatches are drawn this many steps at a time, at most this many points per draw."""


def train_eps(settings: RecipeSettings, *, threads: int = DEFAULT_THREADS, device: str = "cpu",
              on_progress: Callable[[TrainProgress], Any] | None = None,
              should_stop: Callable[[], bool] | None = None,
              on_checkpoint: Callable[[int, "TrainedEps"], None] | None = None,
              checkpoint_every: int = 0, backend: str | None = None) -> TrainedEps:
    """Minimise E‖ε − ε̂θ(√ᾱt x0 + √(1−ᾱt) ε, t)‖² with the recipe's data order, t range, rate.

    ``on_checkpoint(step, trained)`` is called every ``checkpoint_every`` steps (for the benchmark's
    quality-against-time curve); it runs inside the training loop's time.

    backend "numpy" (the default for the fast recipe on the CPU: engine.eps_mlp, no torch imported) or
    "torch" (the faithful recipe — the notebook's torch code — and any recipe on a GPU): the same
    network, loss, Adam, rate and average; their random draws differ.
    """
    backend = backend or ("numpy" if device == "cpu" and settings.recipe == "fast" else "torch")
    if backend not in ("numpy", "torch"):
        raise InvalidInput(f"backend must be 'numpy' or 'torch', got {backend!r}")
    if backend == "numpy":
        return _train_numpy(settings, threads=threads, device=device, on_progress=on_progress,
                            should_stop=should_stop, on_checkpoint=on_checkpoint, checkpoint_every=checkpoint_every)
    import torch

    dev = torch_setup(threads, device, settings.seed)
    data, standardizer = load_data(settings)
    schedule = make_schedule(settings.schedule, settings.T, settings.s)
    x_all = torch.as_tensor(data, dtype=torch.float32, device=dev)
    ab = torch.as_tensor(schedule.alpha_bar, dtype=torch.float32, device=dev)
    model = build_model(settings).to(dev)
    gen = torch.Generator(device=dev).manual_seed(settings.seed)
    # fast: engine.training.Adam — the same update as torch.optim.Adam, without the ~0.9 s import of
    # torch._dynamo that constructing any torch.optim optimizer costs a fresh process (and as fast per
    # step as the fused kernel here); faithful: the notebook's torch.optim.Adam
    total = settings.total_steps
    if settings.recipe == "fast":
        from engine.training import Adam, CosineRate

        opt = Adam(model.parameters(), lr=settings.lr)
        scheduler = CosineRate(opt, total, settings.lr * 0.02) if settings.lr_decay else None
    elif settings.lr_decay:
        opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=settings.lr * 0.02)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
        # The notebook creates torch.optim.lr_scheduler.LinearLR(...) here and never calls .step():
        # the rate stays at its initial value. We keep that behaviour by not stepping any scheduler.
        scheduler = None
    n, b = len(x_all), settings.batch
    per_epoch = math.ceil(n / b)
    t_low = 1 if settings.t_from_one else 0
    ema_model = None
    if settings.ema > 0:  # hand-written, not AveragedModel: bench/bench_p5_ema.py measured it 5× cheaper
        import copy

        ema_model = copy.deepcopy(model).requires_grad_(False)
    ema_params, live_params = (list(ema_model.parameters()), list(model.parameters())) if ema_model else ([], [])
    trained_view = TrainedEps(settings, ema_model or model, standardizer, schedule, None, str(dev))

    def update_ema(k: int) -> None:
        if ema_model is not None:
            ema_update(ema_params, live_params, ema_decay(settings.ema, k))

    drawn: dict[str, Any] = {}
    per_draw = max(1, min(DRAW_STEPS, DRAW_POINTS // b))

    def drawn_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Random minibatches drawn ahead, per_draw steps at a time (one call per draw instead of
        about ten small ones per step): the network's inputs [xt, emb(t)] and the ε to predict."""
        k, j = divmod(step, per_draw)
        if drawn.get("k") != k:
            m = min(per_draw, total - k * per_draw)
            with torch.no_grad():
                idx = torch.randint(0, n, (m, b), generator=gen, device=dev)
                t = torch.randint(t_low, settings.T, (m, b), generator=gen, device=dev)
                eps = torch.randn(m, b, 2, generator=gen, device=dev)
                xt = ab[t].sqrt()[..., None] * x_all[idx] + (1 - ab[t]).sqrt()[..., None] * eps
                inputs = model.inputs(xt.reshape(-1, 2), t.reshape(-1)).reshape(m, b, -1)
            drawn.update(k=k, inputs=inputs, eps=eps)
        return drawn["inputs"][j], drawn["eps"][j]

    def loss_at(step: int) -> torch.Tensor:
        if step:
            update_ema(step)  # the weights the previous step produced
        if on_checkpoint is not None and checkpoint_every and step and step % checkpoint_every == 0:
            on_checkpoint(step, trained_view)
        if settings.shuffle:
            inputs, eps = drawn_batch(step)
            return ((model.net(inputs) - eps) ** 2).mean()
        i = step % per_epoch
        x0 = x_all[i * b:(i + 1) * b]  # in order; the last batch of an epoch is shorter
        m = len(x0)
        t = torch.randint(t_low, settings.T, (m,), generator=gen, device=dev)
        eps = torch.randn(m, 2, generator=gen, device=dev)
        a = ab[t][:, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        return ((model(xt, t) - eps) ** 2).mean()

    outcome = run_training(model, opt, loss_at, total, on_progress=on_progress, should_stop=should_stop,
                           scheduler=scheduler)
    if outcome.status == "done":
        update_ema(total)  # include the last step
    if ema_model is not None and outcome.status == "diverged":
        ema_model.load_state_dict(model.state_dict())  # the guard restored the last good weights
    return replace(trained_view, outcome=outcome)


def _train_numpy(settings: RecipeSettings, *, threads: int, device: str,
                 on_progress: Callable[[TrainProgress], Any] | None,
                 should_stop: Callable[[], bool] | None,
                 on_checkpoint: Callable[[int, "TrainedEps"], None] | None, checkpoint_every: int) -> TrainedEps:
    """train_eps with engine.eps_mlp (the fast recipe on the CPU; numpy's BLAS held to ``threads``)."""
    from engine.blas import set_blas_threads
    from engine.eps_mlp import train_fast

    if device != "cpu":
        raise InvalidInput(f"the numpy backend trains on the CPU only, not on {device!r}")
    if settings.recipe != "fast":
        raise InvalidInput("the numpy backend trains the fast recipe only; the faithful one is the notebook's torch code")
    if threads < 1:
        raise InvalidInput(f"threads must be ≥ 1, got {threads}")
    if settings.total_steps < 1:
        raise InvalidInput(f"steps must be ≥ 1, got {settings.total_steps}")
    set_blas_threads(threads)
    data, standardizer = load_data(settings)
    schedule = make_schedule(settings.schedule, settings.T, settings.s)
    view = on_checkpoint and (lambda step, net: on_checkpoint(step, TrainedEps(settings, net, standardizer, schedule)))
    net, outcome = train_fast(settings, data, schedule.alpha_bar, on_progress=on_progress, should_stop=should_stop,
                              on_checkpoint=view, checkpoint_every=checkpoint_every, draw_steps=DRAW_STEPS,
                              draw_points=DRAW_POINTS)
    return TrainedEps(settings, net, standardizer, schedule, outcome, "cpu")


class TorchDraws:
    """The random numbers the torch backend of train_eps draws (fast recipe), in its order, answered to
    engine.eps_mlp.train_fast's rng calls: the module's initial weights for each Linear's uniform draw,
    then per draw the minibatch indices, the t's and the ε's from a torch.Generator seeded as train_eps
    seeds its own. With it the numpy trainer sees exactly the torch trainer's numbers (tests, bench/)."""

    def __init__(self, settings: RecipeSettings) -> None:
        import torch

        torch.manual_seed(settings.seed)  # as torch_setup: the module's initial weights
        self.init = [p.detach().numpy().ravel().copy() for p in build_model(settings).parameters()]
        self.gen = torch.Generator().manual_seed(settings.seed)

    def uniform(self, low: float, high: float, size: int) -> np.ndarray:
        return self.init.pop(0)

    def integers(self, low: int, high: int, size: tuple[int, ...]) -> np.ndarray:
        import torch

        return torch.randint(low, high, size, generator=self.gen).numpy()

    def standard_normal(self, size: tuple[int, ...], dtype=None) -> np.ndarray:
        import torch

        return torch.randn(*size, generator=self.gen).numpy()


def ema_update(averaged: list, current: list, d: float) -> None:
    """θ_ema ← d·θ_ema + (1 − d)·θ = θ_ema + (1 − d)(θ − θ_ema), in place, over every weight at once
    (one foreach lerp: ~6 µs a step here, against ~24 µs for a multiply and an add)."""
    import torch

    with torch.no_grad():
        torch._foreach_lerp_(averaged, current, 1 - d)


def expected_weights(settings: RecipeSettings) -> dict[str, np.ndarray]:
    """The names and shapes of build_model's weights, with its buffers (freqs, T), as arrays — what a
    checkpoint must hold to fit these settings (built without torch: engine.eps_mlp has EpsNet's names)."""
    from engine.eps_mlp import EpsMLP, shapes
    from engine.flat_net import FlatNet

    size = FlatNet.count(shapes(settings.hidden, settings.embedding))
    return EpsMLP(np.zeros(size), settings.hidden, settings.embedding, settings.first_activation,
                  settings.T).state_dict()


def check_fits(settings: RecipeSettings, state_dict: dict, *, finite: bool = False) -> None:
    """InvalidInput (one line) unless these weights fit the model these settings build (names,
    shapes, the T buffer) — cheap enough to ask before changing anything."""
    from engine.checkpoint import check_weights

    check_weights(expected_weights(settings), state_dict, finite=finite, buffers=("freqs", "T"))


def load_trained(settings: RecipeSettings, state_dict: dict, device: str = "cpu") -> TrainedEps:
    """Rebuild a trained ε-network from a checkpoint's weights (arrays or tensors, checked first: one
    line, nothing changed; the data is regenerated from the seed). The fast recipe on the CPU samples
    with the numpy net (engine.eps_mlp), as after training, and imports no torch (``model`` is made
    when asked for); otherwise the weights go into build_model's torch module."""
    raw = make_dataset(settings.dataset, settings.n_data, settings.seed)
    schedule = make_schedule(settings.schedule, settings.T, settings.s)
    if device == "cpu" and settings.recipe == "fast":
        from engine.blas import set_blas_threads
        from engine.eps_mlp import EpsMLP

        check_fits(settings, state_dict, finite=True)
        set_blas_threads(DEFAULT_THREADS)
        net = EpsMLP.from_state_dict(state_dict, settings.first_activation)
        return TrainedEps(settings, net, Standardizer.fit(raw), schedule, None, device)
    from engine.checkpoint import load_weights

    model = build_model(settings)
    load_weights(model, state_dict)  # shapes and finite values checked first: one line, nothing changed
    model.eval()
    return TrainedEps(settings, model.to(device), Standardizer.fit(raw), schedule, None, device)


# ---- quality -----------------------------------------------------------------------------------------
MAX_QUALITY_POINTS = 20_000
"""Points per sampler for the quality numbers: energy distance and MMD² sum over all n² pairs (three
sets per sampler, plus the floor's), so cost grows as n² — 4,000 (the default) takes seconds,
20,000 about 25× that; 100,000 ran past a minute at 2.75 GB."""
QUALITY_POINTS = Spec("particles", "quality points", int, 4000, 100, MAX_QUALITY_POINTS,
                      help="samples per sampler, and fresh data points, for the quality numbers",
                      reason="The distances cost n² pairs: 20,000 is 25× the default's time (engine.eps_net.MAX_QUALITY_POINTS)")

@dataclass(frozen=True)
class SamplerQuality:
    sampler: str
    energy: float
    mmd2: dict[float, float]


@dataclass(frozen=True)
class Evaluation2D:
    """Each sampler's distance to fresh data, beside the fresh-vs-fresh floor and N(0, I)."""

    n: int
    samplers: tuple[SamplerQuality, ...]
    floor: SamplerQuality
    gaussian: SamplerQuality
    runs: dict[str, Any]  # sampler → engine.vp.SamplerRun (standardized units)

    def get(self, sampler: str) -> SamplerQuality:
        return next(q for q in self.samplers if q.sampler == sampler)


_DATA_SIDE: dict[tuple, tuple] = {}


def _data_side(s: RecipeSettings, std: Standardizer, n: int, seed: int, floor_pairs: int, dtype):
    """What evaluate() measures that does not depend on the model: the fresh data, the fresh-vs-fresh
    floor and N(0, I) against it — computed once per (data set, standardizer, n, seeds) and kept."""
    from engine.quality2d import compare

    key = (s.dataset, s.seed, std.mean, std.std, n, seed, floor_pairs, np.dtype(dtype).name)
    if key not in _DATA_SIDE:
        if len(_DATA_SIDE) >= 8:
            _DATA_SIDE.pop(next(iter(_DATA_SIDE)))
        fresh_a = std.forward(make_dataset(s.dataset, n, s.seed + 1001))
        if floor_pairs == 0:
            floor = expected_floor(fresh_a, dtype)
        else:
            # fresh data against fresh data, averaged over floor_pairs independent samples (one pair
            # alone is itself noisy: its V-statistic fluctuates around 2E|X − X'|/n)
            fresh_b = [std.forward(make_dataset(s.dataset, n, s.seed + 1002 + k)) for k in range(floor_pairs)]
            floors = [compare(b, fresh_a, dtype=dtype) for b in fresh_b]
            floor_mmd = {h: float(np.mean([f.mmd2[h] for f in floors])) for h in floors[0].mmd2}
            floor = SamplerQuality("fresh data (floor)", float(np.mean([f.energy for f in floors])), floor_mmd)
        gauss = compare(np.random.default_rng(seed + 7).standard_normal((n, 2)), fresh_a, dtype=dtype)
        _DATA_SIDE[key] = (fresh_a, floor, SamplerQuality("N(0, I)", gauss.energy, gauss.mmd2))
    return _DATA_SIDE[key]


def prepare_data_side(settings: RecipeSettings, n: int = 4000, seed: int | None = None, floor_pairs: int = 3,
                      dtype=np.float32) -> None:
    """Compute and keep what evaluate() measures that does not depend on the model (_data_side), so
    that it can run while the model trains (numpy releases the GIL in its pair sums): the same
    numbers as computing it in evaluate(), sooner."""
    raw = make_dataset(settings.dataset, settings.n_data, settings.seed)
    _data_side(settings, Standardizer.fit(raw), n, settings.seed if seed is None else seed, floor_pairs, dtype)


def expected_floor(fresh: np.ndarray, dtype=np.float32) -> SamplerQuality:
    """The floor as its expectation: for two independent fresh samples of sizes n (V-statistic),
    E ED = E|X − X'|·(1/n + 1/n) exactly, with E|X − X'| estimated without bias by the mean distance
    over the n(n−1) distinct pairs of `fresh` (its self-term, needed anyway); the unbiased MMD²'s
    expectation is exactly 0. No extra sample, no Monte Carlo noise."""
    from engine.quality2d import BANDWIDTHS, self_sums

    n = len(fresh)
    dist, _ = self_sums(fresh, BANDWIDTHS, dtype)
    mean_distance = dist / (n * (n - 1))  # the diagonal pairs contribute 0 to dist
    return SamplerQuality("fresh data (floor)", float(2.0 * mean_distance / n), {h: 0.0 for h in BANDWIDTHS})


def evaluate(trained: TrainedEps, n: int = 4000, seed: int = 0, samplers=("ddpm", "x0", "ddim"),
             frame_points: int = 1500, should_stop: Callable[[], bool] | None = None,
             eps_fn: Callable | None = None, floor_pairs: int = 3, dtype=np.float32,
             workers: int = 1) -> Evaluation2D:
    """Sample n points with each sampler; energy distance and MMD² against n fresh data points.
    ``workers`` > 1: the samplers run in that many threads (torch and numpy release the GIL; each
    sampler has its own random numbers, so the numbers are the same as with one).

    The floor is expected_floor() (floor_pairs = 0) or the mean over floor_pairs fresh-vs-fresh pairs.
    The data side (fresh data, its self-term, the floor, N(0, I)) is computed once per data set and
    kept (_data_side); pair sums run in float32 (dtype; float64 for the reference numbers): its error
    is far below the floor (tests/engine/test_quality2d.py)."""
    QUALITY_POINTS.check(n)
    from engine.quality2d import compare
    from engine.vp import sample

    fresh_a, floor, gauss = _data_side(trained.settings, trained.standardizer, n, seed, floor_pairs, dtype)
    fn = eps_fn or trained.eps_fn()

    def one(name: str):
        run = sample(fn, trained.schedule, n, sampler=name, seed=seed, frame_points=frame_points, should_stop=should_stop)
        if should_stop is not None and should_stop():  # before each O(n²) comparison too
            raise InterruptedError("evaluation cancelled")
        q = compare(run.x0, fresh_a, dtype=dtype)
        return run, SamplerQuality(name, q.energy, q.mmd2)

    if workers > 1 and len(samplers) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(workers, len(samplers)), thread_name_prefix="p5-sampler") as pool:
            done = list(pool.map(one, samplers))
    else:
        done = [one(name) for name in samplers]
    runs = {name: run for name, (run, _) in zip(samplers, done)}
    return Evaluation2D(n, tuple(q for _, q in done), floor, gauss, runs)


def oracle_eps_fn(trained: TrainedEps, n_points: int = 4000):
    """The exact ε of the swiss roll (a fine mixture along its curve), for the oracle sampler."""
    from engine.vp import swiss_roll_oracle

    if trained.settings.dataset != "swiss_roll":
        raise InvalidInput("the exact score is available for the swiss roll only")
    return swiss_roll_oracle(trained.standardizer, trained.schedule, n_points).eps


# ---- the notebook's sample count -------------------------------------------------------------------
NOTEBOOK_SAMPLES = 10_000
"""The notebook draws 10,000 samples with each sampler (cell 29: `Xgen, Xgen_hist = sample_ddpm(model, 10000, 2)`)."""


def sample_count(settings: RecipeSettings, default: int = 4000) -> int:
    """Samples per sampler (and fresh points) a run draws: the faithful recipe the notebook's 10,000,
    any other recipe ``default``."""
    return NOTEBOOK_SAMPLES if settings.recipe == "faithful" else default


# ---- the evaluation stored beside a checkpoint's weights ------------------------------------------
def evaluation_metrics(ev: Evaluation2D) -> dict[str, Any]:
    """Each sampler's energy distance and MMD², the floor and N(0, I), as plain values for a checkpoint's
    metrics; evaluation_from_metrics reads them back (without the sampler runs)."""
    def q(s: SamplerQuality) -> list:
        return [s.sampler, s.energy, [[h, v] for h, v in s.mmd2.items()]]

    return {"evaluation": {"n": ev.n, "samplers": [q(s) for s in ev.samplers], "floor": q(ev.floor),
                           "gaussian": q(ev.gaussian)}}


def evaluation_from_metrics(metrics: dict[str, Any]) -> Evaluation2D | None:
    """An Evaluation2D (runs empty) from evaluation_metrics' dict; None when there is none or it is unreadable."""
    d = metrics.get("evaluation") if isinstance(metrics, dict) else None
    if not isinstance(d, dict):
        return None
    try:
        def q(row) -> SamplerQuality:
            name, energy, mmd = row
            return SamplerQuality(str(name), float(energy), {float(h): float(v) for h, v in mmd})

        return Evaluation2D(int(d["n"]), tuple(q(r) for r in d["samplers"]), q(d["floor"]), q(d["gaussian"]), {})
    except (KeyError, TypeError, ValueError):
        return None
