"""Session-state keys that carry a value from one module to another, named in one place.

A widget's own key stays with its widget when nothing else reads it.
"""

# dashboard.py -> every page: the page context of this rerun (oversight.ui.context).
CONTEXT = "_page_context"
# dashboard.py -> pages and pieces that link to another page: url path -> st.Page.
PAGES = "_pages"
# dashboard.py's navigation sections, kept with the language and role they were made for.
NAVIGATION = "_navigation"
# The compound the 小区档案 page shows: its selectbox's key, set by a click on a progress bar elsewhere.
PROFILE = "profile"
# 总览 -> 督办台账: the kind of case a 需要关注 button asked for, read once.
LEDGER_KIND = "_ledger_kind"
# The 督办台账's kind filter (its widget key), which the hand-off above fills.
LEDGER_KIND_FILTER = "sv_kind"

# The sign-in (oversight.ui.login): the account, when it was last active, a notice for the login page,
# and the cookie session's token.
ACCOUNT, LAST_SEEN, LOGIN_NOTICE, SESSION_TOKEN = "_account", "_last_seen", "_login_notice", "_session_token"

# The sidebar's widgets (oversight.ui.sidebar), bound to the URL under these names.
LANG, COMMUNITY, COMPOUND, PERIOD, SPAN = "lang", "community", "compound", "period", "span"
