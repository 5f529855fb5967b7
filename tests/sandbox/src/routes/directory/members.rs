//! The members of a group or an administrative unit: the list, `POST …/members/$ref` and
//! `DELETE …/members/…/$ref`. The callers authorize (each with its own permissions); whether
//! Graph may change the members at all is `Owner::editable`.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::{context, json_object, missing, not_found, page, reference_id, request_bad};
use crate::directory::{DirectoryData, Group};
use crate::graph_error::GraphError;
use crate::state::Tenant;

/// Whose members.
#[derive(Clone, Copy)]
pub enum Owner {
    Group,
    Unit,
}

impl Owner {
    /// The member ids of `id`, or the directory's 400/404 for a missing object.
    fn members<'a>(
        self,
        directory: &'a DirectoryData,
        id: &str,
    ) -> Result<&'a [String], GraphError> {
        let members = match self {
            Owner::Group => directory.group(id).map(|g| &g.members),
            Owner::Unit => directory.unit(id).map(|u| &u.members),
        };
        members.map(Vec::as_slice).ok_or_else(|| missing(id))
    }

    fn members_mut<'a>(self, directory: &'a mut DirectoryData, id: &str) -> &'a mut Vec<String> {
        match self {
            Owner::Group => directory.group_mut(id).map(|g| &mut g.members),
            Owner::Unit => directory.unit_mut(id).map(|u| &mut u.members),
        }
        .expect("found above")
    }

    /// Mail-enabled security groups and distribution lists are Exchange's to change.
    fn editable(self, directory: &DirectoryData, id: &str) -> Result<(), GraphError> {
        match self {
            Owner::Group
                if directory
                    .group(id)
                    .is_some_and(|g| g.kind.is_distribution_group()) =>
            {
                Err(request_bad(
                    "Cannot Update a mail-enabled security groups and or distribution list.",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The members: users as `#microsoft.graph.user`, groups as `#microsoft.graph.group`.
pub fn member_json(tenant: &Tenant, directory: &DirectoryData, id: &str) -> Option<Value> {
    if let Some(user) = tenant.user(id) {
        return Some(json!({
            "@odata.type": "#microsoft.graph.user",
            "id": user.id,
            "displayName": user.display_name,
            "userPrincipalName": user.user_principal_name,
            "mail": if user.has_mailbox() { json!(user.user_principal_name) } else { Value::Null },
        }));
    }
    directory.group(id).map(Group::member_json)
}

/// A user or a group of the tenant.
pub fn member_exists(tenant: &Tenant, directory: &DirectoryData, id: &str) -> bool {
    tenant.user(id).is_some() || directory.group(id).is_some()
}

/// One page of the members of `id`, served at `path` (`…/{id}/members`).
pub fn list(
    tenant: &Tenant,
    owner: Owner,
    version: &str,
    id: &str,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let items: Vec<Value> = {
        let directory = tenant.directory.lock();
        owner
            .members(&directory, id)?
            .iter()
            .filter_map(|m| member_json(tenant, &directory, m))
            .collect()
    };
    page(
        items,
        raw_query,
        headers,
        path,
        &context(version, "directoryObjects"),
    )
}

/// `POST …/members/$ref {"@odata.id"}`: an existing user or group, not a member yet.
pub fn add(
    tenant: &Tenant,
    owner: Owner,
    id: &str,
    body: &Bytes,
) -> Result<StatusCode, GraphError> {
    let member = reference_id(&json_object(body)?)?;
    let mut directory = tenant.directory.lock();
    let members = owner.members(&directory, id)?;
    owner.editable(&directory, id)?;
    if !member_exists(tenant, &directory, &member) {
        return Err(not_found(&member));
    }
    if members.iter().any(|m| m.eq_ignore_ascii_case(&member)) {
        return Err(request_bad(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    owner.members_mut(&mut directory, id).push(member);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE …/members/{member}/$ref` (or `?$id=`): `member` must be one.
pub fn remove(
    tenant: &Tenant,
    owner: Owner,
    id: &str,
    member: &str,
) -> Result<StatusCode, GraphError> {
    let mut directory = tenant.directory.lock();
    let members = owner.members(&directory, id)?;
    owner.editable(&directory, id)?;
    let at = members
        .iter()
        .position(|m| m.eq_ignore_ascii_case(member))
        .ok_or_else(|| not_found(member))?;
    owner.members_mut(&mut directory, id).remove(at);
    Ok(StatusCode::NO_CONTENT)
}
