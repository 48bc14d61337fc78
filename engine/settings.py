"""One declaration per setting: name, label, type, range, default and help, written once.

A problem's settings are a frozen dataclass whose fields are declared with :func:`setting`::

    @dataclass(frozen=True)
    class P2Settings:
        sigma2: float = setting(SIGMA2)
        y: float = setting(Y)

        def __post_init__(self) -> None:
            check_fields(self)

Everything else derives from the :class:`Spec` in each field's metadata, so the faces cannot
disagree: the engine's checks (:func:`check_fields`), the command line's options
(``tui.cli.options``), the screens' input boxes and their validators (``tui.widgets.setting_input``)
and the saved-state loader (:func:`from_saved`). The same wording reaches the user everywhere:
``Spec.parse`` and ``Spec.check`` raise :class:`InvalidInput` with one message per kind of mistake.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from engine.errors import InvalidInput
from engine.numbers import parse_number

T = TypeVar("T")


def _limit(value: float) -> str:
    """A range end as a person writes it: 2147483647, 1000000, 0.0001, 1e-06."""
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:g}"


def _huge(value: float) -> str:
    """A value beyond 1e16 in a message: 1e+20 (a whole number too large for a float, e.g. 10**309,
    as 1e+309: f"{10**309:g}" raises OverflowError)."""
    if isinstance(value, int):
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[0]}{'.' + digits[1:3].rstrip('0') if digits[1:3].strip('0') else ''}e+{len(digits) - 1}"
    return f"{value:g}"


@dataclass(frozen=True)
class Spec:
    """One setting: what it is called, what it may be, what it starts as, and why."""

    name: str
    label: str
    kind: type  # int, float or str
    default: Any
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    reason: str = ""
    """Why the range is what it is (shown in --help and the screen's help)."""

    def __post_init__(self) -> None:
        self.check(self.default)  # a declaration whose default breaks its own range is a bug

    # ---- what the faces show -------------------------------------------------------------------
    @property
    def option(self) -> str:
        """The command-line option: ``--T``, ``--sigma2``."""
        return f"--{self.name.replace('_', '-')}"

    def range_text(self) -> str:
        """``from 1 to 10000``, ``> 0 and ≤ 100``, ``one of prior, exact, matched``."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is str:
            return "text"
        what = "a whole number " if self.kind is int else ""
        if self.low is not None and self.high is not None:
            if self.low_open:
                return f"{what}> {_limit(self.low)} and ≤ {_limit(self.high)}"
            return f"{what}from {_limit(self.low)} to {_limit(self.high)}"
        if self.low is not None:
            return f"{what}{'>' if self.low_open else '≥'} {_limit(self.low)}"
        return (what or "a number").strip()

    def format(self, value: Any) -> str:
        """A value as a box shows it: 1000000000 for 1e9 (never 1e+09 digits cut), 0.25, prior."""
        if self.kind is str:
            return str(value)
        if self.kind is int:
            return str(int(value))
        return f"{value:.12g}"

    def describe(self) -> str:
        """Help text with the default and the range, for --help and the screen's help table."""
        text = f"{self.help} ({self.range_text()}; default {self.format(self.default)})"
        return f"{text}. {self.reason}" if self.reason else text

    # ---- the checks --------------------------------------------------------------------------
    def _out_of_range(self, shown: str) -> InvalidInput:
        return InvalidInput(f"{self.label} must be {self.range_text()}, got {shown}", where=(self.name,))

    def check(self, value: Any) -> Any:
        """A typed value (from code, a saved state or a parsed box) → the value, or InvalidInput."""
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise self._out_of_range(repr(value))
            return value
        if self.kind is str:  # free text (a name): any string
            if not isinstance(value, str):
                raise InvalidInput(f"{self.label} must be text, got {value!r}"[:160], where=(self.name,))
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (self.kind is int and not isinstance(value, int)):
            raise InvalidInput(f"{self.label} must be {'a whole number' if self.kind is int else 'a number'}, "
                               f"got {value!r}"[:160], where=(self.name,))
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput(f"{self.label} must be a finite number, got {value!r}", where=(self.name,))
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        if too_low or (self.high is not None and value > self.high):
            raise self._out_of_range(_limit(value) if abs(value) < 1e16 else _huge(value))
        return self.kind(value)

    def parse(self, text: str) -> Any:
        """Text typed into a box or given on the command line → the value, or InvalidInput."""
        if self.choices:
            text = text.strip()
            return self.check(text if text in self.choices else text[:40])
        if self.kind is str:
            return self.check(text.strip())
        return self.check(parse_number(text, kind=self.kind, name=self.label))


def setting(spec: Spec) -> Any:
    """A dataclass field declared by its Spec (the default comes from the spec)."""
    return field(default=spec.default, metadata={"spec": spec})


def specs_of(cls_or_obj: Any) -> tuple[Spec, ...]:
    """The specs of a settings dataclass, in field order."""
    return tuple(f.metadata["spec"] for f in dataclasses.fields(cls_or_obj) if "spec" in f.metadata)


def spec_of(cls_or_obj: Any, name: str) -> Spec:
    return next(s for s in specs_of(cls_or_obj) if s.name == name)


def declared_subset(cls: type, names: tuple[str, ...]) -> type:
    """A frozen dataclass of some of ``cls``'s declared fields, in the order of ``names``: the base
    of a settings class that exposes part of another (P5Settings: the recipe's user-set fields), so
    each of those fields stays declared once."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    return dataclasses.make_dataclass(
        f"{cls.__name__}Fields", [(n, fields[n].type, field(default=fields[n].default, metadata=fields[n].metadata))
                                  for n in names], frozen=True)


def check_fields(obj: Any) -> None:
    """Check every declared field of a settings object (call from ``__post_init__``); converts
    ints given for float settings to float."""
    for spec in specs_of(obj):
        value = spec.check(getattr(obj, spec.name))
        if value is not getattr(obj, spec.name):
            object.__setattr__(obj, spec.name, value)


def from_saved(cls: type[T], saved: Mapping[str, Any], **fixed: Any) -> tuple[T, list[str]]:
    """Build settings from a saved section: each declared value is checked by its spec; a value
    that is refused is replaced by its default with a message naming it. Keys not declared are
    ignored. ``fixed`` values are used as given (and must be valid)."""
    values: dict[str, Any] = {}
    messages: list[str] = []
    for spec in specs_of(cls):
        if spec.name in fixed or spec.name not in saved:
            continue
        try:
            values[spec.name] = spec.check(saved[spec.name])
        except InvalidInput as exc:
            messages.append(f"saved {spec.label} refused ({exc}); using the default {spec.format(spec.default)}")
    return cls(**values, **fixed), messages


def validate_section(cls: type, section: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A saved-state section checked against the declarations of ``cls``: each declared value its
    spec refuses is dropped (so the default is used) with a message naming it; keys that are not
    declared settings (a draft being edited, a view) are kept for the screen to check. The shape
    of the state store's section validators."""
    out, messages = dict(section), []
    for spec in specs_of(cls):
        if spec.name in out:
            try:
                spec.check(out[spec.name])
            except InvalidInput as exc:
                messages.append(f"saved {spec.label} refused ({exc}); using the default {spec.format(spec.default)}")
                del out[spec.name]
    return out, messages


def as_saved(obj: Any) -> dict[str, Any]:
    """The declared fields of a settings object as a plain dict (for the state file and JSON)."""
    return {spec.name: getattr(obj, spec.name) for spec in specs_of(obj)}


# ---- settings several problems share -------------------------------------------------------------
SEED = Spec("seed", "seed", int, 0, 0, 2**31 - 1,
            help="seed for every random draw (same seed, same numbers)",
            reason="torch and numpy seeds are 32-bit here.")
THREADS = Spec("threads", "threads", int, 1, 1, 256, help="torch threads for training",
               reason="One thread trains these small networks fastest on a 2-core machine and leaves a core "
                      "for the screen; two ran up to 20× slower with the other core busy (bench/bench_p3.py).")
