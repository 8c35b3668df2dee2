//! One module per command group. Each function takes the resolved `Config` and its arguments,
//! does the work through the library crates and prints the result (table or `--json`).

pub mod alert;
pub mod analyze;
pub mod assets;
pub mod atlas;
pub mod audit;
pub mod bundle;
pub mod coordination;
pub mod cvd;
pub mod federation;
pub mod incident;
pub mod intel;
pub mod notify;
pub mod partner;
pub mod peers;
pub mod reference;
pub mod serve;
pub mod sync;
pub mod user;

pub use app::now;
