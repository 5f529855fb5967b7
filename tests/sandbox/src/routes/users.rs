//! `GET /users` (with the licence filter and its advanced-query rule) and `GET /users/{id | upn}`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::Shared;
use super::graph::authorize;
use super::query::{ListQuery, base_url};
use crate::graph_error::GraphError;
use crate::mailbox::User;
use crate::odata;

const READ: &[&str] = &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

/// Properties Graph v1.0 returns for a user without `$select`.
const DEFAULT_PROPERTIES: &[&str] =
    &["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"];

/// `GET /{version}/users`: default page 100, `$top` ≤ 999, `$skiptoken` paging.
pub async fn list(State(state): State<Shared>, Path(version): Path<String>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let query = ListQuery::parse(raw.as_deref())?;
    let advanced = query.count && eventual(&headers);
    let filter = UserFilter::parse(query.filter.as_deref())?;
    if query.count && !eventual(&headers) {
        return Err(GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", "$count is not currently supported."));
    }
    // `ne` is an advanced query: without both parameters Graph refuses it (it does not ignore it).
    if filter.needs_advanced_operator() && !advanced {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "Operator 'ne' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
        ));
    }
    let top = query.page_size(100, 999)?;
    let offset = match &query.skiptoken {
        None => 0,
        // Graph encodes an advanced query's state in the page token; without the advanced
        // parameters the licence filter's second page fails (graph-contact-semantics §10).
        Some(_) if filter.needs_advanced() && !advanced => {
            return Err(GraphError::new(StatusCode::BAD_REQUEST, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request."));
        }
        Some(token) => decode_offset(token)?,
    };
    let matching: Vec<&User> = tenant.users.iter().filter(|u| filter.matches(u)).collect();
    let page: Vec<Value> = matching.iter().skip(offset).take(top).map(|u| project(u, query.select.as_deref())).collect();
    let mut body = json!({ "@odata.context": format!("https://graph.microsoft.com/{version}/$metadata#users"), "value": page });
    if advanced {
        body["@odata.count"] = json!(matching.len());
    }
    if offset + top < matching.len() {
        body["@odata.nextLink"] = json!(next_link(&base_url(&headers), &version, &query, top, offset + top));
    }
    Ok(Json(body))
}

/// `GET /{version}/users/{id | userPrincipalName}`.
pub async fn get(State(state): State<Shared>, Path((version, id)): Path<(String, String)>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let query = ListQuery::parse(raw.as_deref())?;
    let user = tenant.user(&id).ok_or_else(|| {
        GraphError::new(StatusCode::NOT_FOUND, "Request_ResourceNotFound", format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."))
    })?;
    let mut out = project(user, query.select.as_deref());
    let shape = query.select.as_ref().map(|s| format!("({})", s.join(","))).unwrap_or_default();
    out["@odata.context"] = json!(format!("https://graph.microsoft.com/{version}/$metadata#users{shape}/$entity"));
    Ok(Json(out))
}

fn eventual(headers: &HeaderMap) -> bool {
    headers.get("consistencylevel").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// The filters the sandbox knows for users: the licence lambda, or `eq`/`ne` comparisons.
enum UserFilter {
    None,
    Licensed,
    Comparisons(Vec<odata::Comparison>),
}

impl UserFilter {
    fn parse(text: Option<&str>) -> Result<UserFilter, GraphError> {
        let Some(text) = text else { return Ok(UserFilter::None) };
        if is_licence_lambda(text) {
            return Ok(UserFilter::Licensed);
        }
        Ok(UserFilter::Comparisons(odata::parse_filter(text)?))
    }

    /// A comparison with `ne` (the licence lambda has its own rule, [`Self::needs_advanced`]).
    fn needs_advanced_operator(&self) -> bool {
        matches!(self, UserFilter::Comparisons(c) if c.iter().any(|c| c.negated))
    }

    fn needs_advanced(&self) -> bool {
        matches!(self, UserFilter::Licensed)
    }

    fn matches(&self, user: &User) -> bool {
        match self {
            UserFilter::None => true,
            UserFilter::Licensed => !user.licenses.is_empty(),
            UserFilter::Comparisons(comparisons) => odata::matches(&project(user, None), comparisons),
        }
    }
}

/// `assignedLicenses/any(x:x/skuId ne null)` with any lambda variable name and spacing.
fn is_licence_lambda(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(inner) = compact.strip_prefix("assignedLicenses/any(").and_then(|r| r.strip_suffix(')')) else { return false };
    let Some((variable, condition)) = inner.split_once(':') else { return false };
    condition == format!("{variable}/skuIdnenull")
}

fn project(user: &User, select: Option<&[String]>) -> Value {
    let all = json!({
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "displayName": user.display_name,
        "mail": user.has_mailbox().then(|| user.user_principal_name.clone()),
        "givenName": null, "surname": null, "jobTitle": null, "mobilePhone": null,
        "officeLocation": null, "preferredLanguage": null, "businessPhones": [],
        "accountEnabled": true,
        "assignedLicenses": user.licenses.iter().map(|sku| json!({"skuId": sku, "disabledPlans": []})).collect::<Vec<_>>(),
    });
    let wanted: Vec<&str> = match select {
        Some(select) => select.iter().map(String::as_str).collect(),
        None => DEFAULT_PROPERTIES.to_vec(),
    };
    let mut out = Map::new();
    for name in wanted {
        if let Some((key, value)) = all.as_object().and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))) {
            out.insert(key.clone(), value.clone());
        }
    }
    out.entry("id").or_insert_with(|| json!(user.id));
    Value::Object(out)
}

fn next_link(base: &str, version: &str, query: &ListQuery, top: usize, offset: usize) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("$top", top.to_string())];
    if let Some(select) = &query.select {
        pairs.push(("$select", select.join(",")));
    }
    if let Some(filter) = &query.filter {
        pairs.push(("$filter", filter.clone()));
    }
    if query.count {
        pairs.push(("$count", "true".into()));
    }
    pairs.push(("$skiptoken", format!("RFNwdAIAAQAAAD{offset:08}")));
    format!("{base}/{version}/users?{}", serde_urlencoded::to_string(pairs).expect("strings encode"))
}

fn decode_offset(token: &str) -> Result<usize, GraphError> {
    token
        .strip_prefix("RFNwdAIAAQAAAD")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| GraphError::new(StatusCode::BAD_REQUEST, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_licence_lambda_is_recognised_with_any_variable_and_spacing() {
        assert!(is_licence_lambda("assignedLicenses/any(x:x/skuId ne null)"));
        assert!(is_licence_lambda("assignedLicenses/any(l: l/skuId ne null)"));
        assert!(!is_licence_lambda("assignedLicenses/any(x:y/skuId ne null)"));
        assert!(!is_licence_lambda("assignedLicenses/any(x:x/skuId eq null)"));
    }
}
