//! The seed generator: same options → same seed; the counts, overlap and special users asked
//! for; and the sandbox loads what it makes.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use exokit_sandbox::generate::{self, GenerateOptions};
use exokit_sandbox::seed::{ContactSeed, MailboxKind, UserSeed};
use exokit_sandbox::{Options, Sandbox};
use serde_json::Value;

fn options(users: usize, contacts: usize, overlap: f64, seed: u64) -> GenerateOptions {
    GenerateOptions {
        users,
        contacts,
        overlap,
        seed,
        ..Default::default()
    }
}

fn licensed(users: &[UserSeed]) -> Vec<&UserSeed> {
    users
        .iter()
        .filter(|u| !u.licenses.is_empty() && u.mailbox == MailboxKind::User)
        .collect()
}

fn primary_email(contact: &ContactSeed) -> Option<String> {
    let first = contact.get("emailAddresses")?.as_array()?.first()?;
    Some(first["address"].as_str()?.trim().to_lowercase())
}

/// Per user, the fraction of contacts whose primary address another user's list holds too.
fn measured_overlap(users: &[&UserSeed]) -> Vec<f64> {
    let mut holders: HashMap<String, HashSet<usize>> = HashMap::new();
    for (index, user) in users.iter().enumerate() {
        for email in user.contacts.iter().filter_map(primary_email) {
            holders.entry(email).or_default().insert(index);
        }
    }
    let shared = |email: &String| holders.get(email).is_some_and(|h| h.len() > 1);
    users
        .iter()
        .map(|u| {
            u.contacts
                .iter()
                .filter_map(primary_email)
                .filter(shared)
                .count() as f64
                / u.contacts.len() as f64
        })
        .collect()
}

#[test]
fn the_same_options_give_the_same_json_and_another_seed_does_not() {
    let a = serde_json::to_string(&generate::json(&options(12, 40, 0.3, 7)).unwrap()).unwrap();
    let b = serde_json::to_string(&generate::json(&options(12, 40, 0.3, 7)).unwrap()).unwrap();
    let c = serde_json::to_string(&generate::json(&options(12, 40, 0.3, 8)).unwrap()).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn counts_and_special_users_are_as_asked() {
    let seed = generate::seed(&GenerateOptions {
        unlicensed: 4,
        ..options(15, 30, 0.3, 1)
    })
    .unwrap();
    let tenant = &seed.tenants[0];
    let users = &tenant.users;
    assert_eq!(users.len(), 15 + 4 + 1 + 1);
    let licensed = licensed(users);
    assert_eq!(licensed.len(), 15);
    assert!(licensed.iter().all(|u| u.contacts.len() == 30));
    assert_eq!(
        users
            .iter()
            .filter(|u| u.licenses.is_empty() && u.mailbox == MailboxKind::User)
            .count(),
        4
    );
    let shared: Vec<_> = users
        .iter()
        .filter(|u| u.mailbox == MailboxKind::Shared)
        .collect();
    assert_eq!(shared.len(), 1);
    assert_eq!(
        shared[0].user_principal_name,
        "allcontacts@contoso.onmicrosoft.com"
    );
    assert!(shared[0].licenses.is_empty());
    assert_eq!(
        users
            .iter()
            .filter(|u| u.mailbox == MailboxKind::None)
            .count(),
        1
    );
    let ids: HashSet<_> = users.iter().map(|u| &u.id).collect();
    let upns: HashSet<_> = users
        .iter()
        .map(|u| u.user_principal_name.to_lowercase())
        .collect();
    assert_eq!(
        (ids.len(), upns.len()),
        (users.len(), users.len()),
        "ids and principal names are unique"
    );
}

#[test]
fn the_demo_apps_and_secrets_are_copied() {
    let seed = generate::seed(&options(3, 5, 0.3, 1)).unwrap();
    let demo = exokit_sandbox::Seed::demo();
    let apps = |s: &exokit_sandbox::Seed| {
        s.tenants[0]
            .apps
            .iter()
            .map(|a| (a.app_id.clone(), a.secrets.clone(), a.roles.clone()))
            .collect::<Vec<_>>()
    };
    assert!(!apps(&demo).is_empty());
    assert_eq!(apps(&seed), apps(&demo));
    assert_eq!(seed.tenants[0].id, demo.tenants[0].id);
}

#[test]
fn the_overlap_fraction_is_met_within_tolerance() {
    for (users, contacts, overlap) in [(40, 100, 0.3), (25, 60, 0.5), (10, 80, 0.0)] {
        let seed = generate::seed(&options(users, contacts, overlap, 3)).unwrap();
        let per_user = measured_overlap(&licensed(&seed.tenants[0].users));
        let mean = per_user.iter().sum::<f64>() / per_user.len() as f64;
        assert!(
            (mean - overlap).abs() <= 0.03,
            "asked {overlap}, got {mean:.3} on average"
        );
        assert!(
            per_user.iter().all(|f| (f - overlap).abs() <= 0.08),
            "asked {overlap}, got {per_user:?}"
        );
    }
}

#[test]
fn copies_of_a_shared_person_sometimes_differ() {
    let seed = generate::seed(&options(30, 60, 0.4, 11)).unwrap();
    let mut copies: HashMap<String, Vec<&ContactSeed>> = HashMap::new();
    for user in licensed(&seed.tenants[0].users) {
        for contact in &user.contacts {
            if let Some(email) = primary_email(contact) {
                copies.entry(email).or_default().push(contact);
            }
        }
    }
    let raw = |c: &ContactSeed| {
        c["emailAddresses"][0]["address"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let differs = |field: &str| {
        copies
            .values()
            .filter(|c| c.len() > 1)
            .any(|c| c.iter().any(|x| x.get(field) != c[0].get(field)))
    };
    let case_differs = copies
        .values()
        .any(|c| c.iter().any(|x| raw(x) != raw(c[0])));
    assert!(
        case_differs,
        "some copies spell the address in another case"
    );
    assert!(
        differs("jobTitle") && differs("displayName"),
        "some copies differ in other fields"
    );
}

#[test]
fn contacts_look_real() {
    let seed = generate::seed(&options(20, 50, 0.3, 5)).unwrap();
    let contacts: Vec<&ContactSeed> = seed.tenants[0]
        .users
        .iter()
        .flat_map(|u| &u.contacts)
        .collect();
    let notes: Vec<&str> = contacts
        .iter()
        .filter_map(|c| c.get("personalNotes")?.as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("\r\n") || n.starts_with('\n')),
        "notes starting with a line break"
    );
    assert!(
        notes.iter().any(|n| n.trim().contains('\n')),
        "multi-line notes"
    );
    let tagged = notes.iter().filter(|n| n.contains("SyncId=")).count();
    assert!(
        tagged > 0 && tagged < notes.len(),
        "some notes, not all, carry a tag line"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains(";LastUpdatedAt=") && n.contains(";LastUpdatedBy="))
    );
    let within = |name: &str, max: usize| {
        contacts.iter().all(|c| {
            c.get(name)
                .and_then(Value::as_array)
                .is_none_or(|a| a.len() <= max)
        })
    };
    assert!(within("emailAddresses", 3) && within("businessPhones", 2));
    assert!(
        contacts.iter().any(|c| c.get("emailAddresses").is_none()),
        "a few contacts have no address"
    );
    for field in [
        "givenName",
        "surname",
        "displayName",
        "companyName",
        "jobTitle",
        "department",
        "mobilePhone",
    ] {
        assert!(
            contacts.iter().any(|c| c.contains_key(field)),
            "{field} is used"
        );
    }
}

#[test]
fn the_sandbox_loads_a_generated_seed() {
    let seed = generate::seed(&options(10, 25, 0.3, 2)).unwrap();
    let expected: Vec<(String, usize)> = licensed(&seed.tenants[0].users)
        .iter()
        .map(|u| (u.id.clone(), u.contacts.len()))
        .collect();
    let sandbox =
        Sandbox::start(Options::new(seed)).expect("the sandbox starts from a generated seed");
    let tenant = &sandbox.state.tenants[0];
    for (id, count) in expected {
        let mailbox = tenant
            .mailboxes
            .of(&id)
            .expect("a licensed user has a mailbox");
        let mailbox = mailbox.lock().unwrap();
        assert_eq!(mailbox.contact_count(&mailbox.root_id), count);
    }
}

#[test]
fn bad_options_are_refused_with_the_flag_named() {
    let refused = |o: GenerateOptions| generate::json(&o).unwrap_err().to_string();
    assert!(refused(options(5, 5, 1.5, 1)).contains("--overlap must be between 0 and 1"));
    assert!(refused(options(1, 5, 0.3, 1)).contains("at least 2 --users"));
    assert!(
        refused(GenerateOptions {
            share_width: 1,
            ..Default::default()
        })
        .contains("--share-width")
    );
    assert!(
        refused(GenerateOptions {
            domain: "a b".into(),
            ..Default::default()
        })
        .contains("--domain")
    );
}

#[test]
fn the_binary_writes_the_same_seed_and_documents_its_flags() {
    let exe = env!("CARGO_BIN_EXE_exokit-seed");
    let help = String::from_utf8(Command::new(exe).arg("--help").output().unwrap().stdout).unwrap();
    for flag in [
        "--users",
        "--contacts",
        "--overlap",
        "--seed",
        "--unlicensed",
        "--share-width",
        "--domain",
        "--tenant-id",
        "--out",
        "--pretty",
    ] {
        assert!(help.contains(flag), "--help documents {flag}:\n{help}");
    }
    let out = std::env::temp_dir().join(format!("exokit-seed-{}.json", std::process::id()));
    let status = Command::new(exe)
        .args(["--users", "4", "--contacts", "6", "--seed", "9", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    std::fs::remove_file(&out).ok();
    assert_eq!(written, generate::json(&options(4, 6, 0.3, 9)).unwrap());
    let bad = Command::new(exe).args(["--overlap", "2"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("exokit-seed: --overlap must be between 0 and 1")
    );
}
