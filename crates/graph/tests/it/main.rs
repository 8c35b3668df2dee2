mod cascade;
mod closure;
mod rank;
mod scc;
mod support;
