//! `cargo xtask metadata [--from DIR] [--check]`: regenerates `tests/sandbox/metadata/`, the
//! compact extracts of Microsoft Graph's published metadata that `exokit_sandbox::conformance`
//! reads, from the full files (default `/work/shared/graph-metadata`, or `$EXOKIT_GRAPH_METADATA`).
//!
//! Outputs (formats in `tests/sandbox/metadata/README.md`):
//! - `paths-v1.0.txt`, `paths-beta.txt`: every path template of `msgraph-endpoints.db`, as an
//!   indented tree of segments;
//! - `actions-v1.0.txt`: bound actions of the v1.0 CSDL (the endpoint list has no action paths),
//!   one line per type they can be called on, derived types included;
//! - `types-v1.0.json`, `types-beta.json`: property names (with v1.0 types) of the types ExoKit
//!   and the sandbox use ([`ROOTS`]), their base types and the complex types they hold;
//! - `sources.txt`: what they were made from.
//!
//! `--check` compares instead of writing, and fails when the vendored files are stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value, json};

use crate::paths;

/// The types whose property names are vendored: what the sandbox serves and the client sends.
/// Their base types and the complex types of their properties come along.
const ROOTS: &[&str] = &[
    "contact",
    "contactFolder",
    "message",
    "calendar",
    "event",
    "mailboxSettings",
    "user",
    "emailAddress",
    "physicalAddress",
    "application",
    "servicePrincipal",
    "passwordCredential",
    "keyCredential",
    "group",
    "administrativeUnit",
    "directoryObject",
    "unifiedRoleDefinition",
    "unifiedRoleAssignment",
    "unifiedRolePermission",
    "customAppScope",
    "appScope",
    "organization",
    "domain",
    "subscribedSku",
    "assignedLicense",
    "requiredResourceAccess",
    "resourceAccess",
    "mailboxSettings",
];

/// Base types of beta-only types (the beta type lists name no base type; for types v1.0 also
/// has, the v1.0 CSDL's base is used).
const BETA_ONLY_BASES: &[(&str, &str)] = &[("customAppScope", "appScope")];

const DEFAULT_SOURCE: &str = "/work/shared/graph-metadata";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut source = std::env::var_os("EXOKIT_GRAPH_METADATA")
        .map(PathBuf::from)
        .unwrap_or(DEFAULT_SOURCE.into());
    let mut check = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--from" => source = rest.next().ok_or("metadata: --from needs a folder")?.into(),
            "--check" => check = true,
            other => {
                return Err(format!(
                    "metadata: unknown argument '{other}' (usage: metadata [--from DIR] [--check])"
                ));
            }
        }
    }
    let outputs = extract(&source)?;
    let target = paths::root().join("tests").join("sandbox").join("metadata");
    if check {
        compare(&target, &outputs)
    } else {
        write(&target, &outputs)
    }
}

fn extract(source: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let db = source.join("msgraph-endpoints.db");
    let csdl_path = source.join("v1.0-Prod.csdl");
    let v1_paths = read_paths(&db, "v1.0")?;
    let beta_paths = read_paths(&db, "beta")?;
    let csdl = std::fs::read_to_string(&csdl_path)
        .map_err(|e| format!("cannot read {}: {e}", csdl_path.display()))?;
    let schema = parse_csdl(&csdl).map_err(|e| format!("{}: {e}", csdl_path.display()))?;
    let beta = read_beta_types(source)?;
    let wanted = closure(&schema);
    let v1_types = v1_types_json(&schema, &wanted);
    let beta_types = beta_types_json(&schema, &beta, &wanted)?;
    let actions = actions_text(&schema);
    let sources = format!(
        "Made by `cargo xtask metadata` from {}:\n\
         msgraph-endpoints.db: {} v1.0 and {} beta path templates\n\
         v1.0-Prod.csdl: {} entity and complex types, {} bound actions\n\
         beta-entity-types.json, beta-complex-types.json: {} types\n\
         Vendored: {} v1.0 types, {} beta types (roots: {})\n",
        source.display(),
        v1_paths.len(),
        beta_paths.len(),
        schema.types.len(),
        schema.actions.len(),
        beta.len(),
        v1_types.as_object().map_or(0, Map::len),
        beta_types.as_object().map_or(0, Map::len),
        ROOTS.join(", "),
    );
    let pretty = |v: &Value| {
        serde_json::to_string_pretty(v)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    };
    Ok(vec![
        ("paths-v1.0.txt", tree_text("v1.0", &v1_paths)),
        ("paths-beta.txt", tree_text("beta", &beta_paths)),
        ("actions-v1.0.txt", actions),
        ("types-v1.0.json", pretty(&v1_types)?),
        ("types-beta.json", pretty(&beta_types)?),
        ("sources.txt", sources),
    ])
}

fn write(target: &Path, outputs: &[(&str, String)]) -> Result<(), String> {
    std::fs::create_dir_all(target)
        .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    for (name, text) in outputs {
        let path = target.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), text.len());
    }
    Ok(())
}

fn compare(target: &Path, outputs: &[(&str, String)]) -> Result<(), String> {
    let stale: Vec<&str> = outputs
        .iter()
        .filter(|(name, text)| {
            std::fs::read_to_string(target.join(name)).ok().as_ref() != Some(text)
        })
        .map(|(name, _)| *name)
        .collect();
    if stale.is_empty() {
        println!("{} is up to date", target.display());
        Ok(())
    } else {
        Err(format!(
            "stale in {}: {} (run `cargo xtask metadata`)",
            target.display(),
            stale.join(", ")
        ))
    }
}

// ---- path templates ----

fn read_paths(db: &Path, version: &str) -> Result<Vec<String>, String> {
    let fail = |e: rusqlite::Error| format!("{}: {e}", db.display());
    if !db.is_file() {
        return Err(format!(
            "{} not found (pass --from DIR or set EXOKIT_GRAPH_METADATA)",
            db.display()
        ));
    }
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let connection = rusqlite::Connection::open_with_flags(db, flags).map_err(fail)?;
    let mut query = connection
        .prepare("SELECT DISTINCT path FROM endpoints WHERE graphVersion = ?1 ORDER BY path")
        .map_err(fail)?;
    let rows = query
        .query_map([version], |row| row.get::<_, String>(0))
        .map_err(fail)?;
    let paths = rows.collect::<Result<Vec<_>, _>>().map_err(fail)?;
    if let Some(bad) = paths
        .iter()
        .find(|p| !p.starts_with('/') || p.ends_with('/') || p.contains(char::is_whitespace))
    {
        return Err(format!(
            "{}: unexpected {version} path template '{bad}'",
            db.display()
        ));
    }
    Ok(paths)
}

/// Splits a template on `/`, except inside parentheses or quotes (function parameters).
fn segments(path: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, false, 1);
    for (i, c) in path.char_indices().skip(1) {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            '/' if !quoted && depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

/// One segment per line, indented one space per level below the root; a segment that only
/// leads to templates (and is none itself) ends with ` +`.
fn tree_text(version: &str, paths: &[String]) -> String {
    let mut tree = Node::default();
    for path in paths {
        let node = segments(path).into_iter().fold(&mut tree, |node, s| {
            node.children.entry(s.to_string()).or_default()
        });
        node.endpoint = true;
    }
    let mut out = format!(
        "# Microsoft Graph {version} path templates ({} in all), from msgraph-endpoints.db by `cargo xtask metadata`.\n\
         # One segment per line, one space of indent per level; ` +` marks a segment that is not itself a template.\n",
        paths.len()
    );
    tree.render(0, &mut out);
    out
}

#[derive(Default)]
struct Node {
    endpoint: bool,
    children: BTreeMap<String, Node>,
}

impl Node {
    fn render(&self, depth: usize, out: &mut String) {
        for (segment, child) in &self.children {
            out.push_str(&" ".repeat(depth));
            out.push_str(segment);
            out.push_str(if child.endpoint { "\n" } else { " +\n" });
            child.render(depth + 1, out);
        }
    }
}

// ---- the v1.0 CSDL ----

#[derive(Default)]
struct TypeDef {
    base: Option<String>,
    /// Property name → type (`Edm.String`, `emailAddress`, `Collection(emailAddress)`).
    properties: BTreeMap<String, String>,
    navigation: BTreeSet<String>,
}

struct ActionDef {
    name: String,
    binding: String,
    parameters: Vec<String>,
}

#[derive(Default)]
struct Schema {
    types: BTreeMap<String, TypeDef>,
    actions: Vec<ActionDef>,
}

/// What the parser is inside of.
enum Open {
    Type(String),
    Action(ActionDef),
    Nothing,
}

/// Reads the `microsoft.graph` schema's entity and complex types and its bound actions.
fn parse_csdl(text: &str) -> Result<Schema, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let (mut schema, mut open, mut in_graph) = (Schema::default(), Open::Nothing, false);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let tag = e.local_name().as_ref().to_vec();
                match tag.as_slice() {
                    b"Schema" => {
                        in_graph = attr(e, "Namespace")?.as_deref() == Some("microsoft.graph")
                    }
                    b"EntityType" | b"ComplexType" if in_graph => {
                        let name = required(e, "Name")?;
                        let base = attr(e, "BaseType")?.map(|b| local_type(&b));
                        schema.types.insert(
                            name.clone(),
                            TypeDef {
                                base,
                                ..TypeDef::default()
                            },
                        );
                        open = if empty {
                            Open::Nothing
                        } else {
                            Open::Type(name)
                        };
                    }
                    b"Action"
                        if in_graph && attr(e, "IsBound")?.as_deref() == Some("true") && !empty =>
                    {
                        open = Open::Action(ActionDef {
                            name: required(e, "Name")?,
                            binding: String::new(),
                            parameters: Vec::new(),
                        });
                    }
                    b"Property" | b"NavigationProperty" => member(&mut schema, &open, &tag, e)?,
                    b"Parameter" => parameter(&mut open, e)?,
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"EntityType" | b"ComplexType" => open = Open::Nothing,
                b"Action" => {
                    if let Open::Action(action) = std::mem::replace(&mut open, Open::Nothing) {
                        schema.actions.push(action);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(schema)
}

fn member(schema: &mut Schema, open: &Open, tag: &[u8], e: &BytesStart) -> Result<(), String> {
    let Open::Type(owner) = open else {
        return Ok(());
    };
    let name = required(e, "Name")?;
    let def = schema.types.get_mut(owner).ok_or("member outside a type")?;
    if tag == b"Property" {
        def.properties
            .insert(name, local_type(&required(e, "Type")?));
    } else {
        def.navigation.insert(name);
    }
    Ok(())
}

fn parameter(open: &mut Open, e: &BytesStart) -> Result<(), String> {
    let Open::Action(action) = open else {
        return Ok(());
    };
    let name = required(e, "Name")?;
    if action.binding.is_empty() {
        action.binding = local_type(&required(e, "Type")?);
    } else {
        action.parameters.push(name);
    }
    Ok(())
}

fn attr(e: &BytesStart, name: &str) -> Result<Option<String>, String> {
    match e.try_get_attribute(name).map_err(|err| err.to_string())? {
        Some(a) => Ok(Some(
            a.unescape_value()
                .map_err(|err| err.to_string())?
                .into_owned(),
        )),
        None => Ok(None),
    }
}

fn required(e: &BytesStart, name: &str) -> Result<String, String> {
    let tag = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    attr(e, name)?.ok_or_else(|| format!("a <{tag}> without {name}"))
}

/// `graph.emailAddress` → `emailAddress`; `Collection(graph.x)` → `Collection(x)`; `Edm.*` kept.
fn local_type(name: &str) -> String {
    if let Some(inner) = name
        .strip_prefix("Collection(")
        .and_then(|n| n.strip_suffix(')'))
    {
        return format!("Collection({})", local_type(inner));
    }
    name.strip_prefix("graph.")
        .or_else(|| name.strip_prefix("microsoft.graph."))
        .unwrap_or(name)
        .to_string()
}

/// [`ROOTS`], their base types, and (recursively) the complex types their properties hold.
fn closure(schema: &Schema) -> BTreeSet<String> {
    let mut wanted = BTreeSet::new();
    let mut queue: Vec<String> = ROOTS.iter().map(|s| s.to_string()).collect();
    queue.extend(BETA_ONLY_BASES.iter().map(|(_, base)| base.to_string()));
    while let Some(name) = queue.pop() {
        if !wanted.insert(name.clone()) {
            continue;
        }
        let Some(def) = schema.types.get(&name) else {
            continue;
        };
        queue.extend(def.base.clone());
        for ty in def.properties.values() {
            let inner = ty
                .strip_prefix("Collection(")
                .and_then(|t| t.strip_suffix(')'))
                .unwrap_or(ty);
            if !inner.starts_with("Edm.") && schema.types.contains_key(inner) {
                queue.push(inner.to_string());
            }
        }
    }
    wanted
}

fn v1_types_json(schema: &Schema, wanted: &BTreeSet<String>) -> Value {
    let mut out = Map::new();
    for name in wanted {
        if let Some(def) = schema.types.get(name) {
            out.insert(name.clone(), json!({"base": def.base, "properties": def.properties, "navigation": def.navigation}));
        }
    }
    Value::Object(out)
}

// ---- beta type lists ----

/// Own property and navigation names of every `microsoft.graph` beta type.
fn read_beta_types(source: &Path) -> Result<BTreeMap<String, (Vec<String>, Vec<String>)>, String> {
    let mut out = BTreeMap::new();
    for file in ["beta-entity-types.json", "beta-complex-types.json"] {
        let path = source.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let all: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let types = all["microsoft.graph"]
            .as_object()
            .ok_or_else(|| format!("{}: no \"microsoft.graph\" object", path.display()))?;
        for (name, def) in types {
            let names = |key: &str| -> Vec<String> {
                def[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            out.insert(
                name.clone(),
                (names("properties"), names("navigationProperties")),
            );
        }
    }
    Ok(out)
}

/// Beta types with their own names; base types and property types come from v1.0 (the beta lists
/// have neither), so a property beta alone has gets type `null`.
fn beta_types_json(
    schema: &Schema,
    beta: &BTreeMap<String, (Vec<String>, Vec<String>)>,
    wanted: &BTreeSet<String>,
) -> Result<Value, String> {
    let mut out = Map::new();
    for name in wanted {
        let Some((properties, navigation)) = beta.get(name) else {
            continue;
        };
        let v1 = schema.types.get(name);
        let base = match v1 {
            Some(def) => def.base.clone(),
            None => Some(
                BETA_ONLY_BASES
                    .iter()
                    .find(|(t, _)| t == name)
                    .map(|(_, b)| b.to_string())
                    .ok_or_else(|| {
                        format!(
                            "beta type {name} is not in v1.0: add its base type to BETA_ONLY_BASES"
                        )
                    })?,
            ),
        };
        let typed: Map<String, Value> = properties
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    v1.and_then(|d| d.properties.get(p))
                        .map_or(Value::Null, |t| json!(t)),
                )
            })
            .collect();
        out.insert(
            name.clone(),
            json!({"base": base, "properties": typed, "navigation": navigation}),
        );
    }
    Ok(Value::Object(out))
}

// ---- bound actions ----

/// `binding<TAB>action<TAB>parameters`, one line for the binding type and one for each type
/// derived from it, since an action bound to `directoryObject` can be called on a user.
fn actions_text(schema: &Schema) -> String {
    let mut lines = BTreeSet::new();
    for action in &schema.actions {
        let (collection, bound) = match action
            .binding
            .strip_prefix("Collection(")
            .and_then(|b| b.strip_suffix(')'))
        {
            Some(inner) => (true, inner),
            None => (false, action.binding.as_str()),
        };
        for ty in schema
            .types
            .keys()
            .filter(|t| derives_from(schema, t, bound))
        {
            let binding = if collection {
                format!("Collection({ty})")
            } else {
                ty.clone()
            };
            lines.insert(format!(
                "{binding}\t{}\t{}",
                action.name,
                action.parameters.join(",")
            ));
        }
    }
    let mut out = String::from(
        "# Bound actions of the Microsoft Graph v1.0 CSDL, by `cargo xtask metadata`: binding type, action, parameters.\n",
    );
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn derives_from(schema: &Schema, ty: &str, ancestor: &str) -> bool {
    let mut current = Some(ty.to_string());
    while let Some(name) = current {
        if name == ancestor {
            return true;
        }
        current = schema.types.get(&name).and_then(|d| d.base.clone());
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_function_parameters_whole() {
        assert_eq!(segments("/a/b(x='1/2')/c"), ["a", "b(x='1/2')", "c"]);
        assert_eq!(segments("/users"), ["users"]);
    }

    #[test]
    fn a_tree_marks_segments_that_are_not_templates() {
        let text = tree_text("v1.0", &["/a/b".into(), "/a/b/c".into(), "/d".into()]);
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(body, ["a +", " b", "  c", "d"]);
    }

    #[test]
    fn the_csdl_parser_reads_types_bases_and_bound_actions() {
        let csdl = r#"<Schema Namespace="microsoft.graph" Alias="graph">
            <EntityType Name="entity"><Property Name="id" Type="Edm.String" /></EntityType>
            <EntityType Name="app" BaseType="graph.entity"><Property Name="tags" Type="Collection(graph.tag)" />
              <NavigationProperty Name="owners" Type="Collection(graph.entity)" /></EntityType>
            <Action Name="addPassword" IsBound="true"><Parameter Name="bindingParameter" Type="graph.entity" />
              <Parameter Name="passwordCredential" Type="graph.pc" /></Action>
            </Schema>"#;
        let schema = parse_csdl(csdl).unwrap();
        assert_eq!(schema.types["app"].base.as_deref(), Some("entity"));
        assert_eq!(schema.types["app"].properties["tags"], "Collection(tag)");
        assert!(schema.types["app"].navigation.contains("owners"));
        let actions = actions_text(&schema);
        assert!(
            actions.contains("app\taddPassword\tpasswordCredential\n")
                && actions.contains("entity\taddPassword\t")
        );
    }
}
