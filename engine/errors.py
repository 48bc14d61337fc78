"""The one exception the engine raises for bad input."""


class InvalidInput(ValueError):
    """Input the homework's formulas cannot take; the message names what is wrong and where.

    ``where`` optionally names the cell/row/field (e.g. ``("p_y_given_x", 0, 2)``) so a user
    interface can point at it.
    """

    def __init__(self, message: str, where: tuple | None = None) -> None:
        super().__init__(message)
        self.where = where


class WriteError(InvalidInput):
    """A file could not be written: the one exception :func:`engine.atomic.write_atomic` raises.

    Its message is one line naming the path and the reason ("cannot write /x/y.npz: No space left
    on device"). It is an :class:`InvalidInput` so that every caller already reporting bad input in
    one line (the command line: exit status 2) reports it too.
    """

    def __init__(self, path, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason
