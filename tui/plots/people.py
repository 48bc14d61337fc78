"""Problem 1's bar chart of people per state: start, after moving, after the return trip.

plotext puts a legend in the top-left corner of the canvas, over the first bars; the legend is
drawn instead as one line of text beside the plot (:func:`legend`) in the series' own colours.
"""

from __future__ import annotations

from rich.text import Text

from engine.problems.p1_discrete import P1Result

SERIES = ("start", "moved", "back")
"""Short names for the legend: at the start, after moving by p(y|x), after the return by p(x|y)."""
COLORS = ((0, 130, 200), (60, 180, 75), (230, 25, 75))
"""The first three colours of textual-plotext's series sequence (what the bars are drawn in)."""


def legend() -> Text:
    text = Text()
    for name, (r, g, b) in zip(SERIES, COLORS):
        text.append("■ ", style=f"rgb({r},{g},{b})")
        text.append(f"{name}  ")
    return text


def draw_people(plt, result: P1Result, marker: str) -> None:
    """Bars of the counts per state (in billions from 10^8 people up, else in people)."""
    people = result.people
    if people is None:
        return
    scale = 1e9 if people.n_people >= 10**8 else 1.0
    series = [people.counts_x / scale, people.counts_y / scale, people.counts_back_x / scale]
    plt.multiple_bar(result.labels, [s.tolist() for s in series], marker=marker, color=list(COLORS))
    plt.xlabel("state")
    plt.ylabel("billions" if scale == 1e9 else "people")
