-- Alerts, victim notifications and incident reports (§4). List-valued fields are JSON text;
-- timestamps are fixed-width RFC 3339 UTC text (`YYYY-MM-DDTHH:MM:SS.mmmZ`), so text order is
-- time order. Asset ids carry no foreign key (the bulk load drops the index on assets (id));
-- the store checks they exist when writing.

-- An alert about one CVE: its STIX package (published into collection_id, when set) and its
-- CSAF 2.0 advisory.
CREATE TABLE alerts (
    -- ALERT-YYYY-NNNN
    id            text COLLATE "C" PRIMARY KEY,
    cve           text NOT NULL,
    title         text NOT NULL,
    -- CLEAR, GREEN, AMBER, AMBER+STRICT or RED
    tlp           text NOT NULL,
    remediation   text NOT NULL,
    created_at    text NOT NULL,
    collection_id text REFERENCES collections (id),
    -- the advisory, JSON text
    csaf          text NOT NULL,
    -- JSON arrays: the STIX ids of the package, the affected asset ids
    stix_ids      text NOT NULL,
    assets        text NOT NULL
);

-- The partners an alert was routed to.
CREATE TABLE alert_partners (
    alert_id   text NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    partner_id text NOT NULL REFERENCES partners (id),
    PRIMARY KEY (alert_id, partner_id)
);
CREATE INDEX alert_partners_partner ON alert_partners (partner_id);

-- One notification per affected organisation (the assets' operator, else owner), addressed
-- to the partner CSIRT responsible for it. `state` is the current state; every state reached
-- is in notification_history with its time.
CREATE TABLE notifications (
    -- <alert id>.<n>
    id           text COLLATE "C" PRIMARY KEY,
    alert_id     text NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    partner_id   text NOT NULL REFERENCES partners (id),
    organisation text NOT NULL,
    -- JSON array of asset ids
    assets       text NOT NULL,
    state        text NOT NULL
);
CREATE INDEX notifications_alert ON notifications (alert_id);
CREATE INDEX notifications_partner ON notifications (partner_id);

CREATE TABLE notification_history (
    notification_id text NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    -- 0 for the first state, then 1, 2, …
    position        bigint NOT NULL,
    state           text NOT NULL,
    at              text NOT NULL,
    PRIMARY KEY (notification_id, position)
);

-- Incident reports (cyber or physical) and sightings, from partners or the hub's analysts.
CREATE TABLE incidents (
    -- INC-YYYY-NNNN
    id          text COLLATE "C" PRIMARY KEY,
    -- the reporting partner, or NULL when reported by the hub itself (see reporter)
    partner_id  text REFERENCES partners (id),
    reporter    text NOT NULL,
    -- cyber or physical
    kind        text NOT NULL,
    -- ransomware, sabotage, explosive-device, natural-hazard, intrusion, sighting, …
    category    text NOT NULL,
    description text NOT NULL,
    occurred_at text NOT NULL,
    reported_at text NOT NULL,
    -- the STIX incident or sighting it came from: importing it again changes nothing
    stix_id     text UNIQUE,
    -- 1 (lowest) .. 5
    severity    bigint NOT NULL
);

CREATE TABLE incident_assets (
    incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    asset_id    text NOT NULL,
    PRIMARY KEY (incident_id, asset_id)
);
CREATE INDEX incident_assets_asset ON incident_assets (asset_id);
