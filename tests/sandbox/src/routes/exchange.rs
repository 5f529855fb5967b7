//! `POST /adminapi/beta/{tenant}/InvokeCommand`: Exchange Online's admin REST endpoint
//! (exo-rest.md §1). Body `{"CmdletInput":{"CmdletName","Parameters"}}`; answer
//! `{"@odata.context","value":[…],"@odata.nextLink"?,"@adminapi.warnings"?}` with at most
//! `Prefer: odata.maxpagesize` (≤ 1000) rows a page, the next page being a POST of the same body
//! to the nextLink; `?$select=` trims the rows. A failed cmdlet answers Exchange's error body.
//!
//! Tokens need the audience `https://outlook.office365.com` and the `Exchange.ManageAsApp`
//! role. A refused token gets a 401 with an empty body, the reason in `x-ms-diagnostics` (the
//! gateway's habit: exo-rest.md §1.6); the diagnostic codes follow Exchange's documented OAuth
//! list, the reason texts are the sandbox's.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Shared;
use super::query::base_url;
use super::token::EXCHANGE_AUDIENCE;
use crate::exchange::{self, CmdletError, Ctx, Output};
use crate::state::Tenant;

/// The app role an app-only token needs for the admin API (exo-rest.md §2).
pub const MANAGE_AS_APP: &str = "Exchange.ManageAsApp";
const MAX_PAGE: usize = 1000;

/// The front door, `/adminapi/beta/{tenant}/InvokeCommand`.
pub async fn invoke(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    serve(&state, &tenant, Door::Front, "", &headers, raw.as_deref(), &body)
}

/// The same endpoint with its host as the first path segment, as a custom cloud reaches it:
/// `/outlook.office365.com/adminapi/…` is the front door and `/{region}.outlook.office365.com/
/// adminapi/…` a regional backend (the path stands in for the host: the sandbox has one).
pub async fn invoke_at(
    State(state): State<Shared>,
    Path((host, tenant)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let host = host.to_ascii_lowercase();
    let door = if host == FRONT_DOOR {
        Door::Front
    } else if let Some(region) = host.strip_suffix(&format!(".{FRONT_DOOR}")) {
        Door::Regional(region.to_string())
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let prefix = format!("/{host}");
    serve(&state, &tenant, door, &prefix, &headers, raw.as_deref(), &body)
}

const FRONT_DOOR: &str = "outlook.office365.com";

/// Where a request came in.
enum Door {
    Front,
    Regional(String),
}

/// `prefix` is the path before `/adminapi` (the host segment, if any): nextLinks keep it.
fn serve(
    state: &Shared,
    tenant: &str,
    door: Door,
    prefix: &str,
    headers: &HeaderMap,
    raw: Option<&str>,
    body: &Bytes,
) -> Response {
    let tenant = match authorize(state, headers, tenant) {
        Ok(tenant) => tenant,
        Err(refusal) => return refusal.response(),
    };
    let region = tenant.exchange.lock().region.clone();
    match (&door, region) {
        // A tenant homed elsewhere: the front door sends the client on (exo-rest.md §1.1).
        (Door::Front, Some(region)) => return redirect(headers, &region, &tenant.id, raw),
        (Door::Regional(asked), home) if !home.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(asked)) => {
            return StatusCode::NOT_FOUND.into_response();
        }
        _ => {}
    }
    let (name, parameters) = match cmdlet_input(body) {
        Ok(input) => input,
        Err(message) => return bad_request(&message),
    };
    let query = match Query::parse(raw) {
        Ok(query) => query,
        Err(message) => return bad_request(&message),
    };
    match exchange::run(&Ctx::of(&tenant), &name, &parameters) {
        Ok(output) => answer(output, &query, headers, prefix, &tenant),
        Err(error) => {
            let language = headers.get("accept-language").and_then(|v| v.to_str().ok());
            cmdlet_failed(&exchange::locale::localize(error, language))
        }
    }
}

/// 302 to the tenant's regional backend, the query kept; the client must re-send the body and
/// its `Authorization` itself.
fn redirect(headers: &HeaderMap, region: &str, tenant_id: &str, raw: Option<&str>) -> Response {
    let query = raw.map(|q| format!("?{q}")).unwrap_or_default();
    let location = format!(
        "{}/{}.{FRONT_DOOR}/adminapi/beta/{tenant_id}/InvokeCommand{query}",
        base_url(headers),
        region.to_ascii_lowercase()
    );
    (StatusCode::FOUND, [("location", location)]).into_response()
}

/// Checks the bearer token; a refusal is the response to send.
fn authorize(
    state: &Shared,
    headers: &HeaderMap,
    tenant_name: &str,
) -> Result<std::sync::Arc<Tenant>, Refusal> {
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|v| !v.is_empty());
    let token = value.and_then(|v| state.token(v)).ok_or(Refusal(
        "2000001",
        "OAuth token submitted with the request can not be parsed.",
        "invalid_token",
    ))?;
    if token.expires_at <= Instant::now() {
        return Err(Refusal(
            "2000002",
            "The token has expired.",
            "token_expired",
        ));
    }
    if token.audience != EXCHANGE_AUDIENCE {
        return Err(Refusal(
            "2000003",
            "The audience claim value is invalid for this resource.",
            "invalid_resource",
        ));
    }
    let tenant = state
        .tenant_by_id(&token.tenant_id)
        .cloned()
        .expect("tokens are issued for seeded tenants");
    if !tenant.id.eq_ignore_ascii_case(tenant_name)
        && !tenant.domain.eq_ignore_ascii_case(tenant_name)
    {
        return Err(Refusal(
            "2000004",
            "The token was issued for another tenant.",
            "invalid_tenant",
        ));
    }
    if !token.roles.iter().any(|r| r == MANAGE_AS_APP) {
        return Err(Refusal(
            "2000001",
            "The token has no Exchange.ManageAsApp role.",
            "invalid_token",
        ));
    }
    Ok(tenant)
}

/// A refused token: 401, an empty body, the reason in `x-ms-diagnostics`.
#[derive(Clone, Copy)]
struct Refusal(&'static str, &'static str, &'static str);

impl Refusal {
    fn response(&self) -> Response {
        let Refusal(code, reason, category) = *self;
        let challenge = "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", error=\"invalid_token\"";
        let diagnostics = format!("{code};reason=\"{reason}\";error_category=\"{category}\"");
        (
            StatusCode::UNAUTHORIZED,
            [
                ("www-authenticate", challenge.to_string()),
                ("x-ms-diagnostics", diagnostics),
            ],
        )
            .into_response()
    }
}

/// The cmdlet name and its parameters, or why the body is not a `CmdletInput`.
fn cmdlet_input(body: &Bytes) -> Result<(String, Map<String, Value>), String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("The request body is empty. Send {\"CmdletInput\":{\"CmdletName\":\"…\",\"Parameters\":{…}}}.".into());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("The request body isn't valid JSON: {e}."))?;
    let input = value
        .get("CmdletInput")
        .and_then(Value::as_object)
        .ok_or("The request body has no CmdletInput object.")?;
    let name = input
        .get("CmdletName")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or("CmdletInput has no CmdletName.")?;
    let parameters = match input.get("Parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(
                "CmdletInput.Parameters must be an object of parameter names and values.".into(),
            );
        }
    };
    Ok((name.to_string(), parameters))
}

/// The endpoint's 400 for a body it cannot read: an OData error without cmdlet details.
fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"code": "BadRequest", "message": message}})),
    )
        .into_response()
}

fn cmdlet_failed(error: &CmdletError) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let headers = [
        ("request-id", request_id),
        ("x-exceptiontype", error.short_class().to_string()),
    ];
    (error.status, headers, Json(error.body())).into_response()
}

/// `$select` and the paging position (`$skiptoken`, only ever in a nextLink we made).
struct Query {
    select: Option<Vec<String>>,
    skip: usize,
}

impl Query {
    fn parse(raw: Option<&str>) -> Result<Query, String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| "The query specified in the URI is not valid.".to_string())?;
        let mut query = Query {
            select: None,
            skip: 0,
        };
        for (name, value) in pairs {
            match name.to_ascii_lowercase().as_str() {
                "$select" => {
                    query.select = Some(
                        value
                            .split(',')
                            .map(|p| p.trim().to_string())
                            .filter(|p| !p.is_empty())
                            .collect(),
                    )
                }
                "$skiptoken" => {
                    query.skip = value
                        .parse()
                        .map_err(|_| "The $skiptoken in the URI is not valid.".to_string())?
                }
                other if other.starts_with('$') => {
                    return Err(format!("The query parameter '{name}' is not supported."));
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

/// `Prefer: odata.maxpagesize=N`, capped at 1000.
fn page_size(headers: &HeaderMap) -> usize {
    let prefer = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim);
    prefer
        .filter_map(|p| p.strip_prefix("odata.maxpagesize="))
        .filter_map(|n| n.parse::<usize>().ok())
        .find(|n| *n > 0)
        .map_or(MAX_PAGE, |n| n.min(MAX_PAGE))
}

fn answer(output: Output, query: &Query, headers: &HeaderMap, prefix: &str, tenant: &Tenant) -> Response {
    let size = page_size(headers);
    let total = output.rows.len();
    let rows: Vec<Value> = output
        .rows
        .into_iter()
        .skip(query.skip)
        .take(size)
        .map(|row| select(row, query.select.as_deref()))
        .collect();
    let mut body = json!({
        "@odata.context": format!("https://outlook.office365.com/adminapi/beta/{}/$metadata#Collection(Exchange.GenericHashTable)", tenant.id),
        "value": rows,
    });
    if query.skip.saturating_add(size) < total {
        let mut pairs = vec![(
            "$skiptoken".to_string(),
            (query.skip.saturating_add(size)).to_string(),
        )];
        if let Some(select) = &query.select {
            pairs.push(("$select".into(), select.join(",")));
        }
        let query_string = serde_urlencoded::to_string(pairs).expect("strings encode");
        body["@odata.nextLink"] = json!(format!(
            "{}{prefix}/adminapi/beta/{}/InvokeCommand?{query_string}",
            base_url(headers),
            tenant.id
        ));
    }
    if !output.warnings.is_empty() {
        body["@adminapi.warnings"] = json!(output.warnings);
    }
    Json(body).into_response()
}

/// Keeps only the `$select`ed properties (names compared case-insensitively).
fn select(row: Value, select: Option<&[String]>) -> Value {
    let (Some(select), Value::Object(map)) = (select, &row) else {
        return row;
    };
    Value::Object(
        map.iter()
            .filter(|(k, _)| select.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}
