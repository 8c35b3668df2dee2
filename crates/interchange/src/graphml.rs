//! GraphML for Gephi and yEd users: nodes are assets (node id = asset id), edges are
//! dependencies (source = dependent, target = provider), one `<key>` per field and attribute.
//!
//! The reader goes by `attr.name`, whatever the key ids, applies `<default>` values, ignores
//! keys without a name (yEd's graphics) and data it cannot place, and reports errors with the
//! line of the offending element.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, Write};
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};

use model::{Asset, Atlas, Dependency};

use crate::record::{FieldType, Record, check_attribute};
use crate::text::{LineCounter, line_column};
use crate::{ExportError, ImportError, Origin, Parsed, sorted};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Node,
    Edge,
    Both,
    Other,
}

impl Target {
    fn covers(self, other: Target) -> bool {
        self == other || self == Target::Both
    }
}

struct Key {
    name: Option<String>,
    target: Target,
    default: Option<String>,
}

/// A `<node>` or `<edge>` being read.
struct Pending<T> {
    record: T,
    line: usize,
    /// An error was reported for this record: it is not kept.
    bad: bool,
    /// The node's `id`, or the edge's `source` and `target`: node ids, not yet asset ids.
    xml_ids: Vec<String>,
}

impl<T: Record> Pending<T> {
    fn new(record: T, line: usize, xml_ids: Vec<String>) -> Pending<T> {
        Pending {
            record,
            line,
            bad: false,
            xml_ids,
        }
    }

    /// Applies one value; an error is returned for the caller to report and marks the record.
    fn apply(&mut self, name: &str, text: &str) -> Result<(), String> {
        let result = apply(&mut self.record, name, text);
        self.bad |= result.is_err();
        result
    }
}

/// Text being collected: a `<data>` value or a key's `<default>`.
enum Collect {
    Data {
        key: usize,
        line: usize,
        depth: usize,
        structured: bool,
    },
    Default(usize),
}

struct GraphMlReader<'a> {
    file: &'a str,
    origin_file: Arc<str>,
    lines: LineCounter<'a>,
    keys: Vec<Key>,
    key_ids: HashMap<String, usize>,
    node: Vec<Pending<Asset>>,
    edge: Option<Pending<Dependency>>,
    edges: Vec<Pending<Dependency>>,
    /// Node ids whose asset id was given by an `id` data key instead.
    renamed: HashMap<String, String>,
    collect: Option<Collect>,
    text: String,
    parsed: Parsed,
    errors: Vec<ImportError>,
}

/// Parses a GraphML document. Collects every error of the file (a malformed XML document
/// stops at the first syntax error). The document must be well-formed XML with a `<graphml>`
/// root that is closed: a file cut short, text outside the root or a second root element is an
/// error located by line and column, and then nothing of the file is kept.
pub fn parse_graphml(file: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut state = GraphMlReader {
        file,
        origin_file: file.into(),
        lines: LineCounter::new(bytes),
        keys: Vec::new(),
        key_ids: HashMap::new(),
        node: Vec::new(),
        edge: None,
        edges: Vec::new(),
        renamed: HashMap::new(),
        collect: None,
        text: String::new(),
        parsed: Parsed::default(),
        errors: Vec::new(),
    };
    // The open elements (name, byte offset of their start tag) and whether the root closed.
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut root_closed = false;
    let structural = |state: &mut GraphMlReader<'_>, offset: usize, message: String| {
        let (line, column) = line_column(bytes, offset);
        state
            .errors
            .push(ImportError::new(file, Some(line), None, message).at_column(column));
    };
    loop {
        let start = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = reader.error_position() as usize;
                structural(&mut state, at, format!("malformed XML: {e}"));
                break;
            }
        };
        let line = state.lines.line_at(start);
        let is_start = matches!(event, Event::Start(_));
        let result = match event {
            Event::Eof => {
                if let Some((name, at)) = open.last() {
                    let (open_line, open_column) = line_column(bytes, *at);
                    let message = format!(
                        "unexpected end of file: <{name}> (line {open_line}, column \
                         {open_column}) is not closed; the file is truncated or not well-formed"
                    );
                    structural(&mut state, bytes.len(), message);
                } else if !root_closed {
                    let message = "not a GraphML document: no <graphml> root element";
                    structural(&mut state, bytes.len(), message.to_owned());
                }
                break;
            }
            Event::Start(e) | Event::Empty(e) if open.is_empty() => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if root_closed {
                    let message = format!("<{name}> after the end of the <graphml> root element");
                    structural(&mut state, start, message);
                    break;
                }
                if name != "graphml" {
                    let message = format!(
                        "not a GraphML document: the root element is <{name}>, not <graphml>"
                    );
                    structural(&mut state, start, message);
                    break;
                }
                if is_start {
                    open.push((name, start));
                } else {
                    root_closed = true;
                }
                Ok(())
            }
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                open.push((name, start));
                state.start(&e, line, false)
            }
            Event::Empty(e) => state.start(&e, line, true),
            Event::End(e) => {
                open.pop();
                root_closed = open.is_empty();
                state.end(e.local_name().as_ref())
            }
            Event::Text(t) if open.is_empty() => {
                let text = String::from_utf8_lossy(&t);
                if let Some(skip) = text.find(|c: char| !c.is_whitespace()) {
                    let shown: String = text[skip..].chars().take(20).collect();
                    let place = if root_closed { "after" } else { "before" };
                    let message = format!(
                        "not a GraphML document: text {shown:?} {place} the <graphml> root element"
                    );
                    structural(&mut state, start + skip, message);
                    break;
                }
                Ok(())
            }
            Event::CData(_) | Event::GeneralRef(_) if open.is_empty() => {
                let message = "not a GraphML document: content outside the <graphml> root element";
                structural(&mut state, start, message.to_owned());
                break;
            }
            Event::Text(t) => t
                .xml10_content()
                .map_err(|e| e.to_string())
                .and_then(xml10)
                .map(|t| state.push_text(&t)),
            Event::CData(t) => t
                .decode()
                .map_err(|e| e.to_string())
                .and_then(xml10)
                .map(|t| state.push_text(&t)),
            Event::GeneralRef(r) => resolve_reference(&r)
                .and_then(xml10)
                .map(|t| state.push_text(&t)),
            _ => Ok(()),
        };
        if let Err(message) = result {
            state.error(line, None, message);
        }
    }
    state.finish_edges();
    if state.errors.is_empty() {
        Ok(state.parsed)
    } else {
        Err(state.errors)
    }
}

fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| format!("unknown entity &{name};"))
}

/// Refuses text with characters XML 1.0 cannot carry (as [`escape`] does on export), raw or
/// as character references: what is imported can be exported.
fn xml10<T: AsRef<str>>(text: T) -> Result<T, String> {
    match text.as_ref().chars().find(|&c| {
        matches!(c, '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
            && !matches!(c, '\t' | '\n' | '\r')
    }) {
        Some(c) => Err(format!(
            "{:?} contains {c:?}, which XML 1.0 does not allow",
            text.as_ref()
        )),
        None => Ok(text),
    }
}

fn attribute<'a>(e: &'a BytesStart<'_>, name: &str) -> Result<Option<Cow<'a, str>>, String> {
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        if attribute.key.local_name().as_ref() == name.as_bytes() {
            return attribute
                .unescape_value()
                .map_err(|e| e.to_string())
                .and_then(xml10)
                .map(Some);
        }
    }
    Ok(None)
}

/// Applies one value to a record: a known field by name, else an attribute. Empty values
/// leave the default.
fn apply<T: Record>(record: &mut T, name: &str, text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    match T::field_named(name) {
        Some(f) => record.set(f.field, text),
        None => {
            // The export's rule, so that what is imported can be exported.
            crate::record::check_attribute::<T>(name, text)?;
            record
                .attributes_mut()
                .insert(name.to_owned(), text.to_owned());
            Ok(())
        }
    }
}

impl GraphMlReader<'_> {
    fn error(&mut self, line: usize, field: Option<&str>, message: String) {
        self.errors
            .push(ImportError::new(self.file, Some(line), field, message));
    }

    fn push_text(&mut self, text: &str) {
        if let Some(Collect::Data { depth: 0, .. } | Collect::Default(_)) = &self.collect {
            self.text.push_str(text);
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, line: usize, empty: bool) -> Result<(), String> {
        if let Some(Collect::Data {
            depth, structured, ..
        }) = &mut self.collect
        {
            // Markup inside <data> (yEd's graphics): not a value of ours.
            *structured = true;
            if !empty {
                *depth += 1;
            }
            return Ok(());
        }
        let required = |name: &str| -> Result<String, String> {
            attribute(e, name)?.map(Cow::into_owned).ok_or_else(|| {
                format!(
                    "<{}> has no `{name}` attribute",
                    String::from_utf8_lossy(e.local_name().as_ref())
                )
            })
        };
        match e.local_name().as_ref() {
            b"key" => {
                let id = required("id")?;
                let target = match attribute(e, "for")?.as_deref() {
                    Some("node") => Target::Node,
                    Some("edge") => Target::Edge,
                    Some("all") | None => Target::Both,
                    Some(_) => Target::Other,
                };
                let name = attribute(e, "attr.name")?.map(Cow::into_owned);
                self.key_ids.insert(id, self.keys.len());
                self.keys.push(Key {
                    name,
                    target,
                    default: None,
                });
            }
            b"default" if !empty => {
                if let Some(key) = self.keys.len().checked_sub(1) {
                    self.text.clear();
                    self.collect = Some(Collect::Default(key));
                }
            }
            b"node" => {
                let id = required("id")?;
                let asset = Asset {
                    id: id.clone(),
                    ..Asset::default()
                };
                let mut pending = Pending::new(asset, line, vec![id]);
                self.apply_defaults(Target::Node, &mut pending);
                self.node.push(pending);
                if empty {
                    self.finish_node();
                }
            }
            b"edge" => {
                let (source, target) = (required("source")?, required("target")?);
                let record = Dependency {
                    dependent: source.clone(),
                    provider: target.clone(),
                    ..Dependency::default()
                };
                let mut pending = Pending::new(record, line, vec![source, target]);
                self.apply_defaults(Target::Edge, &mut pending);
                if empty {
                    self.edges.push(pending);
                } else {
                    self.edge = Some(pending);
                }
            }
            b"data" => {
                let id = required("key")?;
                let key = *self
                    .key_ids
                    .get(&id)
                    .ok_or_else(|| format!("data key {id:?} is not declared"))?;
                self.text.clear();
                let data = Collect::Data {
                    key,
                    line,
                    depth: 0,
                    structured: false,
                };
                if empty {
                    self.apply_data(data);
                } else {
                    self.collect = Some(data);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &[u8]) -> Result<(), String> {
        match self.collect.take() {
            Some(Collect::Data {
                depth: depth @ 1..,
                key,
                line,
                structured,
            }) => {
                self.collect = Some(Collect::Data {
                    key,
                    line,
                    depth: depth - 1,
                    structured,
                });
            }
            Some(data @ Collect::Data { .. }) => self.apply_data(data),
            Some(Collect::Default(key)) => {
                self.keys[key].default = Some(std::mem::take(&mut self.text));
            }
            None => match name {
                b"node" => self.finish_node(),
                b"edge" => self.edges.extend(self.edge.take()),
                _ => {}
            },
        }
        Ok(())
    }

    fn apply_defaults<T: Record>(&mut self, target: Target, pending: &mut Pending<T>) {
        for key in &self.keys {
            if let (Some(name), Some(default)) = (&key.name, &key.default)
                && key.target.covers(target)
                && let Err(message) = pending.apply(name, default)
            {
                let line = Some(pending.line);
                self.errors
                    .push(ImportError::new(self.file, line, Some(name), message));
            }
        }
    }

    /// Applies a finished `<data>` to the innermost open node or edge it belongs to.
    fn apply_data(&mut self, data: Collect) {
        let Collect::Data {
            key,
            line,
            structured: false,
            ..
        } = data
        else {
            return;
        };
        let Key {
            name: Some(name),
            target,
            ..
        } = &self.keys[key]
        else {
            return;
        };
        let text = std::mem::take(&mut self.text);
        let result = if let Some(edge) = &mut self.edge {
            target.covers(Target::Edge).then(|| edge.apply(name, &text))
        } else if let Some(node) = self.node.last_mut() {
            target.covers(Target::Node).then(|| node.apply(name, &text))
        } else {
            None
        };
        if let Some(Err(message)) = result {
            self.errors
                .push(ImportError::new(self.file, Some(line), Some(name), message));
        }
    }

    fn finish_node(&mut self) {
        if let Some(node) = self.node.pop() {
            if node.record.id != node.xml_ids[0] {
                self.renamed
                    .insert(node.xml_ids[0].clone(), node.record.id.clone());
            }
            self.finish(node);
        }
    }

    fn finish<T: Record>(&mut self, pending: Pending<T>) {
        let invalid = pending.record.validate();
        for e in &invalid {
            self.errors.push(ImportError::new(
                self.file,
                Some(pending.line),
                Some(e.field),
                e.message.clone(),
            ));
        }
        if invalid.is_empty() && !pending.bad {
            let origin = Origin {
                file: self.origin_file.clone(),
                line: pending.line,
            };
            pending.record.push_into(&mut self.parsed, origin);
        }
    }

    /// Edges go last: their ends are node ids, which a node read later may map to another
    /// asset id (an `id` data key); an end set by a `dependent`/`provider` key stays.
    fn finish_edges(&mut self) {
        for mut edge in std::mem::take(&mut self.edges) {
            let record = &mut edge.record;
            for (end, slot) in edge
                .xml_ids
                .iter()
                .zip([&mut record.dependent, &mut record.provider])
            {
                if slot == end
                    && let Some(id) = self.renamed.get(end)
                {
                    slot.clone_from(id);
                }
            }
            self.finish(edge);
        }
    }
}

/// Escapes text for an XML attribute or element; tabs and line breaks become character
/// references so that no parser normalises them. Characters XML 1.0 cannot carry are refused.
fn escape(text: &str, out: &mut String) -> Result<(), String> {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                return Err(format!(
                    "{text:?} contains {c:?}, which XML 1.0 cannot carry"
                ));
            }
            c => out.push(c),
        }
    }
    Ok(())
}

/// The `<key>`s of one record type: its fields after the identity, then its attributes.
struct Keys<'a, T: Record> {
    prefix: &'static str,
    attributes: Vec<&'a str>,
    _record: std::marker::PhantomData<T>,
}

impl<'a, T: Record> Keys<'a, T> {
    fn new(records: &[&'a T], prefix: &'static str) -> Result<Keys<'a, T>, ExportError> {
        let mut attributes = BTreeSet::new();
        for record in records {
            for (name, value) in record.attributes() {
                check_attribute::<T>(name, value)
                    .map_err(|message| unrepresentable(*record, name, message))?;
                attributes.insert(name.as_str());
            }
        }
        Ok(Keys {
            prefix,
            attributes: attributes.into_iter().collect(),
            _record: std::marker::PhantomData,
        })
    }

    fn declare(&self, target: &str, out: &mut String) -> Result<(), String> {
        let fields = T::FIELDS[T::IDENTITY..].iter().map(|f| (f.name, f.ty));
        let attributes = self.attributes.iter().map(|&name| (name, FieldType::Text));
        for (i, (name, ty)) in fields.chain(attributes).enumerate() {
            let ty = if ty == FieldType::Number {
                "double"
            } else {
                "string"
            };
            out.push_str(&format!(
                "  <key id=\"{}{i}\" for=\"{target}\" attr.name=\"",
                self.prefix
            ));
            escape(name, out)?;
            out.push_str(&format!("\" attr.type=\"{ty}\"/>\n"));
        }
        Ok(())
    }

    /// Writes the `<data>` elements of one record; `cell` is scratch space.
    fn data(&self, record: &T, cell: &mut String, out: &mut String) -> Result<(), ExportError> {
        let fields = T::FIELDS[T::IDENTITY..].iter();
        for (i, f) in fields.enumerate() {
            cell.clear();
            record
                .get(f.field, cell)
                .map_err(|m| unrepresentable(record, f.name, m))?;
            self.datum(i, record, f.name, cell, out)?;
        }
        let offset = T::FIELDS.len() - T::IDENTITY;
        for (i, name) in self.attributes.iter().enumerate() {
            if let Some(value) = record.attributes().get(*name) {
                self.datum(offset + i, record, name, value, out)?;
            }
        }
        Ok(())
    }

    fn datum(
        &self,
        key: usize,
        record: &T,
        name: &str,
        value: &str,
        out: &mut String,
    ) -> Result<(), ExportError> {
        if !value.is_empty() {
            out.push_str(&format!("      <data key=\"{}{key}\">", self.prefix));
            escape(value, out).map_err(|m| unrepresentable(record, name, m))?;
            out.push_str("</data>\n");
        }
        Ok(())
    }
}

fn unrepresentable<T: Record>(record: &T, field: &str, message: String) -> ExportError {
    ExportError::Unrepresentable {
        record: record.label(),
        field: field.to_owned(),
        message,
    }
}

/// Writes the atlas as one directed GraphML graph in canonical order.
pub fn write_graphml_to<W: Write>(atlas: &Atlas, out: W) -> Result<(), ExportError> {
    let (assets, dependencies) = sorted(atlas);
    let node_keys = Keys::new(&assets, "n")?;
    let edge_keys = Keys::new(&dependencies, "e")?;
    let mut out = BufWriter::new(out);
    let mut buf = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    let header = |e: String| ExportError::Unrepresentable {
        record: "key".to_owned(),
        field: "attr.name".to_owned(),
        message: e,
    };
    node_keys.declare("node", &mut buf).map_err(header)?;
    edge_keys.declare("edge", &mut buf).map_err(header)?;
    buf.push_str("  <graph id=\"atlas\" edgedefault=\"directed\">\n");
    let mut cell = String::new();
    for asset in assets {
        buf.push_str("    <node id=\"");
        escape(&asset.id, &mut buf).map_err(|m| unrepresentable(asset, "id", m))?;
        buf.push_str("\">\n");
        node_keys.data(asset, &mut cell, &mut buf)?;
        buf.push_str("    </node>\n");
        out.write_all(buf.as_bytes())?;
        buf.clear();
    }
    for dependency in dependencies {
        buf.push_str("    <edge source=\"");
        escape(&dependency.dependent, &mut buf)
            .map_err(|m| unrepresentable(dependency, "dependent", m))?;
        buf.push_str("\" target=\"");
        escape(&dependency.provider, &mut buf)
            .map_err(|m| unrepresentable(dependency, "provider", m))?;
        buf.push_str("\">\n");
        edge_keys.data(dependency, &mut cell, &mut buf)?;
        buf.push_str("    </edge>\n");
        out.write_all(buf.as_bytes())?;
        buf.clear();
    }
    buf.push_str("  </graph>\n</graphml>\n");
    out.write_all(buf.as_bytes())?;
    out.flush()?;
    Ok(())
}
