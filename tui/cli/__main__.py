"""``python -m tui.cli`` is the same as ``hw7-tui``."""

import sys

from tui.cli import main

sys.exit(main())
