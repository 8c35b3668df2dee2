-- Coordinated vulnerability disclosure cases and the history of their states.
CREATE TABLE cvd_cases (
    id text PRIMARY KEY,
    title text NOT NULL,
    -- JSON array of CVE ids
    cves text NOT NULL,
    reporter text NOT NULL,
    vendor text NOT NULL,
    -- ISO 3166-1 alpha-2
    vendor_country text NOT NULL,
    vendor_csirt text NOT NULL,
    -- JSON array of {"vendor", "product", "versions"}
    products text NOT NULL,
    -- YYYY-MM-DD, or '' for none
    embargo text NOT NULL,
    -- CLEAR, GREEN, AMBER, AMBER+STRICT or RED
    tlp text NOT NULL,
    -- reported, vendor_notified, fix_available or published
    state text NOT NULL,
    remediation text NOT NULL,
    notes text NOT NULL
);

CREATE TABLE cvd_history (
    case_id text NOT NULL REFERENCES cvd_cases (id) ON DELETE CASCADE,
    state text NOT NULL,
    at text NOT NULL,
    PRIMARY KEY (case_id, state)
);
