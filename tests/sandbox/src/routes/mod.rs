//! The HTTP surface: login, Graph, and the control routes tests use.

pub mod batch;
pub mod catalog;
pub mod contact_query;
pub mod contacts;
pub mod control;
pub mod delta;
pub mod directory;
pub mod exchange;
pub mod graph;
pub mod identity;
pub mod mailbox;
pub mod mailbox_items;
mod observe;
pub mod query;
pub mod token;
pub mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::State;

pub type Shared = Arc<State>;

/// All routes, with the latency and request-log layer around everything but `/_sandbox/`.
pub fn router(state: Shared) -> Router {
    let served = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::issue).get(token::wrong_method))
        .route("/metadata/identity/oauth2/token", get(identity::imds))
        .route("/msi/token", get(identity::app_service))
        .route("/{version}/roleManagement/exchange/roleDefinitions", get(graph::role_definitions))
        .merge(mailbox_routes())
        .merge(directory::routes())
        .route("/adminapi/beta/{tenant}/InvokeCommand", post(exchange::invoke))
        .route("/{version}/adminapi/beta/{tenant}/InvokeCommand", post(exchange::invoke_at))
        .route("/{version}/{*rest}", get(graph::unknown_segment).post(graph::unknown_segment))
        .layer(middleware::from_fn_with_state(state.clone(), observe));
    let router = Router::new()
        .nest("/_sandbox", control::router())
        .route("/_sandbox/delta/expire", axum::routing::post(delta::expire))
        .route("/_sandbox/directory/replication-lag", axum::routing::put(directory::set_replication_lag))
        .merge(served)
        .with_state(state.clone());
    state.set_dispatcher(Some(router.clone()));
    router
}

/// Users, contact folders, contacts, delta, the calendar/mail/settings reads and `$batch`.
fn mailbox_routes() -> Router<Shared> {
    use axum::routing::patch;
    let user = "/{version}/users/{user}";
    Router::new()
        .route("/{version}/users", get(users::list))
        .route(user, get(users::get))
        .route(&format!("{user}/contacts"), get(contacts::list_default).post(contacts::create_default))
        .route(&format!("{user}/contacts/{{id}}"), get(contacts::get_one).patch(contacts::patch_one).delete(contacts::delete_one))
        .route(&format!("{user}/contactFolders"), get(contacts::list_folders).post(contacts::create_folder))
        .route(&format!("{user}/contactFolders/{{folder}}"), get(contacts::get_folder))
        .route(&format!("{user}/contactFolders/{{folder}}/childFolders"), get(contacts::list_children).post(contacts::create_child))
        .route(&format!("{user}/contactFolders/{{folder}}/contacts"), get(contacts::list_in_folder).post(contacts::create_in_folder))
        .route(
            &format!("{user}/contactFolders/{{folder}}/contacts/{{id}}"),
            get(contacts::get_one_in_folder).merge(patch(contacts::patch_one_in_folder)).delete(contacts::delete_one_in_folder),
        )
        .route(&format!("{user}/calendar"), get(mailbox_items::calendar))
        .route(&format!("{user}/events"), get(mailbox_items::events))
        .route(&format!("{user}/messages"), get(mailbox_items::messages))
        .route(&format!("{user}/mailboxSettings"), get(mailbox_items::mailbox_settings))
        .route("/{version}/$batch", post(batch::batch))
}

/// Latency, faults, the request log and the counters (see [`observe`]).
async fn observe(AxumState(state): AxumState<Shared>, request: Request, next: Next) -> Response {
    observe::observe(state, request, next).await
}
