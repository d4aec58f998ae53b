-- scope(compound_ids): the compounds a query reads, as a list. NULL stands for the whole street, every
-- compound of this version: bound as a list, 5,000 ids became a constant DuckDB planned in every query
-- that read them (5-20 ms each at city scale). Only db.STREET binds NULL (db.bind refuses a bare None),
-- and only a street account's unfiltered view passes it (context.Context.fetch). A scalar macro, stored
-- with the roll-ups by rollups.rebuild; every query wraps $compound_ids in it.
CREATE OR REPLACE MACRO scope(compound_ids) AS
    coalesce(compound_ids::VARCHAR[], (SELECT list(compound_id ORDER BY compound_id) FROM compounds));
