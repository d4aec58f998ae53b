"""帮助 Help: the officials' guide (docs/操作手册.md) with every figure's 口径 from the metric catalogue."""

import streamlit as st

from oversight import guide, metrics
from oversight.ui import context, widgets

ctx = context.current()
widgets.header(ctx, "guide.title", needs_compounds=False)

if ctx.lang == "zh":
    # The guide as written, its 口径 section rendered from the catalogue now (never a stale copy).
    st.markdown(guide.render(guide.GUIDE.read_text(encoding="utf-8")).split("\n", 1)[1])
else:
    st.info(ctx.t("guide.intro"), icon=":material/translate:")
    st.markdown(guide.caliber_markdown("en"))

# The SQL behind each figure, for administrators who check a number against the data.
if ctx.account is not None and ctx.account.may_read_sql:
    with st.expander(ctx.t("guide.sources")):
        st.markdown(
            "\n".join(
                "- "
                + ctx.t(
                    "guide.source_line", metric=ctx.t(f"metric.{m.key}"), path=f"queries/{m.query}.sql", column=m.column
                )
                for m in metrics.CATALOGUE.values()
            )
        )
