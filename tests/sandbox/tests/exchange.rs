//! Exchange's admin REST endpoint (`InvokeCommand`) as the sandbox serves it: tokens, body and
//! error shapes (exo-rest.md §1), and the cmdlets for access policies, calendars, groups and
//! RBAC for Applications (§3). Each test names the rule it pins down.

mod support;

use serde_json::{Value, json};
use support::admin::*;

async fn exchange() -> (Client, String) {
    exchange_with(seed()).await
}

async fn exchange_with(seed: exokit_sandbox::Seed) -> (Client, String) {
    let client = Client::start_with(seed).await;
    let token = client.exchange_token(ADMIN).await;
    (client, token)
}

/// `<ErrorId>|<ExceptionClass>|<Message>`, split.
fn detail_parts(answer: &Answer) -> (String, String, String) {
    let parts: Vec<&str> = answer.detail().splitn(3, '|').collect();
    assert_eq!(parts.len(), 3, "{}", answer.body);
    (parts[0].into(), parts[1].into(), parts[2].into())
}

#[tokio::test]
async fn the_endpoint_wants_an_exchange_token_with_manage_as_app() {
    let client = Client::start().await;
    let body = json!({"CmdletInput": {"CmdletName": "Get-SharingPolicy"}});
    let path = format!("/adminapi/beta/{TENANT}/InvokeCommand");
    let none = client.post("", &path, body.clone()).await;
    assert_eq!(none.status, 401);
    assert!(none.headers.contains_key("www-authenticate"));
    let graph = client.graph_token(ADMIN).await;
    let wrong_audience = client.post(&graph, &path, body.clone()).await;
    assert_eq!(wrong_audience.status, 401);
    assert!(
        wrong_audience.headers["x-ms-diagnostics"]
            .to_str()
            .unwrap()
            .starts_with("2000003;")
    );
    let no_role = client.exchange_token(CONTACTS_APP).await;
    assert_eq!(client.post(&no_role, &path, body.clone()).await.status, 401);
    let token = client.exchange_token(ADMIN).await;
    let by_domain = client
        .post(
            &token,
            &format!("/adminapi/beta/{DOMAIN}/InvokeCommand"),
            body.clone(),
        )
        .await;
    assert_eq!(by_domain.status, 200, "{}", by_domain.body);
    let other_tenant = client
        .post(
            &token,
            "/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand",
            body,
        )
        .await;
    assert_eq!(other_tenant.status, 401);
}

#[tokio::test]
async fn an_unknown_cmdlet_answers_the_cmdlet_error_shape() {
    let (client, token) = exchange().await;
    let answer = client.invoke(&token, "Get-Frobnicator", json!({})).await;
    assert_eq!(
        (answer.status, answer.code(), answer.message()),
        (400, "BadRequest", "Error executing cmdlet")
    );
    let (id, class, message) = detail_parts(&answer);
    assert!(id.starts_with("Ex"));
    assert_eq!(
        class,
        "System.Management.Automation.CommandNotFoundException"
    );
    assert!(
        message.starts_with("The term 'Get-Frobnicator' is not recognized"),
        "{message}"
    );
    assert_eq!(answer.body["error"]["details"][0]["code"], "Context");
    assert_eq!(
        answer.body["error"]["innererror"]["type"],
        "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"
    );
    assert_eq!(
        answer.headers["x-exceptiontype"],
        "CommandNotFoundException"
    );
}

#[tokio::test]
async fn bad_parameters_fail_binding() {
    let (client, token) = exchange().await;
    let unknown = client
        .invoke(&token, "Get-SharingPolicy", json!({"Identiti": "x"}))
        .await;
    let (_, class, message) = detail_parts(&unknown);
    assert_eq!(
        (unknown.status, class.as_str()),
        (
            400,
            "System.Management.Automation.ParameterBindingException"
        )
    );
    assert_eq!(
        message,
        "A parameter cannot be found that matches parameter name 'Identiti'."
    );
    let enum_value = client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "AllowAll", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped"})).await;
    assert!(
        detail_parts(&enum_value)
            .2
            .contains("RestrictAccess, DenyAccess"),
        "{}",
        enum_value.body
    );
    let missing = client
        .invoke(
            &token,
            "New-ApplicationAccessPolicy",
            json!({"AppId": CONTACTS_APP}),
        )
        .await;
    assert_eq!(
        detail_parts(&missing).2,
        "Cannot process command because of one or more missing mandatory parameters: AccessRight PolicyScopeGroupId."
    );
    let wrong_type = client.invoke(&token, "Set-MailboxCalendarFolder", json!({"Identity": format!("{}:\\Calendar", upn("alice")), "PublishEnabled": "sometimes"})).await;
    assert!(
        detail_parts(&wrong_type)
            .2
            .starts_with("Cannot bind parameter 'PublishEnabled'."),
        "{}",
        wrong_type.body
    );
}

#[tokio::test]
async fn a_missing_object_is_a_not_found_error() {
    let (client, token) = exchange().await;
    let answer = client
        .invoke(
            &token,
            "Get-ServicePrincipal",
            json!({"Identity": "no-such-app"}),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (404, "NotFound"));
    let (_, class, message) = detail_parts(&answer);
    assert_eq!(
        class,
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    );
    assert!(message.starts_with("The operation couldn't be performed because object 'no-such-app' couldn't be found on '"), "{message}");
}

#[tokio::test]
async fn malformed_bodies_are_400s_not_panics() {
    let (client, token) = exchange().await;
    let path = format!("/adminapi/beta/{TENANT}/InvokeCommand");
    for body in [
        "",
        "{not json",
        "[]",
        r#"{"Cmdlet":"Get-SharingPolicy"}"#,
        r#"{"CmdletInput":{"CmdletName":""}}"#,
        r#"{"CmdletInput":{"CmdletName":"Get-SharingPolicy","Parameters":[1]}}"#,
    ] {
        let answer = client.send_raw(&token, "POST", &path, body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "BadRequest"),
            "{body}: {}",
            answer.body
        );
    }
    let body = json!({"CmdletInput": {"CmdletName": "Get-SharingPolicy"}});
    let far = client
        .post(
            &token,
            &format!("{path}?$skiptoken=18446744073709551615"),
            body.clone(),
        )
        .await;
    assert_eq!(
        (far.status, far.rows().len()),
        (200, 0),
        "a page past the end is empty: {}",
        far.body
    );
    let garbled = client
        .post(&token, &format!("{path}?$skiptoken=abc"), body)
        .await;
    assert_eq!(garbled.status, 400);
    let parameters_null = client
        .send_raw(
            &token,
            "POST",
            &path,
            r#"{"CmdletInput":{"CmdletName":"get-sharingpolicy","Parameters":null}}"#,
        )
        .await;
    assert_eq!(
        parameters_null.status, 200,
        "cmdlet names are case-insensitive: {}",
        parameters_null.body
    );
}

#[tokio::test]
async fn application_access_policies_have_a_lifecycle() {
    let (client, token) = exchange().await;
    let none = client
        .invoke(&token, "Get-ApplicationAccessPolicy", json!({}))
        .await;
    assert_eq!(
        none.status, 404,
        "no policies is not-found, not an empty list"
    );
    assert!(
        detail_parts(&none)
            .2
            .contains("OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations")
    );
    let made = client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": [CONTACTS_APP], "PolicyScopeGroupId": upn("scoped"), "Description": "sync"})).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let row = &made.rows()[0];
    let identity = row["Identity"].as_str().unwrap().to_string();
    assert!(
        identity.starts_with(&format!("{TENANT}\\{CONTACTS_APP}:S-1-5-21-"))
            && identity.ends_with(&format!(";{SCOPED}")),
        "{identity}"
    );
    assert_eq!(
        (row["ScopeName"].as_str(), row["AccessRight"].as_str()),
        (Some("Scoped"), Some("RestrictAccess"))
    );
    let unchanged = client
        .invoke(
            &token,
            "Set-ApplicationAccessPolicy",
            json!({"Identity": identity, "Description": "sync"}),
        )
        .await;
    assert!(
        unchanged.body["@adminapi.warnings"][0]
            .as_str()
            .unwrap()
            .contains("no settings of")
    );
    assert_eq!(
        client
            .invoke(
                &token,
                "Set-ApplicationAccessPolicy",
                json!({"Identity": identity, "Description": "mirror"})
            )
            .await
            .status,
        200
    );
    let listed = client
        .invoke(
            &token,
            "Get-ApplicationAccessPolicy",
            json!({"Identity": "does-not-exist"}),
        )
        .await;
    assert_eq!(
        listed.rows().len(),
        1,
        "an unknown Identity lists every policy"
    );
    assert_eq!(listed.rows()[0]["Description"], "mirror");
    let duplicate = client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "DenyAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "Scoped"})).await;
    assert!(detail_parts(&duplicate).2.contains("already exists"));
    assert_eq!(
        client
            .invoke(
                &token,
                "Remove-ApplicationAccessPolicy",
                json!({"Identity": identity, "Confirm": false})
            )
            .await
            .status,
        200
    );
    assert_eq!(
        client
            .invoke(
                &token,
                "Remove-ApplicationAccessPolicy",
                json!({"Identity": identity})
            )
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn test_application_access_policy_answers_granted_or_denied() {
    let (client, token) = exchange().await;
    client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped"})).await;
    let member = client
        .invoke(
            &token,
            "Test-ApplicationAccessPolicy",
            json!({"Identity": upn("alice"), "AppId": CONTACTS_APP}),
        )
        .await;
    assert_eq!(member.rows()[0]["AccessCheckResult"], "Granted");
    assert_eq!(member.rows()[0]["MailboxId"], ALICE);
    let outsider = client
        .invoke(
            &token,
            "Test-ApplicationAccessPolicy",
            json!({"Identity": upn("bob"), "AppId": CONTACTS_APP}),
        )
        .await;
    assert_eq!(outsider.rows()[0]["AccessCheckResult"], "Denied");
    let other_app = client
        .invoke(
            &token,
            "Test-ApplicationAccessPolicy",
            json!({"Identity": upn("bob"), "AppId": RBAC_APP}),
        )
        .await;
    assert_eq!(other_app.rows()[0]["AccessCheckResult"], "Granted");
}

#[tokio::test]
async fn policy_scopes_must_be_security_principals() {
    let (client, token) = exchange().await;
    let new = |scope: &str| json!({"AccessRight": "RestrictAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": scope});
    for refused in [upn("staff"), upn("shared"), upn("room1")] {
        let answer = client
            .invoke(&token, "New-ApplicationAccessPolicy", new(&refused))
            .await;
        assert!(
            answer.status == 400 && answer.detail().contains("isn't a security principal"),
            "{refused}: {}",
            answer.body
        );
    }
    let unknown = client
        .invoke(
            &token,
            "New-ApplicationAccessPolicy",
            new("nobody@contoso.onmicrosoft.com"),
        )
        .await;
    assert!(
        detail_parts(&unknown)
            .2
            .starts_with("Couldn't find object \"nobody@contoso.onmicrosoft.com\"")
    );
    assert_eq!(
        client
            .invoke(&token, "New-ApplicationAccessPolicy", new(&upn("bob")))
            .await
            .status,
        200,
        "a user mailbox is a principal"
    );
}

#[tokio::test]
async fn access_policies_have_a_total_size_limit() {
    let (client, token) = exchange().await;
    for _ in 0..100 {
        let app = uuid::Uuid::new_v4().to_string();
        let made = client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": app, "PolicyScopeGroupId": "scoped"})).await;
        assert_eq!(made.status, 200, "{}", made.body);
    }
    let over = client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped"})).await;
    assert_eq!(
        detail_parts(&over).2,
        "The total size of App Access Policies exceeded the limit."
    );
    let short = client.invoke(&token, "New-ApplicationAccessPolicy", json!({"AccessRight": "RestrictAccess", "AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped", "Description": " "})).await;
    assert_eq!(
        short.status, 400,
        "still over: the existing policies fill the budget"
    );
}

fn alice_calendar() -> String {
    format!("{}:\\Calendar", upn("alice"))
}

#[tokio::test]
async fn publishing_a_calendar_gives_its_urls() {
    let (client, token) = exchange().await;
    let before = client
        .invoke(
            &token,
            "Get-MailboxCalendarFolder",
            json!({"Identity": alice_calendar()}),
        )
        .await;
    let row = &before.rows()[0];
    assert_eq!(
        (row["PublishEnabled"].as_bool(), row["DetailLevel"].as_str()),
        (Some(false), Some("AvailabilityOnly"))
    );
    assert!(row["PublishedICalUrl"].is_null());
    let set = client.invoke(&token, "Set-MailboxCalendarFolder", json!({"Identity": alice_calendar(), "PublishEnabled": true, "DetailLevel": "LimitedDetails", "PublishDateRangeTo": "OneYear"})).await;
    assert_eq!(set.status, 200, "{}", set.body);
    let after = client
        .invoke(
            &token,
            "Get-MailboxCalendarFolder",
            json!({"Identity": alice_calendar()}),
        )
        .await;
    let ical = after.rows()[0]["PublishedICalUrl"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ical.ends_with("/calendar.ics")
            && after.rows()[0]["PublishedCalendarUrl"]
                .as_str()
                .unwrap()
                .ends_with("/calendar.html")
    );
    let again = client
        .invoke(
            &token,
            "Set-MailboxCalendarFolder",
            json!({"Identity": alice_calendar(), "PublishEnabled": "True"}),
        )
        .await;
    assert!(
        again.body["@adminapi.warnings"][0]
            .as_str()
            .unwrap()
            .contains("no settings of"),
        "{}",
        again.body
    );
    client
        .invoke(
            &token,
            "Set-MailboxCalendarFolder",
            json!({"Identity": alice_calendar(), "ResetUrl": true}),
        )
        .await;
    let reset = client
        .invoke(
            &token,
            "Get-MailboxCalendarFolder",
            json!({"Identity": alice_calendar()}),
        )
        .await;
    assert_ne!(reset.rows()[0]["PublishedICalUrl"].as_str().unwrap(), ical);
}

fn localized_seed() -> exokit_sandbox::Seed {
    seed_with(json!({
        "sharingPolicies": [
            {"Name": "Default Sharing Policy", "Domains": ["*:CalendarSharingFreeBusySimple", "Anonymous:CalendarSharingFreeBusySimple"], "Enabled": true, "Default": true},
            {"Name": "No Anonymous", "Domains": ["*:CalendarSharingFreeBusySimple"], "Enabled": true}
        ],
        "mailboxSharingPolicies": {"bob@contoso.onmicrosoft.com": "No Anonymous"},
        "calendarFolders": [{"Identity": "hans@contoso.onmicrosoft.com:\\Kalender", "PublishEnabled": true}],
        "calendarProcessing": [{"Identity": "room1@contoso.onmicrosoft.com", "BookingWindowInDays": 365}]
    }))
}

#[tokio::test]
async fn a_localized_calendar_is_not_found_as_calendar_but_by_its_folder_id() {
    let (client, token) = exchange_with(localized_seed()).await;
    let english = client
        .invoke(
            &token,
            "Get-MailboxCalendarFolder",
            json!({"Identity": format!("{}:\\Calendar", upn("hans"))}),
        )
        .await;
    let (id, class, _) = detail_parts(&english);
    assert_eq!(
        (id.as_str(), class.as_str()),
        (
            "",
            "Microsoft.Exchange.Data.Storage.CantFindCalendarFolderException"
        )
    );
    let german = client
        .invoke(
            &token,
            "Get-MailboxCalendarFolder",
            json!({"Identity": format!("{}:\\Kalender", upn("hans"))}),
        )
        .await;
    assert_eq!(
        german.rows()[0]["PublishEnabled"],
        true,
        "seeded by Set-MailboxCalendarFolder"
    );
    let stats = client
        .invoke(
            &token,
            "Get-MailboxFolderStatistics",
            json!({"Identity": upn("hans"), "FolderScope": "Calendar"}),
        )
        .await;
    let row = &stats.rows()[0];
    assert_eq!(
        (row["FolderType"].as_str(), row["Name"].as_str()),
        (Some("Calendar"), Some("Kalender"))
    );
    let by_id = format!("{}:{}", upn("hans"), row["FolderId"].as_str().unwrap());
    assert_eq!(
        client
            .invoke(
                &token,
                "Get-MailboxCalendarFolder",
                json!({"Identity": by_id})
            )
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn publishing_needs_an_anonymous_sharing_entry_at_the_detail_level() {
    let (client, token) = exchange_with(localized_seed()).await;
    let bob = client
        .invoke(
            &token,
            "Set-MailboxCalendarFolder",
            json!({"Identity": format!("{}:\\Calendar", upn("bob")), "PublishEnabled": true}),
        )
        .await;
    assert_eq!(
        bob.status, 400,
        "Bob's policy has no Anonymous entry: {}",
        bob.body
    );
    let too_detailed = client.invoke(&token, "Set-MailboxCalendarFolder", json!({"Identity": alice_calendar(), "PublishEnabled": true, "DetailLevel": "FullDetails"})).await;
    assert_eq!(
        too_detailed.status, 400,
        "Simple allows availability only: {}",
        too_detailed.body
    );
    let allowed = client
        .invoke(
            &token,
            "Set-MailboxCalendarFolder",
            json!({"Identity": alice_calendar(), "PublishEnabled": true}),
        )
        .await;
    assert_eq!(allowed.status, 200);
    let policies = client.invoke(&token, "Get-SharingPolicy", json!({})).await;
    assert_eq!(policies.rows().len(), 2);
}

#[tokio::test]
async fn the_default_sharing_policy_is_exchange_onlines() {
    let (client, token) = exchange().await;
    let policy = client
        .invoke(
            &token,
            "Get-SharingPolicy",
            json!({"Identity": "Default Sharing Policy"}),
        )
        .await;
    let row = &policy.rows()[0];
    assert_eq!(
        (row["Default"].as_bool(), row["Enabled"].as_bool()),
        (Some(true), Some(true))
    );
    assert!(
        row["Domains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().starts_with("Anonymous:"))
    );
    assert_eq!(
        client
            .invoke(&token, "Get-SharingPolicy", json!({"Identity": "Nope"}))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn calendar_processing_defaults_and_checks() {
    let (client, token) = exchange_with(localized_seed()).await;
    let room = client
        .invoke(
            &token,
            "Get-CalendarProcessing",
            json!({"Identity": upn("room1")}),
        )
        .await;
    let row = &room.rows()[0];
    assert_eq!(
        (
            row["AutomateProcessing"].as_str(),
            row["BookingWindowInDays"].as_i64()
        ),
        (Some("AutoAccept"), Some(365))
    );
    let user = client
        .invoke(
            &token,
            "Get-CalendarProcessing",
            json!({"Identity": upn("alice")}),
        )
        .await;
    assert_eq!(user.rows()[0]["AutomateProcessing"], "AutoUpdate");
    let too_long = client
        .invoke(
            &token,
            "Set-CalendarProcessing",
            json!({"Identity": upn("room1"), "BookingWindowInDays": 2000}),
        )
        .await;
    assert!(
        detail_parts(&too_long)
            .2
            .contains("maximum allowed range of 1080"),
        "{}",
        too_long.body
    );
    let on_user = client
        .invoke(
            &token,
            "Set-CalendarProcessing",
            json!({"Identity": upn("alice"), "AutomateProcessing": "AutoAccept"}),
        )
        .await;
    assert_eq!(on_user.status, 400);
    let delegates =
        json!({"@odata.type": "#Exchange.GenericHashTable", "Add": [upn("alice"), "Staff"]});
    let set = client.invoke(&token, "Set-CalendarProcessing", json!({"Identity": upn("room1"), "ResourceDelegates": delegates, "AllowConflicts": false})).await;
    assert_eq!(set.status, 200, "{}", set.body);
    let after = client
        .invoke(
            &token,
            "Get-CalendarProcessing",
            json!({"Identity": "Room 1"}),
        )
        .await;
    assert_eq!(
        after.rows()[0]["ResourceDelegates"],
        json!([upn("alice"), upn("staff")])
    );
    let unknown = client
        .invoke(
            &token,
            "Set-CalendarProcessing",
            json!({"Identity": upn("room1"), "ResourceDelegates": ["ghost"]}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn a_new_security_group_is_a_mail_enabled_security_group_in_graph_too() {
    let (client, token) = exchange().await;
    let made = client.invoke(&token, "New-DistributionGroup", json!({"Name": "App Scope", "Type": "Security", "Alias": "appscope", "Members": [upn("alice")]})).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let row = &made.rows()[0];
    assert_eq!(row["RecipientTypeDetails"], "MailUniversalSecurityGroup");
    assert_eq!(
        row["DistinguishedName"], "",
        "a fresh group comes back without its DN"
    );
    let read = client
        .invoke(
            &token,
            "Get-DistributionGroup",
            json!({"Identity": "appscope"}),
        )
        .await;
    assert!(
        read.rows()[0]["DistinguishedName"]
            .as_str()
            .unwrap()
            .starts_with("CN=appscope,OU=contoso.onmicrosoft.com,")
    );
    let graph = client.graph_token(ADMIN).await;
    let listed = client
        .get(&graph, "/v1.0/groups?$filter=mailNickname eq 'appscope'")
        .await;
    let group = &listed.rows()[0];
    assert_eq!(
        (
            group["mailEnabled"].as_bool(),
            group["securityEnabled"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let twice = client
        .invoke(
            &token,
            "New-DistributionGroup",
            json!({"Name": "App Scope", "Type": "Security", "Alias": "appscope"}),
        )
        .await;
    assert_eq!(twice.status, 400);
    let open = client
        .invoke(
            &token,
            "New-DistributionGroup",
            json!({"Name": "Open", "Type": "Security", "MemberJoinRestriction": "Open"}),
        )
        .await;
    assert_eq!(open.status, 400, "security groups can't be open");
    let long = client
        .invoke(
            &token,
            "New-DistributionGroup",
            json!({"Name": "x".repeat(65)}),
        )
        .await;
    assert!(
        detail_parts(&long)
            .2
            .contains("fewer than or equal to \"64\""),
        "{}",
        long.body
    );
}

#[tokio::test]
async fn group_members_need_the_manager_bypass_and_are_not_added_twice() {
    let (client, token) = exchange().await;
    let add = |bypass: bool| json!({"Identity": "Scoped", "Member": upn("bob"), "BypassSecurityGroupManagerCheck": bypass});
    let refused = client
        .invoke(&token, "Add-DistributionGroupMember", add(false))
        .await;
    assert!(
        refused
            .detail()
            .contains("can only be performed by a manager of the group"),
        "{}",
        refused.body
    );
    assert_eq!(
        client
            .invoke(&token, "Add-DistributionGroupMember", add(true))
            .await
            .status,
        200
    );
    let twice = client
        .invoke(&token, "Add-DistributionGroupMember", add(true))
        .await;
    assert!(twice.detail().contains("is already a member of the group"));
    let members = client
        .invoke(
            &token,
            "Get-DistributionGroupMember",
            json!({"Identity": upn("scoped")}),
        )
        .await;
    let addresses: Vec<Value> = members
        .rows()
        .iter()
        .map(|r| r["PrimarySmtpAddress"].clone())
        .collect();
    assert_eq!(addresses, [upn("alice"), upn("bob")]);
    let m365 = client.invoke(&token, "Add-DistributionGroupMember", json!({"Identity": "Scoped", "Member": "Plain", "BypassSecurityGroupManagerCheck": true})).await;
    assert_eq!(m365.status, 404, "an Entra-only group is not a recipient");
    assert_eq!(client.invoke(&token, "Remove-DistributionGroupMember", json!({"Identity": "Scoped", "Member": upn("bob"), "BypassSecurityGroupManagerCheck": true})).await.status, 200);
    let gone = client.invoke(&token, "Remove-DistributionGroupMember", json!({"Identity": "Scoped", "Member": upn("bob"), "BypassSecurityGroupManagerCheck": true})).await;
    assert!(gone.detail().contains("isn't a member of the group"));
}

#[tokio::test]
async fn member_lists_stop_at_result_size_and_page_by_next_link_posts() {
    let users: Vec<Value> = (0..1205).map(|i| json!({"id": uuid::Uuid::new_v4().to_string(), "userPrincipalName": format!("u{i}@{DOMAIN}")})).collect();
    let members: Vec<Value> = users.iter().map(|u| u["id"].clone()).collect();
    let mut seed: Value = serde_json::from_str(&serde_json::to_string(&json!({"tenants": [{
        "id": TENANT, "domain": DOMAIN,
        "apps": [{"appId": ADMIN, "displayName": "Admin", "secrets": [SECRET], "roles": ["Exchange.ManageAsApp"]}],
        "users": users,
        "groups": [{"id": SCOPED, "displayName": "Big", "mail": upn("big"), "mailEnabled": true, "securityEnabled": true, "members": members}]
    }]})).unwrap()).unwrap();
    let seed = exokit_sandbox::Seed::from_json(&std::mem::take(&mut seed).to_string()).unwrap();
    let (client, token) = exchange_with(seed).await;
    let default = client
        .invoke(
            &token,
            "Get-DistributionGroupMember",
            json!({"Identity": "Big"}),
        )
        .await;
    assert_eq!(default.rows().len(), 1000);
    assert!(
        default.body["@adminapi.warnings"][0]
            .as_str()
            .unwrap()
            .contains("-ResultSize Unlimited")
    );
    assert!(default.body.get("@odata.nextLink").is_none());
    let body = json!({"CmdletInput": {"CmdletName": "Get-DistributionGroupMember", "Parameters": {"Identity": "Big", "ResultSize": "Unlimited"}}});
    let mut next = Some(format!(
        "/adminapi/beta/{TENANT}/InvokeCommand?$select=PrimarySmtpAddress"
    ));
    let mut rows = Vec::new();
    while let Some(url) = next {
        let page = client
            .send(
                &token,
                "POST",
                &url,
                Some(body.clone()),
                &[("Prefer", "odata.maxpagesize=500")],
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.rows().len() <= 500);
        rows.extend(page.rows());
        next = page.body["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(rows.len(), 1205);
    assert_eq!(
        rows[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["PrimarySmtpAddress"],
        "$select trims the rows"
    );
}

#[tokio::test]
async fn service_principal_pointers_are_unique() {
    let (client, token) = exchange().await;
    let sp = exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP);
    let made = client
        .invoke(
            &token,
            "New-ServicePrincipal",
            json!({"AppId": RBAC_APP, "ObjectId": sp, "DisplayName": "Scoped Sync"}),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(
        (
            made.rows()[0]["ObjectId"].as_str(),
            made.rows()[0]["AppId"].as_str()
        ),
        (Some(sp.as_str()), Some(RBAC_APP))
    );
    let twice = client
        .invoke(
            &token,
            "New-ServicePrincipal",
            json!({"AppId": RBAC_APP, "ObjectId": sp}),
        )
        .await;
    assert!(twice.detail().contains("already exist"));
    let missing = client
        .invoke(&token, "New-ServicePrincipal", json!({"AppId": RBAC_APP}))
        .await;
    assert!(
        missing
            .detail()
            .ends_with("missing mandatory parameters: ObjectId.")
    );
    assert_eq!(
        client
            .invoke(
                &token,
                "Get-ServicePrincipal",
                json!({"Identity": "Scoped Sync"})
            )
            .await
            .rows()
            .len(),
        1
    );
    assert_eq!(
        client
            .invoke(
                &token,
                "Remove-ServicePrincipal",
                json!({"Identity": RBAC_APP})
            )
            .await
            .status,
        200
    );
    assert_eq!(
        client
            .invoke(&token, "Get-ServicePrincipal", json!({}))
            .await
            .rows()
            .len(),
        0
    );
}

async fn scoped_rbac(client: &Client, token: &str, filter: &str) -> String {
    let sp = exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP);
    client
        .invoke(
            token,
            "New-ServicePrincipal",
            json!({"AppId": RBAC_APP, "ObjectId": sp, "DisplayName": "Scoped Sync"}),
        )
        .await;
    let scope = client
        .invoke(
            token,
            "New-ManagementScope",
            json!({"Name": "Sync scope", "RecipientRestrictionFilter": filter}),
        )
        .await;
    assert_eq!(scope.status, 200, "{}", scope.body);
    let assignment = client.invoke(token, "New-ManagementRoleAssignment", json!({"App": RBAC_APP, "Role": "Application Contacts.ReadWrite", "CustomResourceScope": "Sync scope"})).await;
    assert_eq!(assignment.status, 200, "{}", assignment.body);
    assignment.rows()[0]["Name"].as_str().unwrap().to_string()
}

async fn in_scope(client: &Client, token: &str, mailbox: &str) -> Value {
    let answer = client
        .invoke(
            token,
            "Test-ServicePrincipalAuthorization",
            json!({"Identity": RBAC_APP, "Resource": mailbox}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.rows()[0]["InScope"].clone()
}

#[tokio::test]
async fn a_member_of_group_eq_scope_covers_direct_members_only() {
    let (client, token) = exchange().await;
    let name = scoped_rbac(&client, &token, &format!("MemberOfGroup -eq '{SCOPED_DN}'")).await;
    assert_eq!(name, "Application Contacts.ReadWrite-Scoped Sync");
    assert_eq!(in_scope(&client, &token, &upn("alice")).await, true);
    assert_eq!(in_scope(&client, &token, &upn("bob")).await, false);
    let outer = client.invoke(&token, "New-ManagementScope", json!({"Name": "Outer", "RecipientRestrictionFilter": "MemberOfGroup -eq 'CN=outer,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM'"})).await;
    assert_eq!(outer.status, 200);
    client.invoke(&token, "New-ManagementRoleAssignment", json!({"App": RBAC_APP, "Role": "Application Mail.Read", "CustomResourceScope": "Outer"})).await;
    let rows = client
        .invoke(
            &token,
            "Test-ServicePrincipalAuthorization",
            json!({"Identity": RBAC_APP, "Resource": upn("alice")}),
        )
        .await
        .rows();
    let outer_row = rows
        .iter()
        .find(|r| r["AllowedResourceScope"] == "Outer")
        .unwrap();
    assert_eq!(
        outer_row["InScope"], false,
        "Alice is in Outer only through Scoped"
    );
}

#[tokio::test]
async fn a_member_of_group_ne_scope_covers_everyone_else() {
    let (client, token) = exchange().await;
    scoped_rbac(&client, &token, &format!("MemberOfGroup -ne '{SCOPED_DN}'")).await;
    assert_eq!(in_scope(&client, &token, &upn("alice")).await, false);
    assert_eq!(in_scope(&client, &token, &upn("bob")).await, true);
}

#[tokio::test]
async fn test_service_principal_authorization_reports_each_assignment() {
    let (client, token) = exchange().await;
    scoped_rbac(&client, &token, &format!("MemberOfGroup -eq '{SCOPED_DN}'")).await;
    client.invoke(&token, "New-ManagementRoleAssignment", json!({"App": RBAC_APP, "Role": "Application Calendars.Read", "RecipientAdministrativeUnitScope": "Europe"})).await;
    client
        .invoke(
            &token,
            "New-ManagementRoleAssignment",
            json!({"App": RBAC_APP, "Role": "Application Mail.ReadBasic"}),
        )
        .await;
    let not_run = client
        .invoke(
            &token,
            "Test-ServicePrincipalAuthorization",
            json!({"Identity": RBAC_APP}),
        )
        .await;
    let rows = not_run.rows();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["InScope"] == "Not Run"));
    let scope_types: Vec<&str> = rows
        .iter()
        .map(|r| r["ScopeType"].as_str().unwrap())
        .collect();
    assert_eq!(
        scope_types,
        ["CustomRecipientScope", "AdministrativeUnit", "Organization"]
    );
    assert_eq!(rows[0]["GrantedPermissions"], "Contacts.ReadWrite");
    let carol = client
        .invoke(
            &token,
            "Test-ServicePrincipalAuthorization",
            json!({"Identity": RBAC_APP, "Resource": upn("carol")}),
        )
        .await
        .rows();
    let in_scope: Vec<bool> = carol
        .iter()
        .map(|r| r["InScope"].as_bool().unwrap())
        .collect();
    assert_eq!(in_scope, [false, true, true]);
    let unknown = client
        .invoke(
            &token,
            "Test-ServicePrincipalAuthorization",
            json!({"Identity": READER}),
        )
        .await;
    assert_eq!(
        unknown.status, 404,
        "no Exchange pointer: the principal isn't in Exchange RBAC"
    );
}

#[tokio::test]
async fn role_assignments_check_their_role_scope_and_parameter_set() {
    let (client, token) = exchange().await;
    scoped_rbac(&client, &token, &format!("MemberOfGroup -eq '{SCOPED_DN}'")).await;
    let management = client
        .invoke(
            &token,
            "New-ManagementRoleAssignment",
            json!({"App": RBAC_APP, "Role": "Address Lists"}),
        )
        .await;
    assert_eq!(management.status, 400);
    let two_scopes = client.invoke(&token, "New-ManagementRoleAssignment", json!({"App": RBAC_APP, "Role": "Application Mail.Read", "CustomResourceScope": "Sync scope", "RecipientGroupScope": "Scoped"})).await;
    assert!(
        two_scopes
            .detail()
            .contains("Parameter set cannot be resolved")
    );
    let no_scope = client.invoke(&token, "New-ManagementRoleAssignment", json!({"App": RBAC_APP, "Role": "Application Mail.Read", "CustomResourceScope": "Nope"})).await;
    assert_eq!(no_scope.status, 404);
    let listed = client
        .invoke(
            &token,
            "Get-ManagementRoleAssignment",
            json!({"RoleAssignee": RBAC_APP}),
        )
        .await;
    let row = &listed.rows()[0];
    assert_eq!(
        (
            row["RoleAssigneeType"].as_str(),
            row["CustomResourceScope"].as_str()
        ),
        (Some("ServicePrincipal"), Some("Sync scope"))
    );
    let in_use = client
        .invoke(
            &token,
            "Remove-ManagementScope",
            json!({"Identity": "Sync scope"}),
        )
        .await;
    assert_eq!(in_use.status, 400);
    assert_eq!(
        client
            .invoke(
                &token,
                "Remove-ManagementRoleAssignment",
                json!({"Identity": row["Name"]})
            )
            .await
            .status,
        200
    );
    assert_eq!(
        client
            .invoke(
                &token,
                "Remove-ManagementScope",
                json!({"Identity": "Sync scope"})
            )
            .await
            .status,
        200
    );
    let bad_filter = client
        .invoke(
            &token,
            "New-ManagementScope",
            json!({"Name": "Bad", "RecipientRestrictionFilter": "MemberOfGroup -eq"}),
        )
        .await;
    assert!(
        bad_filter.detail().contains("Invalid filter syntax"),
        "{}",
        bad_filter.body
    );
}

#[tokio::test]
async fn graph_and_exchange_share_role_assignments() {
    let (client, token) = exchange().await;
    let graph = client.graph_token(ADMIN).await;
    let sp = exokit_sandbox::directory::seeded_service_principal_id(RBAC_APP);
    let body = json!({"principalId": format!("/ServicePrincipals/{sp}"), "roleDefinitionId": "265cabb3-13d9-4e05-b2cd-460cfa7ad3cc", "directoryScopeId": format!("/groups/{SCOPED}")});
    assert_eq!(
        client
            .post(
                &graph,
                "/beta/roleManagement/exchange/roleAssignments",
                body
            )
            .await
            .status,
        201
    );
    let listed = client
        .invoke(
            &token,
            "Get-ManagementRoleAssignment",
            json!({"Role": "Application Contacts.ReadWrite"}),
        )
        .await;
    assert_eq!(listed.rows().len(), 1);
    assert_eq!(listed.rows()[0]["RoleAssigneeName"], "Scoped Sync");
    scoped_rbac(&client, &token, "RecipientTypeDetails -eq 'RoomMailbox'").await;
    let graph_list = client
        .get(&graph, "/beta/roleManagement/exchange/roleAssignments")
        .await;
    assert_eq!(graph_list.rows().len(), 2);
    assert!(graph_list.rows()[1]["appScopeId"].is_string());
}

#[tokio::test]
async fn the_seed_runs_exchange_cmdlets() {
    let seed = seed_with(json!({
        "applicationAccessPolicies": [{"AppId": CONTACTS_APP, "PolicyScopeGroupId": "scoped", "AccessRight": "DenyAccess"}],
        "servicePrincipals": [{"AppId": RBAC_APP, "DisplayName": "Scoped Sync"}],
        "managementScopes": [{"Name": "Rooms", "RecipientRestrictionFilter": "RecipientTypeDetails -eq 'RoomMailbox'"}],
        "managementRoleAssignments": [{"App": RBAC_APP, "Role": "Application Calendars.ReadWrite", "CustomResourceScope": "Rooms"}]
    }));
    let (client, token) = exchange_with(seed).await;
    assert_eq!(
        client
            .invoke(&token, "Get-ApplicationAccessPolicy", json!({}))
            .await
            .rows()[0]["AccessRight"],
        "DenyAccess"
    );
    assert_eq!(in_scope(&client, &token, &upn("room1")).await, true);
    let broken = exokit_sandbox::Seed::from_json(&serde_json::to_string(&json!({"tenants": [{"id": TENANT, "domain": DOMAIN, "exchange": {"managementScopes": [{"Name": "X", "Filter": "y"}]}}]})).unwrap()).unwrap();
    let error = exokit_sandbox::Sandbox::start(exokit_sandbox::Options::new(broken))
        .err()
        .expect("a bad seed entry fails the start");
    assert!(
        error
            .to_string()
            .contains("matches parameter name 'Filter'"),
        "{error}"
    );
}

#[tokio::test]
async fn the_demo_seed_has_a_policy_a_pointer_and_a_scope() {
    let client = Client::start_with(exokit_sandbox::Seed::demo()).await;
    let token = &client
        .token_with(
            ADMIN,
            "sandbox-demo-secret-Zq8~vX2pL7wN4kR9",
            "https://outlook.office365.com/.default",
        )
        .await;
    assert_eq!(
        client
            .invoke(token, "Get-ApplicationAccessPolicy", json!({}))
            .await
            .rows()
            .len(),
        1
    );
    assert_eq!(
        client
            .invoke(token, "Get-ServicePrincipal", json!({"Identity": ADMIN}))
            .await
            .rows()[0]["DisplayName"],
        "ExoKit Automation"
    );
    assert_eq!(
        client
            .invoke(token, "Get-ManagementScope", json!({}))
            .await
            .rows()
            .len(),
        1
    );
    assert_eq!(
        client
            .invoke(token, "Get-DistributionGroup", json!({}))
            .await
            .rows()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_tenant_with_a_region_is_sent_there_and_served_there_only() {
    let mut client = Client::start_with(seed_with(json!({"region": "NAMPR01A001"}))).await;
    client.http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = client.exchange_token(ADMIN).await;
    let body = json!({"CmdletInput": {"CmdletName": "Get-SharingPolicy"}});
    for front in [
        format!("/adminapi/beta/{DOMAIN}/InvokeCommand?$select=Name"),
        format!("/outlook.office365.com/adminapi/beta/{DOMAIN}/InvokeCommand?$select=Name"),
    ] {
        let answer = client.post(&token, &front, body.clone()).await;
        assert_eq!(answer.status, 302, "{front}: {}", answer.body);
        let location = answer.header("location").unwrap();
        assert_eq!(
            location,
            client.url(&format!(
                "/nampr01a001.outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand?$select=Name"
            ))
        );
    }
    let regional = format!("/nampr01a001.outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand");
    let answer = client.post(&token, &regional, body.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.rows()[0]["Name"], "Default Sharing Policy");
    let elsewhere = format!("/eurpr05.outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand");
    assert_eq!(client.post(&token, &elsewhere, body.clone()).await.status, 404);
    assert_eq!(client.post("", &regional, body).await.status, 401, "the region wants the token too");
}

#[tokio::test]
async fn a_tenant_without_a_region_is_served_at_the_front_door() {
    let (client, token) = exchange().await;
    let body = json!({"CmdletInput": {"CmdletName": "Get-SharingPolicy"}});
    let front = format!("/outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand");
    assert_eq!(client.post(&token, &front, body.clone()).await.status, 200);
    let regional = format!("/nampr01a001.outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand");
    assert_eq!(client.post(&token, &regional, body).await.status, 404);
    let bad = exokit_sandbox::Sandbox::start(exokit_sandbox::Options::new(seed_with(json!({"region": "NAM PR01"}))));
    let error = bad.err().expect("a region with a space is refused").to_string();
    assert!(error.contains("exchange.region"), "{error}");
}

#[tokio::test]
async fn errors_follow_the_callers_language_and_keep_their_class() {
    let (client, token) = exchange().await;
    let body = json!({"CmdletInput": {"CmdletName": "Remove-ApplicationAccessPolicy", "Parameters": {"Identity": "nothing"}}});
    let path = format!("/adminapi/beta/{TENANT}/InvokeCommand");
    let german = client
        .send(&token, "POST", &path, Some(body.clone()), &[("Accept-Language", "de-DE,de;q=0.9")])
        .await;
    assert_eq!(german.status, 404);
    let (_, class, message) = detail_parts(&german);
    assert_eq!(class, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException");
    assert!(message.starts_with("Der Vorgang kann nicht ausgeführt werden, da das Objekt \"nothing\""), "{message}");
    let english = client.send(&token, "POST", &path, Some(body), &[("Accept-Language", "en-US")]).await;
    let (_, class, message) = detail_parts(&english);
    assert_eq!(class, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException");
    assert!(message.contains("couldn't be found"), "{message}");
}

#[tokio::test]
async fn get_mailbox_tells_user_and_room_mailboxes_apart() {
    let (client, token) = exchange().await;
    let room = client.invoke(&token, "Get-Mailbox", json!({"Identity": ROOM})).await;
    assert_eq!(room.status, 200, "{}", room.body);
    assert_eq!(room.rows()[0]["RecipientTypeDetails"], "RoomMailbox");
    let alice = client.invoke(&token, "Get-Mailbox", json!({"Identity": upn("alice")})).await;
    assert_eq!(alice.rows()[0]["RecipientTypeDetails"], "UserMailbox");
    let nobody = client.invoke(&token, "Get-Mailbox", json!({"Identity": upn("nobody")})).await;
    assert_eq!(nobody.status, 404);
    let all = client.invoke(&token, "Get-Mailbox", json!({})).await;
    assert!(all.rows().len() >= 5, "{}", all.body);
}
