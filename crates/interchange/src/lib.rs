//! Atlas import and export formats: CSV, JSON, GraphML, STIX 2.1. Bytes in, typed values and located errors out; no I/O beyond what the caller passes.
