"""The monthly report's charts: the pages' Altair specs (oversight/ui/chartspecs.py) rendered to PNG
by vl-convert, without a browser, in a font that has Chinese.

Kept in oversight/ui/ because it imports Altair; the core (oversight/report.py) receives render()
as a parameter and stays free of Altair and Streamlit.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd

from oversight.ui import chartspecs

# Where Debian's fonts-noto-cjk puts its fonts; the first that exists is registered with vl-convert.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts")
FONT = "Noto Sans CJK SC"
WIDTH = 620  # px at scale 1; the document shows it 15.5 cm wide
SCALE = 2  # sharp on paper


@cache
def _converter():
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
            break
    return vlc


def warm_up() -> threading.Thread:
    """Start the renderer (its JavaScript engine takes a second or two) in the background, so it is
    ready by the time the report's queries are done."""
    blank = {"data": {"values": [{"x": "改"}]}, "mark": "text", "encoding": {"text": {"field": "x"}}}
    thread = threading.Thread(target=lambda: _converter().vegalite_to_png(blank), daemon=True)
    thread.start()
    return thread


def spec(name: str, frame: pd.DataFrame, lang: str) -> alt.Chart:
    """The chart the pages draw under this name, from the same builder."""
    if name == "items_by_stage":  # Overview and Renovation
        return chartspecs.items_by_stage(frame, lang)
    if name == "three_rates":  # Overview, Red property and Requests
        return chartspecs.three_rates(frame, lang)
    if name == "volunteer_hours":  # Volunteers: months as YYYY-MM labels, as the page does
        return chartspecs.vbar(frame.assign(month=frame["month"].dt.strftime("%Y-%m")), x="month", y="hours", lang=lang)
    raise KeyError(name)


def png(chart: alt.Chart) -> bytes:
    """A chart as PNG, in the CJK font, at print width."""
    chart = (
        chart.properties(width=WIDTH)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=0)
    )
    return _converter().vegalite_to_png(chart.to_dict(), scale=SCALE)


def render(name: str, frame: pd.DataFrame, lang: str) -> bytes:
    """report.ChartRenderer: the named chart over frame as PNG bytes."""
    return png(spec(name, frame, lang))
