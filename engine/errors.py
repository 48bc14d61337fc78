"""The one exception the engine raises for bad input."""


class InvalidInput(ValueError):
    """Input the homework's formulas cannot take; the message names what is wrong and where.

    ``where`` optionally names the cell/row/field (e.g. ``("p_y_given_x", 0, 2)``) so a user
    interface can point at it.
    """

    def __init__(self, message: str, where: tuple | None = None) -> None:
        super().__init__(message)
        self.where = where
