//! Calendar, mail and mailbox-settings reads: `/users/{u}/calendar`, `…/events`, `…/messages`
//! and `…/mailboxSettings`. The sandbox keeps no events or messages; these routes exist so that
//! an app's access to a mailbox can be proven with a real call through the same access rule the
//! contact routes use (Entra grant, Application Access Policy, RBAC for Applications).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::Shared;
use super::mailbox::MailboxCall;
use crate::graph_error::GraphError;

/// The application permissions that let an app read each resource (any one suffices). The
/// RBAC roles grant the same names (`Application Calendars.Read` → `Calendars.Read`).
const CALENDAR: &[&str] = &["Calendars.Read", "Calendars.ReadBasic.All", "Calendars.ReadWrite"];
const MAIL: &[&str] = &["Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"];
const SETTINGS: &[&str] = &["MailboxSettings.Read", "MailboxSettings.ReadWrite"];

type Answer = Result<Json<Value>, GraphError>;

/// `GET /users/{u}/calendar`: the default calendar.
pub async fn calendar(State(state): State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap) -> Answer {
    let call = MailboxCall::open_for(&state, &headers, &user, CALENDAR)?;
    Ok(Json(json!({
        "@odata.context": context(&version, &user, "calendar/$entity"),
        "id": format!("AAMkCalendar{}", call.user.id.replace('-', "")),
        "name": "Calendar",
        "canEdit": true,
        "isDefaultCalendar": true,
        "owner": {"name": call.user.display_name, "address": call.user.user_principal_name},
    })))
}

/// `GET /users/{u}/events`: always an empty page.
pub async fn events(State(state): State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap) -> Answer {
    MailboxCall::open_for(&state, &headers, &user, CALENDAR)?;
    Ok(Json(json!({"@odata.context": context(&version, &user, "events"), "value": []})))
}

/// `GET /users/{u}/messages`: always an empty page.
pub async fn messages(State(state): State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap) -> Answer {
    MailboxCall::open_for(&state, &headers, &user, MAIL)?;
    Ok(Json(json!({"@odata.context": context(&version, &user, "messages"), "value": []})))
}

/// `GET /users/{u}/mailboxSettings`: fixed settings.
pub async fn mailbox_settings(State(state): State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap) -> Answer {
    MailboxCall::open_for(&state, &headers, &user, SETTINGS)?;
    Ok(Json(json!({
        "@odata.context": context(&version, &user, "mailboxSettings"),
        "timeZone": "UTC",
        "dateFormat": "yyyy-MM-dd",
        "timeFormat": "HH:mm",
        "language": {"locale": "en-US", "displayName": "English (United States)"},
    })))
}

fn context(version: &str, user: &str, what: &str) -> String {
    format!("https://graph.microsoft.com/{version}/$metadata#users('{user}')/{what}")
}
