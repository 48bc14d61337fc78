"""hw7 engine: the homework's mathematics as plain functions (numpy; torch only where training).

Nothing in this package imports Textual or Rich, and importing it does not import torch: the
torch-based modules import it themselves, so a notebook or the app pays for torch only when it
trains or samples.
"""

from engine.errors import InvalidInput

__all__ = ["InvalidInput"]
