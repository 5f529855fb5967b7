use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::*;
use crate::mirror::contact::tests::contact;
use crate::mirror::run::Run;

const S1: &str = "11111111-1111-1111-1111-111111111111";
const S2: &str = "22222222-2222-2222-2222-222222222222";
const USER: &str = "alice@contoso.com";
const RUN_TAG_TIME: &str = "LastUpdatedAt=2026-02-01T08:00:00.0000000Z";

fn run() -> Run {
    Run::dry_run(Utc.with_ymd_and_hms(2026, 2, 1, 8, 0, 0).unwrap())
}

fn at(day: u32) -> Option<chrono::DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap())
}

fn with_notes(mut c: Contact, notes: &str) -> Contact {
    c.personal_notes = Some(notes.to_string());
    c
}

fn modified(mut c: Contact, day: Option<chrono::DateTime<Utc>>) -> Contact {
    c.last_modified = day;
    c
}

fn full(mut c: Contact) -> Contact {
    c.notes_read = NotesRead::Full;
    c
}

fn only(plan: &Plan) -> &Action {
    assert_eq!(plan.actions.len(), 1, "{plan:#?}");
    &plan.actions[0]
}

fn body_field<'a>(body: &'a crate::mirror::payload::ContactBody, name: &str) -> &'a Value {
    body.get(name)
        .unwrap_or_else(|| panic!("no {name} in {body:?}"))
}

#[test]
fn a_new_contact_is_created_with_the_tag_alone_and_tagged_back_at_the_source() {
    let source = with_notes(
        contact("s1", "Ann", Some("Ann@X.com")),
        "Met at the fair\r\nLikes golf",
    );
    let plan = plan(&mut run(), Step::Collect, USER, &[source], vec![]);
    let Action::Create(create) = only(&plan) else {
        panic!("{plan:?}")
    };
    let tag = format!("SyncId=dryrun-000001;CreatedBy={USER};{RUN_TAG_TIME};LastUpdatedBy={USER}");
    assert_eq!(create.notes, tag);
    assert_eq!(body_field(&create.body, "personalNotes"), &json!(tag));
    assert_eq!(
        create.label,
        ContactLabel {
            display_name: Some("Ann".into()),
            email: Some("ann@x.com".into())
        }
    );
    // D1: the user's own text stays; only the tag is added.
    let write_back = create.write_back.as_ref().unwrap();
    assert_eq!(
        write_back.notes,
        format!("Met at the fair\r\nLikes golf\r\n{tag}")
    );
    assert_eq!(
        plan.counts,
        PlanCounts {
            create: 1,
            write_back: 1,
            ..PlanCounts::default()
        }
    );
}

#[test]
fn d1_an_update_keeps_the_sources_text_and_the_targets_text_apart() {
    let source = modified(
        with_notes(
            contact("s1", "Ann Lee", Some("ann@x.com")),
            &format!("My note\r\nSyncId={S1};CreatedBy=bob"),
        ),
        at(10),
    );
    let target = modified(
        with_notes(
            contact("t1", "Ann", Some("ann@x.com")),
            &format!("Hub note\r\nSyncId={S1};CreatedBy=bob;LastUpdatedAt=x;LastUpdatedBy=y"),
        ),
        at(5),
    );
    let plan = plan(&mut run(), Step::Collect, USER, &[source], vec![target]);
    let Action::Update(update) = only(&plan) else {
        panic!("{plan:?}")
    };
    let tag = format!("SyncId={S1};CreatedBy=bob;{RUN_TAG_TIME};LastUpdatedBy={USER}");
    assert_eq!(
        body_field(&update.body, "personalNotes"),
        &json!(format!("Hub note\r\n{tag}"))
    );
    assert_eq!(
        update.write_back.as_ref().unwrap().notes,
        format!("My note\r\n{tag}")
    );
    // The address's name follows the display name in these contacts, and names count (issue 22).
    assert_eq!(
        update.changed,
        [SyncedField::DisplayName, SyncedField::EmailAddresses, SyncedField::PersonalNotes]
    );
    assert_eq!(update.target_id, "t1");
}

#[test]
fn step_2_never_writes_back() {
    let source = contact("h1", "Ann", Some("ann@x.com"));
    let plan = plan(
        &mut run(),
        Step::Distribute,
        "hub@contoso.com",
        &[source],
        vec![],
    );
    let Action::Create(create) = only(&plan) else {
        panic!()
    };
    assert!(create.write_back.is_none());
    assert!(create.notes.contains("CreatedBy=hub@contoso.com;"));
}

#[test]
fn update_needs_a_change_and_an_older_target() {
    let source = |day| modified(contact("s1", "Ann Lee", Some("ann@x.com")), day);
    let target = |name, day| modified(contact("t1", name, Some("ann@x.com")), day);
    let decide = |s: Contact, t: Contact| {
        plan(&mut run(), Step::Distribute, USER, &[s], vec![t])
            .actions
            .remove(0)
    };

    assert!(matches!(
        decide(source(at(10)), target("Ann", at(5))),
        Action::Update(_)
    ));
    let unchanged = decide(source(at(10)), target("Ann Lee", at(5)));
    assert!(
        matches!(&unchanged, Action::Skip(s) if s.reason == SkipReason::Unchanged),
        "{unchanged:?}"
    );
    let newer = decide(source(at(5)), target("Ann", at(10)));
    let expected = SkipReason::TargetNotOlder {
        changed: vec![SyncedField::DisplayName, SyncedField::EmailAddresses],
    };
    assert!(
        matches!(&newer, Action::Skip(s) if s.reason == expected),
        "{newer:?}"
    );
    assert!(
        matches!(decide(source(at(5)), target("Ann", at(5))), Action::Skip(_)),
        "equal times do not update"
    );
    assert!(
        matches!(decide(source(None), target("Ann", at(5))), Action::Skip(_)),
        "no source time: no update"
    );
    assert!(
        matches!(
            decide(source(at(5)), target("Ann", None)),
            Action::Update(_)
        ),
        "no target time: update"
    );
}

#[test]
fn target_older_follows_the_original() {
    assert!(!target_older(None, at(1)));
    assert!(target_older(at(1), None));
    assert!(target_older(at(2), at(1)));
    assert!(!target_older(at(1), at(1)));
    assert!(!target_older(at(1), at(2)));
}

#[test]
fn d2_d3_a_case_only_edit_and_a_cleared_field_become_a_patch() {
    let mut source = modified(contact("s1", "ann lee", Some("ann@x.com")), at(10));
    let mut target = modified(contact("t1", "Ann Lee", Some("ann@x.com")), at(5));
    target.fields.job_title = Some("CTO".into());
    target.fields.categories = vec!["VIP".into()];
    source.fields.job_title = None;
    let plan = plan(&mut run(), Step::Distribute, USER, &[source], vec![target]);
    let Action::Update(update) = only(&plan) else {
        panic!("{plan:?}")
    };
    assert_eq!(body_field(&update.body, "displayName"), &json!("ann lee"));
    assert_eq!(body_field(&update.body, "jobTitle"), &Value::Null);
    assert_eq!(body_field(&update.body, "categories"), &json!([]));
    assert!(
        update.body.get("emailAddresses").is_none(),
        "unchanged fields are not sent"
    );
}

#[test]
fn d6_duplicate_emails_in_one_source_list_create_one_contact() {
    let sources = [
        contact("s1", "Ann", Some("ann@x.com")),
        contact("s2", "Ann (2)", Some("ANN@x.com")),
        contact("s3", "Nomail", None),
        contact("s4", "NOMAIL", None),
    ];
    let plan = plan(&mut run(), Step::Collect, USER, &sources, vec![]);
    assert!(matches!(&plan.actions[0], Action::Create(_)));
    assert!(
        matches!(&plan.actions[1], Action::Skip(s) if s.reason == SkipReason::AlreadyMatched { first_source_id: "s1".into() }),
        "{:?}",
        plan.actions[1]
    );
    assert!(matches!(&plan.actions[2], Action::Create(_)));
    assert!(matches!(&plan.actions[3], Action::Skip(_)));
    assert_eq!(plan.counts.create, 2);
    assert_eq!(plan.counts.skip, 2);
}

#[test]
fn d6_a_target_matched_once_is_not_matched_again() {
    let target = modified(contact("t1", "Ann", Some("ann@x.com")), at(1));
    let sources = [
        modified(contact("s1", "Ann A", Some("ann@x.com")), at(5)),
        modified(contact("s2", "Ann B", Some("ann@x.com")), at(6)),
    ];
    let plan = plan(&mut run(), Step::Distribute, USER, &sources, vec![target]);
    assert!(matches!(&plan.actions[0], Action::Update(_)));
    assert!(matches!(&plan.actions[1], Action::Skip(s) if s.target_id.as_deref() == Some("t1")));
}

#[test]
fn a_source_sync_id_matches_a_contact_created_earlier_in_the_plan() {
    let tagged = |id, email| {
        with_notes(
            contact(id, "X", Some(email)),
            &format!("SyncId={S2};CreatedBy=z"),
        )
    };
    let plan = plan(
        &mut run(),
        Step::Distribute,
        USER,
        &[tagged("s1", "a@x.com"), tagged("s2", "b@x.com")],
        vec![],
    );
    let Action::Create(create) = &plan.actions[0] else {
        panic!()
    };
    assert_eq!(create.sync_id, S2, "the source's SyncId is kept");
    assert_eq!(
        create.created_by, "z",
        "the source's CreatedBy is kept when there is no target"
    );
    assert!(matches!(&plan.actions[1], Action::Skip(_)));
}

#[test]
fn the_targets_sync_id_and_created_by_win() {
    let source = modified(
        with_notes(
            contact("s1", "New", Some("a@x.com")),
            &format!("SyncId={S1};CreatedBy=src"),
        ),
        at(9),
    );
    let target = modified(
        with_notes(
            contact("t1", "Old", Some("a@x.com")),
            &format!("SyncId={S2};CreatedBy=tgt"),
        ),
        at(1),
    );
    let plan = plan(&mut run(), Step::Collect, USER, &[source], vec![target]);
    let Action::Update(update) = only(&plan) else {
        panic!("{plan:?}")
    };
    assert_eq!(update.sync_id, S2);
    let notes = update.write_back.as_ref().unwrap().notes.clone();
    assert_eq!(
        notes,
        format!("SyncId={S2};CreatedBy=tgt;{RUN_TAG_TIME};LastUpdatedBy={USER}")
    );
}

#[test]
fn d7_dry_run_plans_are_deterministic() {
    let sources = [
        contact("s1", "A", Some("a@x.com")),
        contact("s2", "B", Some("b@x.com")),
    ];
    let first = plan(&mut run(), Step::Collect, USER, &sources, vec![]);
    let second = plan(&mut run(), Step::Collect, USER, &sources, vec![]);
    assert_eq!(first, second);
    let ids: Vec<_> = first
        .actions
        .iter()
        .filter_map(|a| {
            if let Action::Create(c) = a {
                Some(c.sync_id.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(ids, ["dryrun-000001", "dryrun-000002"]);
}

#[test]
fn a_skipped_contact_uses_no_sync_id() {
    let mut shared = run();
    let sources = [contact("s1", "A", Some("a@x.com"))];
    let _ = plan(
        &mut shared,
        Step::Collect,
        USER,
        &sources,
        vec![contact("t1", "A", Some("a@x.com"))],
    );
    let next = plan(&mut shared, Step::Collect, USER, &sources, vec![]);
    let Action::Create(create) = only(&next) else {
        panic!()
    };
    assert_eq!(create.sync_id, "dryrun-000001");
}

#[test]
fn updating_from_a_truncated_list_read_asks_for_a_full_read_first() {
    let source = modified(contact("s1", "Ann Lee", Some("ann@x.com")), at(10));
    let target = modified(
        with_notes(
            contact("t1", "Ann", Some("ann@x.com")),
            "Hub text that lost its line breaks",
        ),
        at(1),
    );
    let mut run = run();
    let mut planner = Planner::new(&mut run, Step::Distribute, USER, vec![target.clone()]);
    let first = planner.plan_contact(&source);
    assert_eq!(
        first,
        Action::NeedsFullRead(FullRead {
            side: Side::Target,
            contact_id: "t1".into()
        })
    );
    assert_eq!(
        planner.counts(),
        PlanCounts {
            full_read: 1,
            ..PlanCounts::default()
        }
    );
    planner
        .refresh_target(full(with_notes(
            target,
            "Hub text\r\nthat kept its line breaks",
        )))
        .unwrap();
    let Action::Update(update) = planner.plan_contact(&source) else {
        panic!()
    };
    let notes = body_field(&update.body, "personalNotes")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        notes.starts_with("Hub text\r\nthat kept its line breaks\r\nSyncId=dryrun-000001;"),
        "{notes}"
    );
}

#[test]
fn a_write_back_from_a_truncated_source_read_asks_for_a_full_read_first() {
    let listed = with_notes(contact("s1", "Ann", Some("ann@x.com")), "Golf buddy");
    let mut run = run();
    let mut planner = Planner::new(&mut run, Step::Collect, USER, vec![]);
    assert_eq!(
        planner.plan_contact(&listed),
        Action::NeedsFullRead(FullRead {
            side: Side::Source,
            contact_id: "s1".into()
        })
    );
    let Action::Create(create) = planner.plan_contact(&full(with_notes(listed, "Golf\r\nbuddy")))
    else {
        panic!()
    };
    assert!(
        create
            .write_back
            .unwrap()
            .notes
            .starts_with("Golf\r\nbuddy\r\nSyncId=dryrun-000001;")
    );
    assert_eq!(
        create.sync_id, "dryrun-000001",
        "the NeedsFullRead answer used no SyncId"
    );
}

#[test]
fn step_2_creates_need_no_full_read_of_short_source_notes() {
    let source = with_notes(contact("h1", "Ann", Some("ann@x.com")), "Golf buddy");
    assert!(matches!(
        only(&plan(&mut run(), Step::Distribute, USER, &[source], vec![])),
        Action::Create(_)
    ));
}

#[test]
fn a_sync_id_that_may_be_cut_off_is_read_before_matching() {
    // Notes that start with a line break come back from a list cut at 256 characters, tag lost.
    let long = "x".repeat(256);
    let source = with_notes(contact("s1", "", None), &long);
    let plan_source = plan(&mut run(), Step::Distribute, USER, &[source], vec![]);
    assert_eq!(
        only(&plan_source),
        &Action::NeedsFullRead(FullRead {
            side: Side::Source,
            contact_id: "s1".into()
        })
    );

    let hiding = with_notes(contact("t9", "", None), &long);
    let tagged = with_notes(contact("s2", "", None), &format!("SyncId={S1};CreatedBy=a"));
    let mut run = run();
    let mut planner = Planner::new(&mut run, Step::Distribute, USER, vec![hiding.clone()]);
    assert_eq!(
        planner.plan_contact(&tagged),
        Action::NeedsFullRead(FullRead {
            side: Side::Target,
            contact_id: "t9".into()
        })
    );
    planner
        .refresh_target(full(with_notes(
            hiding,
            &format!("\n{long}\r\nSyncId={S1};CreatedBy=a"),
        )))
        .unwrap();
    assert!(
        matches!(planner.plan_contact(&tagged), Action::Skip(s) if s.target_id.as_deref() == Some("t9"))
    );
}

#[test]
fn a_dry_run_chains_planned_contacts_into_the_next_users_plan() {
    let mut run = run();
    let shared = contact("a1", "Ann", Some("ann@x.com"));
    let mut first = Planner::new(&mut run, Step::Collect, "a@x", vec![]);
    assert!(matches!(first.plan_contact(&shared), Action::Create(_)));
    let mut hub = first.planned_contacts();
    hub.extend(first.into_targets());
    assert_eq!(hub[0].id, "planned:dryrun-000001");
    assert!(
        hub[0].tags().sync_id.is_none(),
        "a placeholder is no SyncId"
    );
    let from_bob = modified(contact("b1", "Ann", Some("ann@x.com")), at(3));
    let second = plan(&mut run, Step::Collect, "b@x", &[from_bob], hub);
    assert!(
        matches!(only(&second), Action::Skip(s) if s.target_id.as_deref() == Some("planned:dryrun-000001"))
    );
}

#[test]
fn refresh_rejects_listed_or_unknown_contacts() {
    let mut run = run();
    let mut planner = Planner::new(
        &mut run,
        Step::Distribute,
        USER,
        vec![contact("t1", "A", None)],
    );
    assert!(planner.refresh_target(contact("t1", "A", None)).is_err());
    assert!(
        planner
            .refresh_target(full(contact("t2", "A", None)))
            .is_err()
    );
    assert!(
        planner
            .refresh_target(full(contact("t1", "B", None)))
            .is_ok()
    );
    assert_eq!(
        planner.targets()[0].fields.display_name.as_deref(),
        Some("B")
    );
}
