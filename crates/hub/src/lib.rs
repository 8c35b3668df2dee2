//! `meridian serve`: the HTTP server over the store. TAXII 2.1 under `/taxii2/`; the REST API
//! and the web UI slot in as further routers on the same state.
