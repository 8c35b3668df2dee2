//! The Traffic Light Protocol 2.0 labels, ordered from least to most restrictive.

/// A TLP 2.0 label. `Ord` runs from least (`Clear`) to most (`Red`) restrictive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

impl Tlp {
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The label without the `TLP:` prefix (`AMBER+STRICT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "CLEAR",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::AmberStrict => "AMBER+STRICT",
            Tlp::Red => "RED",
        }
    }

    /// Case-insensitive, with or without the `TLP:` prefix.
    pub fn parse(label: &str) -> Option<Tlp> {
        let label = label.trim().to_ascii_uppercase();
        let label = label.strip_prefix("TLP:").unwrap_or(&label);
        Tlp::ALL.into_iter().find(|t| t.as_str() == label)
    }
}

impl std::fmt::Display for Tlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
