//! The mailbox access rule (`access::mailbox_access`): Entra grants reach every mailbox unless an
//! Application Access Policy excludes it; RBAC-for-Applications assignments reach their scope;
//! the two add up. Tested directly, then through Graph's contact routes.

mod support;

use std::time::{Duration, Instant};

use exokit_sandbox::access::{self, Decision};
use exokit_sandbox::exchange::{self, Ctx};
use exokit_sandbox::state::IssuedToken;
use exokit_sandbox::{Seed, Tenant};
use serde_json::{Value, json};
use support::admin::*;

const CONTACTS: &[&str] = &["Contacts.Read", "Contacts.ReadWrite"];

fn tenant(seed: Seed) -> Tenant {
    Tenant::from_seed(seed.tenants[0].clone()).expect("tenant")
}

fn run(tenant: &Tenant, cmdlet: &str, parameters: Value) {
    exchange::run(&Ctx::of(tenant), cmdlet, parameters.as_object().unwrap())
        .unwrap_or_else(|e| panic!("{cmdlet}: {}", e.message));
}

fn token(app: &str, roles: &[&str]) -> IssuedToken {
    IssuedToken {
        tenant_id: TENANT.into(),
        app_id: app.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        audience: "https://graph.microsoft.com".into(),
        expires_at: Instant::now() + Duration::from_secs(3600),
    }
}

/// The decision for an app holding `roles` in Entra, on a user's mailbox.
fn decide(tenant: &Tenant, app: &str, roles: &[&str], user: &str) -> Decision {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    access::decide(tenant, app, &roles, tenant.user(user).unwrap(), CONTACTS)
}

/// `access::mailbox_access` on a user's mailbox for an app holding `roles` in Entra: `None` when
/// it lets the app through, else the refusal's status, code and message.
fn refusal(
    tenant: &Tenant,
    app: &str,
    roles: &[&str],
    user: &str,
) -> Option<(u16, String, String)> {
    access::mailbox_access(
        tenant,
        &token(app, roles),
        tenant.user(user).unwrap(),
        CONTACTS,
    )
    .err()
    .map(|e| (e.status.as_u16(), e.code, e.message))
}

fn policy(tenant: &Tenant, right: &str, scope: &str) {
    run(
        tenant,
        "New-ApplicationAccessPolicy",
        json!({"AccessRight": right, "AppId": CONTACTS_APP, "PolicyScopeGroupId": scope}),
    );
}

const ENTRA: &[&str] = &["Contacts.ReadWrite"];

#[test]
fn without_policies_an_entra_grant_reaches_every_mailbox() {
    let tenant = tenant(seed());
    for user in [ALICE, BOB, ROOM, SHARED] {
        assert_eq!(
            decide(&tenant, CONTACTS_APP, ENTRA, user),
            Decision::EntraGrant
        );
    }
    let (status, code, message) = refusal(&tenant, READER, &["User.Read.All"], ALICE).unwrap();
    assert_eq!((status, code.as_str()), (403, "ErrorAccessDenied"));
    assert_eq!(
        message,
        "Access is denied. Check credentials and try again."
    );
}

#[test]
fn restrict_access_lets_members_through_and_blocks_the_others() {
    let tenant = tenant(seed());
    policy(&tenant, "RestrictAccess", "scoped");
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, ALICE),
        Decision::EntraGrant
    );
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, BOB),
        Decision::BlockedByPolicy
    );
    let (status, code, message) = refusal(&tenant, CONTACTS_APP, ENTRA, BOB).unwrap();
    assert_eq!((status, code.as_str()), (403, "ErrorAccessDenied"));
    assert_eq!(
        message,
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."
    );
}

#[test]
fn deny_access_blocks_members_and_lets_the_others_through() {
    let tenant = tenant(seed());
    policy(&tenant, "DenyAccess", "scoped");
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, ALICE),
        Decision::BlockedByPolicy
    );
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, BOB),
        Decision::EntraGrant
    );
}

#[test]
fn deny_beats_restrict() {
    let tenant = tenant(seed());
    policy(&tenant, "RestrictAccess", "scoped");
    policy(&tenant, "DenyAccess", &upn("alice"));
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, ALICE),
        Decision::BlockedByPolicy
    );
}

#[test]
fn policies_count_nested_group_members() {
    let tenant = tenant(seed());
    policy(&tenant, "RestrictAccess", "outer");
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, ALICE),
        Decision::EntraGrant,
        "Alice is in Outer through Scoped"
    );
    assert_eq!(
        decide(&tenant, CONTACTS_APP, ENTRA, BOB),
        Decision::BlockedByPolicy
    );
}

#[test]
fn a_policy_binds_only_its_own_app() {
    let tenant = tenant(seed());
    policy(&tenant, "RestrictAccess", "scoped");
    assert_eq!(decide(&tenant, READER, ENTRA, BOB), Decision::EntraGrant);
}

/// Gives the RBAC-only app an Exchange pointer and `Application Contacts.ReadWrite` in `scope`
/// (one of the `New-ManagementRoleAssignment` scope parameters, or none for the organization).
fn rbac(tenant: &Tenant, scope: Value) {
    run(
        tenant,
        "New-ServicePrincipal",
        json!({"AppId": RBAC_APP, "ObjectId": exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP)}),
    );
    let mut parameters = json!({"App": RBAC_APP, "Role": "Application Contacts.ReadWrite"});
    parameters
        .as_object_mut()
        .unwrap()
        .extend(scope.as_object().unwrap().clone());
    run(tenant, "New-ManagementRoleAssignment", parameters);
}

fn scope(tenant: &Tenant, filter: &str) -> Value {
    run(
        tenant,
        "New-ManagementScope",
        json!({"Name": "Scope", "RecipientRestrictionFilter": filter}),
    );
    json!({"CustomResourceScope": "Scope"})
}

#[test]
fn an_app_scoped_to_a_group_gets_403_on_a_non_members_mailbox() {
    let tenant = tenant(seed());
    let scope = scope(&tenant, &format!("MemberOfGroup -eq '{SCOPED_DN}'"));
    rbac(&tenant, scope);
    assert_eq!(
        decide(&tenant, RBAC_APP, &[], ALICE),
        Decision::RbacGrant(vec!["Application Contacts.ReadWrite".into()])
    );
    assert_eq!(decide(&tenant, RBAC_APP, &[], BOB), Decision::NotGranted);
    let (status, code, _) = refusal(&tenant, RBAC_APP, &[], BOB).unwrap();
    assert_eq!((status, code.as_str()), (403, "ErrorAccessDenied"));
    assert_eq!(refusal(&tenant, RBAC_APP, &[], ALICE), None);
}

#[test]
fn a_member_of_group_ne_scope_excludes_the_members() {
    let tenant = tenant(seed());
    let scope = scope(&tenant, &format!("MemberOfGroup -ne '{SCOPED_DN}'"));
    rbac(&tenant, scope);
    assert_eq!(decide(&tenant, RBAC_APP, &[], ALICE), Decision::NotGranted);
    assert!(matches!(
        decide(&tenant, RBAC_APP, &[], BOB),
        Decision::RbacGrant(_)
    ));
}

#[test]
fn rbac_group_scopes_take_direct_members_only() {
    let tenant = tenant(seed());
    let outer_dn = SCOPED_DN.replace("CN=scoped", "CN=outer");
    let scope = scope(&tenant, &format!("MemberOfGroup -eq '{outer_dn}'"));
    rbac(&tenant, scope);
    assert_eq!(
        decide(&tenant, RBAC_APP, &[], ALICE),
        Decision::NotGranted,
        "Alice is only a nested member of Outer"
    );
}

#[test]
fn an_administrative_unit_scope_covers_its_members() {
    let tenant = tenant(seed());
    rbac(&tenant, json!({"RecipientAdministrativeUnitScope": EUROPE}));
    assert!(matches!(
        decide(&tenant, RBAC_APP, &[], CAROL),
        Decision::RbacGrant(_)
    ));
    assert_eq!(decide(&tenant, RBAC_APP, &[], ALICE), Decision::NotGranted);
}

#[test]
fn a_recipient_group_scope_covers_direct_members() {
    let tenant = tenant(seed());
    rbac(&tenant, json!({"RecipientGroupScope": "Staff"}));
    assert!(matches!(
        decide(&tenant, RBAC_APP, &[], BOB),
        Decision::RbacGrant(_)
    ));
    assert_eq!(decide(&tenant, RBAC_APP, &[], ALICE), Decision::NotGranted);
}

#[test]
fn an_organization_assignment_covers_everyone() {
    let tenant = tenant(seed());
    rbac(&tenant, json!({}));
    for user in [ALICE, BOB, ROOM] {
        assert!(matches!(
            decide(&tenant, RBAC_APP, &[], user),
            Decision::RbacGrant(_)
        ));
    }
}

#[test]
fn the_role_must_grant_the_permission_asked_for() {
    let tenant = tenant(seed());
    run(
        &tenant,
        "New-ServicePrincipal",
        json!({"AppId": RBAC_APP, "ObjectId": exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP)}),
    );
    run(
        &tenant,
        "New-ManagementRoleAssignment",
        json!({"App": RBAC_APP, "Role": "Application Calendars.ReadWrite"}),
    );
    assert_eq!(decide(&tenant, RBAC_APP, &[], ALICE), Decision::NotGranted);
}

#[test]
fn an_entra_grant_adds_to_rbac_so_the_scope_narrows_nothing() {
    let tenant = tenant(seed());
    let scope = scope(&tenant, &format!("MemberOfGroup -eq '{SCOPED_DN}'"));
    rbac(&tenant, scope);
    assert_eq!(
        decide(&tenant, RBAC_APP, ENTRA, BOB),
        Decision::EntraGrant,
        "the unscoped Entra permission still reaches Bob"
    );
}

#[test]
fn access_policies_do_not_narrow_an_rbac_grant() {
    let tenant = tenant(seed());
    rbac(&tenant, json!({}));
    run(
        &tenant,
        "New-ApplicationAccessPolicy",
        json!({"AccessRight": "RestrictAccess", "AppId": RBAC_APP, "PolicyScopeGroupId": "scoped"}),
    );
    assert!(matches!(
        decide(&tenant, RBAC_APP, ENTRA, BOB),
        Decision::RbacGrant(_)
    ));
}

#[test]
fn a_pointer_made_with_the_app_registration_id_grants_nothing() {
    let tenant = tenant(seed());
    let registration = uuid::Uuid::new_v4().to_string();
    run(
        &tenant,
        "New-ServicePrincipal",
        json!({"AppId": RBAC_APP, "ObjectId": registration}),
    );
    run(
        &tenant,
        "New-ManagementRoleAssignment",
        json!({"App": RBAC_APP, "Role": "Application Contacts.ReadWrite"}),
    );
    assert_eq!(decide(&tenant, RBAC_APP, &[], ALICE), Decision::NotGranted);
}

#[test]
fn a_graph_made_assignment_to_a_users_scope_counts() {
    let tenant = tenant(seed());
    let sp = exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP);
    tenant
        .exchange
        .lock()
        .assignments
        .push(exokit_sandbox::exchange::rbac::RoleAssignment {
            id: "a".into(),
            name: "a".into(),
            role_id: "265cabb3-13d9-4e05-b2cd-460cfa7ad3cc".into(),
            principal_id: sp,
            scope: exokit_sandbox::exchange::rbac::AssignmentScope::User(BOB.into()),
        });
    assert!(matches!(
        decide(&tenant, RBAC_APP, &[], BOB),
        Decision::RbacGrant(_)
    ));
    assert_eq!(decide(&tenant, RBAC_APP, &[], ALICE), Decision::NotGranted);
}

/// Through HTTP: a policy made with InvokeCommand is enforced on Graph's contact routes.
#[tokio::test]
async fn graph_contact_routes_answer_the_raop_403_for_a_blocked_mailbox() {
    let client = Client::start().await;
    let exchange = client.exchange_token(ADMIN).await;
    let made = client.invoke(&exchange, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped"})).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let graph = client.graph_token(CONTACTS_APP).await;
    let alice = client
        .get(&graph, &format!("/v1.0/users/{ALICE}/contacts"))
        .await;
    assert_eq!(alice.status, 200, "{}", alice.body);
    let bob = client
        .get(&graph, &format!("/v1.0/users/{BOB}/contacts"))
        .await;
    assert_eq!((bob.status, bob.code()), (403, "ErrorAccessDenied"));
    assert!(bob.message().contains("[RAOP]"), "{}", bob.body);
}

/// Through HTTP: Bob joins the scope group with Add-DistributionGroupMember and is reachable.
#[tokio::test]
async fn joining_the_scope_group_opens_the_mailbox() {
    let client = Client::start().await;
    let exchange = client.exchange_token(ADMIN).await;
    client.invoke(&exchange, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped"})).await;
    let graph = client.graph_token(CONTACTS_APP).await;
    assert_eq!(
        client
            .get(&graph, &format!("/v1.0/users/{BOB}/contacts"))
            .await
            .status,
        403
    );
    let added = client.invoke(&exchange, "Add-DistributionGroupMember", json!({"Identity": "scoped", "Member": upn("bob"), "BypassSecurityGroupManagerCheck": true})).await;
    assert_eq!(added.status, 200);
    assert_eq!(
        client
            .get(&graph, &format!("/v1.0/users/{BOB}/contacts"))
            .await
            .status,
        200
    );
}

/// Through HTTP: an app whose only grant is an RBAC role reaches the mailboxes in its scope.
/// Ignored until the contact routes leave the permission check to `access::mailbox_access`:
/// `MailboxCall::open` (routes/mailbox.rs) first asks the token for an Entra `Contacts.*` role
/// and answers 403 `Authorization_RequestDenied` without one, which real Graph does not.
#[tokio::test]
async fn an_rbac_only_app_reads_contacts_in_its_scope_through_graph() {
    let client = Client::start().await;
    let exchange = client.exchange_token(ADMIN).await;
    let sp = exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP);
    client
        .invoke(
            &exchange,
            "New-ServicePrincipal",
            json!({"AppId": RBAC_APP, "ObjectId": sp}),
        )
        .await;
    client.invoke(&exchange, "New-ManagementRoleAssignment", json!({"App": RBAC_APP, "Role": "Application Contacts.ReadWrite", "RecipientGroupScope": "Scoped"})).await;
    let graph = client.graph_token(RBAC_APP).await;
    let alice = client
        .get(&graph, &format!("/v1.0/users/{ALICE}/contacts"))
        .await;
    assert_eq!(alice.status, 200, "{}", alice.body);
    let bob = client
        .get(&graph, &format!("/v1.0/users/{BOB}/contacts"))
        .await;
    assert_eq!((bob.status, bob.code()), (403, "ErrorAccessDenied"));
}

/// Seed 003 end to end through HTTP: an app registered through Graph logs in with the secret
/// `addPassword` returned, holds no Entra permission, and reads calendars only where its
/// RBAC assignment reaches; the other resources answer by their own permissions.
#[tokio::test]
async fn a_graph_registered_app_reads_calendars_only_in_its_rbac_scope() {
    let client = Client::start().await;
    let admin = client.graph_token(ADMIN).await;
    let app = client.post(&admin, "/beta/applications", json!({"displayName": "CalendarsReader"})).await;
    assert_eq!(app.status, 201, "{}", app.body);
    let (object_id, app_id) = (app.body["id"].as_str().unwrap(), app.body["appId"].as_str().unwrap());
    let sp = client.post(&admin, "/beta/servicePrincipals", json!({"appId": app_id})).await;
    let password = client.post(&admin, &format!("/beta/applications/{object_id}/addPassword"), json!({"passwordCredential": {"displayName": "Default secret"}})).await;
    let secret = password.body["secretText"].as_str().expect("the secret is shown once");
    let role = "a3123d4e-4256-4ad0-bef0-205a00807fae"; // Application Calendars.Read
    let assignment = json!({"principalId": format!("/ServicePrincipals/{}", sp.body["id"].as_str().unwrap()), "roleDefinitionId": role, "directoryScopeId": format!("/AdministrativeUnits/{EUROPE}")});
    assert_eq!(client.post(&admin, "/beta/roleManagement/exchange/roleAssignments", assignment).await.status, 201);

    let graph = client.token_with(app_id, secret, "https://graph.microsoft.com/.default").await;
    let member = client.get(&graph, &format!("/v1.0/users/{CAROL}/events")).await;
    assert_eq!(member.status, 200, "{}", member.body);
    assert_eq!(client.get(&graph, &format!("/v1.0/users/{CAROL}/calendar")).await.body["isDefaultCalendar"], json!(true));
    let outsider = client.get(&graph, &format!("/v1.0/users/{ALICE}/events")).await;
    assert_eq!((outsider.status, outsider.code()), (403, "ErrorAccessDenied"));
    let mail = client.get(&graph, &format!("/v1.0/users/{CAROL}/messages")).await;
    assert_eq!(mail.status, 403, "Calendars.Read does not read mail");
    let form = [("grant_type", "client_credentials"), ("client_id", app_id), ("client_secret", "not-the-secret"), ("scope", "https://graph.microsoft.com/.default")];
    let refused = reqwest::Client::new().post(client.url(&format!("/{TENANT}/oauth2/v2.0/token"))).form(&form).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401, "a wrong secret gets no token");
}

/// An app registered through Graph with `keyCredentials` signs in with a client assertion made
/// by that certificate's key; a key that is not a certificate is refused at registration.
#[tokio::test]
async fn a_graph_registered_app_with_a_certificate_logs_in_with_an_assertion() {
    use exokit_sandbox::testcert::{self, Assertion};
    let client = Client::start().await;
    let admin = client.graph_token(ADMIN).await;
    let (cert, key) = testcert::generate();
    let credential = json!({"type": "AsymmetricX509Cert", "usage": "Verify", "key": cert, "displayName": "CN=test"});
    let app = client.post(&admin, "/v1.0/applications", json!({"displayName": "CertApp", "keyCredentials": [credential]})).await;
    assert_eq!(app.status, 201, "{}", app.body);
    assert_eq!(app.body["keyCredentials"][0]["type"], json!("AsymmetricX509Cert"));
    assert_eq!(app.body["keyCredentials"][0]["key"], Value::Null, "Graph never shows the key back");
    let app_id = app.body["appId"].as_str().unwrap();

    let token_url = client.url(&format!("/{TENANT}/oauth2/v2.0/token"));
    let assertion = Assertion::new(&cert, app_id, &token_url).sign(&key);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id),
        ("scope", "https://graph.microsoft.com/.default"),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", assertion.as_str()),
    ];
    let login = reqwest::Client::new().post(&token_url).form(&form).send().await.unwrap();
    assert_eq!(login.status().as_u16(), 200);

    let junk = json!({"type": "AsymmetricX509Cert", "usage": "Verify", "key": "bm90IGEgY2VydA=="});
    let refused = client.post(&admin, "/v1.0/applications", json!({"displayName": "Junk", "keyCredentials": [junk]})).await;
    assert_eq!((refused.status, refused.code()), (400, "Request_BadRequest"), "{}", refused.body);
}
