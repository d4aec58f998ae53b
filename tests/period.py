"""The pages' default period on the demo data: the 12 months up to its as_of, as the page tests bound
their hand-written SQL ([START, END)) and run the pages' queries directly (DEFAULT_FILTER)."""

from __future__ import annotations

from datetime import date

from oversight.filters import Filter

START, END, AS_OF = "2022-10-01", "2023-10-01", "2023-09-30"
# The same period as the pages' Filter holds it: months, both inclusive.
DEFAULT_FILTER = Filter(start=date(2022, 10, 1), end=date(2023, 9, 1), as_of=date.fromisoformat(AS_OF))
