//! The in-memory analysis engine: CSR adjacency, cascades, rankings, dominators, Monte Carlo,
//! IIM/DIIM and interdependent percolation. No I/O, no SQL, no async: callers pass a
//! [`model::CompactAtlas`] and get plain values back.
//!
//! Failure semantics (PRODUCT §1): a dependent fails when, in at least one of its redundancy
//! groups, every provider has failed (AND across groups, OR within a group).
//! A provider failed at `t` counts for the dependent at `t + tolerance`; a dependent fails at
//! `min over groups of max over the group's edges of (provider time + tolerance)`; initial
//! failures happen at `t = 0`; propagation is failure-driven (greatest fixpoint: a cycle that
//! only supports itself stays up until a failure reaches it). Edges without a group name form
//! the default group keyed by their provider. An NCF's degradation is the failed share of the
//! total weight of its assets; the impact of a failure set is Σ over NCFs of degradation.
//!
//! Map:
//! * [`csr::Graph`]: the engine's graph (groups, reverse index, NCF weights, impact
//!   contributions in fixed point, foreign / foreign-owned flags). Everything starts here.
//! * [`cascade`]: the timed deterministic cascade, and the untimed, allocation-free
//!   [`cascade::failure_set`] / [`cascade::failure_set_with`] (per-edge hook for Monte Carlo).
//! * [`rank`]: exact single-failure impact of every foreign and foreign-owned asset.
//! * [`spof`], [`exposure`]: single points of failure; foreign exposure of an NCF, sector or
//!   asset with shortest paths.
//! * [`scc`], [`dominators`], [`closure`]: condensation, the supply dominator tree and the
//!   reachability primitives the peer benchmarks compare (networkx / igraph / rustworkx
//!   conventions documented per function).

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
