"""The homework's own words, one Markdown file per problem, shown in each screen's help.

The files keep the homework's LaTeX; :func:`statement` turns the common macros into Unicode so
a terminal shows "p̃(y)" and "∇log p" rather than "\\tilde{p}(y)" and "\\nabla \\log p".
"""

from __future__ import annotations

import re
from importlib import resources

_MACROS = {
    r"\tilde{p}": "p̃", r"\nabla": "∇", r"\log": "log", r"\sigma": "σ", r"\theta": "θ",
    r"\epsilon": "ε", r"\varepsilon": "ε", r"\alpha": "α", r"\beta": "β", r"\bar{\alpha}": "ᾱ",
    r"\sim": "~", r"\approx": "≈", r"\propto": "∝", r"\in": "∈", r"\sum": "Σ", r"\int": "∫",
    r"\dots": "…", r"\cdots": "⋯", r"\ldots": "…", r"\times": "×", r"\to": "→", r"\rightarrow": "→",
    r"\leftarrow": "←", r"\infty": "∞", r"\le": "≤", r"\ge": "≥", r"\neq": "≠", r"\mid": "|",
    r"\partial": "∂", r"\mu": "μ", r"\pi": "π", r"\|": "‖", r"\quad": "  ", r"\,": " ",
    r"\left": "", r"\right": "", r"\mathbb{E}": "E", r"\mathrm{d}": "d", r"\hat{x}": "x̂",
    r"\Delta": "Δ", r"\exp": "exp", r"\begin{aligned}": "", r"\end{aligned}": "", r"&": "", r"\\": "\n",
}
_SUB = str.maketrans("0123456789+-=()tTk", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₜTₖ")
_SUP = str.maketrans("0123456789+-=()T", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵀ")


def latex_to_text(text: str) -> str:
    """A readable rendering of inline LaTeX (not a TeX engine: common macros only)."""
    for macro in sorted(_MACROS, key=len, reverse=True):
        text = text.replace(macro, _MACROS[macro])
    text = re.sub(r"\\mathcal\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\tilde\{(.)\}", "\\1\u0303", text)
    text = re.sub(r"\\hat\{(.)\}", "\\1\u0302", text)
    text = re.sub(r"\\bar\{(.)\}", "\\1\u0304", text)
    text = re.sub(r"_([θεφ])", r"\1", text)
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
    for _ in range(3):  # nested fractions, innermost first
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"_\{([0-9+\-=()tTk ]+)\}", lambda m: m.group(1).replace(" ", "").translate(_SUB), text)
    text = re.sub(r"_([0-9tTk])", lambda m: m.group(1).translate(_SUB), text)
    text = re.sub(r"\^\{([0-9+\-=()T]+)\}", lambda m: m.group(1).translate(_SUP), text)
    text = re.sub(r"\^([0-9T])", lambda m: m.group(1).translate(_SUP), text)
    text = re.sub(r"\\(mathrm|text|mathbf|operatorname)\{([^{}]*)\}", r"\2", text)
    text = text.replace("$$", "").replace("$", "")
    text = re.sub(r"[{}]", "", text)
    return re.sub(r"[ \t]{2,}", " ", text)


def statement(problem: int) -> str:
    """The homework's text for one problem, readable in a terminal."""
    raw = resources.files("tui.homework").joinpath(f"p{problem}.md").read_text(encoding="utf-8")
    return latex_to_text(raw)
