-- Every table of the import contract (docs/data-model.md), with its keys and rules.
-- Money is DECIMAL yuan, shares 0-1, percentages 0-100, months are the first day of the month.

CREATE TABLE IF NOT EXISTS communities (
    community_id VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    street       VARCHAR NOT NULL,
    district     VARCHAR NOT NULL,
    city         VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS property_companies (
    company_id       VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL CHECK (kind IN ('market', 'public_interest', 'self_managed')),
    has_party_branch BOOLEAN NOT NULL,
    party_members    INTEGER NOT NULL CHECK (party_members >= 0)
);

CREATE TABLE IF NOT EXISTS compounds (
    compound_id        VARCHAR PRIMARY KEY,
    community_id       VARCHAR NOT NULL REFERENCES communities (community_id),
    name               VARCHAR NOT NULL,
    built_year         INTEGER CHECK (built_year BETWEEN 1900 AND 2100),
    buildings          INTEGER NOT NULL CHECK (buildings >= 0),
    units              INTEGER NOT NULL CHECK (units >= 0),
    households         INTEGER NOT NULL CHECK (households >= 0),
    elderly_share      DOUBLE CHECK (elderly_share BETWEEN 0 AND 1),
    structure          VARCHAR,
    plan_batch         VARCHAR CHECK (plan_batch IS NULL OR regexp_full_match(plan_batch, '\d{4}-\d{2}')),
    in_renovation_plan BOOLEAN NOT NULL,
    company_id         VARCHAR REFERENCES property_companies (company_id),
    lat                DOUBLE CHECK (lat BETWEEN -90 AND 90),
    lon                DOUBLE CHECK (lon BETWEEN -180 AND 180),
    -- Storeys of the tallest residential building: what an elevator would serve.
    floors             INTEGER CHECK (floors BETWEEN 1 AND 100)
);

CREATE TABLE IF NOT EXISTS partner_units (
    unit_id      VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('soe', 'agency', 'institution', 'private', 'ngo')),
    community_id VARCHAR NOT NULL REFERENCES communities (community_id),
    joined_on    DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS renovation_items (
    item_id        VARCHAR PRIMARY KEY,
    compound_id    VARCHAR NOT NULL REFERENCES compounds (compound_id),
    category       VARCHAR NOT NULL CHECK (category IN ('basic', 'improvement', 'upgrade')),
    item_type      VARCHAR NOT NULL,
    title          VARCHAR NOT NULL,
    in_plan        BOOLEAN NOT NULL,
    funding        VARCHAR NOT NULL CHECK (funding IN ('government', 'partner', 'residents', 'mixed')),
    stage          VARCHAR NOT NULL
        CHECK (stage IN ('survey', 'consent', 'design', 'tendering', 'construction', 'acceptance', 'done')),
    budget_yuan    DECIMAL(14, 2) NOT NULL CHECK (budget_yuan >= 0),
    spent_yuan     DECIMAL(14, 2) NOT NULL CHECK (spent_yuan >= 0),
    planned_start  DATE,
    planned_end    DATE,
    actual_start   DATE,
    actual_end     DATE,
    progress_pct   DOUBLE NOT NULL CHECK (progress_pct BETWEEN 0 AND 100),
    units_affected INTEGER CHECK (units_affected >= 0),
    -- Buildings (栋) the item touches, and for an elevator item the elevators (台) it adds.
    buildings_affected INTEGER CHECK (buildings_affected >= 0),
    elevators      INTEGER CHECK (elevators >= 0),
    CHECK (planned_end >= planned_start),
    CHECK (actual_end >= actual_start),
    CHECK (actual_end IS NULL OR actual_start IS NOT NULL),
    -- 100% means finished, and finished means 100%.
    CHECK ((progress_pct = 100) = (stage = 'done'))
);

CREATE TABLE IF NOT EXISTS progress_updates (
    item_id      VARCHAR NOT NULL REFERENCES renovation_items (item_id),
    reported_on  DATE NOT NULL,
    stage        VARCHAR NOT NULL
        CHECK (stage IN ('survey', 'consent', 'design', 'tendering', 'construction', 'acceptance', 'done')),
    progress_pct DOUBLE NOT NULL CHECK (progress_pct BETWEEN 0 AND 100),
    note         VARCHAR,
    PRIMARY KEY (item_id, reported_on),
    CHECK ((progress_pct = 100) = (stage = 'done'))
);

CREATE TABLE IF NOT EXISTS contributions (
    contribution_id     VARCHAR PRIMARY KEY,
    unit_id             VARCHAR NOT NULL REFERENCES partner_units (unit_id),
    compound_id         VARCHAR NOT NULL REFERENCES compounds (compound_id),
    item_id             VARCHAR REFERENCES renovation_items (item_id),
    contributed_on      DATE NOT NULL,
    kind                VARCHAR NOT NULL CHECK (kind IN ('works', 'funds', 'materials', 'service')),
    description         VARCHAR NOT NULL,
    value_yuan          DECIMAL(14, 2) NOT NULL CHECK (value_yuan >= 0),
    volunteer_hours     DOUBLE NOT NULL DEFAULT 0 CHECK (volunteer_hours >= 0),
    participants        INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    households_benefited INTEGER NOT NULL DEFAULT 0 CHECK (households_benefited >= 0)
);

CREATE TABLE IF NOT EXISTS red_property_monthly (
    compound_id           VARCHAR NOT NULL REFERENCES compounds (compound_id),
    month                 DATE NOT NULL CHECK (day(month) = 1),
    company_id            VARCHAR REFERENCES property_companies (company_id),
    cross_appointed_staff INTEGER NOT NULL CHECK (cross_appointed_staff >= 0),
    party_members_serving INTEGER NOT NULL CHECK (party_members_serving >= 0),
    committee_party_share DOUBLE CHECK (committee_party_share BETWEEN 0 AND 1),
    joint_meetings        INTEGER NOT NULL CHECK (joint_meetings >= 0),
    fee_collection_pct    DOUBLE CHECK (fee_collection_pct BETWEEN 0 AND 100),
    -- Whether the compound had an owners' committee (业委会) that month; blank: known from the share.
    has_owners_committee  BOOLEAN,
    PRIMARY KEY (compound_id, month),
    -- Without property service there is no fee to collect.
    CHECK (fee_collection_pct IS NULL OR company_id IS NOT NULL)
);

CREATE TABLE IF NOT EXISTS requests (
    request_id   VARCHAR PRIMARY KEY,
    compound_id  VARCHAR NOT NULL REFERENCES compounds (compound_id),
    received_at  TIMESTAMP NOT NULL,
    channel      VARCHAR NOT NULL CHECK (channel IN ('hotline_12345', 'visit', 'council', 'online', 'other')),
    category     VARCHAR NOT NULL,
    summary      VARCHAR,
    handler      VARCHAR NOT NULL CHECK (handler IN ('property', 'community', 'partner', 'other')),
    responded_at TIMESTAMP,
    resolved_at  TIMESTAMP,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    -- 办理时限: days allowed from receipt to closing; 回访: the follow-up call after closing.
    time_limit_days       INTEGER CHECK (time_limit_days BETWEEN 1 AND 365),
    followup_resolved     VARCHAR CHECK (followup_resolved IN ('resolved', 'unresolved')),
    followup_satisfaction VARCHAR
        CHECK (followup_satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    CHECK (responded_at >= received_at),
    CHECK (followup_resolved IS NULL OR resolved_at IS NOT NULL),
    CHECK (followup_satisfaction IS NULL OR resolved_at IS NOT NULL),
    CHECK (resolved_at >= received_at),
    CHECK (resolved_at IS NULL OR responded_at IS NOT NULL)
);

CREATE TABLE IF NOT EXISTS volunteers (
    volunteer_id VARCHAR PRIMARY KEY,
    compound_id  VARCHAR NOT NULL REFERENCES compounds (compound_id),
    -- Masked names only (张*华): a star must hide part of the name.
    display_name VARCHAR NOT NULL CHECK (contains(display_name, '*')),
    kind         VARCHAR NOT NULL
        CHECK (kind IN ('resident', 'sunk_party_member', 'property_staff', 'partner_staff')),
    unit_id      VARCHAR REFERENCES partner_units (unit_id),
    joined_on    DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS services (
    service_id   VARCHAR PRIMARY KEY,
    volunteer_id VARCHAR NOT NULL REFERENCES volunteers (volunteer_id),
    served_on    DATE NOT NULL,
    activity     VARCHAR NOT NULL,
    hours        DOUBLE NOT NULL CHECK (hours > 0 AND hours <= 24),
    points       DOUBLE NOT NULL CHECK (points >= 0)
);

CREATE TABLE IF NOT EXISTS rewards (
    reward_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    points_cost DOUBLE NOT NULL CHECK (points_cost > 0),
    stock       INTEGER NOT NULL CHECK (stock >= 0)
);

CREATE TABLE IF NOT EXISTS redemptions (
    redemption_id VARCHAR PRIMARY KEY,
    volunteer_id  VARCHAR NOT NULL REFERENCES volunteers (volunteer_id),
    reward_id     VARCHAR NOT NULL REFERENCES rewards (reward_id),
    redeemed_on   DATE NOT NULL,
    points_spent  DOUBLE NOT NULL CHECK (points_spent > 0)
);

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS import_log (
    import_id   VARCHAR PRIMARY KEY,
    table_name  VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    rows        BIGINT NOT NULL CHECK (rows >= 0),
    status      VARCHAR NOT NULL CHECK (status IN ('ok', 'failed')),
    message     VARCHAR,
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL
);

-- 督办台账: a case for every late item, overdue request and compound below the satisfaction line.
-- Opened and closed by supervision.sync on every write; assigned, reminded and closed by officials.
-- One case per cause (case_id = a kind's letters - the subject's id), reopened rather than duplicated when the cause returns.
CREATE TABLE IF NOT EXISTS supervision_cases (
    case_id         VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL
        CHECK (kind IN ('late_start', 'late_finish', 'request_overdue', 'low_satisfaction')),
    compound_id     VARCHAR NOT NULL,
    subject_id      VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    opened_on       DATE NOT NULL,
    closed_on       DATE,
    closed_how      VARCHAR CHECK (closed_how IN ('auto', 'confirmed')),
    assignee_unit   VARCHAR,
    assignee_person VARCHAR,
    due_on          DATE,
    close_proposed  BOOLEAN NOT NULL DEFAULT false,
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);

CREATE TABLE IF NOT EXISTS supervision_events (
    case_id VARCHAR NOT NULL,
    seq     INTEGER NOT NULL,
    acted_at TIMESTAMP NOT NULL,
    who     VARCHAR NOT NULL,
    action  VARCHAR NOT NULL CHECK (action IN
        ('opened', 'reopened', 'assigned', 'reminded', 'progress', 'proposed_close', 'closed', 'auto_closed')),
    note    VARCHAR,
    PRIMARY KEY (case_id, seq)
);

-- Roll-ups: derived from the event tables by rollups.rebuild inside every write (store.write) and every
-- demo/generate build, never imported, deleted or snapshotted. They let the pages' figures read a few
-- rows per compound and month instead of every request and service. Months are the first day; one row per
-- compound and month (no key: an index would only slow the rebuild).
-- Requests by compound and month received; *_to_as_of count only what happened on or before meta.as_of
-- (they differ from the full figure only in as_of's month); resolved_in_month is keyed by the month closed.
CREATE TABLE IF NOT EXISTS rollup_requests_monthly (
    compound_id       VARCHAR NOT NULL,
    month             DATE NOT NULL,
    requests          BIGINT NOT NULL,
    responded_24h     BIGINT NOT NULL,   -- answered within 24 hours
    resolved          BIGINT NOT NULL,   -- closed (resolved_at set), by month received
    unresolved        BIGINT NOT NULL,   -- resolved_at empty
    followup_answered BIGINT NOT NULL,   -- 回访 with a resolved/unresolved answer
    followup_resolved BIGINT NOT NULL,   -- ... answered 'resolved'
    rated             BIGINT NOT NULL,   -- 回访 with a satisfaction answer
    satisfied         BIGINT NOT NULL,   -- ... satisfied or basically satisfied
    late_closed_with_limit BIGINT NOT NULL,  -- closed after the row's own 办理时限
    received_to_as_of BIGINT NOT NULL,
    resolved_in_month BIGINT NOT NULL,
    resolved_to_as_of BIGINT NOT NULL
);

-- The requests a stock figure (超期, open over 30 days) can still count on some day: not closed, closed
-- more than 30 days after receipt, or without an own 办理时限 (whose default is a setting).
CREATE TABLE IF NOT EXISTS rollup_requests_open (
    request_id      VARCHAR NOT NULL,
    compound_id     VARCHAR NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    time_limit_days INTEGER,
    -- What the list of requests open over 30 days shows (old_open_requests.sql).
    channel         VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    summary         VARCHAR,
    handler         VARCHAR NOT NULL
);

-- The requests open on a month's last day or on meta.as_of (the days a page's backlog stands on) that were
-- received within the 30 days before it, counted by compound and days waited (requests_backlog_by_age.sql;
-- those open longer are in rollup_requests_open).
CREATE TABLE IF NOT EXISTS rollup_requests_recent_open (
    as_at       DATE NOT NULL,
    compound_id VARCHAR NOT NULL,
    age_days    BIGINT NOT NULL,   -- 0 to 30
    requests    BIGINT NOT NULL
);

-- Requests by compound, month received and channel, and by compound, month received and category (a
-- row has one of the two), with the rate each chart shows beside them (响应率 by channel, 办结率 by category);
-- rows without a compound count the whole street's, read when every compound is in scope.
CREATE TABLE IF NOT EXISTS rollup_requests_breakdown (
    compound_id   VARCHAR,           -- NULL: every compound
    month         DATE NOT NULL,
    channel       VARCHAR,
    category      VARCHAR,
    requests      BIGINT NOT NULL,
    responded_24h BIGINT NOT NULL,   -- answered within 24 hours
    resolved      BIGINT NOT NULL,   -- closed (resolved_at set)
    CHECK ((channel IS NULL) <> (category IS NULL))
);

-- At least the 1,000 newest requests of the whole street received in each month (all those received at or
-- after the 1,000th newest's time), with what the list of requests shows (requests_list.sql): the page's
-- 501 newest of a whole-month period for the whole street are among them.
CREATE TABLE IF NOT EXISTS rollup_requests_newest (
    month                 DATE NOT NULL,   -- the month received
    request_id            VARCHAR NOT NULL,
    compound_id           VARCHAR NOT NULL,
    received_at           TIMESTAMP NOT NULL,
    channel               VARCHAR NOT NULL,
    category              VARCHAR NOT NULL,
    summary               VARCHAR,
    handler               VARCHAR NOT NULL,
    responded_at          TIMESTAMP,
    resolved_at           TIMESTAMP,
    time_limit_days       INTEGER,
    followup_resolved     VARCHAR,
    followup_satisfaction VARCHAR
);

-- The whole street's two median times (kpi_requests_times.sql) without sorting every request: each
-- request's hours to the first answer (measure 'response') and days to closing ('handling'), exactly as the
-- median reads them, grouped by month received and bucket (response: the minute, handling: the hour), with
-- their count and the times themselves, so the median is found in the one bucket that holds the middle.
CREATE TABLE IF NOT EXISTS rollup_request_times (
    month    DATE NOT NULL,
    measure  VARCHAR NOT NULL,
    bucket   BIGINT NOT NULL,    -- floor(hours * 60) or floor(days * 24): rises with the time
    requests BIGINT NOT NULL,
    times    DOUBLE[] NOT NULL   -- hours (response) or days (handling), one per request, unordered
);

-- Volunteer services and redemptions by the volunteer's compound and month.
CREATE TABLE IF NOT EXISTS rollup_services_monthly (
    compound_id     VARCHAR NOT NULL,
    month           DATE NOT NULL,
    services        BIGINT NOT NULL,
    volunteers      BIGINT NOT NULL,  -- distinct in the compound and month (a volunteer has one compound)
    hours           DOUBLE NOT NULL,
    points          DOUBLE NOT NULL,
    points_to_as_of DOUBLE  -- blank: nothing on or before as_of
);

CREATE TABLE IF NOT EXISTS rollup_redemptions_monthly (
    compound_id     VARCHAR NOT NULL,
    month           DATE NOT NULL,
    redemptions     BIGINT NOT NULL,
    points_spent    DOUBLE NOT NULL,
    points_to_as_of DOUBLE  -- blank: nothing on or before as_of
);

-- The months each volunteer served in: distinct volunteers over several months (活跃志愿者) cannot be summed.
CREATE TABLE IF NOT EXISTS rollup_volunteer_months (
    compound_id  VARCHAR NOT NULL,
    volunteer_id VARCHAR NOT NULL,
    months       DATE[] NOT NULL
);
