-- The requests of the compounds in $compound_ids received in [$period_start, $period_end), newest first,
-- with how long each took to answer (hours) and to close (days; open ones: NULL) and the 回访 answers.
SELECT
    r.request_id, c.name AS compound, r.received_at, r.channel, r.category, r.summary, r.handler,
    r.responded_at, r.resolved_at, r.followup_resolved, r.followup_satisfaction,
    round(epoch(r.responded_at - r.received_at) / 3600, 1) AS response_hours,
    round(epoch(r.resolved_at - r.received_at) / 86400, 1) AS handling_days
FROM requests r JOIN compounds c USING (compound_id)
WHERE r.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
ORDER BY r.received_at DESC, r.request_id
