//! The lean path from the two §1 CSV files straight to a [`CompactAtlas`], for analysing files
//! without importing them (and for the peer benchmarks, which time exactly this load). Only the
//! columns the engine uses are decoded: `id, country, owner_country, sectors, ncfs, weight` and
//! `dependent, provider, group, strength, tolerance_hours`; values are validated like the full
//! parser does, every problem reported with file, line and field.

use foldhash::{HashMap, HashMapExt};
use model::{CompactAtlas, NO_GROUP};

use crate::ImportError;

/// Reads `assets.csv` and `dependencies.csv` bytes into a [`CompactAtlas`] (assets in file
/// order, edges in file order). Named groups are interned per atlas.
pub fn read_compact(
    assets_file: &str,
    assets: &[u8],
    dependencies_file: &str,
    dependencies: &[u8],
) -> Result<CompactAtlas, Vec<ImportError>> {
    let mut atlas = CompactAtlas::default();
    let mut errors = Vec::new();
    let mut index = IdIndex::default();
    read_assets(assets_file, assets, &mut atlas, &mut index, &mut errors);
    read_dependencies(
        dependencies_file,
        dependencies,
        &mut atlas,
        &index,
        &mut errors,
    );
    if errors.is_empty() {
        Ok(atlas)
    } else {
        Err(errors)
    }
}

/// Asset id → dense index. Ids of up to 23 bytes (almost all real ones) are keys held inline
/// in the table, so a lookup touches one table slot instead of chasing a pointer to the key:
/// the dependency file's millions of lookups are bound by memory latency.
#[derive(Default)]
struct IdIndex {
    short: HashMap<ShortId, u32>,
    long: HashMap<Vec<u8>, u32>,
}

/// Up to 23 id bytes, zero-padded, with the length in the last byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortId([u8; 24]);

impl ShortId {
    fn new(id: &[u8]) -> Option<ShortId> {
        let mut key = [0u8; 24];
        key.get_mut(..id.len())
            .filter(|_| id.len() < 24)?
            .copy_from_slice(id);
        key[23] = id.len() as u8;
        Some(ShortId(key))
    }
}

impl IdIndex {
    fn reserve(&mut self, n: usize) {
        self.short.reserve(n);
    }

    /// Adds `id`; true when it was already there (the old index is replaced).
    fn insert(&mut self, id: &[u8], index: u32) -> bool {
        match ShortId::new(id) {
            Some(key) => self.short.insert(key, index).is_some(),
            None => self.long.insert(id.to_vec(), index).is_some(),
        }
    }

    fn get(&self, id: &[u8]) -> Option<u32> {
        match ShortId::new(id) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(id).copied(),
        }
    }
}

/// Column positions by name; `required` columns missing are reported on line 1.
fn columns<const N: usize>(
    file: &str,
    reader: &mut csv::Reader<&[u8]>,
    names: [&str; N],
    required: usize,
    errors: &mut Vec<ImportError>,
) -> Option<[Option<usize>; N]> {
    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(ImportError::new(
                file,
                Some(1),
                None,
                format!("malformed CSV: {e}"),
            ));
            return None;
        }
    };
    let found = names.map(|n| header.iter().position(|h| h == n.as_bytes()));
    let missing: Vec<&str> = (0..required)
        .filter(|&i| found[i].is_none())
        .map(|i| names[i])
        .collect();
    for name in &missing {
        errors.push(ImportError::new(
            file,
            Some(1),
            Some(name),
            "required column is missing",
        ));
    }
    missing.is_empty().then_some(found)
}

/// Calls `f` with every record and its line; a malformed record ends the file with an error.
fn for_each_row(
    file: &str,
    reader: &mut csv::Reader<&[u8]>,
    errors: &mut Vec<ImportError>,
    mut f: impl FnMut(&csv::ByteRecord, usize, &mut Vec<ImportError>),
) {
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(false) => return,
            Ok(true) => f(
                &row,
                row.position().map_or(0, |p| p.line() as usize),
                errors,
            ),
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                errors.push(ImportError::new(
                    file,
                    line,
                    None,
                    format!("malformed CSV: {e}"),
                ));
                return;
            }
        }
    }
}

fn cell(row: &csv::ByteRecord, column: Option<usize>) -> &[u8] {
    column.and_then(|c| row.get(c)).unwrap_or_default()
}

/// A cell as trimmed UTF-8, or an error at file:line:field.
fn text<'r>(
    file: &str,
    line: usize,
    field: &str,
    bytes: &'r [u8],
    errors: &mut Vec<ImportError>,
) -> Option<&'r str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.trim()),
        Err(_) => {
            errors.push(ImportError::new(
                file,
                Some(line),
                Some(field),
                "malformed UTF-8",
            ));
            None
        }
    }
}

fn number(
    file: &str,
    line: usize,
    field: &str,
    bytes: &[u8],
    errors: &mut Vec<ImportError>,
) -> Option<f64> {
    let s = text(file, line, field, bytes, errors)?;
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(ImportError::new(
                file,
                Some(line),
                Some(field),
                format!("{s:?} is not a number"),
            ));
            None
        }
    }
}

fn country_code(
    file: &str,
    line: usize,
    field: &str,
    s: &str,
    errors: &mut Vec<ImportError>,
) -> Option<[u8; 2]> {
    match model::country(s) {
        Some(c) => c.alpha2.as_bytes().try_into().ok(),
        None => {
            errors.push(ImportError::new(
                file,
                Some(line),
                Some(field),
                format!("{s:?} is not an ISO 3166-1 alpha-2 country code (or ZZ)"),
            ));
            None
        }
    }
}

fn read_assets(
    file: &str,
    bytes: &[u8],
    atlas: &mut CompactAtlas,
    index: &mut IdIndex,
    errors: &mut Vec<ImportError>,
) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let Some([id, country, owner_country, sectors, ncfs, weight]) = columns(
        file,
        &mut reader,
        [
            "id",
            "country",
            "owner_country",
            "sectors",
            "ncfs",
            "weight",
        ],
        2,
        errors,
    ) else {
        return;
    };
    let rows = bytes.iter().filter(|&&b| b == b'\n').count();
    index.reserve(rows);
    atlas.ncf_offsets.push(0);
    for_each_row(file, &mut reader, errors, |row, line, errors| {
        let Some(asset_id) = text(file, line, "id", cell(row, id), errors) else {
            return;
        };
        if asset_id.is_empty() {
            errors.push(ImportError::new(
                file,
                Some(line),
                Some("id"),
                "is required and empty",
            ));
            return;
        }
        let next = atlas.ids.len() as u32;
        if index.insert(asset_id.as_bytes(), next) {
            errors.push(ImportError::new(
                file,
                Some(line),
                Some("id"),
                format!("duplicate asset id {asset_id:?}"),
            ));
            return;
        }
        let c = text(file, line, "country", cell(row, country), errors)
            .and_then(|s| country_code(file, line, "country", s, errors))
            .unwrap_or(*b"ZZ");
        let owner = text(
            file,
            line,
            "owner_country",
            cell(row, owner_country),
            errors,
        )
        .filter(|s| !s.is_empty())
        .and_then(|s| country_code(file, line, "owner_country", s, errors));
        let mut mask = 0u16;
        for s in text(file, line, "sectors", cell(row, sectors), errors)
            .unwrap_or_default()
            .split(';')
        {
            match (s.trim(), model::sector_index(s.trim())) {
                ("", _) => {}
                (_, Some(i)) => mask |= 1 << i,
                (s, None) => errors.push(ImportError::new(
                    file,
                    Some(line),
                    Some("sectors"),
                    format!("unknown sector {s:?}"),
                )),
            }
        }
        for n in text(file, line, "ncfs", cell(row, ncfs), errors)
            .unwrap_or_default()
            .split(';')
        {
            match (n.trim(), model::ncf_index(n.trim())) {
                ("", _) => {}
                (_, Some(i)) => atlas.ncf_ids.push(i as u8),
                (n, None) => errors.push(ImportError::new(
                    file,
                    Some(line),
                    Some("ncfs"),
                    format!("unknown NCF {n:?}"),
                )),
            }
        }
        let w = number(file, line, "weight", cell(row, weight), errors).unwrap_or(1.0);
        if w < 0.0 {
            errors.push(ImportError::new(
                file,
                Some(line),
                Some("weight"),
                format!("{w} must be a finite number >= 0"),
            ));
        }
        atlas.ids.push(asset_id.to_owned());
        atlas.country.push(c);
        atlas.owner_country.push(owner);
        atlas.weight.push(w);
        atlas.sectors.push(mask);
        atlas.ncf_offsets.push(atlas.ncf_ids.len() as u32);
        atlas.lat.push(f32::NAN);
        atlas.lon.push(f32::NAN);
    });
}

/// One parsed dependency row, borrowing its group name from the input.
struct EdgeRow<'a> {
    dependent: u32,
    provider: u32,
    group: Option<&'a str>,
    strength: f64,
    tolerance: f64,
}

/// Positions of the dependency columns the engine uses.
type DependencyColumns = [Option<usize>; 5];

/// Decodes one dependency row from its fields, or records why it cannot.
fn edge_row<'a>(
    file: &str,
    line: usize,
    fields: &[&'a [u8]],
    [dependent, provider, group, strength, tolerance]: DependencyColumns,
    index: &IdIndex,
    errors: &mut Vec<ImportError>,
) -> Option<EdgeRow<'a>> {
    let field = |c: Option<usize>| -> &'a [u8] {
        c.and_then(|c| fields.get(c).copied()).unwrap_or_default()
    };
    let mut endpoint = |name: &str, column: Option<usize>| {
        let id = field(column);
        let found = index.get(id);
        if found.is_none() {
            let shown = String::from_utf8_lossy(id);
            errors.push(ImportError::new(
                file,
                Some(line),
                Some(name),
                format!("unknown {name} id {shown:?}"),
            ));
        }
        found
    };
    let (Some(d), Some(p)) = (
        endpoint("dependent", dependent),
        endpoint("provider", provider),
    ) else {
        return None;
    };
    if d == p {
        errors.push(ImportError::new(
            file,
            Some(line),
            Some("provider"),
            "an asset cannot depend on itself",
        ));
        return None;
    }
    let group = text(file, line, "group", field(group), errors).filter(|g| !g.is_empty());
    let s = number(file, line, "strength", field(strength), errors).unwrap_or(1.0);
    if !(s > 0.0 && s <= 1.0) {
        errors.push(ImportError::new(
            file,
            Some(line),
            Some("strength"),
            format!("{s} is outside (0, 1]"),
        ));
    }
    let t = number(file, line, "tolerance_hours", field(tolerance), errors).unwrap_or(0.0);
    if t < 0.0 {
        errors.push(ImportError::new(
            file,
            Some(line),
            Some("tolerance_hours"),
            format!("{t} must be a finite number >= 0"),
        ));
    }
    Some(EdgeRow {
        dependent: d,
        provider: p,
        group,
        strength: s,
        tolerance: t,
    })
}

/// Appends an edge, interning its group name in file order.
fn push_edge(atlas: &mut CompactAtlas, groups: &mut HashMap<String, u32>, e: &EdgeRow<'_>) {
    let g = match e.group {
        None => NO_GROUP,
        Some(name) => {
            let next = atlas.group_names.len() as u32;
            *groups.entry(name.to_owned()).or_insert_with(|| {
                atlas.group_names.push(name.to_owned());
                next
            })
        }
    };
    atlas.edge_dependent.push(e.dependent);
    atlas.edge_provider.push(e.provider);
    atlas.edge_group.push(g);
    atlas.edge_strength.push(e.strength);
    atlas.edge_tolerance.push(e.tolerance);
}

/// The body of a file without any `"`: no field is quoted, so every line is one record and
/// every comma a separator. Cut into `parts` pieces at line boundaries, each with the number
/// of its first line, for parallel decoding.
fn unquoted_chunks(body: &[u8], first_line: usize, parts: usize) -> Vec<(usize, &[u8])> {
    let mut chunks = Vec::with_capacity(parts);
    let (mut start, mut line) = (0, first_line);
    for k in 1..=parts {
        let target = body.len() * k / parts;
        let end = if k == parts {
            body.len()
        } else {
            body[target.max(start)..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(body.len(), |i| target.max(start) + i + 1)
        };
        if end > start {
            chunks.push((line, &body[start..end]));
            line += body[start..end].iter().filter(|&&b| b == b'\n').count();
            start = end;
        }
    }
    chunks
}

fn read_dependencies(
    file: &str,
    bytes: &[u8],
    atlas: &mut CompactAtlas,
    index: &IdIndex,
    errors: &mut Vec<ImportError>,
) {
    use rayon::prelude::*;

    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let Some(columns) = columns(
        file,
        &mut reader,
        [
            "dependent",
            "provider",
            "group",
            "strength",
            "tolerance_hours",
        ],
        2,
        errors,
    ) else {
        return;
    };
    let rows = bytes.iter().filter(|&&b| b == b'\n').count();
    atlas.edge_dependent.reserve(rows);
    atlas.edge_provider.reserve(rows);
    atlas.edge_group.reserve(rows);
    atlas.edge_strength.reserve(rows);
    atlas.edge_tolerance.reserve(rows);
    let mut groups: HashMap<String, u32> = HashMap::new();
    if bytes.contains(&b'"') {
        // Quoted fields: the general CSV reader, one record at a time.
        for_each_row(file, &mut reader, errors, |row, line, errors| {
            let fields: Vec<&[u8]> = row.iter().collect();
            if let Some(e) = edge_row(file, line, &fields, columns, index, errors) {
                push_edge(atlas, &mut groups, &e);
            }
        });
        return;
    }
    let position = reader.position();
    let body = &bytes[position.byte() as usize..];
    let decoded: Vec<(Vec<EdgeRow<'_>>, Vec<ImportError>)> = unquoted_chunks(
        body,
        position.line() as usize,
        rayon::current_num_threads() * 4,
    )
    .into_par_iter()
    .map(|(first_line, chunk)| {
        let (mut edges, mut errors) = (Vec::new(), Vec::new());
        let mut fields: Vec<&[u8]> = Vec::with_capacity(8);
        for (offset, raw) in chunk.split(|&b| b == b'\n').enumerate() {
            let record = raw.strip_suffix(b"\r").unwrap_or(raw);
            if record.is_empty() {
                continue;
            }
            fields.clear();
            fields.extend(record.split(|&b| b == b','));
            if let Some(e) = edge_row(
                file,
                first_line + offset,
                &fields,
                columns,
                index,
                &mut errors,
            ) {
                edges.push(e);
            }
        }
        (edges, errors)
    })
    .collect();
    for (edges, chunk_errors) in decoded {
        errors.extend(chunk_errors);
        edges.iter().for_each(|e| push_edge(atlas, &mut groups, e));
    }
}
