-- Coordinated vulnerability disclosure cases and the history of their states.
CREATE TABLE cvd_cases (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    -- JSON array of CVE ids
    cves TEXT NOT NULL,
    reporter TEXT NOT NULL,
    vendor TEXT NOT NULL,
    -- ISO 3166-1 alpha-2
    vendor_country TEXT NOT NULL,
    vendor_csirt TEXT NOT NULL,
    -- JSON array of {"vendor", "product", "versions"}
    products TEXT NOT NULL,
    -- YYYY-MM-DD, or '' for none
    embargo TEXT NOT NULL,
    -- CLEAR, GREEN, AMBER, AMBER+STRICT or RED
    tlp TEXT NOT NULL,
    -- reported, vendor_notified, fix_available or published
    state TEXT NOT NULL,
    remediation TEXT NOT NULL,
    notes TEXT NOT NULL
);

CREATE TABLE cvd_history (
    case_id TEXT NOT NULL REFERENCES cvd_cases (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (case_id, state)
);
