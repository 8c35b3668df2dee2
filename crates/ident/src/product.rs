//! The product identifiers an asset lists: a purl, a CPE, or a plain `vendor:product[:version]`.

use crate::{Cpe, IdentError, Purl};

/// One entry of an asset's `products`, as read.
#[derive(Clone, Debug, PartialEq)]
pub enum ProductId {
    /// `pkg:type/namespace/name@version`.
    Purl(Purl),
    /// `cpe:2.3:…` (or a CPE 2.2 URI `cpe:/…`).
    Cpe(Cpe),
    /// `vendor:product[:version]`, for hardware without purl or CPE, such as
    /// `Siemens:SIMATIC S7-1500:V2.8`. The vendor may be empty (`:product`), the product not.
    Plain {
        vendor: Option<String>,
        product: String,
        version: Option<String>,
    },
}

fn some_text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ProductId {
    /// Reads one product string; anything that is none of the three forms is an error naming
    /// them, so a typo is refused where it is written instead of never matching.
    pub fn parse(text: &str) -> Result<ProductId, IdentError> {
        let s = text.trim();
        match s.get(..4).map(str::to_ascii_lowercase).as_deref() {
            Some("pkg:") => Ok(ProductId::Purl(Purl::parse(s)?)),
            Some("cpe:") => Ok(ProductId::Cpe(Cpe::parse(s)?)),
            _ => {
                let mut parts = s.splitn(3, ':');
                let vendor = some_text(parts.next());
                let product = some_text(parts.next());
                let version = some_text(parts.next());
                match product {
                    Some(product) => Ok(ProductId::Plain {
                        vendor,
                        product,
                        version,
                    }),
                    None => Err(IdentError::Product(s.chars().take(200).collect())),
                }
            }
        }
    }
}
