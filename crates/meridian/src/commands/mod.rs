//! One module per command group. Each function takes the resolved `Config` and its arguments,
//! does the work through the library crates and prints the result (table or `--json`).

pub mod analyze;
pub mod assets;
pub mod atlas;
pub mod intel;
pub mod peers;
