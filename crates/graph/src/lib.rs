//! The in-memory analysis engine: CSR adjacency, cascades, rankings, dominators, Monte Carlo,
//! IIM/DIIM and interdependent percolation. No I/O, no SQL, no async: callers pass a
//! [`model::CompactAtlas`] and get plain values back.
//!
//! Failure semantics (PRODUCT §1): a dependent fails when, in at least one of its redundancy
//! groups, every provider has failed (AND across groups, OR within a group).

pub mod cascade;
pub mod closure;
pub mod contingency;
pub mod csr;
pub mod dominators;
pub mod exposure;
pub mod iim;
pub mod montecarlo;
pub mod percolation;
pub mod rank;
pub mod scc;
pub mod spof;
