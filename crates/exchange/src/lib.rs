//! The CSIRT hub's rules, pure: who may receive an object at which TLP on which path, the
//! victim-notification state machine, alert packages and signed offline bundles.

pub mod alert;
pub mod bundle;
pub mod incident;
pub mod notification;
pub mod policy;
pub mod token;
