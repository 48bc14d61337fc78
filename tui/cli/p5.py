"""``hw7-tui p5``: the toy-diffusion swiss roll — train the ε-network with the faithful or the fast
recipe, sample with DDPM, the x0 sampler and DDIM, and measure each against fresh data.

Options come from the settings' declarations (engine.problems.p5_swiss.P5Settings); the work is
the workflow's ``run``; the table is the result's."""

from __future__ import annotations

import argparse

from engine.problems.p5_swiss import FROM_RECIPE, P5Settings
from engine.settings import spec_of, specs_of
from tui.cli._walk import check_samples_path
from tui.cli.common import add_run_options, print_json, steps_bar
from tui.cli.options import add_setting, add_settings


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("p5", help="Problem 5: the toy-diffusion swiss roll, faithful or fast",
                              description="Problem 5 headless: train ε̂θ, sample with DDPM / x0 (the notebook's) / DDIM (ours), measure "
                                          "energy distance and MMD² against fresh data beside the floor.")
    add_settings(p, P5Settings, skip=(*FROM_RECIPE, "seed"))
    for name in FROM_RECIPE:  # their default is the recipe's (the faithful one has the notebook's)
        spec = spec_of(P5Settings, name)
        add_setting(p, spec, default=None, help=f"{spec.help} ({spec.range_text()}; default: the recipe's)"
                                                f"{'. ' + spec.reason if spec.reason else ''}".replace("%", "%%"))
    p.add_argument("--oracle", action="store_true", help="also sample with the exact score (swiss roll only)")
    add_run_options(p, "write the samples to PATH (.npz: arrays ddpm, x0, ddim, in the data's original units)")
    p.set_defaults(run=run)


def settings_from_args(args: argparse.Namespace) -> P5Settings:
    """The recipe's defaults, then every option given (those left out are None). Each recipe counts its
    training one way (fast: --steps, faithful: --epochs): the other count is refused, not ignored."""
    from engine.errors import InvalidInput

    if args.recipe == "faithful" and args.steps is not None:
        raise InvalidInput("--steps is for the fast recipe; the faithful recipe trains for --epochs "
                           "(epochs × ⌈n/batch⌉ optimizer steps)")
    if args.recipe == "fast" and args.epochs is not None:
        raise InvalidInput("--epochs is for the faithful recipe; the fast recipe trains for --steps")
    given = {s.name: getattr(args, s.name) for s in specs_of(P5Settings) if s.name != "recipe"}
    return P5Settings.for_recipe(args.recipe, **given)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.console import Console

    from engine.problems import p5_swiss
    from tui.render import print_tables

    samples_path = check_samples_path(args.samples)
    settings = settings_from_args(args)
    with steps_bar() as bar:  # one bar: training, then sampling and measuring
        task = bar.add_task(f"training ({settings.recipe})", total=settings.recipe_settings().total_steps, loss="")
        result = p5_swiss.run(  # the floor as its exact expectation (engine.eps_net.expected_floor)
            settings, threads=args.threads, device=args.device, oracle=args.oracle, floor_pairs=0, workers=2,
            on_progress=lambda p: bar.update(task, completed=p.step, loss=f"loss {p.loss:.4g}"),
            on_phase=lambda p: bar.update(task, description=p.phase, completed=p.step, total=p.total, loss=""))
    out = result.as_json()
    out["floor_method"] = "expectation: energy 2·E|X−X'|/n from the fresh data's pairs, MMD² 0 (unbiased)"
    if samples_path is not None:
        std = result.trained.standardizer
        np.savez(samples_path, **{name: std.inverse(r.x0) for name, r in result.evaluation.runs.items()})
        out["samples"] = str(samples_path)
    if args.json:
        print_json(out)
        return 0
    out_console = Console()
    out_console.print(result.summary())
    print_tables(result.tables(), out_console)
    if samples_path is not None:
        out_console.print(f"samples written to {samples_path}")
    return 0
