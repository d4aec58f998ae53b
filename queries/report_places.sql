-- Where the compounds in $compound_ids are: one row per community with its street, district and city,
-- how many of its compounds are in scope, and how many compounds its whole street has (报送单位).
WITH s AS (
    SELECT c.community_id, count(*) AS compounds_in_community
    FROM compounds c
    WHERE c.compound_id IN (SELECT unnest(scope($compound_ids)))
    GROUP BY ALL
),
street AS (
    SELECT m.street, count(*) AS compounds_in_street
    FROM compounds c JOIN communities m USING (community_id)
    GROUP BY ALL
)
SELECT m.community_id, m.name AS community, m.street, m.district, m.city, s.compounds_in_community,
       street.compounds_in_street
FROM s JOIN communities m USING (community_id) LEFT JOIN street USING (street)
ORDER BY m.community_id
