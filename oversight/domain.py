"""Vocabularies of the domain that several layers share, declared once."""

from datetime import date

# The stages a renovation item runs through, in order (schema.sql's CHECK lists the same codes).
STAGES = ("survey", "consent", "design", "tendering", "construction", "acceptance", "done")

# 三率, as 接诉即办 reports them: answered, resolved and satisfied (the last two from the 回访).
THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")

# How long a request has been open, youngest band first (queries/requests_backlog_by_age.sql).
AGE_BANDS = ("d0_7", "d8_30", "d31_90", "d90_plus")

# The start of "from the beginning": a unit's or a compound's whole record of contributions, not the period.
SINCE_EVER = date(1900, 1, 1)

# The request list's code columns and the label section each is shown with (queries/requests_list.sql):
# the page, its CSV and the benchmark's export label the same columns.
REQUEST_LIST_CODES = {
    "channel": "channel",
    "category": "request_category",
    "handler": "handler",
    "overdue_request": "bool",
    "followup_resolved": "followup_resolved",
    "followup_satisfaction": "followup_satisfaction",
}

# Lists whose rows are ordered newest first by a day within the period (received_at DESC, then the
# id): their download runs month by month, newest first (export.months_newest_first).
BY_MONTH_DOWNLOADS = frozenset({"requests_list"})
