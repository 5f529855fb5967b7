//! A concrete request against the templates: which template it names, what that holds, which
//! methods it takes, and whether `$select` and the body name only what that holds.

use serde_json::Value;

use super::paths::{self, ROOT, Tree};
use super::{ConformanceError, Metadata, Version};

/// What a path resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The matching template, e.g. `/users/{user-id}/contacts/delta()`; for an action, the
    /// template it is bound to plus the action's name; `/$batch` for a batch.
    pub template: String,
    pub target: Target,
}

/// What a template addresses (this decides the methods it takes, see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A collection whose members are `member`s (`{member-id}` keys).
    Collection {
        member: String,
    },
    /// One entity, singleton or complex property; its type when the templates tell it.
    Item {
        type_name: Option<String>,
    },
    /// A function; `returns` is known for `delta()`, which lists its collection's members.
    Function {
        returns: Option<String>,
    },
    Action {
        binding: String,
        name: String,
    },
    Reference,
    /// `…/members/{id}/$ref`: one reference of a collection, removed with DELETE.
    MemberReference,
    Count,
    Value,
    Batch,
}

impl Target {
    pub fn methods(&self) -> &'static [&'static str] {
        match self {
            Target::Collection { .. } => &["GET", "POST"],
            Target::Item { .. } => &["GET", "PATCH", "PUT", "DELETE"],
            Target::Function { .. } | Target::Count => &["GET"],
            Target::Action { .. } | Target::Batch => &["POST"],
            Target::Reference => &["GET", "POST", "PUT", "DELETE"],
            Target::Value => &["GET", "PUT"],
            Target::MemberReference => &["DELETE"],
        }
    }

    /// The type whose properties a body or `$select` may name.
    pub fn type_name(&self) -> Option<&str> {
        match self {
            Target::Collection { member } => Some(member),
            Target::Item { type_name } | Target::Function { returns: type_name } => {
                type_name.as_deref()
            }
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Target::Collection { .. } => "collection",
            Target::Item { .. } => "single item",
            Target::Function { .. } => "function",
            Target::Action { .. } => "action",
            Target::Reference => "$ref",
            Target::MemberReference => "member $ref",
            Target::Count => "$count",
            Target::Value => "$value",
            Target::Batch => "$batch",
        }
    }
}

/// A request path split up: the path as shown in errors, its segments, its query.
struct Parts {
    path: String,
    segments: Vec<String>,
    query: Option<String>,
}

fn parts(version: Version, raw: &str) -> Result<Parts, ConformanceError> {
    let bad = |why: String| ConformanceError(format!("'{raw}': {why}"));
    let local = match raw.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => raw,
    };
    let (path, query) = match local.split_once('?') {
        Some((path, query)) => (path, Some(query.to_string())),
        None => (local, None),
    };
    let mut path = percent_decode(path);
    if !path.starts_with('/') {
        path.insert(0, '/'); // `$batch` request URLs are relative
    }
    for other in ["v1.0", "beta"] {
        let prefix = format!("/{other}");
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            if other != version.as_str() {
                return Err(bad(format!(
                    "names {other} but is checked against {}",
                    version.as_str()
                )));
            }
            path = path[prefix.len()..].to_string();
        }
    }
    let segments = paths::split(&path);
    if segments.iter().any(String::is_empty) {
        return Err(bad("the path has an empty segment".into()));
    }
    Ok(Parts {
        path,
        segments,
        query,
    })
}

pub fn resolve(
    meta: &Metadata,
    version: Version,
    method: &str,
    raw: &str,
) -> Result<Resolved, ConformanceError> {
    let parts = parts(version, raw)?;
    resolve_parts(meta, version, &method.to_ascii_uppercase(), &parts)
}

fn resolve_parts(
    meta: &Metadata,
    version: Version,
    method: &str,
    parts: &Parts,
) -> Result<Resolved, ConformanceError> {
    let resolved = locate(meta, version, parts)?;
    let methods = resolved.target.methods();
    if !methods.contains(&method) {
        return Err(ConformanceError(format!(
            "{} {} ({}) does not take {method}: a {} takes {}",
            version.as_str(),
            parts.path,
            resolved.template,
            resolved.target.kind(),
            methods.join(", ")
        )));
    }
    Ok(resolved)
}

fn locate(meta: &Metadata, version: Version, parts: &Parts) -> Result<Resolved, ConformanceError> {
    if parts.segments == ["$batch"] {
        return Ok(Resolved {
            template: "/$batch".into(),
            target: Target::Batch,
        });
    }
    let tree = &meta.api(version).paths;
    match tree.find(&parts.segments) {
        Ok(node) => Ok(Resolved {
            template: tree.template(node),
            target: target_of(meta, version, node),
        }),
        Err(miss) => action(meta, version, &parts.segments)
            .or_else(|| member_reference(tree, &parts.segments))
            .ok_or_else(|| not_found(version, tree, parts, miss)),
    }
}

/// `…/members/{id}/$ref`: the endpoint list has `…/members/$ref` but not the per-member form
/// that OData (and Graph's "remove member" call) uses to delete one reference.
fn member_reference(tree: &Tree, segments: &[String]) -> Option<Resolved> {
    let [prefix @ .., _key, last] = segments else {
        return None;
    };
    if last != "$ref" {
        return None;
    }
    let collection = tree.find(prefix).ok()?;
    let member = tree.member_type(collection)?;
    tree.literal_child(collection, "$ref")
        .filter(|r| tree.node(*r).endpoint)?;
    let template = format!("{}/{{{member}-id}}/$ref", tree.template(collection));
    Some(Resolved {
        template,
        target: Target::MemberReference,
    })
}

/// `…/{application-id}/addPassword`: an action bound to the type the prefix holds.
fn action(meta: &Metadata, version: Version, segments: &[String]) -> Option<Resolved> {
    let (last, prefix) = segments.split_last()?;
    let name = last.strip_prefix("microsoft.graph.").unwrap_or(last);
    if name.contains('(') {
        return None;
    }
    let tree = &meta.api(version).paths;
    let node = tree.find(prefix).ok()?;
    let binding = match target_of(meta, version, node) {
        Target::Collection { member } => format!("Collection({member})"),
        Target::Item {
            type_name: Some(type_name),
        } => type_name,
        _ => return None,
    };
    meta.actions.parameters(&binding, name)?;
    let template = format!("{}/{name}", tree.template(node));
    Some(Resolved {
        template,
        target: Target::Action {
            binding,
            name: name.to_string(),
        },
    })
}

/// What a template node holds, from its segment and its neighbours.
fn target_of(meta: &Metadata, version: Version, node: usize) -> Target {
    let tree = &meta.api(version).paths;
    let segment = tree.node(node).segment.as_str();
    let parent = tree.node(node).parent;
    match segment {
        "$ref" => return Target::Reference,
        "$count" => return Target::Count,
        "$value" => return Target::Value,
        _ => {}
    }
    if let Some(member) = tree.member_type(node) {
        return Target::Collection { member };
    }
    if let Some(type_name) = paths::key_type(segment) {
        return Target::Item {
            type_name: Some(type_name),
        };
    }
    if let Some(cast) = segment.strip_prefix("graph.") {
        let of_collection = parent.and_then(|p| tree.member_type(p)).is_some();
        let type_name = cast.to_string();
        return if of_collection {
            Target::Collection { member: type_name }
        } else {
            Target::Item {
                type_name: Some(type_name),
            }
        };
    }
    if let Some((name, _)) = segment.split_once('(') {
        // `applications(appId='{appId}')` is an alternate key of the `applications` collection.
        let keyed = parent
            .and_then(|p| tree.literal_child(p, name))
            .and_then(|c| tree.member_type(c));
        return match keyed {
            Some(type_name) => Target::Item {
                type_name: Some(type_name),
            },
            None => Target::Function {
                returns: (name == "delta")
                    .then(|| parent.and_then(|p| tree.member_type(p)))
                    .flatten(),
            },
        };
    }
    // A property of its parent's type (`mailboxSettings` of a user) has the property's type.
    let parent_type = match parent
        .filter(|p| *p != ROOT)
        .map(|p| target_of(meta, version, p))
    {
        Some(Target::Item { type_name }) => type_name,
        _ => None,
    };
    let types = &meta.api(version).types;
    let type_name = parent_type
        .and_then(|p| types.get(&p)?.property_type(segment).map(str::to_string))
        .filter(|t| types.get(t).is_some());
    Target::Item { type_name }
}

fn not_found(version: Version, tree: &Tree, parts: &Parts, miss: paths::Miss) -> ConformanceError {
    let head = format!("{} has no path {}", version.as_str(), parts.path);
    let Some(next) = parts.segments.get(miss.matched) else {
        return ConformanceError(format!(
            "{head}: {} only leads to longer templates",
            tree.template(miss.node)
        ));
    };
    let after = if miss.node == ROOT {
        "at the root".to_string()
    } else {
        format!("after {}", tree.template(miss.node))
    };
    let hint = match tree.near_misses(miss.node, next).as_slice() {
        [] => String::new(),
        names => format!(" (did you mean '{}'?)", names.join("' or '")),
    };
    let action = if miss.matched + 1 == parts.segments.len() {
        " (no template, and no action of that name bound here)"
    } else {
        ""
    };
    ConformanceError(format!(
        "{head}: nothing {after} matches '{next}'{hint}{action}"
    ))
}

pub fn check(
    meta: &Metadata,
    version: Version,
    method: &str,
    raw: &str,
    body: Option<&Value>,
) -> Result<Resolved, ConformanceError> {
    let method = method.to_ascii_uppercase();
    let parts = parts(version, raw)?;
    let resolved = resolve_parts(meta, version, &method, &parts)?;
    let fail = |why: String| {
        ConformanceError(format!(
            "{} {method} {}: {why}",
            version.as_str(),
            parts.path
        ))
    };
    if let Some(query) = &parts.query {
        check_select(meta, version, &resolved, query).map_err(fail)?;
    }
    if let Some(body) = body {
        check_body(meta, version, &method, &resolved, body).map_err(fail)?;
    }
    Ok(resolved)
}

/// Every name in `$select` must be a property of what the path holds.
fn check_select(
    meta: &Metadata,
    version: Version,
    resolved: &Resolved,
    query: &str,
) -> Result<(), String> {
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if percent_decode(key) != "$select" {
            continue;
        }
        let type_name = resolved
            .target
            .type_name()
            .ok_or("cannot tell what type this path holds, so $select cannot be checked")?;
        let info = meta
            .api(version)
            .types
            .get(type_name)
            .ok_or_else(|| not_vendored(type_name))?;
        let value = percent_decode(value);
        let unknown: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|name| !info.has(name))
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "$select names what {type_name} does not have: {}",
                unknown.join(", ")
            ));
        }
    }
    Ok(())
}

fn check_body(
    meta: &Metadata,
    version: Version,
    method: &str,
    resolved: &Resolved,
    body: &Value,
) -> Result<(), String> {
    match &resolved.target {
        Target::Batch => batch(meta, version, body),
        Target::Action { binding, name } => {
            let parameters = meta.actions.parameters(binding, name).unwrap_or_default();
            only_names(body, parameters, &format!("parameter of {name}"))
        }
        Target::Reference => only_names(body, &["@odata.id".to_string()], "member of a $ref body"),
        _ if matches!(method, "GET" | "DELETE") => Err(format!("a {method} carries no body")),
        target => {
            let type_name = target
                .type_name()
                .ok_or("cannot tell what type this path holds, so the body cannot be checked")?;
            if meta.api(version).types.get(type_name).is_none() {
                return Err(not_vendored(type_name));
            }
            meta.check_body(version.as_str(), type_name, body)
                .map_err(|e| e.0)
        }
    }
}

/// Top-level names of `body` must be among `allowed` (`@odata.*` annotations aside).
fn only_names(body: &Value, allowed: &[String], what: &str) -> Result<(), String> {
    let object = body
        .as_object()
        .ok_or_else(|| format!("the body must be a JSON object, not {body}"))?;
    let unknown: Vec<&str> = object
        .keys()
        .filter(|k| !k.starts_with('@') || *k == "@odata.id")
        .filter(|k| !allowed.contains(k))
        .map(String::as_str)
        .collect();
    match unknown.as_slice() {
        [] => Ok(()),
        names => Err(format!(
            "'{}' is not a {what} (expected: {})",
            names.join("', '"),
            allowed.join(", ")
        )),
    }
}

const BATCH_FIELDS: &[&str] = &["id", "method", "url", "body", "headers", "dependsOn"];
/// Graph's JSON batching takes at most this many requests.
const BATCH_LIMIT: usize = 20;

/// Each request of a `$batch` is checked as a request of its own.
fn batch(meta: &Metadata, version: Version, body: &Value) -> Result<(), String> {
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or("a $batch body needs a \"requests\" array")?;
    if requests.len() > BATCH_LIMIT {
        return Err(format!(
            "a $batch holds at most {BATCH_LIMIT} requests, not {}",
            requests.len()
        ));
    }
    for (index, request) in requests.iter().enumerate() {
        let label = format!("requests[{index}]");
        let object = request
            .as_object()
            .ok_or_else(|| format!("{label} is not an object"))?;
        if let Some(unknown) = object.keys().find(|k| !BATCH_FIELDS.contains(&k.as_str())) {
            return Err(format!(
                "{label} has an unknown field '{unknown}' (expected: {})",
                BATCH_FIELDS.join(", ")
            ));
        }
        let text = |field: &str| {
            object
                .get(field)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{label} has no \"{field}\" string"))
        };
        let (method, url) = (text("method")?, text("url")?);
        text("id")?;
        if url.trim_start_matches('/').starts_with("$batch") {
            return Err(format!("{label} is a $batch inside a $batch"));
        }
        check(meta, version, method, url, object.get("body"))
            .map_err(|e| format!("{label}: {e}"))?;
    }
    Ok(())
}

fn not_vendored(type_name: &str) -> String {
    format!(
        "the properties of {type_name} are not vendored (add it to ROOTS in xtask/src/metadata.rs and run `cargo xtask metadata`)"
    )
}

/// `%27` → `'`; a malformed escape is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
