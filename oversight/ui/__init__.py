"""Streamlit pieces shared by the pages: the page context, filters sidebar, KPI row, tables, charts."""
