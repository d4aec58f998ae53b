"""Chart specs: built once per rows and arguments, the same dict st.altair_chart would send, and the
click selection that opens a compound's profile still declared."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from streamlit.elements import vega_charts

from oversight import domain
from oversight.ui import charts, chartspecs, pages
from tests.apptest import app, assert_clean, open_page

RATES = pd.DataFrame(
    {
        "month": pd.to_datetime(["2023-07-01", "2023-08-01", "2023-09-01"]),
        **{rate: [0.8, 0.85, 0.9] for rate in domain.THREE_RATES},
    }
)
BARS = pd.DataFrame({"compound_id": ["X001", "X002"], "compound": ["甲", "乙"], "progress": [40.0, 75.5]})


@pytest.fixture
def counted(monkeypatch):
    """chartspecs.three_rates, counting how often Altair really builds its spec."""
    calls = []
    real = chartspecs.three_rates

    def counting(frame, lang, prepared=False):
        calls.append(lang)
        return real(frame, lang, prepared=prepared)

    monkeypatch.setattr(chartspecs, "three_rates", counting)
    charts._spec.clear()
    charts._TEMPLATES.clear()
    yield calls
    charts._spec.clear()
    charts._TEMPLATES.clear()


def test_altair_builds_a_spec_once_per_language_and_new_rows_are_attached_to_it(counted):
    first = charts.spec("three_rates", RATES, "zh")
    assert charts.spec("three_rates", RATES.copy(), "zh") == first
    assert counted == ["zh"]
    changed = RATES.assign(response_rate=[0.8, 0.85, 0.95])
    again = charts.spec("three_rates", changed, "zh")
    assert again != first and counted == ["zh"]  # the template of the first rows, with the new rows
    assert again == charts.vega_lite(chartspecs.lines(changed, "month", list(domain.THREE_RATES), "zh", "pct"))
    assert charts.spec("three_rates", RATES, "en") != first
    assert counted == ["zh", "en"]


def test_a_column_of_another_type_gets_a_spec_of_its_own():
    """Altair infers an untyped field's type from its column: a template is never shared across types."""
    charts._spec.clear()
    charts._TEMPLATES.clear()
    text = BARS.assign(progress=["40", "75.5"])  # a tooltip field of another type
    for frame in (BARS, text):
        args = {"x": "compound", "y": "progress"}
        assert charts.spec("vbar", frame, "zh", **args) == charts.vega_lite(chartspecs.vbar(frame, lang="zh", **args))
    assert len(charts._TEMPLATES) == 2


CHARTLESS = {"app_pages/supervision.py", "app_pages/data.py", "app_pages/help.py"}


def _drawn(at) -> list[tuple]:
    """Every chart a page drew: its spec (as JSON data) and its rows (Arrow bytes by dataset)."""
    return [
        (json.loads(c.proto.spec), sorted((d.name, d.data.data) for d in c.proto.datasets))
        for c in at.get("vega_lite_chart")
    ]


@pytest.mark.parametrize("page", [p.file for p in pages.PAGES])
def test_every_chart_drawn_from_a_template_is_the_chart_altair_builds_for_its_rows(app_env, monkeypatch, page):
    """Every page in both languages, its charts drawn from templates that other rows made (another
    community's), against the same page with every spec built by Altair for its own rows."""
    for lang in ("zh", "en"):
        charts._spec.clear()
        charts._TEMPLATES.clear()
        open_page(page, lang=lang, state={"community": ["C01"]})
        charts._spec.clear()
        templated = _drawn(open_page(page, lang=lang, state={"community": ["C02"]}))
        with monkeypatch.context() as m:
            m.setattr(charts, "_template", lambda *a: None)
            charts._spec.clear()
            built = _drawn(open_page(page, lang=lang, state={"community": ["C02"]}))
        assert templated == built, (page, lang)
    assert built or page in CHARTLESS, page


@pytest.mark.parametrize(
    ("builder", "frame", "args"),
    [
        ("three_rates", RATES, {}),
        ("hbar", BARS, {"y": "compound", "x": "progress", "selectable": "compound_id"}),
        ("vbar", BARS, {"x": "compound", "y": "progress"}),
    ],
)
def test_the_spec_is_what_st_altair_chart_sends_without_validation(builder, frame, args):
    chart = getattr(chartspecs, builder)(frame, lang="zh", **args)
    ours, theirs = charts.vega_lite(chart), vega_charts._convert_altair_to_vega_lite_spec(chart)
    # The same spec and rows; the rows' bytes differ only by pandas' index metadata, which no chart reads.
    assert _same_rows(ours) == _same_rows(theirs)
    assert len(ours["datasets"]) == len(theirs["datasets"]) > 0


def _same_rows(spec: dict) -> str:
    """The spec as JSON, each dataset's name and bytes replaced by its rows (pandas' index columns left out)."""
    import pyarrow.ipc as ipc

    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True, ensure_ascii=False)
    for i, (name, data) in enumerate(sorted(spec["datasets"].items(), key=lambda kv: text.find(kv[0]))):
        table = ipc.open_stream(data).read_all()
        rows = table.select([c for c in table.column_names if not c.startswith("__index_level_")]).to_pylist()
        text = text.replace(name, f"rows{i}") + f"\nrows{i}: {rows!r}"
    return text


def test_a_clickable_bar_chart_keeps_its_selection():
    spec = charts.vega_lite(chartspecs.hbar(BARS, "compound", "progress", "zh", selectable="compound_id"))
    (param,) = spec["params"]
    assert param["name"] == "pick" and param["select"] == {"type": "point", "fields": ["compound_id"], "on": "click"}


def test_the_progress_chart_on_the_overview_is_drawn_with_its_selection(app_env):
    at = app().run()
    assert_clean(at)
    picks = [c for c in at.get("vega_lite_chart") if list(c.proto.selection_mode) == ["pick"]]
    assert len(picks) == 1
    spec = json.loads(picks[0].proto.spec)
    assert spec["params"][0]["select"]["fields"] == ["compound_id"]
    assert picks[0].proto.datasets and picks[0].proto.id  # rows sent as Arrow; a widget that reruns on a click


def test_the_timeline_spec_marks_as_of():
    frame = pd.DataFrame(
        {
            "item_id": ["I1", "I1"],
            "item": ["甲 · 屋面", "甲 · 屋面"],
            "bar": ["planned", "overdue"],
            "start_date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
            "end_date": pd.to_datetime(["2023-06-30", "2023-09-30"]),
            "stage": ["construction", "construction"],
            "progress_pct": [60, 60],
            "delay_days": [0, 92],
        }
    )
    spec = charts.spec("renovation_timeline", frame, "zh", as_of=date(2023, 9, 30))
    assert len(spec["layer"]) == 3 and len(spec["datasets"]) == 2


def test_the_sidebar_options_are_worked_out_once_per_version_and_scope_the_filter_as_before(app_env, monkeypatch):
    """The sidebar's options (shared by every rerun with that scope) leave the compounds filters.scope does."""
    import dataclasses

    import streamlit as st

    from oversight import db, filters
    from oversight.filters import Filter
    from oversight.ui import context, sidebar

    con = db.connect(app_env)
    meta = db.meta(con)
    as_of = date.fromisoformat(meta["as_of"])
    sidebar._options.clear()
    everything = sidebar.options(str(app_env), meta["data_version"], as_of, None)
    assert sidebar.options(str(app_env), meta["data_version"], as_of, None) is everything
    read = []
    real = sidebar.load_options
    monkeypatch.setattr(sidebar, "load_options", lambda *a: read.append(1) or real(*a))
    st.cache_data.clear()  # what the benchmark's uncached runs do: the options' rows are read again...
    assert sidebar.options(str(app_env), meta["data_version"], as_of, None) is everything and read == [1]
    # ...and the same rows give the options already built; other rows (an import renamed a compound) new ones.

    def renamed(*a):
        frame, first = real(*a)
        frame = frame.copy()
        frame.loc[0, "compound"] = "改名后的小区"
        return frame, first

    monkeypatch.setattr(sidebar, "load_options", renamed)
    st.cache_data.clear()
    changed = sidebar.options(str(app_env), meta["data_version"], as_of, None)
    assert changed is not everything and changed.compound_labels[everything.compound_ids[0]] == "改名后的小区"
    monkeypatch.setattr(sidebar, "load_options", real)
    st.cache_data.clear()
    assert sidebar.options(str(app_env), meta["data_version"], as_of, None) is everything
    staff = sidebar.options(str(app_env), meta["data_version"], as_of, ("C02",))
    assert staff is not everything and set(staff.allowed) < set(everything.compound_ids)
    frame = db.run("filter_options", con, compound_ids=db.all_compound_ids(con))
    first_community = everything.community_ids[0]
    some = [c for c in everything.compound_ids if everything.community_of[c] == first_community][:2]
    for flt in (
        Filter(),
        Filter(communities=(first_community,)),
        Filter(communities=(first_community,), compounds=(some[0],)),
        Filter(compounds=tuple(some)),
    ):
        assert everything.scope(flt) == filters.scope(frame, flt)
        assert staff.scope(flt) == filters.scope(frame, Filter(flt.communities, flt.compounds, allowed=staff.allowed))
        # Queries read the whole street (db.STREET) only for a street account with nothing chosen, and
        # not once a page narrows the context (the profile's one compound).
        street = context.Context(
            "zh", flt, everything.scope(flt), str(app_env), "v", {}, {}, street_size=len(everything.compound_ids)
        )
        assert street.whole_street == (flt == Filter())
        assert (street.scope_ids is db.STREET) == (flt == Filter())
        assert dataclasses.replace(street, compound_ids=some[:1]).scope_ids == some[:1]
        part = context.Context("zh", flt, staff.scope(flt), str(app_env), "v", {}, {}, street_size=None)
        assert not part.whole_street and part.scope_ids == staff.scope(flt)
    # Asked again (every rerun asks), the same choice is answered from the memo, and the memo stays
    # bounded however many choices are made.
    chosen = Filter(communities=(first_community,))
    assert everything.scope(chosen) == everything.scope(chosen) == filters.scope(frame, chosen)
    offered = everything.compound_options((first_community,))
    assert list(offered) == [c for c in everything.compound_ids if everything.community_of[c] == first_community]
    assert everything.compound_options((first_community,)) is offered
    assert everything.compound_options(()) == everything.compound_ids
    for i in range(sidebar.MEMO_SIZE + 5):
        everything.compound_options((first_community, f"X{i}"))
    assert 0 < len(everything._kept) <= sidebar.MEMO_SIZE
    assert everything.compound_options((first_community,)) == offered


def test_a_table_is_made_ready_once_for_the_same_rows_and_shows_what_fmt_makes(monkeypatch):
    """widgets.shown: labels, dates and 万元 worked out once per rows, language and codes; the rows
    every download writes are worked out only when asked."""
    from oversight import fmt
    from oversight.ui import widgets

    calls = []
    real = fmt.screen_table

    def counting(frame, lang, codes=None, limit=None):
        calls.append(lang)
        return real(frame, lang, codes, limit)

    monkeypatch.setattr(fmt, "screen_table", counting)
    widgets._display.clear()
    rows = pd.DataFrame({"stage": ["design", "done"], "planned_end": pd.to_datetime(["2023-07-01", "2023-08-15"]),
                         "budget_yuan": [1_250_000.0, 30_000.0]})  # fmt: skip
    made = widgets.shown(rows, "zh", {"stage": "stage"})
    assert made.screen.column_names == [made.names[c] for c in rows.columns]
    assert made.screen.rename_columns(list(rows.columns)).equals(real(rows, "zh", {"stage": "stage"}))
    assert made.screen.column(made.names["planned_end"]).to_pylist() == ["2023-07-01", "2023-08-15"]
    pd.testing.assert_frame_equal(made.frame, fmt.display_units(fmt.labelled(rows, "zh", {"stage": "stage"})))
    assert widgets.shown(rows.copy(), "zh", {"stage": "stage"}) is made
    assert calls == ["zh"]
    english = widgets.shown(rows, "en", {"stage": "stage"})
    assert (
        english.screen.column(english.names["stage"]).to_pylist() != made.screen.column(made.names["stage"]).to_pylist()
    )
    widgets.shown(rows.assign(budget_yuan=[1.0, 2.0]), "zh", {"stage": "stage"})
    assert calls == ["zh", "en", "zh"]
    widgets._display.clear()


def test_each_rate_keeps_its_colour_and_legend_place_in_both_languages():
    """The three-rates chart coloured its lines by the labels' sort order, so 响应率 was red in Chinese
    and Resolution red in English (an official's review): colours follow the rates' own order."""
    months = pd.to_datetime(["2023-08-01", "2023-09-01"])
    frame = pd.DataFrame({"month": months, **{r: [0.8, 0.9] for r in domain.THREE_RATES}})
    colours = {}
    for lang in ("zh", "en"):
        scale = chartspecs.three_rates(frame, lang).to_dict(validate=False)["encoding"]["color"]["scale"]
        assert scale["domain"] == [chartspecs.title(lang, r) for r in domain.THREE_RATES]
        colours[lang] = dict(zip(domain.THREE_RATES, scale["range"], strict=True))
    assert colours["zh"] == colours["en"]
