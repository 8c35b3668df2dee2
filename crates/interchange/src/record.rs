//! The field table of assets and dependencies: names, text forms and validation, shared by the
//! column- and key-based formats (CSV, GraphML).

use std::collections::BTreeMap;

use model::{Asset, Dependency, DependencyKind, Exposure, FieldError};

use crate::text::{join_list, parse_number, push_number, split_list};
use crate::{Origin, Parsed};

/// How a field is written as text; GraphML declares `Number` fields as `double`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    List,
    Number,
}

/// One known field of a record type.
#[derive(Debug)]
pub struct Field<F> {
    pub field: F,
    pub name: &'static str,
    pub ty: FieldType,
    /// CSV export writes the column only when some record uses it.
    pub only_when_used: bool,
}

const fn field<F>(field: F, name: &'static str, ty: FieldType) -> Field<F> {
    Field {
        field,
        name,
        ty,
        only_when_used: false,
    }
}

const fn extra<F>(field: F, name: &'static str, ty: FieldType) -> Field<F> {
    Field {
        field,
        name,
        ty,
        only_when_used: true,
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for model::Asset {}
    impl Sealed for model::Dependency {}
}

/// A record the atlas formats read and write: [`Asset`] or [`Dependency`]. Sealed.
pub trait Record: sealed::Sealed + Default + Sized {
    type Field: Copy + 'static;
    /// Known fields in canonical column order; the first [`Record::IDENTITY`] identify it.
    const FIELDS: &'static [Field<Self::Field>];
    /// `id` for an asset; `dependent` and `provider` for a dependency.
    const IDENTITY: usize;
    /// Columns that must be present in a CSV header.
    const REQUIRED: &'static [&'static str];
    /// `asset` or `dependency`, for messages.
    const NOUN: &'static str;

    /// Sets a field from its non-empty text form.
    fn set(&mut self, field: Self::Field, text: &str) -> Result<(), String>;
    /// Appends the field's text form (nothing for a default), or says why it has none.
    fn get(&self, field: Self::Field, out: &mut String) -> Result<(), String>;
    fn attributes(&self) -> &BTreeMap<String, String>;
    fn attributes_mut(&mut self) -> &mut BTreeMap<String, String>;
    fn validate(&self) -> Vec<FieldError>;
    /// Names the record in export errors.
    fn label(&self) -> String;
    /// Appends the record to its vector of the batch.
    fn push_into(self, parsed: &mut Parsed, origin: Origin);
    /// Reserves room for `additional` records of this type in the batch.
    fn reserve(parsed: &mut Parsed, additional: usize);

    fn field_named(name: &str) -> Option<&'static Field<Self::Field>> {
        Self::FIELDS.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Copy, Debug)]
pub enum AssetField {
    Id,
    Name,
    Kind,
    Country,
    Owner,
    Sectors,
    Ncfs,
    Lat,
    Lon,
    Products,
    Weight,
    Exposure,
    OwnerCountry,
    Operator,
    RecoveryHours,
    Tags,
}

fn set_number(slot: &mut Option<f64>, text: &str) -> Result<(), String> {
    *slot = Some(parse_number(text)?);
    Ok(())
}

fn get_number(value: Option<f64>, out: &mut String) -> Result<(), String> {
    if let Some(v) = value {
        push_number(v, out);
    }
    Ok(())
}

fn get_text(value: &str, out: &mut String) -> Result<(), String> {
    out.push_str(value);
    Ok(())
}

impl Record for Asset {
    type Field = AssetField;
    const FIELDS: &'static [Field<AssetField>] = {
        use AssetField as F;
        use FieldType::{List, Number, Text};
        &[
            field(F::Id, "id", Text),
            field(F::Name, "name", Text),
            field(F::Kind, "kind", Text),
            field(F::Country, "country", Text),
            field(F::Owner, "owner", Text),
            field(F::Sectors, "sectors", List),
            field(F::Ncfs, "ncfs", List),
            field(F::Lat, "lat", Number),
            field(F::Lon, "lon", Number),
            field(F::Products, "products", List),
            field(F::Weight, "weight", Number),
            field(F::Exposure, "exposure", Text),
            field(F::OwnerCountry, "owner_country", Text),
            extra(F::Operator, "operator", Text),
            extra(F::RecoveryHours, "recovery_hours", Number),
            extra(F::Tags, "tags", List),
        ]
    };
    const IDENTITY: usize = 1;
    const REQUIRED: &'static [&'static str] = &["id", "country"];
    const NOUN: &'static str = "asset";

    fn set(&mut self, field: AssetField, text: &str) -> Result<(), String> {
        use AssetField as F;
        match field {
            F::Id => self.id = text.to_owned(),
            F::Name => self.name = text.to_owned(),
            F::Kind => self.kind = text.to_owned(),
            F::Country => self.country = text.to_owned(),
            F::Owner => self.owner = text.to_owned(),
            F::Operator => self.operator = text.to_owned(),
            F::Sectors => self.sectors = split_list(text),
            F::Ncfs => self.ncfs = split_list(text),
            F::Products => self.products = split_list(text),
            F::Tags => self.tags = split_list(text),
            F::Lat => set_number(&mut self.lat, text)?,
            F::Lon => set_number(&mut self.lon, text)?,
            F::Weight => set_number(&mut self.weight, text)?,
            F::RecoveryHours => set_number(&mut self.recovery_hours, text)?,
            F::Exposure => {
                self.exposure = Some(Exposure::parse(text).ok_or_else(|| {
                    format!("{text:?} is not an exposure (open, controlled or small)")
                })?);
            }
            F::OwnerCountry => self.owner_country = Some(text.to_owned()),
        }
        Ok(())
    }

    fn get(&self, field: AssetField, out: &mut String) -> Result<(), String> {
        use AssetField as F;
        match field {
            F::Id => get_text(&self.id, out),
            F::Name => get_text(&self.name, out),
            F::Kind => get_text(&self.kind, out),
            F::Country => get_text(&self.country, out),
            F::Owner => get_text(&self.owner, out),
            F::Operator => get_text(&self.operator, out),
            F::Sectors => join_list(&self.sectors, out),
            F::Ncfs => join_list(&self.ncfs, out),
            F::Products => join_list(&self.products, out),
            F::Tags => join_list(&self.tags, out),
            F::Lat => get_number(self.lat, out),
            F::Lon => get_number(self.lon, out),
            F::Weight => get_number(self.weight, out),
            F::RecoveryHours => get_number(self.recovery_hours, out),
            F::Exposure => get_text(self.exposure.map_or("", Exposure::as_str), out),
            F::OwnerCountry => get_text(self.owner_country.as_deref().unwrap_or(""), out),
        }
    }

    fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    fn attributes_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.attributes
    }

    fn validate(&self) -> Vec<FieldError> {
        model::validate_asset(self)
    }

    fn label(&self) -> String {
        format!("asset {:?}", self.id)
    }

    fn push_into(self, parsed: &mut Parsed, origin: Origin) {
        parsed.push_asset(self, origin);
    }

    fn reserve(parsed: &mut Parsed, additional: usize) {
        parsed.atlas.assets.reserve(additional);
        parsed.asset_origin.reserve(additional);
    }
}

#[derive(Clone, Copy, Debug)]
pub enum DependencyField {
    Dependent,
    Provider,
    Kind,
    Group,
    Strength,
    ToleranceHours,
}

impl Record for Dependency {
    type Field = DependencyField;
    const FIELDS: &'static [Field<DependencyField>] = {
        use DependencyField as F;
        use FieldType::{Number, Text};
        &[
            field(F::Dependent, "dependent", Text),
            field(F::Provider, "provider", Text),
            field(F::Kind, "kind", Text),
            field(F::Group, "group", Text),
            field(F::Strength, "strength", Number),
            field(F::ToleranceHours, "tolerance_hours", Number),
        ]
    };
    const IDENTITY: usize = 2;
    const REQUIRED: &'static [&'static str] = &["dependent", "provider"];
    const NOUN: &'static str = "dependency";

    fn set(&mut self, field: DependencyField, text: &str) -> Result<(), String> {
        use DependencyField as F;
        match field {
            F::Dependent => self.dependent = text.to_owned(),
            F::Provider => self.provider = text.to_owned(),
            F::Kind => {
                self.kind = Some(DependencyKind::parse(text).ok_or_else(|| {
                    format!(
                        "{text:?} is not a dependency kind (physical, cyber, geographic or logical)"
                    )
                })?);
            }
            F::Group => self.group = Some(text.to_owned()),
            F::Strength => set_number(&mut self.strength, text)?,
            F::ToleranceHours => set_number(&mut self.tolerance_hours, text)?,
        }
        Ok(())
    }

    fn get(&self, field: DependencyField, out: &mut String) -> Result<(), String> {
        use DependencyField as F;
        match field {
            F::Dependent => get_text(&self.dependent, out),
            F::Provider => get_text(&self.provider, out),
            F::Kind => get_text(self.kind.map_or("", DependencyKind::as_str), out),
            F::Group => get_text(self.group.as_deref().unwrap_or(""), out),
            F::Strength => get_number(self.strength, out),
            F::ToleranceHours => get_number(self.tolerance_hours, out),
        }
    }

    fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    fn attributes_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.attributes
    }

    fn validate(&self) -> Vec<FieldError> {
        model::validate_dependency(self)
    }

    fn label(&self) -> String {
        format!("dependency {:?} -> {:?}", self.dependent, self.provider)
    }

    fn push_into(self, parsed: &mut Parsed, origin: Origin) {
        parsed.push_dependency(self, origin);
    }

    fn reserve(parsed: &mut Parsed, additional: usize) {
        parsed.atlas.dependencies.reserve(additional);
        parsed.dependency_origin.reserve(additional);
    }
}

/// Checks that an attribute can be written as a column or key and read back unchanged:
/// a non-empty name that is no known field and has no surrounding whitespace, and a non-empty
/// value (empty cells are not kept as attributes).
pub(crate) fn check_attribute<T: Record>(name: &str, value: &str) -> Result<(), String> {
    if name.is_empty() || name.trim() != name || T::field_named(name).is_some() {
        Err(format!(
            "attribute name {name:?} is empty, has surrounding whitespace or is a known field"
        ))
    } else if value.is_empty() {
        Err(format!("attribute {name:?} has an empty value"))
    } else {
        Ok(())
    }
}
