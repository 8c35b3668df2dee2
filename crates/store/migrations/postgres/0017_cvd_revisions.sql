-- Revisions of a published CVD case's advisory (CSAF revision_history after the initial release):
-- number 2, 3, ... with when and why.
CREATE TABLE cvd_revisions (
    case_id text NOT NULL REFERENCES cvd_cases (id) ON DELETE CASCADE,
    number bigint NOT NULL,
    at text NOT NULL,
    summary text NOT NULL,
    PRIMARY KEY (case_id, number)
);
