//! Graph's directory routes: applications (with `addPassword`), service principals (invisible
//! for the replication lag), groups and administrative units with their members, and the
//! Exchange RBAC provider's role assignments and custom app scopes (beta). Plus the control
//! route that sets the replication lag.

mod apps;
mod grants;
mod groups;
mod members;
mod rbac;
mod units;

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Shared;
use super::query::{ListQuery, base_url};
use crate::graph_error::GraphError;
use crate::odata;

/// Every Graph route this module serves, in Graph's own path-template syntax, for the
/// conformance test (method, version, template).
pub fn graph_routes() -> Vec<(&'static str, &'static str, &'static str)> {
    const BOTH: &[(&str, &str)] = &[
        ("GET", "/applications"),
        ("POST", "/applications"),
        ("GET", "/applications/{application-id}"),
        ("DELETE", "/applications/{application-id}"),
        ("GET", "/applications(appId='{appId}')"),
        ("POST", "/applications/{application-id}/addPassword"),
        ("POST", "/applications(appId='{appId}')/addPassword"),
        ("GET", "/servicePrincipals"),
        ("POST", "/servicePrincipals"),
        ("GET", "/servicePrincipals/{servicePrincipal-id}"),
        ("DELETE", "/servicePrincipals/{servicePrincipal-id}"),
        ("GET", "/servicePrincipals(appId='{appId}')"),
        ("GET", "/servicePrincipals/{servicePrincipal-id}/appRoleAssignments"),
        (
            "DELETE",
            "/servicePrincipals/{servicePrincipal-id}/appRoleAssignments/{appRoleAssignment-id}",
        ),
        ("GET", "/groups"),
        ("POST", "/groups"),
        ("GET", "/groups/{group-id}"),
        ("DELETE", "/groups/{group-id}"),
        ("GET", "/groups/{group-id}/members"),
        ("POST", "/groups/{group-id}/members/$ref"),
        ("DELETE", "/groups/{group-id}/members/$ref"),
        (
            "DELETE",
            "/groups/{group-id}/members/{directoryObject-id}/$ref",
        ),
        ("GET", "/directory/administrativeUnits"),
        ("POST", "/directory/administrativeUnits"),
        (
            "GET",
            "/directory/administrativeUnits/{administrativeUnit-id}",
        ),
        (
            "DELETE",
            "/directory/administrativeUnits/{administrativeUnit-id}",
        ),
        (
            "GET",
            "/directory/administrativeUnits/{administrativeUnit-id}/members",
        ),
        (
            "POST",
            "/directory/administrativeUnits/{administrativeUnit-id}/members/$ref",
        ),
        (
            "DELETE",
            "/directory/administrativeUnits/{administrativeUnit-id}/members/$ref",
        ),
        (
            "DELETE",
            "/directory/administrativeUnits/{administrativeUnit-id}/members/{directoryObject-id}/$ref",
        ),
    ];
    const BETA: &[(&str, &str)] = &[
        ("GET", "/roleManagement/exchange/roleAssignments"),
        ("POST", "/roleManagement/exchange/roleAssignments"),
        (
            "GET",
            "/roleManagement/exchange/roleAssignments/{unifiedRoleAssignment-id}",
        ),
        (
            "DELETE",
            "/roleManagement/exchange/roleAssignments/{unifiedRoleAssignment-id}",
        ),
        ("GET", "/roleManagement/exchange/customAppScopes"),
        ("POST", "/roleManagement/exchange/customAppScopes"),
        (
            "GET",
            "/roleManagement/exchange/customAppScopes/{customAppScope-id}",
        ),
        (
            "DELETE",
            "/roleManagement/exchange/customAppScopes/{customAppScope-id}",
        ),
    ];
    let both = BOTH
        .iter()
        .flat_map(|&(method, path)| [(method, "v1.0", path), (method, "beta", path)]);
    both.chain(BETA.iter().map(|&(method, path)| (method, "beta", path)))
        .collect()
}

/// The routes, for `routes::router` to merge into the served (logged) routes.
pub fn routes() -> Router<Shared> {
    let app = "/{version}/applications/{id}";
    let app_key = "/{version}/applications(appId={key}";
    let sp = "/{version}/servicePrincipals/{id}";
    let group = "/{version}/groups/{id}";
    let unit = "/{version}/directory/administrativeUnits/{id}";
    let assignments = "/{version}/roleManagement/exchange/roleAssignments";
    let scopes = "/{version}/roleManagement/exchange/customAppScopes";
    Router::new()
        .route(
            "/{version}/applications",
            get(apps::list).post(apps::create),
        )
        .route(app, get(apps::get_one).delete(apps::delete))
        .route(&format!("{app}/addPassword"), post(apps::add_password))
        .route(app_key, get(apps::get_by_app_id))
        .route(
            &format!("{app_key}/addPassword"),
            post(apps::add_password_by_app_id),
        )
        .route(
            "/{version}/servicePrincipals",
            get(apps::list_principals).post(apps::create_principal),
        )
        .route(sp, get(apps::get_principal).delete(apps::delete_principal))
        .route(&format!("{sp}/appRoleAssignments"), get(grants::list))
        .route(&format!("{sp}/appRoleAssignments/{{assignment}}"), axum::routing::delete(grants::delete))
        .route(
            "/{version}/servicePrincipals(appId={key}",
            get(apps::get_principal_by_app_id),
        )
        .route("/{version}/groups", get(groups::list).post(groups::create))
        .route(group, get(groups::get_one).delete(groups::delete))
        .route(&format!("{group}/members"), get(groups::members))
        .route(
            &format!("{group}/members/$ref"),
            post(groups::add_member).delete(groups::remove_member_by_query),
        )
        .route(
            &format!("{group}/members/{{member}}/$ref"),
            axum::routing::delete(groups::remove_member),
        )
        .route(
            "/{version}/directory/administrativeUnits",
            get(units::list).post(units::create),
        )
        .route(unit, get(units::get_one).delete(units::delete))
        .route(&format!("{unit}/members"), get(units::members))
        .route(
            &format!("{unit}/members/$ref"),
            post(units::add_member).delete(units::remove_member_by_query),
        )
        .route(
            &format!("{unit}/members/{{member}}/$ref"),
            axum::routing::delete(units::remove_member),
        )
        .route(
            assignments,
            get(rbac::list_assignments).post(rbac::create_assignment),
        )
        .route(
            &format!("{assignments}/{{id}}"),
            get(rbac::get_assignment).delete(rbac::delete_assignment),
        )
        .route(scopes, get(rbac::list_scopes).post(rbac::create_scope))
        .route(
            &format!("{scopes}/{{id}}"),
            get(rbac::get_scope).delete(rbac::delete_scope),
        )
}

#[derive(Deserialize)]
pub struct Lag {
    ms: u64,
}

/// `PUT /_sandbox/directory/replication-lag` `{"ms": N}`: how long applications and service
/// principals created from now on stay invisible (every tenant).
pub async fn set_replication_lag(State(state): State<Shared>, Json(lag): Json<Lag>) -> StatusCode {
    for tenant in &state.tenants {
        tenant
            .directory
            .set_replication_lag(Duration::from_millis(lag.ms));
    }
    StatusCode::NO_CONTENT
}

/// Graph's 404 for a directory object that does not exist (or has not replicated yet).
fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// A missing object: 400 when the id is not even a GUID, as the directory answers, else 404.
fn missing(id: &str) -> GraphError {
    if uuid::Uuid::parse_str(id).is_err() {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            format!("Invalid object identifier '{id}'."),
        );
    }
    not_found(id)
}

fn request_bad(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}

/// A property the request must give, as the directory words its absence.
fn invalid_property(property: &str, resource: &str) -> GraphError {
    request_bad(format!(
        "Invalid value specified for property '{property}' of resource '{resource}'."
    ))
}

/// A JSON object body, or Graph's 400s for an empty or unreadable one.
fn json_object(bytes: &Bytes) -> Result<Map<String, Value>, GraphError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(GraphError::bad_request(
            "Empty Payload. JSON content expected.",
        ));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )),
    }
}

/// A string property of a body (`None` when absent or null); other types are a 400.
fn string_field(
    body: &Map<String, Value>,
    name: &str,
    resource: &str,
) -> Result<Option<String>, GraphError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_property(name, resource)),
    }
}

/// The alternate key in `applications(appId='…')`: what follows `appId=` up to `)`.
fn alternate_key(raw: &str) -> Result<String, GraphError> {
    let inner = raw
        .strip_suffix(')')
        .map(|k| k.trim_matches('\''))
        .filter(|k| !k.is_empty());
    inner.map(str::to_string).ok_or_else(|| {
        GraphError::bad_request(format!("Bad Request - Error in query syntax: appId={raw}"))
    })
}

/// One page of a directory listing: `$filter` (`eq`/`ne`), `$top` (≤ 999, default 100) and a
/// `$skiptoken` nextLink.
fn page(
    items: Vec<Value>,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    path: &str,
    context: &str,
) -> Result<Json<Value>, GraphError> {
    let query = ListQuery::parse(raw_query)?;
    let filter = query.comparisons()?;
    let top = query.page_size(100, 999)?;
    let offset = match &query.skiptoken {
        None => 0,
        Some(token) => token.strip_prefix("sbx").and_then(|n| n.parse::<usize>().ok()).ok_or_else(|| {
            GraphError::new(StatusCode::BAD_REQUEST, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.")
        })?,
    };
    let matching: Vec<Value> = items
        .into_iter()
        .filter(|item| odata::matches(item, &filter))
        .collect();
    let shown: Vec<Value> = matching.iter().skip(offset).take(top).cloned().collect();
    let mut body = json!({"@odata.context": context, "value": shown});
    if offset.saturating_add(top) < matching.len() {
        let mut pairs = vec![
            ("$top", top.to_string()),
            ("$skiptoken", format!("sbx{}", offset.saturating_add(top))),
        ];
        if let Some(filter) = &query.filter {
            pairs.push(("$filter", filter.clone()));
        }
        let query_string = serde_urlencoded::to_string(pairs).expect("strings encode");
        body["@odata.nextLink"] =
            json!(format!("{}{path}?{query_string}", base_url(headers)));
    }
    Ok(Json(body))
}

/// One page of the collection at `/{version}/{what}` (`groups`, `directory/administrativeUnits`).
fn collection_page(
    items: Vec<Value>,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    version: &str,
    what: &str,
) -> Result<Json<Value>, GraphError> {
    page(
        items,
        raw_query,
        headers,
        &format!("/{version}/{what}"),
        &context(version, what),
    )
}

fn context(version: &str, what: &str) -> String {
    format!("https://graph.microsoft.com/{version}/$metadata#{what}")
}

/// `201 Created` with the new entity.
fn created(version: &str, what: &str, mut entity: Value) -> (StatusCode, Json<Value>) {
    if let Some(object) = entity.as_object_mut() {
        let mut with_context = Map::new();
        with_context.insert(
            "@odata.context".into(),
            json!(context(version, &format!("{what}/$entity"))),
        );
        with_context.extend(std::mem::take(object));
        *object = with_context;
    }
    (StatusCode::CREATED, Json(entity))
}

/// The member a `DELETE …/members/$ref?$id=<url>` names (OData's form; Graph's docs also use
/// `…/members/{id}/$ref`, and both are served).
fn query_reference_id(raw_query: Option<&str>) -> Result<String, GraphError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw_query.unwrap_or("")).unwrap_or_default();
    let url = pairs
        .into_iter()
        .find(|(k, _)| k == "$id" || k == "@id")
        .map(|(_, v)| v)
        .ok_or_else(|| GraphError::bad_request("Invalid URL format specified in $id."))?;
    reference_id(&Map::from_iter([(
        "@odata.id".to_string(),
        Value::String(url),
    )]))
}

/// The id at the end of an `@odata.id` reference (`…/directoryObjects/{id}`, `…/users/{id}`).
fn reference_id(body: &Map<String, Value>) -> Result<String, GraphError> {
    let url = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("Invalid URL format specified in @odata.id."))?;
    let id = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let kind_ok = [
        "/directoryObjects/",
        "/users/",
        "/groups/",
        "/servicePrincipals/",
    ]
    .iter()
    .any(|k| url.to_ascii_lowercase().contains(&k.to_ascii_lowercase()));
    if id.is_empty() || !kind_ok {
        return Err(GraphError::bad_request(
            "Invalid URL format specified in @odata.id.",
        ));
    }
    Ok(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_template_starts_with_a_slash_and_beta_only_rbac() {
        let routes = graph_routes();
        assert!(routes.iter().all(|(_, _, t)| t.starts_with('/')));
        assert!(
            routes
                .iter()
                .filter(|(_, _, t)| t.starts_with("/roleManagement"))
                .all(|(_, v, _)| *v == "beta")
        );
        assert!(routes.contains(&("POST", "v1.0", "/applications/{application-id}/addPassword")));
    }

    #[test]
    fn alternate_keys_and_references_parse() {
        assert_eq!(alternate_key("'abc')").unwrap(), "abc");
        assert!(alternate_key("'abc'").is_err());
        let body = json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/123"});
        assert_eq!(reference_id(body.as_object().unwrap()).unwrap(), "123");
        assert!(reference_id(json!({"@odata.id": "nonsense"}).as_object().unwrap()).is_err());
    }
}
