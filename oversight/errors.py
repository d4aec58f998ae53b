"""The core's refusals: each carries a `kind` that selects its message in the locales, and the values for it."""


class Refusal(Exception):
    """Something the user asked for that cannot be done; the UI and the CLI word it from `kind` and `details`."""

    def __init__(self, kind: str, **details):
        super().__init__(kind)
        self.kind = kind
        self.details = details
