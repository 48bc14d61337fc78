"""Command-line options derived from the settings declarations (engine.settings): one option per
declared setting, with its help text, default and range, checked by the same ``Spec.parse`` the
screens' boxes use — so a value is refused on the command line exactly when it is refused on screen."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from engine.errors import InvalidInput
from engine.settings import Spec, specs_of


def spec_type(spec: Spec):
    """An argparse ``type`` that parses and checks by the spec (its message becomes argparse's)."""
    def parse(text: str) -> Any:
        try:
            return spec.parse(text)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = spec.label
    return parse


def add_setting(parser: argparse.ArgumentParser, spec: Spec, **overrides: Any) -> None:
    metavar = "|".join(spec.choices) if spec.choices else spec.name.upper()
    kwargs: dict[str, Any] = dict(dest=spec.name, type=spec_type(spec), default=spec.default,
                                  metavar=metavar, help=spec.describe().replace("%", "%%"))
    kwargs.update(overrides)
    parser.add_argument(spec.option, **kwargs)


def add_settings(parser: argparse.ArgumentParser, cls: type, skip: Iterable[str] = ()) -> None:
    """One option per declared setting of ``cls`` (except ``skip``)."""
    skip = set(skip)
    for spec in specs_of(cls):
        if spec.name not in skip:
            add_setting(parser, spec)


def settings_from_args(cls: type, args: argparse.Namespace, **fixed: Any):
    """Build ``cls`` from the parsed options (the declared ones present in ``args``) and ``fixed``."""
    values = {s.name: getattr(args, s.name) for s in specs_of(cls) if hasattr(args, s.name) and s.name not in fixed}
    return cls(**values, **fixed)


def add_text_option(parser: argparse.ArgumentParser, option: str, default: str, metavar: str, help: str) -> None:
    """An option given as text the workflow parses (a model, a mixture), its default shown in --help."""
    parser.add_argument(option, default=default, metavar=metavar, help=f'{help} (default "{default}")'.replace("%", "%%"))


def add_optional_setting(parser: argparse.ArgumentParser, spec: Spec, what: str) -> None:
    """A setting that also asks for extra work ("also move N people"): without it the work is skipped
    (see :func:`optional_given`)."""
    add_setting(parser, spec, default=None, help=f"{what}; {spec.describe()}")


def optional_given(args: argparse.Namespace, spec: Spec) -> bool:
    """Whether an optional setting was given; if not, ``args`` gets its default (the settings need one)."""
    given = getattr(args, spec.name) is not None
    if not given:
        setattr(args, spec.name, spec.default)
    return given
