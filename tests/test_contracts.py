"""The import contract's records agree with schema.sql, the locales and the queries: a new table
declared in one place but forgotten in another fails here, not on a user's screen."""

from __future__ import annotations

import pytest

from oversight import contracts, db, i18n, ingest, templates

TABLES = [c.table for c in contracts.CONTRACTS]


@pytest.mark.parametrize("table", TABLES)
def test_the_key_is_the_primary_key_of_schema_sql(table):
    assert contracts.contract(table).key == ingest.table_spec(table).primary_key


def test_tables_come_after_the_tables_they_refer_to():
    order = {t: i for i, t in enumerate(TABLES)}
    for table in TABLES:
        for fk in ingest.table_spec(table).foreign_keys:
            if fk.ref_table != table:
                assert order[fk.ref_table] < order[table], (table, fk.ref_table)


@pytest.mark.parametrize("table", TABLES)
def test_coded_and_month_columns_exist_with_labels_in_both_languages(table):
    spec, found = ingest.table_spec(table), contracts.contract(table)
    for column, section in found.codes.items():
        assert column in spec.column_names
        for lang in i18n.LANGUAGES:
            assert any(key.startswith(f"{section}.") for key in i18n.strings(lang)), (section, lang)
    for column in found.months:
        assert spec.column(column).type == "DATE"


@pytest.mark.parametrize("table", TABLES)
def test_the_compound_column_leads_to_a_compound(table):
    found = contracts.contract(table)
    if found.compound is None:
        assert found.via is None and not found.scope_rules
        return
    spec = ingest.table_spec(table)
    assert found.compound in spec.column_names
    if found.via is None:
        assert found.compound == "compound_id"
    else:
        assert any(fk.column == found.compound and fk.ref_table == found.via for fk in spec.foreign_keys)
        assert contracts.contract(found.via).compound == "compound_id"


@pytest.mark.parametrize("table", TABLES)
def test_rules_snapshot_query_example_and_names_are_all_there(table):
    found = contracts.contract(table)
    assert set(found.rules) <= set(ingest.RULES) and set(found.scope_rules) <= set(ingest.SCOPE_RULES)
    assert found.snapshot in db.query_names()
    spec = ingest.table_spec(table)
    example = contracts.example_row(table)
    assert set(example) == set(spec.column_names), set(example) ^ set(spec.column_names)
    assert not any(callable(v) for v in example.values())
    for lang in i18n.LANGUAGES:
        assert f"data.table_{table}" in i18n.strings(lang)
        strings = i18n.strings(lang)
        assert all(f"col.{c}" in strings for c in spec.column_names)
        for c in spec.column_names:
            assert f"template.meaning.{table}.{c}" in strings or f"template.meaning.{c}" in strings, (c, lang)
    assert templates.headers(table)[0] == i18n.t(f"col.{spec.column_names[0]}", "zh")


def test_the_import_and_load_order_lists_come_from_the_contracts():
    assert ingest.IMPORTABLE_TABLES == tuple(TABLES)
    assert db.TABLES == [*TABLES, "meta"]


def test_every_table_of_schema_sql_is_a_contract_or_the_apps_own():
    """A CREATE TABLE without its contract would be a table nobody can import, delete or snapshot."""
    import duckdb

    from oversight import rollups

    con = duckdb.connect()
    db.create_schema(con)
    created = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    own = {*ingest.REFUSED_TABLES, *rollups.TABLES}
    assert created - own == set(TABLES)
