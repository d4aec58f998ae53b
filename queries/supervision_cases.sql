-- The ledger for $compound_ids: every case with its compound, community, shown status (逾期未办 when
-- its deadline passed before $as_of and it is not closed), the last note and the days it is open;
-- narrowed to $statuses, $kinds and $units (an empty list: all), overdue first, at most $limit rows.
SELECT * FROM (
    SELECT
        s.case_id, s.kind, s.title, c.name AS compound, m.name AS community, c.community_id,
        CASE WHEN s.status <> 'closed' AND s.due_on < $as_of::DATE THEN 'overdue' ELSE s.status END AS status,
        s.assignee_unit, s.assignee_person, s.due_on, s.opened_on, s.closed_on, s.close_proposed,
        date_diff('day', s.opened_on, coalesce(s.closed_on, $as_of::DATE)) AS days_open,
        (SELECT e.note FROM supervision_events e WHERE e.case_id = s.case_id AND e.note IS NOT NULL
         ORDER BY e.seq DESC LIMIT 1) AS last_note,
        s.compound_id, s.subject_id
    FROM supervision_cases s
    JOIN compounds c USING (compound_id)
    JOIN communities m ON m.community_id = c.community_id
    WHERE s.compound_id IN (SELECT unnest(scope($compound_ids)))
      AND (len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], s.kind))
      AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], s.assignee_unit))
) q
WHERE len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], q.status)
ORDER BY (CASE q.status WHEN 'overdue' THEN 0 WHEN 'closed' THEN 2 ELSE 1 END), q.due_on NULLS LAST, q.opened_on, q.case_id
LIMIT $limit
