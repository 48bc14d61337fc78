"""Plot drawing for the screens: data in (an engine result), plotext calls out; no formulas here."""
