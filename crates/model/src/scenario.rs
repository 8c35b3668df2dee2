//! Saved failure scenarios (PRODUCT §2.5): a named set of assets that fail together, given
//! explicitly, by country, or by a circle on the map.

use serde::{Deserialize, Serialize};

/// Mean Earth radius (IUGG), in km, for great-circle distances.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A disc on the Earth's surface: every asset whose location lies within `radius_km` of the
/// centre (great-circle distance, haversine formula).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Circle {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

impl Circle {
    /// Great-circle distance from the centre to (`lat`, `lon`), in km.
    pub fn distance_km(&self, lat: f64, lon: f64) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), lat.to_radians());
        let dp = p2 - p1;
        let dl = (lon - self.lon).to_radians();
        let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.distance_km(lat, lon) <= self.radius_km
    }

    /// Reads `LAT,LON,RADIUS_KM` (degrees, degrees, km), the way the command line, the REST
    /// API and the web UI take a circle; the message says what is wrong otherwise.
    pub fn parse(text: &str) -> Result<Circle, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let [lat, lon, radius_km] = parts[..] else {
            return Err(format!("{text:?}: expected LAT,LON,RADIUS_KM"));
        };
        let num = |v: &str, what: &str| {
            v.parse::<f64>()
                .map_err(|_| format!("{text:?}: {what} {v:?} is not a number"))
        };
        let circle = Circle {
            lat: num(lat, "latitude")?,
            lon: num(lon, "longitude")?,
            radius_km: num(radius_km, "radius")?,
        };
        match circle.problem() {
            Some(why) => Err(format!("{text:?}: {why}")),
            None => Ok(circle),
        }
    }

    /// Why the circle is not a disc on the Earth (latitude in [-90, 90], longitude in
    /// [-180, 180], radius a number >= 0), if it is not.
    pub fn problem(&self) -> Option<&'static str> {
        (!(-90.0..=90.0).contains(&self.lat)
            || !(-180.0..=180.0).contains(&self.lon)
            || self.radius_km.is_nan()
            || self.radius_km < 0.0)
            .then_some("latitude in [-90, 90], longitude in [-180, 180], radius >= 0")
    }
}

/// A named failure set. An asset belongs to it when it is listed, lies in one of the countries,
/// lies in one of the circles (assets without a location are never in a circle), or runs a
/// product with an active vulnerability finding for one of the CVEs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub assets: Vec<String>,
    pub countries: Vec<String>,
    pub circles: Vec<Circle>,
    /// CVE ids: every asset running a product affected by one of them fails.
    pub cves: Vec<String>,
}
