"""engine.tables + tui.render: a table laid out once renders the same numbers on every face."""

import json
import math

from engine.tables import Column, table
from tui.render import as_json, csv_text, latex, markdown, rich_table

T = table("quality", "W1 to p0", [Column("score"), Column("W1", ".4f", "w1"), Column("runs", ",d", "runs")],
          [["learned", 0.123456, 12000], ["exact", math.nan, None]], notes=["seeded"])


def test_cells_are_formatted_by_their_column():
    assert T.text_rows() == [["learned", "0.1235", "12,000"], ["exact", "undefined", "—"]]


def test_markdown_csv_latex_show_the_same_cells():
    md, csv, tex = markdown([T]), csv_text([T]), latex([T])
    assert "| learned | 0.1235 | 12,000 |" in md and "*seeded*" in md and "**W1 to p0**" in md
    assert 'learned,0.1235,"12,000"' in csv and csv.startswith("# W1 to p0\n")
    assert r"learned & 0.1235 & 12,000 \\" in tex and r"\caption{W1 to p0}" in tex


def test_json_keeps_raw_values_and_drops_nan():
    out = json.loads(json.dumps(as_json([T])))
    assert out == {"quality": [{"score": "learned", "w1": 0.123456, "runs": 12000},
                               {"score": "exact", "w1": None, "runs": None}]}


def test_rich_table_has_every_row():
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(rich_table(T))
    text = console.export_text()
    assert "0.1235" in text and "undefined" in text and "seeded" in text
