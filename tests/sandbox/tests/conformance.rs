//! The sandbox against Graph's published metadata (vendored in `tests/sandbox/metadata/`): every
//! route it serves exists in real Graph for that version and method, and every contact property
//! it serves is a v1.0 `contact` property. The negative tests prove the checks can fail.

use chrono::Utc;
use exokit_sandbox::conformance::{Metadata, Target};
use exokit_sandbox::mailbox::Contact;
use exokit_sandbox::routes::{catalog, directory};
use serde_json::{Map, Value, json};

fn graph() -> &'static Metadata {
    Metadata::get()
}

/// Every served Graph route: the catalog, and the directory module's own list (which the
/// catalog does not merge yet).
fn served_routes() -> Vec<(&'static str, &'static str, &'static str)> {
    let catalog = catalog::all()
        .into_iter()
        .map(|r| (r.method, r.version, r.template));
    catalog.chain(directory::graph_routes()).collect()
}

#[test]
fn every_served_route_exists_in_graph_for_its_version_and_method() {
    let routes = served_routes();
    assert!(routes.len() > 40, "{} routes", routes.len());
    let failures: Vec<String> = routes
        .iter()
        .filter_map(|(method, version, template)| {
            let error = graph().check_path(version, method, template).err()?;
            Some(format!("{method} {version} {template}: {error}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "routes real Graph does not have:\n{}",
        failures.join("\n")
    );
}

/// The names a served contact carries (everything the sandbox reads and writes).
fn served_contact_properties() -> Vec<String> {
    let contact = Contact {
        id: "AAMk=".into(),
        folder_id: "AAMkF=".into(),
        properties: Map::new(),
        change_key: "EQAA".into(),
        created: Utc::now(),
        modified: Utc::now(),
        sequence: 1,
    };
    let json = contact.to_json(None);
    json.as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with('@'))
        .cloned()
        .collect()
}

#[test]
fn every_contact_property_the_sandbox_serves_is_a_v1_contact_property() {
    let v1 = graph()
        .properties("v1.0", "contact")
        .expect("contact is vendored");
    let served = served_contact_properties();
    assert!(served.len() > 30, "{served:?}");
    let extra: Vec<&String> = served.iter().filter(|p| !v1.contains(p)).collect();
    assert!(
        extra.is_empty(),
        "served but not in v1.0 contact: {extra:?}"
    );
    let missing: Vec<&String> = v1.iter().filter(|p| !served.contains(p)).collect();
    assert!(
        missing.is_empty(),
        "v1.0 contact properties the sandbox does not serve: {missing:?}"
    );
}

#[test]
fn contact_properties_include_inherited_ones() {
    let contact = graph()
        .properties("v1.0", "microsoft.graph.contact")
        .unwrap();
    for inherited in [
        "id",
        "categories",
        "changeKey",
        "lastModifiedDateTime",
        "personalNotes",
    ] {
        assert!(contact.iter().any(|p| p == inherited), "{inherited}");
    }
    let assignment = graph().properties("beta", "unifiedRoleAssignment").unwrap();
    assert!(assignment.iter().any(|p| p == "appScopeId") && assignment.iter().any(|p| p == "id"));
    assert!(
        graph()
            .properties("beta", "customAppScope")
            .unwrap()
            .iter()
            .any(|p| p == "customAttributes")
    );
}

#[test]
fn a_made_up_route_is_rejected_with_where_it_went_wrong() {
    let error = graph()
        .check_path("v1.0", "GET", "/users/{user-id}/contactfolders")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("after /users/{user-id}") && error.contains("did you mean 'contactFolders'"),
        "{error}"
    );
    assert!(!graph().path_exists("v1.0", "GET", "/users/abc/mailboxContacts"));
    assert!(!graph().path_exists("v1.0", "GET", "/userContacts"));
    // The Exchange RBAC provider is beta only.
    assert!(graph().path_exists("beta", "GET", "/roleManagement/exchange/roleDefinitions"));
    assert!(!graph().path_exists("v1.0", "GET", "/roleManagement/exchange/roleDefinitions"));
}

#[test]
fn a_wrong_method_is_rejected() {
    let error = graph()
        .check_path("v1.0", "DELETE", "/users/{user-id}/contacts")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("does not take DELETE: a collection takes GET, POST"),
        "{error}"
    );
    assert!(!graph().path_exists("v1.0", "POST", "/users/abc/contacts/AAMk="));
    assert!(!graph().path_exists("v1.0", "POST", "/users/abc/contacts/delta()"));
    assert!(!graph().path_exists("v1.0", "FETCH", "/users"));
}

#[test]
fn a_made_up_property_is_rejected() {
    let error = graph()
        .check_body(
            "v1.0",
            "contact",
            &json!({"givenName": "A", "nickname": "B"}),
        )
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("nickname: contact has no property 'nickname' (did you mean 'nickName'?)"),
        "{error}"
    );
    let nested = json!({"emailAddresses": [{"address": "a@x", "label": "work"}]});
    let error = graph()
        .check_body("v1.0", "contact", &nested)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("emailAddresses[0].label: emailAddress has no property 'label'"),
        "{error}"
    );
    // Beta's contact is shaped differently: `businessPhones` is v1.0 only.
    assert!(
        graph()
            .check_body("v1.0", "contact", &json!({"businessPhones": []}))
            .is_ok()
    );
    assert!(
        graph()
            .check_body("beta", "contact", &json!({"businessPhones": []}))
            .is_err()
    );
}

#[test]
fn concrete_paths_match_templates() {
    let delta = graph()
        .check_path(
            "v1.0",
            "GET",
            "/users/abc/contactFolders/AAMkAG=/contacts/delta?$deltatoken=x",
        )
        .unwrap();
    assert_eq!(
        delta.template,
        "/users/{user-id}/contactFolders/{contactFolder-id}/contacts/delta()"
    );
    assert_eq!(
        delta.target,
        Target::Function {
            returns: Some("contact".into())
        }
    );
    let url = "https://graph.microsoft.com/v1.0/users/a%40contoso.com/contacts";
    assert_eq!(
        graph().check_path("v1.0", "POST", url).unwrap().target,
        Target::Collection {
            member: "contact".into()
        }
    );
    assert!(
        graph()
            .check_path("beta", "GET", "/v1.0/users")
            .unwrap_err()
            .to_string()
            .contains("names v1.0 but is checked against beta")
    );
    assert!(graph().path_exists(
        "v1.0",
        "GET",
        "/applications(appId='0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f')"
    ));
}

/// Why `check_request` refuses a v1.0 request (it must refuse it).
fn request_refusal(method: &str, path: &str, body: Option<&Value>) -> String {
    graph()
        .check_request("v1.0", method, path, body)
        .unwrap_err()
        .to_string()
}

#[test]
fn bound_actions_come_from_the_csdl() {
    let resolved = graph()
        .check_path("v1.0", "POST", "/applications/abc/addPassword")
        .unwrap();
    assert_eq!(
        resolved.template,
        "/applications/{application-id}/addPassword"
    );
    assert!(
        graph().path_exists("v1.0", "POST", "/users/abc/checkMemberGroups"),
        "bound to directoryObject, a base of user"
    );
    assert!(!graph().path_exists("v1.0", "GET", "/applications/abc/addPassword"));
    assert!(!graph().path_exists("v1.0", "POST", "/applications/abc/addSecret"));
    let body = json!({"passwordCredential": {"displayName": "ExoKit"}});
    assert!(
        graph()
            .check_request("v1.0", "POST", "/applications/abc/addPassword", Some(&body))
            .is_ok()
    );
    let error = request_refusal(
        "POST",
        "/applications/abc/addPassword",
        Some(&json!({"secret": {}})),
    );
    assert!(
        error.contains("'secret' is not a parameter of addPassword"),
        "{error}"
    );
}

#[test]
fn requests_are_checked_with_select_and_body() {
    let ok = "/users/abc/contactFolders/AAMk=/contacts?$select=givenName,emailAddresses,personalNotes&$top=100";
    assert!(graph().check_request("v1.0", "GET", ok, None).is_ok());
    let error = request_refusal("GET", "/users/abc/contacts?$select=givenName,notes", None);
    assert!(
        error.contains("$select names what contact does not have: notes"),
        "{error}"
    );
    let delta = "/users/abc/contactFolders/AAMk=/contacts/delta?$select=givenName,personalNotes";
    assert!(graph().check_request("v1.0", "GET", delta, None).is_ok());
    let error = request_refusal("GET", "/users/abc/contacts/delta?$select=notes", None);
    assert!(
        error.contains("$select names what contact does not have: notes"),
        "{error}"
    );
    let error = request_refusal("GET", "/users/abc/contacts", Some(&json!({})));
    assert!(error.contains("a GET carries no body"), "{error}");
    let settings = json!({"automaticRepliesSetting": {"status": "disabled"}});
    assert!(
        graph()
            .check_request(
                "v1.0",
                "PATCH",
                "/users/abc/mailboxSettings",
                Some(&settings)
            )
            .is_ok()
    );
}

#[test]
fn one_member_reference_is_deleted_where_the_collection_has_a_ref() {
    let resolved = graph()
        .check_path("v1.0", "DELETE", "/groups/g1/members/u1/$ref")
        .unwrap();
    assert_eq!(
        resolved.template,
        "/groups/{group-id}/members/{directoryObject-id}/$ref"
    );
    assert!(!graph().path_exists("v1.0", "GET", "/groups/g1/members/u1/$ref"));
    assert!(
        !graph().path_exists("v1.0", "DELETE", "/users/u1/contacts/c1/$ref"),
        "contacts have no $ref"
    );
}

#[test]
fn each_request_of_a_batch_is_checked() {
    let good = json!({"requests": [
        {"id": "1", "method": "PATCH", "url": "/users/abc/contacts/AAMk=", "body": {"personalNotes": "x"}, "headers": {"Content-Type": "application/json"}},
        {"id": "2", "method": "GET", "url": "users/abc/contacts/delta"}
    ]});
    assert!(
        graph()
            .check_request("v1.0", "POST", "/$batch", Some(&good))
            .is_ok()
    );
    let bad = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/users/abc/contacts"},
        {"id": "2", "method": "PATCH", "url": "/users/abc/contacts/AAMk=", "body": {"notes": "x"}}
    ]});
    let error = request_refusal("POST", "/$batch", Some(&bad));
    assert!(
        error.contains("requests[1]") && error.contains("contact has no property 'notes'"),
        "{error}"
    );
    assert!(!graph().path_exists("v1.0", "GET", "/$batch"));
}

#[test]
fn an_unknown_version_is_an_error_not_a_panic() {
    let error = graph().check_path("v2.0", "GET", "/users").unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown Graph version 'v2.0' (expected v1.0 or beta)"
    );
    assert_eq!(graph().properties("v2.0", "contact"), None);
    assert_eq!(graph().properties("v1.0", "noSuchType"), None);
}
