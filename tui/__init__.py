"""hw7-tui: the Textual app (``tui.app``) and its headless command line (``tui.cli``).

Importing this package imports neither Textual nor torch; each entry point imports what it needs.
"""

__version__ = "0.1.0"
