//! Sharing: the one release decision on every path out (TAXII, signed bundles, federation
//! pushes, the partner API) and the one way in for STIX objects (TAXII POST, federation pulls,
//! bundle imports, the hub's own alerts), where each object's TLP label is decided, failing
//! closed.

mod checked;
mod read;
mod release;
mod shared;
mod snapshot;

pub use checked::{Checked, store_batch};
pub use read::{ObjectPage, ReleasedObject, publish, read_objects};
pub use release::{ANONYMOUS_IDENTITY, Release};
pub use shared::{SharedObject, shared_with};
pub use snapshot::{DEFAULT_TLP_SETTING, Snapshot, default_tlp};
