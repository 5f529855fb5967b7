//! Issue 19's reference check: the plan of only what changed gives the same writes as the full
//! plan. A model tenant (a hub and users, in memory) takes random sequences of edits, creates,
//! deletes, runs and killed runs; each run is planned both ways on the same tenant, with the
//! planner and the selection rules of `mirror::incremental` that the engine uses, and the writes
//! must be the same, in the same order. Killed runs stop after a random number of writes; the
//! run after one must plan in full (it is not settled), and still agree.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use exokit::mirror::incremental::{self, FullPlan, HubKeys, IndexKeys, Partial};
use exokit::mirror::payload::create_body;
use exokit::mirror::{Action, Contact, NotesRead, Planner, Run, Step, SyncIdSource};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A folder and what changed in it since it was last read (as its next delta round shows).
#[derive(Debug, Clone, Default)]
struct Folder {
    contacts: Vec<Contact>,
    upserted: HashSet<String>,
    lost: bool,
}

#[derive(Debug, Clone)]
struct Tenant {
    hub: Folder,
    users: Vec<Folder>,
    /// Seconds since the model's epoch: every edit and run is a second apart.
    clock: i64,
    next_id: u64,
    /// The next SyncId's number (each copy of the tenant counts on its own).
    sync_ids: u64,
    settled: bool,
}

/// One write, as it would go to Graph.
#[derive(Debug, Clone, PartialEq)]
enum Write {
    Create { folder: usize, body: Value },
    Update { folder: usize, target: String, body: Value },
    WriteBack { folder: usize, source: String, notes: String },
}

struct Counter(Arc<AtomicU64>);

impl SyncIdSource for Counter {
    fn next_sync_id(&mut self) -> String {
        format!("00000000-0000-4000-8000-{:012x}", self.0.fetch_add(1, Ordering::SeqCst))
    }
}

fn at(clock: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + clock, 0).unwrap()
}

const HUB: usize = usize::MAX;

impl Tenant {
    fn new(users: usize) -> Tenant {
        Tenant { hub: Folder::default(), users: vec![Folder::default(); users], clock: 0, next_id: 0, sync_ids: 1, settled: false }
    }

    fn folder(&mut self, folder: usize) -> &mut Folder {
        if folder == HUB { &mut self.hub } else { &mut self.users[folder] }
    }

    fn contact(&mut self, value: Value) -> Contact {
        self.next_id += 1;
        let mut value = value;
        value["id"] = json!(format!("c{}", self.next_id));
        value["lastModifiedDateTime"] = json!(at(self.clock).to_rfc3339());
        Contact::from_graph(&value, NotesRead::Full, "model").unwrap()
    }

    /// A user (or an admin in the hub) edits, adds or deletes a contact.
    fn edit(&mut self, edit: &Edit) {
        self.clock += 1;
        match *edit {
            Edit::Create { folder, person } => {
                let contact = self.contact(person_json(person));
                let folder = self.folder(folder);
                folder.upserted.insert(contact.id.clone());
                folder.contacts.push(contact);
            }
            Edit::Change { folder, pick, company } => {
                let now = at(self.clock);
                let folder = self.folder(folder);
                if folder.contacts.is_empty() {
                    return;
                }
                let n = pick % folder.contacts.len();
                let contact = &mut folder.contacts[n];
                contact.fields.company_name = Some(format!("Company {company}"));
                contact.last_modified = Some(now);
                folder.upserted.insert(contact.id.clone());
            }
            Edit::Delete { folder, pick } => {
                let folder = self.folder(folder);
                if folder.contacts.is_empty() {
                    return;
                }
                let n = pick % folder.contacts.len();
                let gone = folder.contacts.remove(n);
                folder.upserted.remove(&gone.id);
                folder.lost = true;
            }
        }
    }

    /// What a write does to the model's folders (as Graph answers it), at the run's time; the
    /// id of the contact written.
    fn apply(&mut self, write: &Write) -> Option<String> {
        let now = at(self.clock);
        match write {
            Write::Create { folder, body } => {
                let contact = self.contact(body.clone());
                let id = contact.id.clone();
                let folder = self.folder(*folder);
                folder.upserted.insert(id.clone());
                folder.contacts.push(contact);
                Some(id)
            }
            Write::Update { folder, target, body } => {
                let folder = self.folder(*folder);
                let contact = folder.contacts.iter_mut().find(|c| &c.id == target)?;
                let mut value = create_body(&contact.fields, contact.personal_notes.as_deref().unwrap_or("")).to_json();
                for (name, field) in body.as_object().into_iter().flatten() {
                    value[name] = field.clone();
                }
                value["id"] = json!(contact.id);
                value["lastModifiedDateTime"] = json!(now.to_rfc3339());
                *contact = Contact::from_graph(&value, NotesRead::Full, "model").unwrap();
                folder.upserted.insert(target.clone());
                Some(target.clone())
            }
            Write::WriteBack { folder, source, notes } => {
                let folder = self.folder(*folder);
                let contact = folder.contacts.iter_mut().find(|c| &c.id == source)?;
                contact.personal_notes = Some(notes.clone());
                contact.last_modified = Some(now);
                folder.upserted.insert(source.clone());
                Some(source.clone())
            }
        }
    }
}

fn person_json(person: u8) -> Value {
    // A small pool, so that users hold the same people, and some share an address or a name.
    let name = format!("Person {}", person % 7);
    let mut value = json!({ "displayName": name, "givenName": "Person", "surname": format!("{}", person % 7), "companyName": "Fabrikam" });
    if person % 5 != 0 {
        value["emailAddresses"] = json!([{ "address": format!("p{}@fabrikam.example", person % 6) }]);
    }
    value
}

#[derive(Debug, Clone)]
enum Edit {
    Create { folder: usize, person: u8 },
    Change { folder: usize, pick: usize, company: u8 },
    Delete { folder: usize, pick: usize },
}

#[derive(Debug, Clone)]
enum Op {
    Edit(Edit),
    Run,
    /// A run killed after this many writes.
    Killed(usize),
}

/// One run, planned in full or only for what changed; `limit` kills it after that many writes.
/// Returns the writes sent, in order; the tenant ends as Graph would leave it.
fn run(tenant: &mut Tenant, full_asked: bool, limit: Option<usize>) -> Vec<Write> {
    let counter = Arc::new(AtomicU64::new(tenant.sync_ids));
    let writes = run_counted(tenant, full_asked, limit, &counter);
    tenant.sync_ids = counter.load(Ordering::SeqCst);
    writes
}

fn run_counted(tenant: &mut Tenant, full_asked: bool, limit: Option<usize>, counter: &Arc<AtomicU64>) -> Vec<Write> {
    tenant.clock += 1;
    let started = at(tenant.clock);
    let settled = std::mem::replace(&mut tenant.settled, false);
    // The reads: what changed since the last read, and the folders' contents.
    let hub_read = std::mem::take(&mut tenant.hub.upserted);
    let hub_lost = std::mem::replace(&mut tenant.hub.lost, false);
    let changed: Vec<bool> = tenant.users.iter_mut().map(|u| !std::mem::take(&mut u.upserted).is_empty() | std::mem::replace(&mut u.lost, false)).collect();
    let full = FullPlan::reason(full_asked, true, settled && !hub_lost, false, false).is_some();
    let mut writes = Vec::new();
    let mut hub_changed: HashSet<String> = hub_read;
    let killed = |writes: &Vec<Write>| limit.is_some_and(|l| writes.len() >= l);
    // Step 1, user by user.
    let mut run1 = Run::with_sync_ids(started, false, Box::new(Counter(counter.clone())));
    for user in 0..tenant.users.len() {
        if !(full || incremental::collects(changed[user], false)) {
            continue;
        }
        let sources = tenant.users[user].contacts.clone();
        let actions = plan(&mut run1, Step::Collect, &format!("user{user}"), &sources, tenant.hub.contacts.clone());
        for action in actions {
            let (write, back) = match action {
                Action::Create(c) => (Write::Create { folder: HUB, body: c.body.to_json() }, c.write_back),
                Action::Update(u) => (Write::Update { folder: HUB, target: u.target_id.clone(), body: u.body.to_json() }, u.write_back),
                _ => continue,
            };
            for write in std::iter::once(write).chain(back.map(|b| Write::WriteBack { folder: user, source: b.source_id, notes: b.notes })) {
                if killed(&writes) {
                    return writes;
                }
                let written = tenant.apply(&write);
                if !matches!(write, Write::WriteBack { .. }) {
                    hub_changed.extend(written);
                }
                writes.push(write);
            }
        }
    }
    // Step 2, the hub into every user.
    let hub = tenant.hub.contacts.clone();
    let hub_keys = HubKeys::new(&hub);
    let changed_positions = incremental::positions(&hub, &hub_changed);
    for user in 0..tenant.users.len() {
        let folder = &tenant.users[user].contacts;
        let (sources, targets): (Vec<Contact>, Vec<Contact>) = if full || changed[user] {
            (hub.clone(), folder.clone())
        } else {
            let keys: Vec<IndexKeys> = folder.iter().map(IndexKeys::of).collect();
            match incremental::connected(&hub_keys, &changed_positions, &keys) {
                Partial::Nothing => continue,
                Partial::Whole => (hub.clone(), folder.clone()),
                Partial::Some { sources, targets } => (sources.iter().map(|&i| hub[i].clone()).collect(), targets.iter().map(|&i| folder[i].clone()).collect()),
            }
        };
        let mut run2 = Run::with_sync_ids(started, false, Box::new(Counter(counter.clone())));
        for action in plan(&mut run2, Step::Distribute, "hub", &sources, targets) {
            let write = match action {
                Action::Create(c) => Write::Create { folder: user, body: c.body.to_json() },
                Action::Update(u) => Write::Update { folder: user, target: u.target_id, body: u.body.to_json() },
                _ => continue,
            };
            if killed(&writes) {
                return writes;
            }
            let _ = tenant.apply(&write);
            writes.push(write);
        }
    }
    tenant.settled = limit.is_none();
    writes
}

/// The planner over one pair; every contact of the model is read in full.
fn plan(run: &mut Run, step: Step, actor: &str, sources: &[Contact], targets: Vec<Contact>) -> Vec<Action> {
    let mut planner = Planner::new(run, step, actor, targets);
    sources
        .iter()
        .map(|source| {
            let action = planner.plan_contact(source);
            assert!(!matches!(action, Action::NeedsFullRead(_)), "the model's contacts are read in full");
            action
        })
        .collect()
}

fn edit_strategy(users: usize) -> impl Strategy<Value = Edit> {
    let folder = prop_oneof![4 => 0..users, 1 => Just(HUB)];
    prop_oneof![
        3 => (folder.clone(), any::<u8>()).prop_map(|(folder, person)| Edit::Create { folder, person }),
        3 => (folder.clone(), any::<usize>(), 0u8..4).prop_map(|(folder, pick, company)| Edit::Change { folder, pick, company }),
        1 => (folder, any::<usize>()).prop_map(|(folder, pick)| Edit::Delete { folder, pick }),
    ]
}

fn steps(users: usize) -> impl Strategy<Value = Vec<Op>> {
    let step = prop_oneof![
        6 => edit_strategy(users).prop_map(Op::Edit),
        3 => Just(Op::Run),
        1 => (0usize..12).prop_map(Op::Killed),
    ];
    prop::collection::vec(step, 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn planning_only_what_changed_sends_the_full_plans_writes(users in 1usize..5, initial in prop::collection::vec((0usize..5, any::<u8>()), 0..12), steps in steps(4)) {
        let mut tenant = Tenant::new(users);
        for (user, person) in initial {
            tenant.edit(&Edit::Create { folder: user % users, person });
        }
        for step in steps {
            match step {
                Op::Edit(edit) => {
                    let edit = match edit {
                        Edit::Create { folder, person } if folder != HUB => Edit::Create { folder: folder % users, person },
                        Edit::Change { folder, pick, company } if folder != HUB => Edit::Change { folder: folder % users, pick, company },
                        Edit::Delete { folder, pick } if folder != HUB => Edit::Delete { folder: folder % users, pick },
                        other => other,
                    };
                    tenant.edit(&edit);
                }
                Op::Run | Op::Killed(_) => {
                    let limit = if let Op::Killed(n) = step { Some(n) } else { None };
                    let mut full = tenant.clone();
                    let mut partial = tenant.clone();
                    let expected = run(&mut full, true, limit);
                    let got = run(&mut partial, false, limit);
                    prop_assert_eq!(&got, &expected);
                    tenant = full;
                }
            }
        }
        // Converged: one more full run writes nothing, and an incremental one agrees.
        let mut partial = tenant.clone();
        let expected = run(&mut tenant, true, None);
        prop_assert_eq!(run(&mut partial, false, None), expected);
    }
}

/// A fixed case: a hub contact edited by an admin reaches every user, in both plans, and the
/// partial plan of the next run (settled, nothing changed) sends nothing.
#[test]
fn a_hub_edit_reaches_every_user_in_both_plans() {
    let mut tenant = Tenant::new(2);
    tenant.edit(&Edit::Create { folder: 0, person: 1 });
    let _ = run(&mut tenant, true, None);
    let _ = run(&mut tenant, true, None);
    assert!(tenant.settled);
    tenant.edit(&Edit::Change { folder: HUB, pick: 0, company: 3 });
    let mut full = tenant.clone();
    let mut partial = tenant.clone();
    let expected = run(&mut full, true, None);
    assert_eq!(expected.iter().filter(|w| matches!(w, Write::Update { .. })).count(), 2, "{expected:?}");
    assert_eq!(run(&mut partial, false, None), expected);
    assert_eq!(run(&mut partial, false, None), Vec::new(), "settled, nothing changed: nothing planned, nothing sent");
}
