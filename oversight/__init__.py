"""Street governance dashboard: the core, importable and testable without Streamlit."""
