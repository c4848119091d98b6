"""Why a conversion gave up."""


class ConversionError(Exception):
    """Conversion cannot build a graph; the function runs imperatively.

    ``permanent`` means no other input signature would help (an unsupported construct),
    so the function stays imperative for good.
    """

    def __init__(self, reason: str, lineno: int | None = None, permanent: bool = False,
                 filename: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.lineno = lineno
        self.permanent = permanent
        self.filename = filename    # set where ``lineno`` is in an inlined callee's file
        self.written = frozenset()  # keys of state the code converted until then writes

    def __str__(self):
        return f"line {self.lineno}: {self.reason}" if self.lineno else self.reason
