-- Cases not closed for $compound_ids, by kind: the 需要关注 counts on 总览 that link to the ledger.
SELECT kind, count(*) AS cases,
       count(*) FILTER (WHERE due_on < $as_of::DATE) AS overdue
FROM supervision_cases
WHERE status <> 'closed' AND compound_id IN (SELECT unnest(scope($compound_ids)))
GROUP BY kind
ORDER BY kind
