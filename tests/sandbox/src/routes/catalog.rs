//! Every Graph route the sandbox serves, in Graph's own path-template syntax, so that the
//! conformance test can check each against Graph's published path templates: a route real
//! Graph does not have must not be served here.

/// One served Graph route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    /// `v1.0` or `beta`.
    pub version: &'static str,
    /// Graph's template, e.g. `/users/{user-id}/contactFolders/{contactFolder-id}/contacts`.
    pub template: &'static str,
}

const fn route(method: &'static str, version: &'static str, template: &'static str) -> RouteSpec {
    RouteSpec { method, version, template }
}

/// Users, contact folders, contacts, delta and `$batch` (both versions serve them).
const MAILBOX: &[RouteSpec] = &[
    route("GET", "v1.0", "/users"),
    route("GET", "v1.0", "/users/{user-id}"),
    route("GET", "v1.0", "/users/{user-id}/contacts"),
    route("POST", "v1.0", "/users/{user-id}/contacts"),
    route("GET", "v1.0", "/users/{user-id}/contacts/{contact-id}"),
    route("PATCH", "v1.0", "/users/{user-id}/contacts/{contact-id}"),
    route("DELETE", "v1.0", "/users/{user-id}/contacts/{contact-id}"),
    // Not `/users/{user-id}/contacts/delta()`: in the metadata but undocumented, so refused.
    route("GET", "v1.0", "/users/{user-id}/contactFolders"),
    route("POST", "v1.0", "/users/{user-id}/contactFolders"),
    route("GET", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}"),
    route("GET", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/childFolders"),
    route("POST", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/childFolders"),
    route("GET", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/contacts"),
    route("POST", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/contacts"),
    route("GET", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/contacts/{contact-id}"),
    route("PATCH", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/contacts/{contact-id}"),
    route("DELETE", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/contacts/{contact-id}"),
    route("GET", "v1.0", "/users/{user-id}/contactFolders/{contactFolder-id}/contacts/delta()"),
    route("GET", "v1.0", "/users/{user-id}/calendar"),
    route("GET", "v1.0", "/users/{user-id}/events"),
    route("GET", "v1.0", "/users/{user-id}/messages"),
    route("GET", "v1.0", "/users/{user-id}/mailboxSettings"),
    route("POST", "v1.0", "/$batch"),
];

/// The Exchange RBAC provider (beta only).
const ROLE_MANAGEMENT: &[RouteSpec] = &[route("GET", "beta", "/roleManagement/exchange/roleDefinitions")];

/// Every served Graph route.
pub fn all() -> Vec<RouteSpec> {
    let directory = super::directory::graph_routes().into_iter().map(|(method, version, template)| route(method, version, template));
    [MAILBOX, ROLE_MANAGEMENT].concat().into_iter().chain(directory).collect()
}
