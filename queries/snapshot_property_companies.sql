-- Snapshot: the property companies serving the compounds in $compound_ids, now or in any month.
-- With $all_compounds (an unfiltered snapshot) every row, even of places no compound refers to.
SELECT * FROM property_companies
WHERE $all_compounds
   OR company_id IN (SELECT company_id FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
   OR company_id IN (SELECT company_id FROM red_property_monthly WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
ORDER BY company_id
