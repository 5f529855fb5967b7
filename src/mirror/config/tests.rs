use std::collections::HashMap;

use super::*;

const SECRET: &str = "s3cr3t~value";

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load(pairs: &[(&str, &str)]) -> Result<MirrorConfig> {
    let vars = env(pairs);
    MirrorConfig::from_env(&|name| vars.get(name).cloned())
}

fn error(pairs: &[(&str, &str)]) -> (String, String) {
    match load(pairs).unwrap_err() {
        ExoError::InvalidArgument { parameter, message } => {
            assert!(
                !message.contains(SECRET) && !parameter.contains(SECRET),
                "secret leaked: {message}"
            );
            (parameter, message)
        }
        other => panic!("unexpected error {other:?}"),
    }
}

fn tenant_json(id: &str) -> String {
    format!(
        r#"{{"TenantId":"{id}","ClientId":"app","ClientSecret":"{SECRET}","GlobalAddressBookUserId":"hub@{id}"}}"#
    )
}

fn tenant_ids(config: &MirrorConfig) -> Vec<&str> {
    config
        .tenants
        .iter()
        .map(|t| t.tenant_id.as_str())
        .collect()
}

#[test]
fn config_json_is_the_whole_configuration() {
    let json = format!(
        r#"{{"MicrosoftTenants":[{},{}],"DryRun":"yes"}}"#,
        tenant_json("a.com"),
        tenant_json("b.com")
    );
    let config = load(&[(CONFIG_JSON, &json)]).unwrap();
    assert_eq!(tenant_ids(&config), ["a.com", "b.com"]);
    assert!(config.dry_run);
    let tenant = &config.tenants[0];
    assert_eq!(tenant.shared_mailbox, "hub@a.com");
    assert_eq!(tenant.hub_folder, "All Contacts");
    let credentials = tenant.credentials.as_ref().unwrap();
    assert_eq!(
        (
            credentials.client_id.as_str(),
            match &credentials.credential {
                TenantCredential::ClientSecret(secret) => secret.expose(),
                other => panic!("{other:?}"),
            }
        ),
        ("app", SECRET)
    );
    assert_eq!(tenant.users, UserSelection::AllLicensed);
    assert_eq!(
        config.notices,
        ["Loaded configuration from env var AUTOMATION_SYNCCONTACTS_CONFIG_JSON"]
    );
}

#[test]
fn config_json_wins_and_the_other_variables_are_not_read() {
    let json = format!(r#"{{"MicrosoftTenants":[{}]}}"#, tenant_json("json.com"));
    let tenants = format!("[{}]", tenant_json("tenants.com"));
    let config = load(&[
        (CONFIG_JSON, &json),
        (MICROSOFT_TENANTS_JSON, &tenants),
        (TENANT_ID, "single.com"),
        (DRY_RUN, "true"),
    ])
    .unwrap();
    assert_eq!(tenant_ids(&config), ["json.com"]);
    assert!(
        !config.dry_run,
        "DRY_RUN is ignored when CONFIG_JSON is set (spec §1.1)"
    );
    assert!(
        config.warnings.iter().any(|w| w.starts_with(DRY_RUN)),
        "{:?}",
        config.warnings
    );
}

#[test]
fn tenants_json_wins_over_the_single_tenant_variables() {
    let tenants = format!("[{}]", tenant_json("tenants.com"));
    let config = load(&[
        (MICROSOFT_TENANTS_JSON, &tenants),
        (TENANT_ID, "single.com"),
        (DRY_RUN, " Y "),
    ])
    .unwrap();
    assert_eq!(tenant_ids(&config), ["tenants.com"]);
    assert!(config.dry_run);
    assert_eq!(
        config.notices,
        ["Loaded configuration from individual environment variables"]
    );
}

#[test]
fn the_four_single_tenant_variables_make_one_tenant() {
    let vars = [
        (TENANT_ID, "c.com"),
        (CLIENT_ID, "app"),
        (CLIENT_SECRET, SECRET),
        (GLOBAL_ADDRESS_BOOK_USER_ID, "hub@c.com"),
    ];
    let config = load(&vars).unwrap();
    assert_eq!(tenant_ids(&config), ["c.com"]);
    assert!(!config.dry_run);
    let (parameter, message) = error(&vars[..3]);
    assert_eq!(parameter, GLOBAL_ADDRESS_BOOK_USER_ID);
    assert!(message.contains("is not set"), "{message}");
}

#[test]
fn blank_variables_mean_no_tenant() {
    let (parameter, message) = error(&[(CONFIG_JSON, "  "), (MICROSOFT_TENANTS_JSON, "\n")]);
    assert_eq!(parameter, MICROSOFT_TENANTS_JSON);
    assert!(
        message.starts_with(
            "MicrosoftTenants is required. Provide AUTOMATION_SYNCCONTACTS_CONFIG_JSON"
        ),
        "{message}"
    );
    let (parameter, _) = error(&[(CONFIG_JSON, r#"{"MicrosoftTenants":[],"DryRun":true}"#)]);
    assert_eq!(parameter, CONFIG_JSON);
}

#[test]
fn the_v1_single_tenant_shape_is_read_without_its_test_users() {
    let json = format!(
        r#"{{"TenantId":"v1.com","ClientId":"app","ClientSecret":"{SECRET}","GlobalAddressBookUserId":"hub@v1.com",
            "TestUserList":["ignored@v1.com"],"PrimaryDomain":"v1.onmicrosoft.com","DryRun":1}}"#
    );
    let config = load(&[(CONFIG_JSON, &json)]).unwrap();
    assert_eq!(tenant_ids(&config), ["v1.com"]);
    assert_eq!(config.tenants[0].users, UserSelection::AllLicensed);
    assert!(config.dry_run, "JSON number 1 is true");
    let (_, message) = error(&[(CONFIG_JSON, r#"{"TenantId":"v1.com","ClientId":"app"}"#)]);
    assert!(
        message.contains("ClientSecret, GlobalAddressBookUserId are required"),
        "{message}"
    );
}

#[test]
fn a_single_object_works_where_an_array_is_expected() {
    let config = load(&[(MICROSOFT_TENANTS_JSON, &tenant_json("one.com"))]).unwrap();
    assert_eq!(tenant_ids(&config), ["one.com"]);
    let json = format!(r#"{{"MicrosoftTenants":{}}}"#, tenant_json("obj.com"));
    assert_eq!(
        tenant_ids(&load(&[(CONFIG_JSON, &json)]).unwrap()),
        ["obj.com"]
    );
    let with_users = tenant_json("u.com").replace('}', r#","TestUserList":"only@u.com"}"#);
    let config = load(&[(MICROSOFT_TENANTS_JSON, &with_users)]).unwrap();
    assert_eq!(
        config.tenants[0].users,
        UserSelection::TestUsers(vec!["only@u.com".into()])
    );
}

#[test]
fn property_names_ignore_case_but_may_not_repeat() {
    let json = format!(
        r#"{{"microsofttenants":[{}],"dryRUN":"n"}}"#,
        tenant_json("x.com").replace("TenantId", "tenantID")
    );
    assert_eq!(
        tenant_ids(&load(&[(CONFIG_JSON, &json)]).unwrap()),
        ["x.com"]
    );
    let twice = tenant_json("x.com").replace('}', r#","TENANTID":"y.com"}"#);
    let (parameter, message) = error(&[(MICROSOFT_TENANTS_JSON, &twice)]);
    assert_eq!(parameter, MICROSOFT_TENANTS_JSON);
    assert!(
        message.contains("'TENANTID' twice") && message.contains("(line 1, column"),
        "{message}"
    );
}

#[test]
fn each_json_variable_reports_its_name_and_the_position_of_a_syntax_error() {
    for variable in [
        CONFIG_JSON,
        MICROSOFT_TENANTS_JSON,
        TEST_USER_LIST_BY_TENANT_JSON,
    ] {
        let (parameter, message) = error(&[(variable, "{\n  \"a\": [1,\n  2\n}")]);
        assert_eq!(parameter, variable);
        assert!(message.starts_with("is not valid JSON: "), "{message}");
        assert!(
            message.ends_with("(line 4, column 1)"),
            "{variable}: {message}"
        );
    }
    let (_, trailing) = error(&[(CONFIG_JSON, "{} x")]);
    assert!(
        trailing.contains("trailing characters") && trailing.contains("(line 1, column 4)"),
        "{trailing}"
    );
}

#[test]
fn a_value_of_the_wrong_type_is_named_and_located() {
    let json = "{\n \"MicrosoftTenants\": [\n  {\"TenantId\": \"a.com\", \"TestUserList\": [\"u@a.com\", 42]}\n ]\n}";
    let (parameter, message) = error(&[(CONFIG_JSON, json)]);
    assert_eq!(parameter, CONFIG_JSON);
    assert!(
        message.starts_with("MicrosoftTenants[0].TestUserList[1] must be a string, not a number"),
        "{message}"
    );
    assert!(message.contains("(line 3, column"), "{message}");
    let (_, message) = error(&[(MICROSOFT_TENANTS_JSON, r#""just text""#)]);
    assert!(
        message.starts_with(
            "MicrosoftTenants must be an array of tenant objects or one tenant object, not a string"
        ),
        "{message}"
    );
    let (_, message) = error(&[(TEST_USER_LIST_BY_TENANT_JSON, "[1]")]);
    assert!(
        message.starts_with("TestUserListByTenant must be an object"),
        "{message}"
    );
}

#[test]
fn a_missing_tenant_field_names_the_field_and_the_tenant() {
    let second = tenant_json("b.com").replace(&format!(r#""ClientSecret":"{SECRET}","#), "");
    let json = format!("[{},\n{}]", tenant_json("a.com"), second);
    // Issue 22: the valid tenant runs, the invalid one is named, with its field, as failed.
    let config = load(&[(MICROSOFT_TENANTS_JSON, &json)]).unwrap();
    assert_eq!(tenant_ids(&config), ["a.com"]);
    let [ExoError::InvalidArgument { parameter, message }] = &config.invalid[..] else { panic!("{:?}", config.invalid) };
    assert_eq!(parameter, MICROSOFT_TENANTS_JSON);
    assert_eq!(message, "MicrosoftTenants[1] (TenantId 'b.com'): ClientSecret is required");
    let both = format!("[{},\n{}]", second, tenant_json("c.com").replace("\"TenantId\":\"c.com\",", ""));
    let (parameter, message) = error(&[(MICROSOFT_TENANTS_JSON, &both)]);
    assert_eq!(parameter, MICROSOFT_TENANTS_JSON);
    assert_eq!(message, "no tenant can run: MicrosoftTenants[0] (TenantId 'b.com'): ClientSecret is required; MicrosoftTenants[1]: TenantId is required");
    let (_, message) = error(&[(MICROSOFT_TENANTS_JSON, &json.replace("b.com\"", "b.com\"\"\""))]);
    assert!(message.contains("line 2"), "a variable that is not valid JSON still stops everything: {message}");
    let (_, message) = error(&[(MICROSOFT_TENANTS_JSON, "[null]")]);
    assert!(
        message.starts_with("MicrosoftTenants[0] must be a tenant object, not null"),
        "{message}"
    );
}

#[test]
fn secrets_never_appear_in_errors_or_debug_output() {
    let json = format!(
        r#"{{"MicrosoftTenants":[{{"TenantId":"a.com","ClientSecret":"{SECRET}","ClientId":["{SECRET}"]}}]}}"#
    );
    let (_, message) = error(&[(CONFIG_JSON, &json)]);
    assert!(
        message.contains("ClientId must be a string, not an array"),
        "{message}"
    );
    let broken = format!(r#"{{"ClientSecret":"{SECRET}" "#);
    error(&[(CONFIG_JSON, &broken)]);
    let config = load(&[(MICROSOFT_TENANTS_JSON, &tenant_json("a.com"))]).unwrap();
    let debug = format!("{config:?}");
    assert!(
        !debug.contains(SECRET) && debug.contains("<redacted>"),
        "{debug}"
    );
}

#[test]
fn test_users_come_from_the_tenant_then_the_map_by_tenant_id_primary_domain_tenant_domain() {
    let tenant = |extra: &str| tenant_json("id.com").replace('}', &format!(",{extra}}}"));
    let map = r#"{"ID.COM":[],"primary.com":["p@x"],"tenant.com":["t@x"]}"#;
    let users = |tenant_text: String, map: &str| {
        let config = load(&[
            (MICROSOFT_TENANTS_JSON, &tenant_text),
            (TEST_USER_LIST_BY_TENANT_JSON, map),
        ])
        .unwrap();
        config.tenants.into_iter().next().unwrap().users
    };
    let listed =
        |names: &[&str]| UserSelection::TestUsers(names.iter().map(|n| n.to_string()).collect());

    let both_domains = tenant(r#""PrimaryDomain":"primary.com","TenantDomain":"tenant.com""#);
    assert_eq!(
        users(both_domains.clone(), map),
        listed(&["p@x"]),
        "an empty list falls through to PrimaryDomain"
    );
    assert_eq!(
        users(both_domains, r#"{"id.com":["i@x"],"primary.com":["p@x"]}"#),
        listed(&["i@x"]),
        "TenantId first"
    );
    assert_eq!(
        users(tenant(r#""TenantDomain":"tenant.com""#), map),
        listed(&["t@x"])
    );
    assert_eq!(
        users(
            tenant(r#""TestUserList":["own@x"],"PrimaryDomain":"primary.com""#),
            map
        ),
        listed(&["own@x"])
    );
    assert_eq!(
        users(
            tenant(r#""TestUserList":["", " "]"#),
            r#"{"id.com":"single@x"}"#
        ),
        listed(&["single@x"])
    );
    assert_eq!(
        users(tenant_json("other.com"), map),
        UserSelection::AllLicensed
    );
}

#[test]
fn the_test_user_variable_overrides_the_map_in_config_json() {
    let inner = format!(
        r#"{{"MicrosoftTenants":[{}],"TestUserListByTenant":{{"a.com":["json@a"]}}}}"#,
        tenant_json("a.com")
    );
    let config = load(&[(CONFIG_JSON, &inner)]).unwrap();
    assert_eq!(
        config.tenants[0].users,
        UserSelection::TestUsers(vec!["json@a".into()])
    );
    let config = load(&[
        (CONFIG_JSON, &inner),
        (TEST_USER_LIST_BY_TENANT_JSON, r#"{"A.com":["env@a"]}"#),
    ])
    .unwrap();
    assert_eq!(
        config.tenants[0].users,
        UserSelection::TestUsers(vec!["env@a".into()])
    );
    assert_eq!(
        config.notices[0],
        "Loaded tenant test user map from env var AUTOMATION_SYNCCONTACTS_TEST_USER_LIST_BY_TENANT_JSON"
    );
    let config = load(&[
        (CONFIG_JSON, &inner),
        (TEST_USER_LIST_BY_TENANT_JSON, "null"),
    ])
    .unwrap();
    assert_eq!(
        config.tenants[0].users,
        UserSelection::TestUsers(vec!["json@a".into()]),
        "null is not a map"
    );
}

#[test]
fn the_single_tenant_variables_find_test_users_by_tenant_id() {
    let vars = [
        (TENANT_ID, "c.com"),
        (CLIENT_ID, "app"),
        (CLIENT_SECRET, SECRET),
        (GLOBAL_ADDRESS_BOOK_USER_ID, "hub@c.com"),
        (TEST_USER_LIST_BY_TENANT_JSON, r#"{"c.com":["u@c.com"]}"#),
    ];
    assert_eq!(
        load(&vars).unwrap().tenants[0].users,
        UserSelection::TestUsers(vec!["u@c.com".into()])
    );
}

#[test]
fn dry_run_strings_follow_convert_to_boolean() {
    for (text, expected) in [
        ("true", true),
        ("1", true),
        ("YES", true),
        ("y", true),
        ("false", false),
        ("0", false),
        ("no", false),
        ("N", false),
    ] {
        let value = DryRunValue::from_text(text);
        assert_eq!((value.value, value.recognised), (expected, true), "{text}");
    }
    for text in ["on", "enabled", "2", "tru"] {
        assert!(!DryRunValue::from_text(text).value, "{text}");
    }
    let json = |v: &str| DryRunValue::from_json(&serde_json::from_str(v).unwrap()).value;
    assert!(json("true") && json("1") && json("1.0") && json("\" True \""));
    assert!(!json("null") && !json("false") && !json("2") && !json("[\"true\"]") && !json("{}"));
}

#[test]
fn an_unknown_dry_run_value_is_a_live_run_with_a_warning() {
    let json = format!(
        r#"{{"MicrosoftTenants":[{}],"DryRun":"ture"}}"#,
        tenant_json("a.com")
    );
    let config = load(&[(CONFIG_JSON, &json)]).unwrap();
    assert!(!config.dry_run);
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.contains("'ture'") && w.contains("live run")),
        "{:?}",
        config.warnings
    );
}

#[test]
fn parameters_make_a_session_tenant() {
    let parameters = MirrorParameters {
        tenant_id: "c.com".into(),
        shared_mailbox: " hub@c.com ".into(),
        folder_name: "Company Contacts".into(),
        users: vec!["a@c.com".into()],
        dry_run: true,
    };
    let config = MirrorConfig::from_parameters(parameters.clone()).unwrap();
    assert_eq!(config.tenants[0].shared_mailbox, "hub@c.com");
    assert_eq!(config.tenants[0].hub_folder, "Company Contacts");
    assert!(config.tenants[0].credentials.is_none() && config.dry_run);
    assert_eq!(
        config.tenants[0].users,
        UserSelection::TestUsers(vec!["a@c.com".into()])
    );
    let all = MirrorConfig::from_parameters(MirrorParameters {
        users: vec![],
        ..parameters.clone()
    })
    .unwrap();
    assert_eq!(all.tenants[0].users, UserSelection::AllLicensed);
    let default_folder = MirrorParameters {
        folder_name: " ".into(),
        ..parameters.clone()
    };
    assert_eq!(
        MirrorConfig::from_parameters(default_folder)
            .unwrap()
            .tenants[0]
            .hub_folder,
        HUB_FOLDER_NAME
    );
    let err = MirrorConfig::from_parameters(MirrorParameters {
        shared_mailbox: " ".into(),
        ..parameters.clone()
    })
    .unwrap_err();
    assert_eq!(err.target().as_deref(), Some("SharedMailbox"));
    let err = MirrorConfig::from_parameters(MirrorParameters {
        users: vec!["a".into(), "".into()],
        ..parameters
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("User") && err.to_string().contains("entry 2"),
        "{err}"
    );
}

fn credential_of(config: &MirrorConfig) -> &TenantCredential {
    &config.tenants[0].credentials.as_ref().unwrap().credential
}

#[test]
fn tenants_may_use_a_certificate_a_federated_token_file_or_a_managed_identity() {
    let json = r#"{"MicrosoftTenants": [
        {"TenantId": "a.com", "ClientId": "app", "CertificatePath": "/certs/a.pfx", "CertificatePassword": "s3cr3t~value", "GlobalAddressBookUserId": "hub@a.com"},
        {"TenantId": "b.com", "ClientId": "app", "FederatedTokenFile": "/var/run/token", "GlobalAddressBookUserId": "hub@b.com"},
        {"TenantId": "c.com", "useManagedIdentity": "yes", "GlobalAddressBookUserId": "hub@c.com"}
    ]}"#;
    let config = load(&[(CONFIG_JSON, json), ("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi/token"), ("IDENTITY_HEADER", "h")]).unwrap();
    match credential_of(&config) {
        TenantCredential::Certificate { path, password, field } => {
            assert_eq!(path.to_str(), Some("/certs/a.pfx"));
            assert_eq!(password.as_ref().map(Secret::expose), Some(SECRET));
            assert_eq!(field, "AUTOMATION_SYNCCONTACTS_CONFIG_JSON: MicrosoftTenants[0].CertificatePath");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&config.tenants[1].credentials.as_ref().unwrap().credential, TenantCredential::FederatedTokenFile { path, .. } if path.to_str() == Some("/var/run/token")));
    let third = config.tenants[2].credentials.as_ref().unwrap();
    assert_eq!(third.client_id, "", "system-assigned");
    match &third.credential {
        TenantCredential::ManagedIdentity(identity) => assert!(identity.describe().contains("App Service endpoint http://127.0.0.1:9")),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{config:?}").contains(SECRET));
}

#[test]
fn single_tenant_variables_take_the_new_kinds_and_refuse_two_at_once() {
    let base = [(TENANT_ID, "a.com"), (CLIENT_ID, "app"), (GLOBAL_ADDRESS_BOOK_USER_ID, "hub@a.com")];
    let with = |extra: &[(&'static str, &'static str)]| base.iter().chain(extra).copied().collect::<Vec<_>>();
    let config = load(&with(&[(FEDERATED_TOKEN, "eyJ.token.sig")])).unwrap();
    assert!(matches!(credential_of(&config), TenantCredential::FederatedToken(t) if t.expose() == "eyJ.token.sig"));
    let config = load(&with(&[(CERTIFICATE_PATH, "/c.pem")])).unwrap();
    assert!(matches!(credential_of(&config), TenantCredential::Certificate { password: None, .. }));
    let (parameter, message) = error(&with(&[(CLIENT_SECRET, SECRET), (USE_MANAGED_IDENTITY, "true")]));
    assert_eq!(parameter, CLIENT_SECRET);
    assert!(message.contains("ClientSecret, UseManagedIdentity") && message.contains("one per tenant"), "{message}");
    let (parameter, message) = error(&[(TENANT_ID, "a.com"), (GLOBAL_ADDRESS_BOOK_USER_ID, "hub")]);
    assert!(parameter.contains(CLIENT_ID) && message.contains(CERTIFICATE_PATH), "{parameter}: {message}");
}

#[test]
fn a_use_managed_identity_that_is_not_a_switch_is_an_error() {
    let json = r#"{"MicrosoftTenants": [{"TenantId": "a.com", "UseManagedIdentity": "maybe", "GlobalAddressBookUserId": "hub"}]}"#;
    let (parameter, message) = error(&[(CONFIG_JSON, json)]);
    assert_eq!(parameter, CONFIG_JSON);
    assert!(message.contains("UseManagedIdentity") && message.contains("true or false"), "{message}");
}
