"""Data and URL values placed in Streamlit's markdown elements are shown as literal text.

Streamlit renders st.header, st.markdown, st.caption, st.warning, widget labels... as markdown
(links, images, emphasis, :colour[...] directives, autolinked URLs). A compound name or a link's
filter value is data, never markup: every ASCII punctuation character is backslash-escaped, which
CommonMark then shows as itself, and line breaks become spaces.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def md(value) -> str:
    """value as literal text inside markdown: no link, image, HTML, emphasis or directive."""
    if value is None:
        return ""
    return _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", str(value)))
