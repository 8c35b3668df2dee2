//! Integration tests of the engine against deliberately simple reference implementations.
// Reference code indexes matrices by node on purpose.
#![allow(clippy::needless_range_loop)]

mod cascade;
mod closure;
mod dominators;
mod exposure;
mod rank;
mod scc;
mod spof;
mod support;
