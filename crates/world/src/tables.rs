//! The data of the demo world: its ~40 countries, the product catalogues, and the archetypes
//! (kinds of asset with their placement, share of the world, NCFs and dependency rules).
//! Everything the generator does is driven by these tables; no archetype has code of its own.

use model::DependencyKind::{self, Cyber, Geographic, Logical, Physical};
use model::Exposure::{self, Controlled, Open, Small};

/// A town that names assets and places them on the map; ports are on a coast or, for
/// landlocked Switzerland, on the Rhine.
pub(crate) struct Town {
    pub slug: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub coastal: bool,
}

const fn town(slug: &'static str, lat: f64, lon: f64) -> Town {
    Town {
        slug,
        lat,
        lon,
        coastal: false,
    }
}

const fn port(slug: &'static str, lat: f64, lon: f64) -> Town {
    Town {
        slug,
        lat,
        lon,
        coastal: true,
    }
}

/// One country of the world: its towns, how far (degrees) assets scatter around a town, and
/// the sea its submarine cables cross.
pub(crate) struct CountryInfo {
    pub code: &'static str,
    pub spread: f64,
    pub towns: &'static [Town],
    pub sea: &'static str,
}

const fn c(
    code: &'static str,
    spread: f64,
    sea: &'static str,
    towns: &'static [Town],
) -> CountryInfo {
    CountryInfo {
        code,
        spread,
        towns,
        sea,
    }
}

/// The home country (`US` by default) first, then its partners and suppliers, then `ZZ`.
pub(crate) const COUNTRIES: &[CountryInfo] = &[
    c(
        "US",
        0.4,
        "domestic",
        &[
            port("hermosa", 33.86, -118.40),
            town("ashburn", 39.04, -77.49),
            port("virginia-beach", 36.85, -75.98),
            town("hillsboro", 45.52, -122.99),
            port("miami", 25.76, -80.19),
            port("houston", 29.76, -95.37),
            town("chicago", 41.88, -87.63),
            port("newark", 40.74, -74.17),
            town("atlanta", 33.75, -84.39),
            town("denver", 39.74, -104.99),
            port("seattle", 47.61, -122.33),
            port("boston", 42.36, -71.06),
            town("phoenix", 33.45, -112.07),
            town("sacramento", 38.58, -121.49),
            town("columbus", 39.96, -83.00),
            town("kansas-city", 39.10, -94.58),
            port("new-orleans", 29.95, -90.07),
            town("pittsburgh", 40.44, -79.99),
        ],
    ),
    c(
        "CA",
        0.3,
        "americas",
        &[
            town("montreal", 45.50, -73.57),
            town("toronto", 43.65, -79.38),
            port("vancouver", 49.28, -123.12),
            port("halifax", 44.65, -63.57),
            town("calgary", 51.05, -114.07),
        ],
    ),
    c(
        "MX",
        0.2,
        "americas",
        &[
            town("monterrey", 25.69, -100.32),
            port("tijuana", 32.51, -117.04),
            port("veracruz", 19.17, -96.13),
            town("queretaro", 20.59, -100.39),
        ],
    ),
    c(
        "GB",
        0.15,
        "transatlantic",
        &[
            port("bude", 50.83, -4.54),
            town("london", 51.51, -0.13),
            town("slough", 51.51, -0.59),
            town("manchester", 53.48, -2.24),
        ],
    ),
    c(
        "IE",
        0.1,
        "transatlantic",
        &[
            port("dublin", 53.35, -6.26),
            port("cork", 51.90, -8.47),
            port("killala", 54.21, -9.22),
        ],
    ),
    c(
        "FR",
        0.15,
        "transatlantic",
        &[
            port("marseille", 43.30, 5.37),
            port("saint-hilaire", 46.72, -1.95),
            town("paris", 48.86, 2.35),
            town("lyon", 45.76, 4.84),
        ],
    ),
    c(
        "DE",
        0.15,
        "transatlantic",
        &[
            town("frankfurt", 50.11, 8.68),
            town("munich", 48.14, 11.58),
            port("hamburg", 53.55, 9.99),
            town("erlangen", 49.60, 11.00),
        ],
    ),
    c(
        "NL",
        0.08,
        "transatlantic",
        &[
            town("amsterdam", 52.37, 4.90),
            port("eemshaven", 53.44, 6.83),
            port("rotterdam", 51.92, 4.48),
            town("veldhoven", 51.42, 5.40),
        ],
    ),
    c(
        "NO",
        0.1,
        "transatlantic",
        &[
            port("stavanger", 58.97, 5.73),
            port("bergen", 60.39, 5.32),
            port("oslo", 59.91, 10.75),
        ],
    ),
    c(
        "DK",
        0.08,
        "transatlantic",
        &[
            port("blaabjerg", 55.63, 8.15),
            port("copenhagen", 55.68, 12.57),
            port("esbjerg", 55.48, 8.45),
        ],
    ),
    c(
        "JP",
        0.1,
        "transpacific",
        &[
            port("shima", 34.33, 136.83),
            port("chikura", 34.95, 139.95),
            port("tokyo", 35.68, 139.69),
            port("osaka", 34.69, 135.50),
            port("kitakyushu", 33.88, 130.88),
        ],
    ),
    c(
        "KR",
        0.1,
        "transpacific",
        &[
            port("busan", 35.18, 129.08),
            town("seoul", 37.57, 126.98),
            port("pyeongtaek", 36.99, 127.11),
        ],
    ),
    c(
        "TW",
        0.06,
        "transpacific",
        &[
            town("hsinchu", 24.80, 120.97),
            town("tainan", 22.99, 120.21),
            port("toucheng", 24.86, 121.82),
            port("taichung", 24.15, 120.67),
        ],
    ),
    c(
        "SG",
        0.02,
        "transpacific",
        &[
            port("tuas", 1.32, 103.65),
            port("changi", 1.36, 103.99),
            port("jurong", 1.33, 103.74),
        ],
    ),
    c(
        "AU",
        0.3,
        "transpacific",
        &[
            port("sydney", -33.87, 151.21),
            port("perth", -31.95, 115.86),
            port("melbourne", -37.81, 144.96),
            port("darwin", -12.46, 130.84),
        ],
    ),
    c(
        "IN",
        0.3,
        "indian-ocean",
        &[
            port("mumbai", 19.08, 72.88),
            port("chennai", 13.08, 80.27),
            town("hyderabad", 17.39, 78.49),
            port("vizag", 17.69, 83.22),
        ],
    ),
    c(
        "CN",
        0.3,
        "transpacific",
        &[
            port("shanghai", 31.23, 121.47),
            port("shenzhen", 22.54, 114.06),
            port("qingdao", 36.07, 120.38),
            port("tianjin", 39.34, 117.36),
        ],
    ),
    c(
        "QA",
        0.04,
        "gulf",
        &[
            port("ras-laffan", 25.91, 51.55),
            port("doha", 25.29, 51.53),
            port("mesaieed", 24.99, 51.55),
        ],
    ),
    c(
        "AE",
        0.08,
        "gulf",
        &[
            port("fujairah", 25.13, 56.33),
            port("dubai", 25.20, 55.27),
            port("abu-dhabi", 24.45, 54.38),
        ],
    ),
    c(
        "SA",
        0.2,
        "gulf",
        &[
            port("jeddah", 21.49, 39.19),
            port("dammam", 26.43, 50.10),
            town("riyadh", 24.71, 46.68),
        ],
    ),
    c(
        "EG",
        0.1,
        "mediterranean",
        &[
            port("suez", 29.97, 32.55),
            port("port-said", 31.26, 32.30),
            port("alexandria", 31.20, 29.92),
            town("cairo", 30.04, 31.24),
        ],
    ),
    c(
        "PA",
        0.05,
        "americas",
        &[
            port("colon", 9.36, -79.90),
            port("balboa", 8.95, -79.57),
            port("panama-city", 8.98, -79.52),
        ],
    ),
    c(
        "CL",
        0.15,
        "americas",
        &[
            port("valparaiso", -33.05, -71.62),
            town("santiago", -33.45, -70.67),
            port("antofagasta", -23.65, -70.40),
        ],
    ),
    c(
        "BR",
        0.3,
        "south-atlantic",
        &[
            port("fortaleza", -3.73, -38.53),
            port("santos", -23.96, -46.33),
            port("rio", -22.91, -43.17),
            town("sao-paulo", -23.55, -46.63),
        ],
    ),
    c(
        "IL",
        0.05,
        "mediterranean",
        &[
            port("haifa", 32.79, 34.99),
            port("tel-aviv", 32.09, 34.78),
            port("ashdod", 31.80, 34.65),
        ],
    ),
    c(
        "IT",
        0.15,
        "mediterranean",
        &[
            port("genoa", 44.41, 8.93),
            town("milan", 45.46, 9.19),
            port("bari", 41.12, 16.87),
            port("catania", 37.50, 15.09),
        ],
    ),
    c(
        "ES",
        0.15,
        "transatlantic",
        &[
            port("bilbao", 43.26, -2.93),
            port("barcelona", 41.39, 2.17),
            town("madrid", 40.42, -3.70),
            port("sopelana", 43.38, -2.98),
        ],
    ),
    c(
        "PT",
        0.08,
        "transatlantic",
        &[
            port("sines", 37.96, -8.87),
            port("lisbon", 38.72, -9.14),
            port("carcavelos", 38.68, -9.33),
        ],
    ),
    c(
        "BE",
        0.06,
        "transatlantic",
        &[
            town("la-hulpe", 50.73, 4.48),
            town("brussels", 50.85, 4.35),
            port("antwerp", 51.22, 4.40),
            port("zeebrugge", 51.33, 3.20),
        ],
    ),
    c(
        "CH",
        0.08,
        "alpine",
        &[
            town("zurich", 47.38, 8.54),
            town("geneva", 46.20, 6.14),
            town("baden", 47.47, 8.31),
            town("zug", 47.17, 8.52),
            port("basel", 47.56, 7.59),
        ],
    ),
    c(
        "SE",
        0.15,
        "baltic",
        &[
            port("stockholm", 59.33, 18.07),
            port("gothenburg", 57.71, 11.97),
            port("lulea", 65.58, 22.15),
        ],
    ),
    c(
        "FI",
        0.1,
        "baltic",
        &[
            port("helsinki", 60.17, 24.94),
            port("espoo", 60.21, 24.66),
            port("oulu", 65.01, 25.47),
        ],
    ),
    c(
        "PL",
        0.15,
        "baltic",
        &[
            port("gdansk", 54.35, 18.65),
            town("warsaw", 52.23, 21.01),
            town("krakow", 50.06, 19.94),
        ],
    ),
    c(
        "EE",
        0.08,
        "baltic",
        &[port("tallinn", 59.44, 24.75), town("tartu", 58.38, 26.72)],
    ),
    c(
        "PH",
        0.08,
        "transpacific",
        &[
            port("batangas", 13.76, 121.06),
            port("manila", 14.60, 120.98),
            port("cebu", 10.32, 123.89),
        ],
    ),
    c(
        "MY",
        0.08,
        "transpacific",
        &[
            port("penang", 5.41, 100.33),
            port("kuantan", 3.82, 103.33),
            town("kuala-lumpur", 3.139, 101.687),
            town("kulim", 5.37, 100.56),
        ],
    ),
    c(
        "VN",
        0.1,
        "transpacific",
        &[
            port("hai-phong", 20.84, 106.69),
            port("ho-chi-minh-city", 10.82, 106.63),
            port("da-nang", 16.05, 108.20),
        ],
    ),
    c(
        "ZA",
        0.15,
        "south-atlantic",
        &[
            port("cape-town", -33.92, 18.42),
            port("durban", -29.86, 31.02),
            town("johannesburg", -26.20, 28.05),
        ],
    ),
    c(
        "NG",
        0.1,
        "south-atlantic",
        &[
            port("lagos", 6.52, 3.38),
            port("port-harcourt", 4.82, 7.05),
            port("bonny", 4.45, 7.17),
        ],
    ),
    c(
        "TT",
        0.04,
        "caribbean",
        &[
            port("point-fortin", 10.17, -61.68),
            port("port-of-spain", 10.65, -61.52),
            port("point-lisas", 10.40, -61.47),
        ],
    ),
    // International waters and space: no towns of its own (see `Demo::town`).
    c("ZZ", 0.0, "international", &[]),
];

/// Every country but the home country and `ZZ`: the per-country foreign archetypes cover all.
pub(crate) const FOREIGN: &[&str] = &[
    "CA", "MX", "GB", "IE", "FR", "DE", "NL", "NO", "DK", "JP", "KR", "TW", "SG", "AU", "IN", "CN",
    "QA", "AE", "SA", "EG", "PA", "CL", "BR", "IL", "IT", "ES", "PT", "BE", "CH", "SE", "FI", "PL",
    "EE", "PH", "MY", "VN", "ZA", "NG", "TT",
];

/// Where the far ends of the home country's submarine cables land.
const CABLE_PARTNERS: &[&str] = &[
    "GB", "IE", "FR", "JP", "NO", "DK", "PT", "ES", "JP", "KR", "TW", "SG", "AU", "PH", "BR", "CL",
    "PA", "NL",
];

/// Countries whose firms own domestic assets (foreign-owned assets).
pub(crate) const FOREIGN_OWNERS: &[&str] = &[
    "CA", "GB", "JP", "DE", "FR", "NL", "ES", "AU", "CN", "QA", "AE", "SA", "CH", "SG",
];

/// A named, fixed asset (a constellation, a chokepoint): present once at every size.
pub(crate) struct Site {
    pub slug: &'static str,
    pub name: &'static str,
    pub country: &'static str,
    /// The country the site is tied to (its operator, its main user).
    pub partner: &'static str,
    pub at: Option<(f64, f64)>,
}

pub(crate) enum Place {
    /// Every instance in the home country.
    Home,
    /// Instance k in `list[k % list.len()]` (a list may name the home country).
    In(&'static [&'static str]),
    /// In `ZZ`, linking the home country with `list[k % list.len()]` (cables).
    Span(&'static [&'static str]),
    /// Exactly these sites.
    Sites(&'static [Site]),
}

/// Which providers a rule may pick: any instance, those in (or, for spans, linking to) the
/// dependent's country, the home country, or the dependent's partner country; or, for the
/// fixed route sites, `min..=max` of the [`LANES`] from the dependent's country, every route of
/// each passage (the rule's group is replaced by one group per passage).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Any,
    Same,
    Home,
    Partner,
    Lanes,
}

/// Which instances of the dependent archetype a rule applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    Always,
    Domestic,
    Foreign,
}

/// `min..=max` providers of archetype `to` within `scope`; all of them in `group` when given
/// (n-of-m redundancy), otherwise each one required on its own.
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    pub to: &'static str,
    pub min: u8,
    pub max: u8,
    pub scope: Scope,
    /// Prefer providers at a similar position (and so near on the map): regional grids.
    pub near: bool,
    pub when: When,
    pub kind: DependencyKind,
    pub group: Option<&'static str>,
    pub strength: (f64, f64),
    pub tolerance: Option<(f64, f64)>,
    /// Only alongside providers of an earlier rule in the same group: a fallback (a satellite
    /// link behind landing stations) that nobody depends on alone.
    pub backup: bool,
}

const fn dep(to: &'static str, min: u8, max: u8, scope: Scope, kind: DependencyKind) -> Rule {
    Rule {
        to,
        min,
        max,
        scope,
        near: false,
        when: When::Always,
        kind,
        group: None,
        strength: (0.7, 1.0),
        tolerance: None,
        backup: false,
    }
}

impl Rule {
    const fn group(mut self, group: &'static str) -> Rule {
        self.group = Some(group);
        self
    }
    const fn tol(mut self, lo: f64, hi: f64) -> Rule {
        self.tolerance = Some((lo, hi));
        self
    }
    const fn strength(mut self, lo: f64, hi: f64) -> Rule {
        self.strength = (lo, hi);
        self
    }
    const fn near(mut self) -> Rule {
        self.near = true;
        self
    }
    const fn domestic(mut self) -> Rule {
        self.when = When::Domestic;
        self
    }
    const fn foreign(mut self) -> Rule {
        self.when = When::Foreign;
        self
    }
    const fn backup(mut self) -> Rule {
        self.backup = true;
        self
    }
}

use Scope::{Any, Home, Lanes, Partner, Same};

pub(crate) struct Archetype {
    /// Id prefix, unique per archetype (`ls` gives `ls:us:hermosa-1`).
    pub prefix: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    /// Second half of owner and operator names (`Subsea Networks`).
    pub company: &'static str,
    pub place: Place,
    /// Located in port towns (landing stations, ports, terminals) when the country has them.
    pub coastal: bool,
    /// Share of the world, in assets per 10,000.
    pub weight: u32,
    pub min: usize,
    pub sectors: &'static [&'static str],
    /// Supported by the domestic instances only.
    pub ncfs: &'static [&'static str],
    /// Probability that a domestic instance has a foreign owner.
    pub foreign_owned: f64,
    /// Product catalogues; each instance runs one or two products of each.
    pub products: &'static [&'static [&'static str]],
    pub exposure: Exposure,
    pub recovery: (f64, f64),
    pub tags: &'static [&'static str],
    pub deps: &'static [Rule],
}

const BASE: Archetype = Archetype {
    prefix: "",
    label: "",
    kind: "facility",
    company: "",
    place: Place::Home,
    coastal: false,
    weight: 0,
    min: 1,
    sectors: &[],
    ncfs: &[],
    foreign_owned: 0.05,
    products: &[],
    exposure: Controlled,
    recovery: (24.0, 168.0),
    tags: &[],
    deps: &[],
};

/// PLCs, SCADA and firmware of plausible vendors from Germany, France, Switzerland, Japan,
/// Taiwan and China.
const ICS: &[&str] = &[
    "cpe:2.3:h:siemens:simatic_s7-1500:-:*:*:*:*:*:*:*",
    "cpe:2.3:o:siemens:simatic_s7-1500_cpu_firmware:2.9.4:*:*:*:*:*:*:*",
    "cpe:2.3:a:siemens:simatic_wincc_oa:3.18:*:*:*:*:*:*:*",
    "cpe:2.3:o:wago:pfc200_firmware:04.02.13:*:*:*:*:*:*:*",
    "cpe:2.3:h:phoenixcontact:axc_f_2152:-:*:*:*:*:*:*:*",
    "pkg:generic/schneider-electric/modicon-m340@3.40",
    "cpe:2.3:o:schneider-electric:modicon_m580_firmware:4.10:*:*:*:*:*:*:*",
    "cpe:2.3:a:schneider-electric:ecostruxure_geo_scada_expert:2023:*:*:*:*:*:*:*",
    "cpe:2.3:h:abb:ac500:-:*:*:*:*:*:*:*",
    "cpe:2.3:o:hitachienergy:rtu500_firmware:13.4.1:*:*:*:*:*:*:*",
    "cpe:2.3:h:mitsubishielectric:melsec_iq-r_r04cpu:-:*:*:*:*:*:*:*",
    "cpe:2.3:a:yokogawa:centum_vp:r6.10:*:*:*:*:*:*:*",
    "cpe:2.3:h:omron:sysmac_nj501:-:*:*:*:*:*:*:*",
    "cpe:2.3:o:moxa:nport_5150_firmware:3.11:*:*:*:*:*:*:*",
    "cpe:2.3:o:advantech:eki-1524_firmware:1.21:*:*:*:*:*:*:*",
    "pkg:generic/delta-electronics/dvp-es2@2.0",
    "pkg:generic/huawei/sun2000-inverter-firmware@1.1.0",
    "cpe:2.3:h:hikvision:ds-2cd2042wd-i:-:*:*:*:*:*:*:*",
];

const TELECOM: &[&str] = &[
    "cpe:2.3:h:huawei:ne40e:-:*:*:*:*:*:*:*",
    "cpe:2.3:o:huawei:vrp:8.180:*:*:*:*:*:*:*",
    "cpe:2.3:h:ericsson:baseband_6630:-:*:*:*:*:*:*:*",
    "cpe:2.3:o:nokia:sr_os:22.10:*:*:*:*:*:*:*",
    "cpe:2.3:h:zte:zxr10_m6000:-:*:*:*:*:*:*:*",
    "cpe:2.3:o:cisco:ios_xr:7.9.2:*:*:*:*:*:*:*",
    "cpe:2.3:o:juniper:junos:22.4:*:*:*:*:*:*:*",
];

const IT: &[&str] = &[
    "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
    "cpe:2.3:o:paloaltonetworks:pan-os:10.2.4:*:*:*:*:*:*:*",
    "cpe:2.3:a:vmware:vcenter_server:8.0:*:*:*:*:*:*:*",
    "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*",
    "cpe:2.3:a:citrix:netscaler_gateway:13.1:*:*:*:*:*:*:*",
    "cpe:2.3:a:ivanti:connect_secure:22.5:*:*:*:*:*:*:*",
    "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
    "pkg:deb/debian/openssl@3.0.11",
    "pkg:npm/express@4.18.2",
    "pkg:pypi/django@4.2.7",
];

const MEDICAL: &[&str] = &[
    "pkg:generic/ge-healthcare/centricity-pacs@7.0",
    "cpe:2.3:h:philips:intellivue_mx800:-:*:*:*:*:*:*:*",
    "pkg:generic/mindray/beneview-t8@3.2",
    "cpe:2.3:h:siemens:somatom_go.up:-:*:*:*:*:*:*:*",
    "pkg:generic/fresenius/agilia-infusion-pump@3.3",
];

const GNSS_SITES: &[Site] = &[
    Site {
        slug: "gps",
        name: "GPS-like Constellation",
        country: "ZZ",
        partner: "US",
        at: None,
    },
    Site {
        slug: "galileo",
        name: "Galileo-like Constellation",
        country: "ZZ",
        partner: "DE",
        at: None,
    },
    Site {
        slug: "beidou",
        name: "BeiDou-like Constellation",
        country: "ZZ",
        partner: "CN",
        at: None,
    },
    Site {
        slug: "qzss",
        name: "QZSS-like Augmentation Constellation",
        country: "ZZ",
        partner: "JP",
        at: None,
    },
];

const SATCOM_SITES: &[Site] = &[
    Site {
        slug: "geo-atlantic",
        name: "Atlantic GEO Satellite Fleet",
        country: "ZZ",
        partner: "US",
        at: None,
    },
    Site {
        slug: "geo-pacific",
        name: "Pacific GEO Satellite Fleet",
        country: "ZZ",
        partner: "JP",
        at: None,
    },
    Site {
        slug: "leo-broadband",
        name: "LEO Broadband Constellation",
        country: "ZZ",
        partner: "US",
        at: None,
    },
    Site {
        slug: "geo-europe",
        name: "European GEO Satellite Fleet",
        country: "ZZ",
        partner: "FR",
        at: None,
    },
];

const CHOKEPOINTS: &[Site] = &[
    Site {
        slug: "panama-canal",
        name: "Panama Canal",
        country: "PA",
        partner: "PA",
        at: Some((9.08, -79.68)),
    },
    Site {
        slug: "suez-canal",
        name: "Suez Canal",
        country: "EG",
        partner: "EG",
        at: Some((30.58, 32.27)),
    },
    Site {
        slug: "strait-of-malacca",
        name: "Strait of Malacca",
        country: "ZZ",
        partner: "SG",
        at: Some((2.5, 101.5)),
    },
    Site {
        slug: "cape-horn",
        name: "Cape Horn and Strait of Magellan Passage",
        country: "ZZ",
        partner: "CL",
        at: Some((-55.98, -67.27)),
    },
    Site {
        slug: "cape-of-good-hope",
        name: "Cape of Good Hope Route",
        country: "ZZ",
        partner: "ZA",
        at: Some((-34.36, 18.47)),
    },
    Site {
        slug: "lombok-strait",
        name: "Lombok and Sunda Straits",
        country: "ZZ",
        partner: "SG",
        at: Some((-8.77, 115.73)),
    },
    Site {
        slug: "strait-of-hormuz",
        name: "Strait of Hormuz",
        country: "ZZ",
        partner: "QA",
        at: Some((26.57, 56.25)),
    },
];

/// A sea lane from partner countries to the home market: the passages its ships go through, in
/// order, each a chokepoint and the detours around it (longer, but there). A [`Scope::Lanes`]
/// rule makes one redundancy group per passage, named after its usual route, so that closing a
/// canal only matters where the detour is closed too. Hormuz has no detour.
pub(crate) struct Lane {
    pub from: &'static [&'static str],
    pub passages: &'static [&'static [&'static str]],
}

const PANAMA: &[&str] = &["panama-canal", "cape-horn"];
const SUEZ: &[&str] = &["suez-canal", "cape-of-good-hope"];
const MALACCA: &[&str] = &["strait-of-malacca", "lombok-strait"];
const HORMUZ: &[&str] = &["strait-of-hormuz"];

pub(crate) const LANES: &[Lane] = &[
    // East Asia and Oceania to the east coast (the west coast needs no chokepoint).
    Lane {
        from: &["CN", "JP", "KR", "TW", "VN", "PH", "AU", "CL"],
        passages: &[PANAMA],
    },
    // South-East Asia westbound.
    Lane {
        from: &["CN", "TW", "VN", "MY", "SG"],
        passages: &[MALACCA, SUEZ],
    },
    Lane {
        from: &["IN", "SA", "IL"],
        passages: &[SUEZ],
    },
    Lane {
        from: &["QA", "AE", "SA"],
        passages: &[HORMUZ, SUEZ],
    },
];

/// Power feed from the domestic grid: the usual first dependency of a domestic site.
const GRID: Rule = dep("sub", 1, 2, Home, Physical).near().group("grid");
const GRID_BACKED: Rule = dep("sub", 1, 2, Home, Physical)
    .near()
    .group("grid")
    .tol(24.0, 96.0);
const TELCO: Rule = dep("co", 1, 2, Home, Cyber)
    .near()
    .group("network")
    .strength(0.5, 1.0);
const CLOUD: Rule = dep("cloud", 2, 2, Any, Cyber).group("cloud-failover");
/// A foreign site on its country's grid and carriers: either of its one or two grid control
/// areas, and two carriers.
const FOREIGN_GRID: Rule = dep("fgrid", 1, 2, Same, Physical)
    .group("power")
    .tol(0.0, 48.0);
const FOREIGN_TELCO: Rule = dep("ftelco", 2, 2, Same, Cyber)
    .group("telecom")
    .strength(0.5, 1.0);
const VENDOR: Rule = dep("icsv", 1, 1, Any, Cyber)
    .strength(0.1, 0.4)
    .tol(168.0, 720.0);
const TIMING: Rule = dep("gts", 1, 2, Home, Cyber).group("timing").tol(4.0, 72.0);
/// Certificates and sign-on: one provider (a single point of failure) or two.
const IDENTITY: Rule = dep("idp", 1, 2, Any, Cyber).group("identity");
/// Spare large transformers, from one maker or two; months to a year of slack.
const TRANSFORMERS: Rule = dep("xfmr", 0, 2, Any, Logical)
    .group("transformer-spares")
    .strength(0.1, 0.3)
    .tol(2000.0, 8760.0);
/// The sea lane of an exporter, if its country has one: rerouting and stock give weeks.
const SEA_LANE: Rule = dep("route", 0, 1, Lanes, Logical)
    .strength(0.1, 0.4)
    .tol(168.0, 720.0);

pub(crate) const ARCHETYPES: &[Archetype] = &[
    // ---- space and shipping: fixed sites ----
    Archetype {
        prefix: "gnss",
        label: "GNSS Constellation",
        kind: "system",
        company: "Space Segment Authority",
        place: Place::Sites(GNSS_SITES),
        sectors: &["COMMS", "TRANS"],
        exposure: Small,
        recovery: (720.0, 8760.0),
        tags: &["pnt", "space"],
        deps: &[dep("sgc", 1, 2, Partner, Cyber)
            .group("control")
            .tol(72.0, 336.0)],
        ..BASE
    },
    Archetype {
        prefix: "satcom",
        label: "Communications Satellite Fleet",
        kind: "system",
        company: "Satellite Services",
        place: Place::Sites(SATCOM_SITES),
        sectors: &["COMMS"],
        exposure: Small,
        recovery: (720.0, 8760.0),
        tags: &["space"],
        deps: &[dep("sgc", 1, 2, Partner, Cyber)
            .group("control")
            .tol(24.0, 168.0)],
        ..BASE
    },
    Archetype {
        prefix: "route",
        label: "Shipping Chokepoint",
        kind: "route",
        company: "Waterway Authority",
        place: Place::Sites(CHOKEPOINTS),
        sectors: &["TRANS"],
        exposure: Small,
        recovery: (72.0, 2160.0),
        tags: &["chokepoint", "maritime"],
        deps: &[FOREIGN_GRID.strength(0.2, 0.5).tol(24.0, 72.0)],
        ..BASE
    },
    Archetype {
        prefix: "sgc",
        label: "Space Ground Control Station",
        company: "Space Operations",
        place: Place::In(&["US", "DE", "CN", "JP", "FR", "IT", "US"]),
        weight: 5,
        min: 7,
        sectors: &["COMMS"],
        recovery: (24.0, 336.0),
        tags: &["space"],
        deps: &[
            GRID_BACKED.domestic(),
            FOREIGN_GRID.foreign().tol(48.0, 96.0),
            dep("satcom", 2, 3, Any, Cyber)
                .group("tt-and-c")
                .strength(0.3, 0.8),
        ],
        ..BASE
    },
    // ---- foreign national infrastructure: every partner country has some ----
    Archetype {
        prefix: "fgrid",
        label: "National Grid Control",
        kind: "network",
        company: "Grid Operator",
        place: Place::In(FOREIGN),
        weight: 80,
        // Two control areas per country at the least, so that none is a whole country.
        min: 78,
        sectors: &["ENERGY"],
        products: &[ICS],
        recovery: (12.0, 96.0),
        tags: &["grid"],
        deps: &[
            dep("fgen", 2, 4, Same, Physical).group("generation"),
            // Several carriers, then manual operation of the control rooms: hours to days.
            Rule {
                min: 2,
                max: 3,
                ..FOREIGN_TELCO
            }
            .tol(8.0, 72.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "fgen",
        label: "Power Station",
        company: "Power Generation",
        place: Place::In(FOREIGN),
        weight: 1000,
        min: 1,
        sectors: &["ENERGY"],
        products: &[ICS],
        recovery: (48.0, 720.0),
        tags: &["grid"],
        deps: &[
            dep("fgrid", 1, 2, Same, Cyber)
                .group("dispatch")
                .tol(4.0, 48.0),
            dep("lngx", 0, 2, Any, Physical)
                .group("fuel")
                .strength(0.3, 0.8)
                .tol(168.0, 720.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "hydro",
        label: "Hydroelectric Station",
        company: "Hydro",
        place: Place::In(&["CA", "CA", "NO", "CH", "BR"]),
        weight: 80,
        min: 5,
        sectors: &["ENERGY", "DAMS"],
        products: &[ICS],
        recovery: (72.0, 2160.0),
        tags: &["grid", "renewable"],
        deps: &[FOREIGN_GRID, FOREIGN_TELCO, VENDOR],
        ..BASE
    },
    Archetype {
        prefix: "ftelco",
        label: "Telecom Carrier Network",
        kind: "network",
        company: "Telecom",
        place: Place::In(FOREIGN),
        weight: 550,
        // One carrier per country at the least, two from 2,000 assets.
        min: 39,
        sectors: &["COMMS"],
        products: &[TELECOM],
        recovery: (4.0, 72.0),
        tags: &["telecom"],
        deps: &[
            // A carrier spans several grid areas; batteries and generators for hours.
            Rule {
                min: 2,
                max: 3,
                ..FOREIGN_GRID
            }
            .tol(4.0, 24.0),
            dep("ls", 1, 3, Same, Physical)
                .group("international")
                .strength(0.3, 0.7),
            dep("satcom", 1, 1, Any, Cyber)
                .group("international")
                .strength(0.2, 0.5)
                .backup(),
            dep("gnss", 2, 3, Any, Cyber)
                .group("timing")
                .tol(24.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "fdc",
        label: "Data Centre",
        company: "Data Centres",
        place: Place::In(FOREIGN),
        weight: 800,
        min: 1,
        sectors: &["IT"],
        products: &[IT],
        recovery: (8.0, 120.0),
        tags: &["datacentre"],
        deps: &[
            FOREIGN_GRID.tol(24.0, 72.0),
            dep("ftelco", 2, 3, Same, Cyber).group("uplink"),
            dep("ixp", 0, 1, Same, Cyber).group("uplink"),
        ],
        ..BASE
    },
    Archetype {
        prefix: "fport",
        label: "Container Port",
        company: "Port Holdings",
        place: Place::In(FOREIGN),
        coastal: true,
        weight: 350,
        min: 1,
        sectors: &["TRANS"],
        products: &[ICS, IT],
        recovery: (24.0, 336.0),
        tags: &["maritime"],
        deps: &[
            FOREIGN_GRID,
            FOREIGN_TELCO,
            SEA_LANE,
            dep("fdc", 1, 1, Same, Cyber).strength(0.4, 0.8),
        ],
        ..BASE
    },
    Archetype {
        prefix: "xfmr",
        label: "Transformer Factory",
        kind: "supply",
        company: "Heavy Electrical",
        place: Place::In(&["KR", "DE", "MX", "JP", "CN", "IN", "BR"]),
        weight: 100,
        min: 7,
        sectors: &["CRIT-MFG", "ENERGY"],
        products: &[ICS],
        tags: &["supply-chain"],
        deps: &[
            FOREIGN_GRID,
            FOREIGN_TELCO,
            dep("fport", 1, 1, Same, Physical).strength(0.5, 0.9),
        ],
        ..BASE
    },
    Archetype {
        prefix: "icsv",
        label: "ICS Vendor Support and Update Service",
        kind: "service",
        company: "Automation",
        place: Place::In(&["DE", "FR", "CH", "JP", "TW", "CN", "DE", "FR"]),
        weight: 250,
        min: 8,
        sectors: &["IT", "CRIT-MFG"],
        products: &[IT],
        exposure: Open,
        recovery: (4.0, 72.0),
        tags: &["ics", "vendor"],
        deps: &[
            dep("fdc", 1, 2, Same, Cyber).group("hosting"),
            FOREIGN_TELCO,
            FOREIGN_GRID,
        ],
        ..BASE
    },
    Archetype {
        prefix: "offshore",
        label: "Offshore IT Delivery Centre",
        company: "IT Services",
        place: Place::In(&["IN", "IN", "PH", "VN", "PL", "EE", "IE", "MY"]),
        weight: 400,
        min: 8,
        sectors: &["IT"],
        products: &[IT],
        exposure: Open,
        recovery: (8.0, 168.0),
        tags: &["outsourcing"],
        deps: &[
            FOREIGN_GRID,
            dep("ftelco", 1, 2, Same, Cyber).group("uplink"),
            dep("fdc", 1, 2, Same, Cyber).group("hosting"),
        ],
        ..BASE
    },
    // ---- communications ----
    Archetype {
        prefix: "cable",
        label: "Submarine Cable",
        kind: "network",
        company: "Subsea Cable Consortium",
        place: Place::Span(CABLE_PARTNERS),
        weight: 20,
        min: 18,
        sectors: &["COMMS"],
        exposure: Small,
        recovery: (168.0, 1440.0),
        tags: &["subsea"],
        deps: &[
            // The far end; at home, landing stations depend on their cables, not the reverse
            // (a station's loss is its own, not its cables' and their other stations').
            dep("ls", 1, 1, Partner, Physical),
            dep("fport", 0, 1, Partner, Logical)
                .strength(0.1, 0.3)
                .tol(336.0, 1440.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ls",
        label: "Cable Landing Station",
        company: "Subsea Networks",
        place: Place::In(&[
            "US", "GB", "US", "JP", "US", "FR", "US", "IE", "US", "SG", "US", "PT", "US", "KR",
            "US", "TW", "US", "ES", "US", "AU", "US", "NO", "US", "DK", "US", "PH", "US", "BR",
            "US", "CL", "US", "PA", "US", "NL",
        ]),
        coastal: true,
        weight: 40,
        min: 34,
        sectors: &["COMMS"],
        ncfs: &["NCF-C01"],
        foreign_owned: 0.3,
        products: &[TELECOM],
        recovery: (24.0, 336.0),
        tags: &["subsea"],
        deps: &[
            dep("cable", 2, 3, Any, Physical).group("cable").domestic(),
            dep("cable", 1, 3, Same, Physical).group("cable").foreign(),
            GRID_BACKED.domestic(),
            FOREIGN_GRID.foreign(),
            // Diverse backhaul.
            Rule {
                min: 2,
                max: 2,
                ..TELCO
            }
            .domestic(),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ixp",
        label: "Internet Exchange",
        company: "Internet Exchange",
        place: Place::In(&[
            "US", "GB", "US", "DE", "US", "NL", "US", "JP", "US", "SG", "US", "FR", "US", "BR",
        ]),
        weight: 40,
        min: 14,
        sectors: &["COMMS", "IT"],
        ncfs: &["NCF-C04"],
        products: &[TELECOM],
        exposure: Open,
        recovery: (4.0, 72.0),
        tags: &["internet"],
        deps: &[
            dep("ls", 2, 3, Home, Physical)
                .group("subsea-uplink")
                .domestic(),
            dep("dc", 1, 1, Home, Geographic).near().domestic(),
            dep("fdc", 1, 1, Same, Geographic).foreign(),
            GRID_BACKED.domestic(),
            FOREIGN_GRID.foreign(),
        ],
        ..BASE
    },
    Archetype {
        prefix: "core",
        label: "Core Network Node",
        kind: "network",
        company: "Backbone",
        weight: 40,
        min: 6,
        sectors: &["COMMS"],
        ncfs: &["NCF-C01"],
        products: &[TELECOM],
        recovery: (4.0, 72.0),
        tags: &["telecom"],
        deps: &[
            dep("sub", 1, 2, Home, Physical)
                .near()
                .group("grid")
                .tol(4.0, 12.0),
            dep("ixp", 1, 2, Home, Cyber).group("upstream"),
            dep("ls", 1, 2, Home, Physical)
                .group("upstream")
                .strength(0.3, 0.7),
            // The mesh: routes through its neighbours when its own links are down.
            dep("core", 1, 2, Home, Cyber)
                .near()
                .group("upstream")
                .strength(0.3, 0.7),
        ],
        ..BASE
    },
    Archetype {
        prefix: "co",
        label: "Telephone Central Office",
        company: "Telephone",
        weight: 200,
        min: 8,
        sectors: &["COMMS"],
        ncfs: &["NCF-C09"],
        products: &[TELECOM],
        recovery: (4.0, 96.0),
        tags: &["telecom"],
        deps: &[
            dep("core", 2, 2, Home, Cyber).near().group("backbone"),
            // Batteries, then the generator while its fuel lasts.
            dep("sub", 1, 1, Home, Physical)
                .near()
                .group("power")
                .tol(8.0, 72.0),
            dep("fuel", 1, 1, Home, Physical)
                .near()
                .group("power")
                .tol(48.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "hfc",
        label: "Cable TV Headend",
        company: "Cable",
        weight: 60,
        min: 3,
        sectors: &["COMMS"],
        ncfs: &["NCF-C02"],
        products: &[TELECOM],
        recovery: (8.0, 96.0),
        deps: &[
            dep("core", 1, 2, Home, Cyber).near().group("backbone"),
            dep("sub", 1, 1, Home, Physical).near().tol(4.0, 8.0),
            dep("satcom", 1, 2, Any, Cyber)
                .group("content-feed")
                .strength(0.2, 0.5),
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "mobile",
        label: "Mobile Core (5G)",
        kind: "network",
        company: "Wireless",
        weight: 40,
        min: 4,
        sectors: &["COMMS"],
        ncfs: &["NCF-C08"],
        products: &[TELECOM],
        recovery: (4.0, 48.0),
        tags: &["telecom", "5g"],
        deps: &[
            dep("core", 2, 2, Home, Cyber).near().group("backbone"),
            dep("sub", 1, 1, Home, Physical).near().tol(8.0, 48.0),
            TIMING,
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "cell",
        label: "Cell Site",
        company: "Towers",
        weight: 550,
        min: 24,
        sectors: &["COMMS"],
        products: &[TELECOM],
        recovery: (4.0, 48.0),
        tags: &["telecom", "ran"],
        deps: &[
            dep("mobile", 1, 1, Home, Cyber).near(),
            dep("sub", 1, 1, Home, Physical).near().tol(2.0, 8.0),
            dep("co", 1, 2, Home, Cyber).near().group("backhaul"),
            dep("gts", 1, 1, Home, Cyber)
                .near()
                .tol(4.0, 24.0)
                .strength(0.3, 0.7),
        ],
        ..BASE
    },
    Archetype {
        prefix: "bcast",
        label: "Radio Broadcast Station",
        company: "Broadcasting",
        weight: 40,
        min: 2,
        sectors: &["COMMS"],
        ncfs: &["NCF-C06"],
        recovery: (4.0, 48.0),
        deps: &[
            GRID_BACKED,
            TELCO,
            dep("satcom", 1, 1, Any, Cyber).strength(0.2, 0.5),
        ],
        ..BASE
    },
    Archetype {
        prefix: "teleport",
        label: "Satellite Teleport",
        company: "Teleport",
        weight: 20,
        min: 2,
        sectors: &["COMMS"],
        ncfs: &["NCF-C07"],
        recovery: (8.0, 168.0),
        tags: &["space"],
        deps: &[
            dep("satcom", 1, 3, Any, Cyber).group("space-segment"),
            GRID_BACKED,
            TELCO,
        ],
        ..BASE
    },
    Archetype {
        prefix: "gts",
        label: "GNSS Timing Reference Station",
        company: "Precision Timing",
        weight: 40,
        min: 3,
        sectors: &["COMMS", "TRANS"],
        ncfs: &["NCF-C05"],
        recovery: (4.0, 72.0),
        tags: &["pnt"],
        deps: &[
            // Single-constellation receivers have no backup.
            dep("gnss", 1, 3, Any, Cyber).group("constellation"),
            GRID_BACKED,
            TELCO,
        ],
        ..BASE
    },
    // ---- information technology ----
    Archetype {
        prefix: "dc",
        label: "Colocation Data Centre",
        company: "Data Centres",
        weight: 120,
        min: 6,
        sectors: &["IT", "COMM-FAC"],
        ncfs: &["NCF-S10"],
        foreign_owned: 0.25,
        products: &[IT],
        recovery: (8.0, 120.0),
        tags: &["datacentre"],
        deps: &[
            dep("sub", 1, 2, Home, Physical)
                .near()
                .group("grid")
                .tol(24.0, 72.0),
            dep("fuel", 1, 1, Home, Physical)
                .near()
                .group("grid")
                .tol(72.0, 168.0)
                .strength(0.3, 0.7),
            dep("core", 1, 2, Home, Cyber).near().group("uplink"),
            dep("ls", 0, 1, Home, Cyber).group("uplink"),
        ],
        ..BASE
    },
    Archetype {
        prefix: "cloud",
        label: "Cloud Region",
        kind: "service",
        company: "Cloud",
        place: Place::In(&[
            "US", "IE", "US", "DE", "US", "GB", "US", "JP", "US", "SG", "US", "CA", "US", "NL",
            "US", "IN", "US", "AU", "US", "KR", "US", "BR", "US", "SE", "US", "FR", "US", "IL",
        ]),
        weight: 60,
        min: 28,
        sectors: &["IT"],
        ncfs: &["NCF-S10", "NCF-C03"],
        products: &[IT],
        exposure: Open,
        recovery: (2.0, 48.0),
        tags: &["cloud"],
        deps: &[
            dep("dc", 2, 3, Home, Physical)
                .group("availability-zones")
                .domestic(),
            dep("fdc", 2, 3, Same, Physical)
                .group("availability-zones")
                .foreign(),
            dep("ixp", 1, 2, Same, Cyber).group("transit"),
        ],
        ..BASE
    },
    Archetype {
        prefix: "idp",
        label: "Certificate Authority and Identity Provider",
        kind: "service",
        company: "Trust Services",
        place: Place::In(&["US", "BE", "US", "GB", "US", "DE", "US", "IL"]),
        weight: 20,
        min: 8,
        sectors: &["IT"],
        ncfs: &["NCF-M17"],
        products: &[IT],
        exposure: Open,
        recovery: (2.0, 48.0),
        tags: &["pki"],
        deps: &[
            CLOUD,
            dep("fdc", 1, 1, Same, Physical).foreign(),
            dep("dc", 1, 1, Home, Physical).domestic(),
        ],
        ..BASE
    },
    Archetype {
        prefix: "saas",
        label: "Online Platform",
        kind: "service",
        company: "Online",
        weight: 120,
        min: 4,
        sectors: &["IT", "COMMS"],
        ncfs: &["NCF-C03"],
        products: &[IT],
        exposure: Open,
        recovery: (1.0, 48.0),
        tags: &["internet"],
        deps: &[
            CLOUD,
            IDENTITY,
            dep("ixp", 1, 2, Home, Cyber).group("uplink"),
            dep("offshore", 0, 1, Any, Logical).strength(0.1, 0.4),
        ],
        ..BASE
    },
    Archetype {
        prefix: "itsvc",
        label: "Managed IT Service Provider",
        kind: "service",
        company: "Managed Services",
        weight: 60,
        min: 2,
        sectors: &["IT"],
        ncfs: &["NCF-S10"],
        products: &[IT],
        exposure: Open,
        recovery: (4.0, 96.0),
        tags: &["msp"],
        deps: &[
            CLOUD,
            dep("offshore", 1, 2, Any, Logical)
                .group("delivery")
                .strength(0.3, 0.7),
            TELCO,
            GRID,
        ],
        ..BASE
    },
    Archetype {
        prefix: "csirt",
        label: "Cyber Incident Response Centre",
        company: "Cyber Defence",
        weight: 10,
        min: 2,
        sectors: &["IT", "GOV-FAC"],
        ncfs: &["NCF-M09"],
        products: &[IT],
        recovery: (2.0, 24.0),
        deps: &[CLOUD, TELCO, GRID_BACKED, IDENTITY],
        ..BASE
    },
    // ---- energy ----
    Archetype {
        prefix: "plant",
        label: "Power Station",
        company: "Power Generation",
        weight: 150,
        min: 6,
        sectors: &["ENERGY"],
        ncfs: &["NCF-S03"],
        foreign_owned: 0.15,
        products: &[ICS],
        recovery: (48.0, 720.0),
        tags: &["grid"],
        deps: &[
            // Either control centre; local control for days without.
            dep("ems", 2, 2, Home, Cyber)
                .near()
                .group("dispatch")
                .tol(24.0, 168.0),
            dep("gaspipe", 0, 2, Home, Physical)
                .near()
                .group("fuel")
                .tol(24.0, 72.0),
            dep("lng", 0, 1, Home, Physical)
                .group("fuel")
                .tol(72.0, 720.0),
            dep("tsub", 1, 2, Home, Physical).near().group("switchyard"),
            VENDOR,
            TRANSFORMERS,
        ],
        ..BASE
    },
    Archetype {
        prefix: "npp",
        label: "Nuclear Power Plant",
        company: "Nuclear",
        weight: 10,
        min: 2,
        sectors: &["NUCLEAR", "ENERGY"],
        ncfs: &["NCF-S03", "NCF-M06"],
        products: &[ICS],
        exposure: Small,
        recovery: (168.0, 2160.0),
        tags: &["grid", "nuclear"],
        deps: &[
            dep("tsub", 2, 2, Home, Physical)
                .near()
                .group("offsite-power")
                .tol(72.0, 168.0),
            dep("ems", 2, 2, Home, Cyber)
                .near()
                .group("dispatch")
                .tol(24.0, 168.0),
            dep("fuelfab", 1, 2, Any, Logical)
                .group("nuclear-fuel")
                .tol(4000.0, 8760.0),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "fuelfab",
        label: "Nuclear Fuel Fabrication and Enrichment",
        kind: "supply",
        company: "Nuclear Fuel",
        place: Place::In(&["FR", "CA", "GB", "NL", "DE", "AU"]),
        weight: 5,
        min: 6,
        sectors: &["NUCLEAR"],
        products: &[ICS],
        exposure: Small,
        tags: &["nuclear", "supply-chain"],
        deps: &[
            FOREIGN_GRID,
            FOREIGN_TELCO,
            dep("mine", 0, 1, Any, Physical).tol(2000.0, 8760.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ems",
        label: "Grid Control Centre",
        kind: "system",
        company: "Transmission",
        weight: 20,
        min: 3,
        sectors: &["ENERGY"],
        ncfs: &["NCF-D03"],
        products: &[ICS, IT],
        exposure: Small,
        recovery: (4.0, 72.0),
        tags: &["grid", "scada"],
        deps: &[
            dep("co", 2, 2, Home, Cyber).near().group("wan"),
            // Two feeds and a generator.
            dep("sub", 2, 2, Home, Physical)
                .near()
                .group("power")
                .tol(24.0, 72.0),
            dep("fuel", 1, 1, Home, Physical)
                .near()
                .group("power")
                .tol(72.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "tsub",
        label: "Transmission Substation",
        company: "Transmission",
        weight: 120,
        min: 4,
        sectors: &["ENERGY"],
        ncfs: &["NCF-D03"],
        products: &[ICS],
        recovery: (24.0, 720.0),
        tags: &["grid"],
        deps: &[
            dep("plant", 2, 3, Home, Physical)
                .near()
                .group("generation"),
            dep("ic", 0, 1, Any, Physical).group("generation"),
            // The meshed network: fed through a neighbour when its own plants are down.
            dep("tsub", 1, 1, Home, Physical)
                .near()
                .group("generation")
                .strength(0.2, 0.5),
            dep("ems", 2, 2, Home, Cyber)
                .near()
                .group("control")
                .tol(24.0, 168.0),
            TRANSFORMERS,
        ],
        ..BASE
    },
    Archetype {
        prefix: "sub",
        label: "Distribution Substation",
        company: "Electric",
        weight: 1000,
        min: 30,
        sectors: &["ENERGY"],
        ncfs: &["NCF-D01"],
        products: &[ICS],
        recovery: (8.0, 240.0),
        tags: &["grid"],
        deps: &[
            dep("tsub", 2, 2, Home, Physical).near().group("feed"),
            // The primary and backup control centres; manual switching for days without.
            dep("ems", 2, 2, Home, Cyber)
                .near()
                .group("control")
                .tol(24.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ic",
        label: "Power Interconnector",
        kind: "network",
        company: "Interconnector",
        place: Place::In(&["CA", "CA", "MX", "CA"]),
        weight: 10,
        min: 4,
        sectors: &["ENERGY"],
        products: &[ICS],
        recovery: (48.0, 720.0),
        tags: &["grid", "cross-border"],
        deps: &[
            dep("hydro", 1, 2, Same, Physical).group("generation"),
            dep("fgen", 1, 1, Same, Physical).group("generation"),
            dep("fgrid", 1, 2, Same, Cyber).group("control"),
        ],
        ..BASE
    },
    Archetype {
        prefix: "oilfield",
        label: "Oil and Gas Field",
        company: "Petroleum",
        weight: 40,
        min: 2,
        sectors: &["ENERGY"],
        ncfs: &["NCF-S01"],
        foreign_owned: 0.2,
        products: &[ICS],
        recovery: (72.0, 720.0),
        deps: &[
            GRID,
            TELCO,
            VENDOR,
            dep("satcom", 0, 1, Any, Cyber).strength(0.2, 0.4),
        ],
        ..BASE
    },
    Archetype {
        prefix: "refinery",
        label: "Refinery",
        company: "Refining",
        coastal: true,
        weight: 20,
        min: 2,
        sectors: &["ENERGY", "CHEM"],
        ncfs: &["NCF-S02"],
        foreign_owned: 0.2,
        products: &[ICS],
        recovery: (168.0, 1440.0),
        deps: &[
            dep("oilfield", 1, 3, Home, Physical)
                .group("crude")
                .tol(72.0, 240.0),
            dep("port", 1, 1, Home, Physical)
                .group("crude")
                .tol(72.0, 240.0),
            GRID,
            dep("water", 1, 1, Home, Physical).near(),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "gaspipe",
        label: "Gas Pipeline Compressor Station",
        company: "Pipeline",
        weight: 60,
        min: 3,
        sectors: &["ENERGY", "TRANS"],
        ncfs: &["NCF-D08"],
        products: &[ICS],
        recovery: (24.0, 336.0),
        tags: &["pipeline"],
        deps: &[
            dep("oilfield", 1, 2, Home, Physical).group("supply"),
            dep("lng", 0, 1, Home, Physical).group("supply"),
            // Either control centre; local control for days without.
            dep("pscada", 2, 2, Home, Cyber)
                .group("control")
                .tol(24.0, 168.0),
            dep("sub", 1, 1, Home, Physical).near().tol(8.0, 48.0),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "pscada",
        label: "Pipeline Control Centre",
        kind: "system",
        company: "Pipeline",
        weight: 10,
        min: 2,
        sectors: &["ENERGY"],
        ncfs: &["NCF-D08"],
        products: &[ICS, IT],
        exposure: Small,
        recovery: (4.0, 72.0),
        tags: &["scada"],
        deps: &[
            dep("co", 2, 2, Home, Cyber).group("wan"),
            GRID_BACKED,
            TIMING,
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "lng",
        label: "LNG Import Terminal",
        company: "LNG",
        coastal: true,
        weight: 10,
        min: 2,
        sectors: &["ENERGY"],
        ncfs: &["NCF-M23"],
        foreign_owned: 0.4,
        products: &[ICS],
        recovery: (72.0, 720.0),
        tags: &["lng"],
        deps: &[
            dep("lngx", 2, 3, Any, Physical)
                .group("cargo")
                .tol(72.0, 720.0),
            GRID,
            dep("port", 1, 1, Home, Physical),
        ],
        ..BASE
    },
    Archetype {
        prefix: "lngx",
        label: "LNG Export Terminal",
        company: "LNG",
        place: Place::In(&["QA", "TT", "QA", "AU", "NG", "MY", "QA", "AE"]),
        coastal: true,
        weight: 20,
        min: 8,
        sectors: &["ENERGY"],
        products: &[ICS],
        recovery: (72.0, 720.0),
        tags: &["lng"],
        deps: &[
            FOREIGN_GRID,
            FOREIGN_TELCO,
            dep("fport", 1, 1, Same, Physical),
            VENDOR,
            // Every cargo takes its country's lane.
            Rule { min: 1, ..SEA_LANE },
        ],
        ..BASE
    },
    Archetype {
        prefix: "fuel",
        label: "Fuel Terminal",
        company: "Fuel Storage",
        weight: 60,
        min: 3,
        sectors: &["ENERGY"],
        ncfs: &["NCF-M23"],
        foreign_owned: 0.15,
        products: &[ICS],
        recovery: (24.0, 336.0),
        deps: &[
            dep("refinery", 2, 3, Home, Physical)
                .group("supply")
                .tol(72.0, 240.0),
            dep("port", 0, 1, Home, Physical)
                .group("supply")
                .tol(72.0, 240.0),
            dep("gaspipe", 0, 1, Home, Physical).near().group("supply"),
            dep("sub", 1, 1, Home, Physical).near().tol(24.0, 72.0),
        ],
        ..BASE
    },
    // ---- transportation ----
    Archetype {
        prefix: "port",
        label: "Container Terminal",
        company: "Terminals",
        coastal: true,
        weight: 40,
        min: 3,
        sectors: &["TRANS"],
        ncfs: &["NCF-D07"],
        foreign_owned: 0.4,
        products: &[ICS, IT],
        recovery: (24.0, 336.0),
        tags: &["maritime"],
        deps: &[
            GRID,
            TELCO,
            dep("fport", 2, 4, Any, Logical)
                .group("trade-lanes")
                .strength(0.2, 0.5),
            dep("gts", 1, 1, Home, Cyber).strength(0.3, 0.6),
        ],
        ..BASE
    },
    Archetype {
        prefix: "airport",
        label: "Airport",
        company: "Airport Authority",
        weight: 40,
        min: 2,
        sectors: &["TRANS"],
        ncfs: &["NCF-D04"],
        foreign_owned: 0.1,
        products: &[IT],
        recovery: (8.0, 168.0),
        deps: &[
            GRID_BACKED,
            TELCO,
            dep("atc", 1, 1, Home, Cyber).near(),
            dep("fuel", 1, 2, Home, Physical)
                .near()
                .group("jet-fuel")
                .tol(72.0, 168.0),
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "atc",
        label: "Air Traffic Control Centre",
        company: "Air Navigation",
        weight: 10,
        min: 2,
        sectors: &["TRANS", "GOV-FAC"],
        ncfs: &["NCF-D04"],
        exposure: Small,
        recovery: (2.0, 48.0),
        deps: &[
            dep("co", 2, 2, Home, Cyber).group("wan"),
            TIMING,
            GRID_BACKED,
            dep("satcom", 0, 1, Any, Cyber),
        ],
        ..BASE
    },
    Archetype {
        prefix: "rail",
        label: "Rail Freight Yard",
        company: "Rail",
        weight: 60,
        min: 2,
        sectors: &["TRANS"],
        ncfs: &["NCF-D05"],
        products: &[ICS],
        recovery: (24.0, 240.0),
        deps: &[
            GRID,
            TELCO,
            dep("fuel", 1, 2, Home, Physical)
                .near()
                .group("fuel")
                .tol(72.0, 240.0),
            TIMING,
        ],
        ..BASE
    },
    Archetype {
        prefix: "transit",
        label: "Mass Transit System",
        kind: "network",
        company: "Transit Authority",
        weight: 30,
        min: 2,
        sectors: &["TRANS"],
        ncfs: &["NCF-D09"],
        products: &[ICS, IT],
        recovery: (8.0, 168.0),
        deps: &[
            dep("sub", 2, 3, Home, Physical).near().group("traction"),
            TELCO,
            dep("saas", 1, 1, Home, Cyber).strength(0.2, 0.5),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "tmc",
        label: "Traffic Management Centre",
        company: "Transportation Department",
        weight: 40,
        min: 2,
        sectors: &["TRANS", "GOV-FAC"],
        ncfs: &["NCF-D06", "NCF-M13"],
        products: &[ICS, IT],
        recovery: (4.0, 96.0),
        deps: &[
            GRID,
            TELCO,
            CLOUD,
            dep("gts", 1, 1, Home, Cyber).strength(0.3, 0.6),
        ],
        ..BASE
    },
    Archetype {
        prefix: "dist",
        label: "Distribution Centre",
        company: "Logistics",
        weight: 200,
        min: 3,
        sectors: &["TRANS", "COMM-FAC"],
        ncfs: &["NCF-D02"],
        foreign_owned: 0.1,
        products: &[IT],
        recovery: (24.0, 168.0),
        deps: &[
            dep("port", 1, 2, Home, Physical)
                .group("inbound")
                .tol(48.0, 336.0),
            dep("rail", 1, 1, Home, Physical).near().group("inbound"),
            GRID,
            dep("saas", 1, 1, Home, Cyber).strength(0.5, 0.9),
            dep("fuel", 1, 2, Home, Physical)
                .near()
                .group("fuel")
                .tol(48.0, 168.0),
        ],
        ..BASE
    },
    // ---- finance ----
    Archetype {
        prefix: "finmsg",
        label: "Financial Messaging Operating Centre",
        kind: "system",
        company: "Interbank Messaging",
        place: Place::In(&["BE", "NL", "CH", "US"]),
        weight: 5,
        min: 4,
        sectors: &["FIN"],
        ncfs: &["NCF-M20"],
        products: &[IT],
        recovery: (2.0, 48.0),
        tags: &["payments"],
        deps: &[
            dep("fdc", 2, 2, Same, Physical).group("sites").foreign(),
            dep("dc", 2, 2, Home, Physical).group("sites").domestic(),
            FOREIGN_GRID.foreign(),
            FOREIGN_TELCO.foreign(),
            // Active-active: the mirror centre takes over when both sites are down.
            dep("finmsg", 1, 1, Any, Cyber)
                .group("sites")
                .strength(0.3, 0.6)
                .backup(),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ccp",
        label: "Clearing House",
        kind: "system",
        company: "Clearing",
        place: Place::In(&["US", "GB", "US", "DE", "US", "NL", "FR", "JP", "SG", "CH"]),
        weight: 10,
        min: 10,
        sectors: &["FIN"],
        ncfs: &["NCF-M22", "NCF-M14"],
        products: &[IT],
        recovery: (2.0, 72.0),
        tags: &["payments"],
        deps: &[
            dep("finmsg", 1, 2, Any, Cyber).group("messaging"),
            dep("fdc", 1, 2, Same, Physical).group("dc").foreign(),
            dep("dc", 1, 2, Home, Physical).group("dc").domestic(),
            IDENTITY,
        ],
        ..BASE
    },
    Archetype {
        prefix: "pay",
        label: "Payment and Settlement System",
        kind: "system",
        company: "Payments",
        weight: 15,
        min: 2,
        sectors: &["FIN"],
        ncfs: &["NCF-M20"],
        products: &[IT],
        recovery: (2.0, 48.0),
        tags: &["payments"],
        deps: &[
            dep("finmsg", 2, 2, Any, Cyber).group("messaging"),
            dep("dc", 2, 2, Home, Physical).group("dc"),
            dep("ccp", 1, 2, Any, Logical).group("clearing"),
            TIMING,
            IDENTITY,
        ],
        ..BASE
    },
    Archetype {
        prefix: "exch",
        label: "Securities Exchange",
        kind: "system",
        company: "Exchange",
        weight: 5,
        min: 2,
        sectors: &["FIN"],
        ncfs: &["NCF-M14"],
        products: &[IT],
        recovery: (2.0, 48.0),
        deps: &[
            dep("dc", 2, 2, Home, Physical).group("dc"),
            TIMING,
            dep("ccp", 1, 2, Any, Logical).group("clearing"),
            dep("pay", 1, 1, Home, Cyber),
        ],
        ..BASE
    },
    Archetype {
        prefix: "cb",
        label: "Central Bank Operations Centre",
        kind: "system",
        company: "Reserve Bank",
        weight: 2,
        min: 1,
        sectors: &["FIN", "GOV-FAC"],
        ncfs: &["NCF-M16", "NCF-M22"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (2.0, 24.0),
        deps: &[
            dep("pay", 1, 2, Home, Cyber).group("settlement"),
            dep("finmsg", 1, 2, Any, Cyber).group("messaging"),
            dep("dc", 2, 2, Home, Physical).group("dc"),
        ],
        ..BASE
    },
    Archetype {
        prefix: "bank",
        label: "Bank",
        kind: "system",
        company: "Bank",
        weight: 40,
        min: 3,
        sectors: &["FIN"],
        ncfs: &["NCF-M15"],
        foreign_owned: 0.15,
        products: &[IT],
        exposure: Open,
        recovery: (4.0, 72.0),
        deps: &[
            dep("pay", 1, 1, Home, Cyber),
            CLOUD,
            dep("finmsg", 1, 2, Any, Cyber).group("messaging"),
            IDENTITY,
            dep("offshore", 0, 1, Any, Logical).strength(0.1, 0.3),
        ],
        ..BASE
    },
    Archetype {
        prefix: "branch",
        label: "Bank Branch",
        company: "Bank",
        weight: 500,
        min: 3,
        sectors: &["FIN", "COMM-FAC"],
        ncfs: &["NCF-M15"],
        products: &[IT],
        recovery: (8.0, 96.0),
        deps: &[
            dep("bank", 1, 1, Home, Cyber),
            TELCO,
            GRID,
            dep("cell", 0, 1, Home, Cyber).near().group("network"),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ins",
        label: "Insurer",
        kind: "service",
        company: "Insurance",
        weight: 30,
        min: 2,
        sectors: &["FIN"],
        ncfs: &["NCF-M18"],
        foreign_owned: 0.2,
        products: &[IT],
        exposure: Open,
        recovery: (8.0, 168.0),
        deps: &[
            CLOUD,
            dep("reins", 1, 2, Any, Logical)
                .group("reinsurance")
                .strength(0.2, 0.5)
                .tol(720.0, 2160.0),
            dep("bank", 1, 1, Home, Logical),
            dep("offshore", 0, 1, Any, Logical),
        ],
        ..BASE
    },
    Archetype {
        prefix: "reins",
        label: "Reinsurer",
        kind: "service",
        company: "Re",
        place: Place::In(&["CH", "DE", "GB", "FR", "JP"]),
        weight: 5,
        min: 5,
        sectors: &["FIN"],
        products: &[IT],
        deps: &[
            dep("fdc", 1, 2, Same, Physical).group("dc"),
            FOREIGN_TELCO,
            dep("finmsg", 1, 1, Any, Cyber),
        ],
        ..BASE
    },
    // ---- health ----
    Archetype {
        prefix: "hosp",
        label: "Hospital",
        company: "Health System",
        weight: 200,
        min: 3,
        sectors: &["HPH"],
        ncfs: &["NCF-M19"],
        foreign_owned: 0.05,
        products: &[MEDICAL, IT],
        recovery: (24.0, 336.0),
        tags: &["health"],
        deps: &[
            dep("sub", 1, 2, Home, Physical)
                .near()
                .group("grid")
                .tol(72.0, 96.0),
            dep("ehr", 1, 1, Home, Cyber),
            dep("whsl", 1, 2, Home, Physical)
                .group("drug-supply")
                .tol(168.0, 720.0),
            dep("water", 1, 1, Home, Physical).near().tol(24.0, 48.0),
            TELCO,
            dep("fuel", 0, 1, Home, Physical)
                .near()
                .group("grid")
                .tol(72.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "clinic",
        label: "Clinic",
        company: "Medical Group",
        weight: 350,
        min: 3,
        sectors: &["HPH"],
        ncfs: &["NCF-M19"],
        products: &[MEDICAL, IT],
        recovery: (8.0, 168.0),
        tags: &["health"],
        deps: &[
            GRID,
            dep("ehr", 1, 1, Home, Cyber),
            dep("whsl", 1, 2, Home, Physical)
                .group("drug-supply")
                .tol(168.0, 720.0),
            TELCO,
            dep("hosp", 2, 2, Home, Logical)
                .near()
                .group("referral")
                .strength(0.2, 0.5),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ehr",
        label: "Electronic Health Record Platform",
        kind: "service",
        company: "Health IT",
        weight: 10,
        min: 2,
        sectors: &["HPH", "IT"],
        ncfs: &["NCF-M05"],
        products: &[IT],
        exposure: Open,
        recovery: (2.0, 72.0),
        tags: &["health"],
        deps: &[
            CLOUD,
            dep("dc", 1, 1, Home, Physical),
            IDENTITY,
            dep("offshore", 0, 1, Any, Logical).strength(0.1, 0.3),
        ],
        ..BASE
    },
    Archetype {
        prefix: "pharmacy",
        label: "Pharmacy",
        company: "Pharmacy",
        weight: 450,
        min: 3,
        sectors: &["HPH", "COMM-FAC"],
        ncfs: &["NCF-M24"],
        products: &[IT],
        recovery: (8.0, 96.0),
        tags: &["health"],
        deps: &[
            dep("whsl", 1, 2, Home, Physical)
                .group("drug-supply")
                .tol(72.0, 336.0),
            GRID,
            TELCO,
            dep("pay", 1, 1, Home, Cyber).strength(0.3, 0.6),
            dep("ehr", 0, 1, Home, Cyber).strength(0.2, 0.5),
        ],
        ..BASE
    },
    Archetype {
        prefix: "whsl",
        label: "Pharmaceutical Wholesaler",
        kind: "supply",
        company: "Drug Distribution",
        weight: 20,
        min: 2,
        sectors: &["HPH", "TRANS"],
        ncfs: &["NCF-M24"],
        products: &[IT],
        recovery: (24.0, 240.0),
        tags: &["health", "supply-chain"],
        deps: &[
            dep("fdf", 2, 4, Any, Physical)
                .group("manufacturers")
                .tol(336.0, 1440.0),
            dep("dist", 2, 2, Home, Physical).group("distribution"),
            GRID,
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "fdf",
        label: "Finished-Dose Pharmaceutical Plant",
        kind: "supply",
        company: "Pharma",
        place: Place::In(&["US", "IN", "IE", "US", "DE", "CH", "IN", "IT"]),
        weight: 40,
        min: 8,
        sectors: &["HPH", "CHEM"],
        ncfs: &["NCF-M24"],
        foreign_owned: 0.2,
        products: &[ICS],
        recovery: (168.0, 1440.0),
        tags: &["pharma", "supply-chain"],
        deps: &[
            dep("api", 2, 3, Any, Physical)
                .group("api-suppliers")
                .tol(720.0, 2160.0),
            GRID.domestic(),
            FOREIGN_GRID.foreign(),
            dep("fport", 0, 1, Same, Physical).foreign(),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "api",
        label: "Active Pharmaceutical Ingredient Maker",
        kind: "supply",
        company: "Fine Chemicals",
        place: Place::In(&["IN", "CN", "IN", "CN", "IT", "IE", "IN", "CN"]),
        weight: 300,
        min: 8,
        sectors: &["HPH", "CHEM"],
        products: &[ICS],
        recovery: (168.0, 2160.0),
        tags: &["pharma", "supply-chain"],
        deps: &[
            FOREIGN_GRID,
            dep("fport", 1, 1, Same, Physical),
            dep("fchem", 1, 2, Any, Physical)
                .group("precursors")
                .tol(336.0, 1440.0),
            FOREIGN_TELCO,
            SEA_LANE,
        ],
        ..BASE
    },
    Archetype {
        prefix: "fchem",
        label: "Chemical Precursor Plant",
        kind: "supply",
        company: "Chemicals",
        place: Place::In(&["CN", "IN", "DE", "CN", "SA", "KR"]),
        weight: 200,
        min: 6,
        sectors: &["CHEM"],
        products: &[ICS],
        recovery: (168.0, 2160.0),
        tags: &["supply-chain"],
        deps: &[
            FOREIGN_GRID,
            dep("fport", 1, 1, Same, Physical),
            FOREIGN_TELCO,
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "pubhealth",
        label: "Public Health Department",
        company: "Public Health",
        weight: 30,
        min: 2,
        sectors: &["HPH", "GOV-FAC"],
        ncfs: &["NCF-M24"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (8.0, 168.0),
        deps: &[CLOUD, TELCO, GRID, dep("lab", 0, 1, Home, Logical).near()],
        ..BASE
    },
    Archetype {
        prefix: "lab",
        label: "Research University",
        company: "University",
        weight: 30,
        min: 2,
        sectors: &["GOV-FAC", "COMM-FAC"],
        ncfs: &["NCF-S12", "NCF-M03"],
        foreign_owned: 0.0,
        products: &[IT],
        exposure: Open,
        recovery: (24.0, 336.0),
        deps: &[
            GRID,
            TELCO,
            CLOUD,
            dep("fab", 0, 1, Any, Logical)
                .strength(0.1, 0.3)
                .tol(720.0, 4000.0),
        ],
        ..BASE
    },
    // ---- water ----
    Archetype {
        prefix: "water",
        label: "Drinking Water Utility",
        company: "Water",
        weight: 250,
        min: 3,
        sectors: &["WATER"],
        ncfs: &["NCF-S13"],
        foreign_owned: 0.08,
        products: &[ICS],
        recovery: (24.0, 336.0),
        tags: &["water", "scada"],
        deps: &[
            dep("sub", 1, 2, Home, Physical)
                .near()
                .group("grid")
                .tol(24.0, 72.0),
            dep("chem", 2, 3, Home, Physical)
                .group("treatment-chemicals")
                .tol(168.0, 720.0),
            TELCO,
            VENDOR,
            dep("dam", 0, 1, Home, Physical).near().tol(720.0, 2160.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "wwtp",
        label: "Wastewater Treatment Plant",
        company: "Sanitation",
        weight: 150,
        min: 2,
        sectors: &["WATER"],
        ncfs: &["NCF-M07"],
        foreign_owned: 0.08,
        products: &[ICS],
        recovery: (24.0, 336.0),
        tags: &["water", "scada"],
        deps: &[
            dep("sub", 1, 2, Home, Physical)
                .near()
                .group("grid")
                .tol(8.0, 48.0),
            dep("chem", 1, 1, Home, Physical).tol(168.0, 720.0),
            TELCO,
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "dam",
        label: "Dam",
        company: "Reservoir Authority",
        weight: 30,
        min: 2,
        sectors: &["DAMS", "WATER"],
        ncfs: &["NCF-M13"],
        foreign_owned: 0.0,
        products: &[ICS],
        exposure: Small,
        recovery: (168.0, 4000.0),
        deps: &[
            dep("ems", 1, 1, Home, Cyber).near().strength(0.3, 0.6),
            TELCO,
            GRID_BACKED,
            VENDOR,
        ],
        ..BASE
    },
    // ---- manufacturing, chemicals, food ----
    Archetype {
        prefix: "chem",
        label: "Chemical Plant",
        company: "Chemicals",
        weight: 60,
        min: 2,
        sectors: &["CHEM"],
        ncfs: &["NCF-S07", "NCF-M06"],
        foreign_owned: 0.2,
        products: &[ICS],
        recovery: (72.0, 720.0),
        deps: &[
            dep("gaspipe", 1, 2, Home, Physical)
                .near()
                .group("feedstock")
                .tol(24.0, 168.0),
            GRID,
            dep("rail", 1, 1, Home, Physical).near().strength(0.3, 0.6),
            VENDOR,
            TELCO,
        ],
        ..BASE
    },
    Archetype {
        prefix: "mfg",
        label: "Manufacturing Plant",
        company: "Industries",
        weight: 400,
        min: 3,
        sectors: &["CRIT-MFG"],
        ncfs: &["NCF-S04"],
        foreign_owned: 0.15,
        products: &[ICS],
        recovery: (48.0, 720.0),
        deps: &[
            dep("fab", 1, 3, Any, Physical)
                .group("chips")
                .tol(336.0, 1344.0),
            dep("fsup", 2, 3, Any, Physical)
                .group("components")
                .tol(168.0, 720.0),
            dep("mill", 0, 1, Home, Physical).tol(336.0, 1344.0),
            GRID,
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "fab",
        label: "Semiconductor Fab",
        kind: "supply",
        company: "Semiconductor",
        place: Place::In(&[
            "TW", "TW", "KR", "JP", "TW", "KR", "CN", "JP", "MY", "SG", "US", "DE", "TW", "IE",
        ]),
        weight: 120,
        min: 14,
        sectors: &["CRIT-MFG", "IT"],
        ncfs: &["NCF-S10"],
        products: &[ICS],
        exposure: Small,
        recovery: (336.0, 4000.0),
        tags: &["semiconductor", "supply-chain"],
        deps: &[
            FOREIGN_GRID.foreign(),
            FOREIGN_TELCO.foreign(),
            GRID.domestic(),
            dep("litho", 1, 2, Any, Logical)
                .group("tools")
                .strength(0.3, 0.6)
                .tol(2000.0, 8760.0),
            dep("fport", 1, 1, Same, Physical)
                .foreign()
                .tol(168.0, 720.0),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "litho",
        label: "Semiconductor Equipment Maker",
        kind: "supply",
        company: "Lithography",
        place: Place::In(&["NL", "JP", "US", "DE"]),
        weight: 5,
        min: 4,
        sectors: &["CRIT-MFG"],
        products: &[ICS],
        tags: &["semiconductor", "supply-chain"],
        deps: &[
            FOREIGN_GRID.foreign(),
            GRID.domestic(),
            dep("fsup", 1, 2, Any, Physical)
                .group("components")
                .tol(720.0, 2160.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "fsup",
        label: "Component Supplier",
        kind: "supply",
        company: "Components",
        place: Place::In(&[
            "MX", "CN", "VN", "MY", "DE", "JP", "KR", "PL", "TW", "CA", "PH", "IN",
        ]),
        weight: 800,
        min: 12,
        sectors: &["CRIT-MFG"],
        products: &[ICS],
        recovery: (72.0, 1440.0),
        tags: &["supply-chain"],
        deps: &[
            FOREIGN_GRID,
            dep("fab", 0, 2, Any, Physical)
                .group("chips")
                .tol(336.0, 1344.0),
            dep("fport", 1, 1, Same, Physical),
            FOREIGN_TELCO,
            SEA_LANE,
        ],
        ..BASE
    },
    Archetype {
        prefix: "mill",
        label: "Steel Mill",
        company: "Steel",
        weight: 20,
        min: 2,
        sectors: &["CRIT-MFG"],
        ncfs: &["NCF-S08"],
        foreign_owned: 0.25,
        products: &[ICS],
        recovery: (168.0, 1440.0),
        deps: &[
            dep("mine", 1, 2, Any, Physical)
                .group("ore")
                .tol(336.0, 720.0),
            GRID,
            dep("rail", 1, 1, Home, Physical),
            VENDOR,
        ],
        ..BASE
    },
    Archetype {
        prefix: "mine",
        label: "Mine",
        kind: "supply",
        company: "Mining",
        place: Place::In(&["AU", "BR", "CL", "ZA", "AU", "CA", "BR", "CL"]),
        weight: 120,
        min: 8,
        sectors: &["CRIT-MFG"],
        products: &[ICS],
        recovery: (168.0, 2160.0),
        tags: &["supply-chain"],
        deps: &[
            FOREIGN_GRID,
            dep("fport", 1, 1, Same, Physical),
            FOREIGN_TELCO,
        ],
        ..BASE
    },
    Archetype {
        prefix: "dib",
        label: "Defence Industrial Plant",
        company: "Defence Systems",
        weight: 40,
        min: 2,
        sectors: &["DIB", "CRIT-MFG"],
        ncfs: &["NCF-S11"],
        foreign_owned: 0.0,
        products: &[ICS, IT],
        exposure: Small,
        recovery: (72.0, 1440.0),
        deps: &[
            dep("fab", 1, 2, Any, Physical)
                .group("chips")
                .tol(672.0, 2016.0),
            dep("mfg", 1, 2, Home, Physical).group("subassemblies"),
            GRID_BACKED,
            TELCO,
            dep("mill", 0, 1, Home, Physical).tol(336.0, 1344.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "farm",
        label: "Agricultural Cooperative",
        company: "Growers",
        weight: 250,
        min: 2,
        sectors: &["FOOD-AG"],
        ncfs: &["NCF-S05"],
        foreign_owned: 0.08,
        recovery: (72.0, 2160.0),
        deps: &[
            dep("fert", 1, 2, Any, Physical)
                .group("fertiliser")
                .tol(720.0, 2160.0),
            dep("fuel", 1, 2, Home, Physical)
                .near()
                .group("fuel")
                .tol(72.0, 336.0),
            GRID,
            dep("gnss", 1, 2, Any, Cyber)
                .group("precision-guidance")
                .strength(0.1, 0.3)
                .tol(24.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "fert",
        label: "Fertiliser Plant",
        kind: "supply",
        company: "Fertiliser",
        place: Place::In(&["CA", "TT", "QA", "SA", "EG", "CA"]),
        weight: 20,
        min: 6,
        sectors: &["CHEM", "FOOD-AG"],
        products: &[ICS],
        recovery: (168.0, 1440.0),
        tags: &["supply-chain"],
        deps: &[
            FOREIGN_GRID,
            dep("fport", 1, 1, Same, Physical),
            dep("lngx", 0, 1, Same, Physical).tol(72.0, 720.0),
            SEA_LANE,
        ],
        ..BASE
    },
    Archetype {
        prefix: "food",
        label: "Food Processing Plant",
        company: "Foods",
        weight: 150,
        min: 2,
        sectors: &["FOOD-AG"],
        ncfs: &["NCF-S06"],
        foreign_owned: 0.15,
        products: &[ICS],
        recovery: (48.0, 720.0),
        deps: &[
            dep("farm", 2, 3, Home, Physical)
                .near()
                .group("growers")
                .tol(72.0, 336.0),
            GRID,
            dep("water", 1, 1, Home, Physical).near(),
            dep("dist", 1, 1, Home, Physical).near(),
            VENDOR,
        ],
        ..BASE
    },
    // ---- government and emergency services ----
    Archetype {
        prefix: "gov",
        label: "Government Agency Service Centre",
        company: "Government",
        weight: 60,
        min: 2,
        sectors: &["GOV-FAC"],
        ncfs: &["NCF-M08", "NCF-M12"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (8.0, 168.0),
        deps: &[
            CLOUD,
            TELCO,
            IDENTITY,
            GRID_BACKED,
            dep("itsvc", 0, 1, Home, Logical),
        ],
        ..BASE
    },
    Archetype {
        prefix: "elect",
        label: "County Election System",
        kind: "system",
        company: "Elections Office",
        weight: 40,
        min: 2,
        sectors: &["GOV-FAC"],
        ncfs: &["NCF-M01", "NCF-M11"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (4.0, 72.0),
        tags: &["elections"],
        deps: &[
            dep("gov", 1, 1, Home, Logical),
            TELCO,
            GRID_BACKED,
            IDENTITY,
            dep("itsvc", 0, 1, Home, Cyber),
        ],
        ..BASE
    },
    Archetype {
        prefix: "court",
        label: "Court Case Management System",
        kind: "system",
        company: "Judiciary",
        weight: 30,
        min: 1,
        sectors: &["GOV-FAC"],
        ncfs: &["NCF-M11", "NCF-M12"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (8.0, 168.0),
        deps: &[CLOUD, TELCO, GRID, IDENTITY],
        ..BASE
    },
    Archetype {
        prefix: "psap",
        label: "Emergency Call Centre (911)",
        company: "Emergency Communications",
        weight: 60,
        min: 2,
        sectors: &["EMERG"],
        ncfs: &["NCF-M10", "NCF-M21"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (1.0, 24.0),
        deps: &[
            dep("co", 2, 2, Home, Cyber).near().group("trunks"),
            dep("mobile", 1, 1, Home, Cyber),
            GRID_BACKED,
            TIMING,
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "police",
        label: "Police Department",
        company: "Police",
        weight: 120,
        min: 2,
        sectors: &["EMERG"],
        ncfs: &["NCF-M04"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (4.0, 72.0),
        deps: &[
            dep("psap", 1, 1, Home, Cyber).near(),
            TELCO,
            GRID_BACKED,
            dep("mobile", 1, 1, Home, Cyber),
            CLOUD,
        ],
        ..BASE
    },
    Archetype {
        prefix: "fire",
        label: "Fire Station",
        company: "Fire Department",
        weight: 150,
        min: 2,
        sectors: &["EMERG"],
        ncfs: &["NCF-M21"],
        foreign_owned: 0.0,
        recovery: (4.0, 72.0),
        deps: &[
            dep("psap", 1, 1, Home, Cyber).near(),
            dep("water", 1, 1, Home, Physical).near(),
            GRID_BACKED,
            dep("fuel", 1, 2, Home, Physical)
                .near()
                .group("fuel")
                .tol(72.0, 168.0),
        ],
        ..BASE
    },
    Archetype {
        prefix: "ema",
        label: "Emergency Management Agency",
        company: "Emergency Management",
        weight: 20,
        min: 1,
        sectors: &["EMERG", "GOV-FAC"],
        ncfs: &["NCF-M10"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (2.0, 48.0),
        deps: &[
            dep("psap", 1, 2, Home, Cyber).near(),
            dep("bcast", 1, 2, Home, Cyber).group("alerting"),
            dep("teleport", 1, 1, Home, Cyber).group("alerting"),
            dep("co", 1, 1, Home, Cyber).group("alerting"),
            GRID_BACKED,
        ],
        ..BASE
    },
    Archetype {
        prefix: "school",
        label: "School District",
        company: "School District",
        weight: 200,
        min: 2,
        sectors: &["GOV-FAC"],
        ncfs: &["NCF-M03"],
        foreign_owned: 0.0,
        products: &[IT],
        exposure: Open,
        recovery: (24.0, 168.0),
        deps: &[
            GRID,
            TELCO,
            dep("saas", 1, 2, Home, Cyber).group("learning-platform"),
            dep("water", 1, 1, Home, Physical).near(),
        ],
        ..BASE
    },
    Archetype {
        prefix: "works",
        label: "Public Works Department",
        company: "Public Works",
        weight: 60,
        min: 1,
        sectors: &["GOV-FAC"],
        ncfs: &["NCF-M02", "NCF-M13"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (24.0, 168.0),
        deps: &[
            GRID,
            TELCO,
            dep("fuel", 1, 2, Home, Physical)
                .near()
                .group("fuel")
                .tol(72.0, 336.0),
            dep("mill", 0, 1, Home, Logical).strength(0.1, 0.3),
        ],
        ..BASE
    },
    Archetype {
        prefix: "housing",
        label: "Housing Authority",
        company: "Housing",
        weight: 40,
        min: 1,
        sectors: &["GOV-FAC", "COMM-FAC"],
        ncfs: &["NCF-S09"],
        foreign_owned: 0.0,
        products: &[IT],
        recovery: (24.0, 336.0),
        deps: &[
            dep("bank", 1, 2, Home, Logical).group("mortgage-lenders"),
            GRID,
            dep("water", 1, 1, Home, Physical).near(),
            dep("mill", 0, 1, Home, Logical)
                .strength(0.1, 0.3)
                .tol(720.0, 2160.0),
        ],
        ..BASE
    },
];
