//! The generated tenant: users with their mailboxes, the shared mailbox, groups, units, apps.

use serde_json::{Map, Value, json};

use super::GenerateOptions;
use super::contact::{Copy, contact};
use super::people::{People, Person};
use super::rng::Rng;
use super::words::{FOLDER_NAMES, GIVEN_NAMES, SURNAMES};

pub const DEMO_TENANT_ID: &str = "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91";
pub const DEMO_DOMAIN: &str = "contoso.onmicrosoft.com";
/// Office 365 E3 (`ENTERPRISEPACK`): the SKU every licensed user holds.
pub const LICENSE_SKU: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
/// Local part of the shared mailbox the mirror writes to.
pub const SHARED_MAILBOX: &str = "allcontacts";

/// Contacts an unlicensed user holds.
const UNLICENSED_CONTACTS: usize = 5;

struct Account {
    id: String,
    upn: String,
    display_name: String,
}

pub fn generate(options: &GenerateOptions) -> Value {
    let mut rng = Rng::new(options.seed);
    let mut upns = People::default();
    let mut account = |rng: &mut Rng| new_account(rng, &mut upns, &options.domain);
    let licensed: Vec<Account> = (0..options.users).map(|_| account(&mut rng)).collect();
    let unlicensed: Vec<Account> = (0..options.unlicensed).map(|_| account(&mut rng)).collect();
    let no_mailbox = account(&mut rng);
    let shared = Account {
        id: rng.guid(),
        upn: format!("{SHARED_MAILBOX}@{}", options.domain),
        display_name: "All Contacts".into(),
    };
    // Anyone who ran the mirror before may be named in a tag line.
    let creators: Vec<String> = licensed
        .iter()
        .chain([&shared])
        .map(|a| a.upn.clone())
        .collect();
    let mut people = People::default();
    let lists = contact_lists(options, &mut rng, &mut people, &creators);
    let mut users = Vec::with_capacity(licensed.len() + unlicensed.len() + 2);
    for (account, contacts) in licensed.iter().zip(lists) {
        let folders = child_folders(&mut rng, &mut people, &creators);
        users.push(user(account, &[LICENSE_SKU], "user", contacts, folders));
    }
    for account in &unlicensed {
        let contacts = (0..UNLICENSED_CONTACTS)
            .map(|_| private_contact(&mut rng, &mut people, &creators))
            .collect();
        users.push(user(account, &[], "user", contacts, Vec::new()));
    }
    // Licensed yet without an Exchange mailbox (on-premises or not provisioned): the mirror
    // must report it and carry on.
    users.push(user(
        &no_mailbox,
        &[LICENSE_SKU],
        "none",
        Vec::new(),
        Vec::new(),
    ));
    users.push(user(&shared, &[], "shared", Vec::new(), Vec::new()));
    let mut tenant = Map::new();
    tenant.insert("id".into(), Value::String(options.tenant_id.clone()));
    tenant.insert("domain".into(), Value::String(options.domain.clone()));
    tenant.insert("apps".into(), demo_apps());
    tenant.insert("users".into(), Value::Array(users));
    tenant.insert(
        "groups".into(),
        groups(&mut rng, &licensed, &options.domain),
    );
    tenant.insert("administrativeUnits".into(), units(&mut rng, &licensed));
    // Built field by field: `json!` would copy the half-million contacts through `to_value`.
    let mut seed = Map::new();
    seed.insert("tenants".into(), Value::Array(vec![Value::Object(tenant)]));
    Value::Object(seed)
}

/// A user named from the word lists; the principal name is unique in the tenant.
fn new_account(rng: &mut Rng, upns: &mut People, domain: &str) -> Account {
    let given = *rng.pick(GIVEN_NAMES);
    let surname = *rng.pick(SURNAMES);
    let id = rng.guid();
    let upn = upns.unique_address(&format!("{given}.{surname}"), domain);
    Account {
        id,
        upn,
        display_name: format!("{given} {surname}"),
    }
}

/// Each licensed user's default-folder contacts: `shared_per_user` copies of people from a
/// common pool, the rest people only that user knows, in shuffled order.
fn contact_lists(
    options: &GenerateOptions,
    rng: &mut Rng,
    people: &mut People,
    creators: &[String],
) -> Vec<Vec<Value>> {
    let shared = options.shared_per_user();
    let pool_size = if shared == 0 {
        0
    } else {
        shared.max((options.users * shared).div_ceil(options.share_width))
    };
    let pool: Vec<Person> = (0..pool_size)
        .map(|_| {
            let prior_sync = rng.chance(0.3);
            people.person(rng, true, prior_sync, creators)
        })
        .collect();
    let mut scratch: Vec<usize> = (0..pool_size).collect();
    let drifting = Copy {
        drift: true,
        tag_chance: 0.7,
        updaters: creators,
    };
    (0..options.users)
        .map(|_| {
            let picks = rng.sample(&mut scratch, shared);
            let mut list = Vec::with_capacity(options.contacts);
            list.extend(
                picks
                    .iter()
                    .map(|i| Value::Object(contact(&pool[*i], rng, &drifting))),
            );
            list.extend((shared..options.contacts).map(|_| private_contact(rng, people, creators)));
            rng.shuffle(&mut list);
            list
        })
        .collect()
}

/// A person only one mailbox holds; a few have no address, a few carry an earlier SyncId.
fn private_contact(rng: &mut Rng, people: &mut People, creators: &[String]) -> Value {
    let with_email = rng.chance(0.97);
    let prior_sync = rng.chance(0.1);
    let person = people.person(rng, with_email, prior_sync, creators);
    Value::Object(contact(
        &person,
        rng,
        &Copy {
            drift: false,
            tag_chance: 1.0,
            updaters: creators,
        },
    ))
}

/// One user in ten keeps a child folder (sometimes with its own child) that the mirror, which
/// reads the default folder only, must leave alone.
fn child_folders(rng: &mut Rng, people: &mut People, creators: &[String]) -> Vec<Value> {
    if !rng.chance(0.1) {
        return Vec::new();
    }
    let mut folder = |rng: &mut Rng, name: &str, count: usize| {
        let contacts: Vec<Value> = (0..count)
            .map(|_| private_contact(rng, people, creators))
            .collect();
        let mut folder = Map::new();
        folder.insert("displayName".into(), Value::from(name));
        folder.insert("contacts".into(), Value::Array(contacts));
        Value::Object(folder)
    };
    let name = *rng.pick(FOLDER_NAMES);
    let count = 1 + rng.below(3);
    let mut top = folder(rng, name, count);
    if rng.chance(0.5) {
        let count = 1 + rng.below(2);
        let child = folder(rng, "Archive", count);
        top["childFolders"] = Value::Array(vec![child]);
    }
    vec![top]
}

fn user(
    account: &Account,
    licenses: &[&str],
    mailbox: &str,
    contacts: Vec<Value>,
    folders: Vec<Value>,
) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), Value::String(account.id.clone()));
    out.insert(
        "userPrincipalName".into(),
        Value::String(account.upn.clone()),
    );
    out.insert(
        "displayName".into(),
        Value::String(account.display_name.clone()),
    );
    out.insert("licenses".into(), json!(licenses));
    out.insert("mailbox".into(), json!(mailbox));
    if !contacts.is_empty() {
        out.insert("contacts".into(), Value::Array(contacts));
    }
    if !folders.is_empty() {
        out.insert("contactFolders".into(), Value::Array(folders));
    }
    Value::Object(out)
}

/// A mail-enabled security group (a scope for app access) with every fourth licensed user.
fn groups(rng: &mut Rng, licensed: &[Account], domain: &str) -> Value {
    let members: Vec<&str> = licensed.iter().step_by(4).map(|a| a.id.as_str()).collect();
    json!([{
        "id": rng.guid(),
        "displayName": "Mirror Scope",
        "mail": format!("mirrorscope@{domain}"),
        "mailEnabled": true,
        "securityEnabled": true,
        "members": members,
    }])
}

/// An administrative unit with every third licensed user.
fn units(rng: &mut Rng, licensed: &[Account]) -> Value {
    let members: Vec<&str> = licensed
        .iter()
        .skip(1)
        .step_by(3)
        .map(|a| a.id.as_str())
        .collect();
    json!([{"id": rng.guid(), "displayName": "Sales Unit", "members": members}])
}

/// The demo seed's app registrations with their secrets and roles, read from `seeds/demo.json`
/// so that the two never disagree.
fn demo_apps() -> Value {
    let demo: Value =
        serde_json::from_str(include_str!("../../seeds/demo.json")).unwrap_or_default();
    demo["tenants"][0]["apps"].clone()
}
