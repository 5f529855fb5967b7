//! Crash safety: a first sync killed (SIGKILL, the process, not a cancel) at many points, each
//! followed by one rerun on the same state file, ends exactly as an uninterrupted run: the same
//! contacts everywhere, no duplicate, no lost note text.
//!
//! The kill points are chosen by request count, not by time: the sandbox's freeze point lets N
//! requests in and holds the rest, the test waits until one is held, then kills the child. The
//! child is this test binary again, running the ignored `crash_child` entry point.

mod mirror_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use exokit::auth::{Credential, Secret};
use exokit::mirror::apply::{ConfigSource, Invocation};
use exokit::ops::Operation;
use exokit::session::{self, ConnectOptions};
use exokit_sandbox::Sandbox;
use mirror_support::*;
use serde_json::{Value, json};

const USERS: usize = 6;
const KILL_POINTS: u64 = 24;

const PEOPLE: [(&str, &str); 7] = [("Ann", "Lee"), ("Bo", "Ray"), ("Cy", "Moe"), ("Di", "Fox"), ("Ed", "Kim"), ("Flo", "Ng"), ("Gus", "Orr")];

/// The people user `n` knows before the mirror runs (several users know the same people).
fn own(n: usize) -> Vec<&'static str> {
    (0..3).map(|k| PEOPLE[(n + 2 * k) % PEOPLE.len()].0).collect()
}

/// Six users; some people are known to several of them; every contact has its owner's note.
fn crash_seed() -> exokit_sandbox::Seed {
    let contacts = (0..USERS)
        .map(|n| {
            own(n)
                .into_iter()
                .map(|given| {
                    let surname = PEOPLE.iter().find(|p| p.0 == given).unwrap().1;
                    let mut c = contact(given, surname, Some(&format!("{}@fabrikam.com", given.to_lowercase())));
                    c["personalNotes"] = json!(note(n, given));
                    c
                })
                .collect()
        })
        .collect();
    seed(contacts, None)
}

fn note(user: usize, given: &str) -> String {
    format!("user {user} met {given} at the fair\r\nlikes tea")
}

/// The child's entry point: one mirror run against the sandbox at `EXOKIT_CRASH_URL` with the
/// state file `EXOKIT_CRASH_STATE`. Ignored: only the crash test starts it.
#[test]
#[ignore]
fn crash_child() {
    let (Ok(url), Ok(state)) = (std::env::var("EXOKIT_CRASH_URL"), std::env::var("EXOKIT_CRASH_STATE")) else {
        panic!("crash_child is started by the crash test only");
    };
    let options = ConnectOptions {
        tenant_id: DOMAIN.into(),
        client_id: APP.into(),
        environment: None,
        graph_endpoint: Some(url.clone()),
        authority_host: Some(url),
        exchange_endpoint: None,
        credential: Credential::ClientSecret(Secret::new(SECRET.into())),
        network: Default::default(),
    };
    Operation::start(async move { session::connect(options).await.map(|_| ()) }).wait();
    run(Path::new(&state));
}

fn run(state: &Path) -> Vec<exokit::ops::Event> {
    let source = ConfigSource::Parameters { shared_mailbox: HUB_UPN.into(), folder_name: None, users: Vec::new() };
    let invocation = Invocation { source, what_if: false, pass_thru: false, state: Some(state.to_path_buf()), deletes: Default::default(), full: false };
    Operation::start(exokit::mirror::apply::invoke(invocation)).wait()
}

fn child(sandbox: &Sandbox, state: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--test-threads=1", "--quiet"])
        .env("EXOKIT_CRASH_URL", sandbox.url())
        .env("EXOKIT_CRASH_STATE", state)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Every folder's contacts as comparable text: name, email, the owner's note text, and the tag
/// without its random SyncId and timestamp (who created it, who wrote it last; `untagged` when
/// there is none: a source an uninterrupted run tags must be tagged after a rerun too).
fn picture(sandbox: &Sandbox) -> Vec<Vec<String>> {
    picture_of(sandbox, USERS)
}

fn picture_of(sandbox: &Sandbox, users: usize) -> Vec<Vec<String>> {
    let describe = |contacts: Vec<Value>| {
        let mut out: Vec<String> = contacts
            .iter()
            .map(|c| {
                let notes = c["personalNotes"].as_str().unwrap_or("");
                let text: Vec<&str> = notes.split("\r\n").filter(|l| !l.starts_with("SyncId=")).collect();
                let tag = notes.split("\r\n").find(|l| l.starts_with("SyncId=")).map(tag_without_ids).unwrap_or_else(|| "untagged".into());
                format!("{} | {} | {} | {tag}", c["displayName"], c["emailAddresses"][0]["address"], text.join("/"))
            })
            .collect();
        out.sort();
        out
    };
    let mut all = vec![describe(held(sandbox, HUB, Some("All Contacts")))];
    all.extend((0..users).map(|n| describe(held(sandbox, &user_id(n), None))));
    all
}

fn tag_without_ids(line: &str) -> String {
    line.split(';').filter(|part| part.starts_with("CreatedBy=") || part.starts_with("LastUpdatedBy=")).collect::<Vec<_>>().join(";")
}

/// Every person carries one SyncId wherever they are tagged (a person known under two SyncIds
/// would be matched by email only, and duplicated when the address changes). A user's own
/// contact that the mirror matched without writing to it stays untagged, as in the original.
fn one_sync_id_per_person(sandbox: &Sandbox) -> Result<(), String> {
    one_sync_id_per_person_of(sandbox, USERS)
}

fn one_sync_id_per_person_of(sandbox: &Sandbox, users: usize) -> Result<(), String> {
    let mut seen: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    let mut folders = vec![held(sandbox, HUB, Some("All Contacts"))];
    folders.extend((0..users).map(|n| held(sandbox, &user_id(n), None)));
    for contact in folders.iter().flatten() {
        let email = contact["emailAddresses"][0]["address"].as_str().unwrap_or("").to_lowercase();
        let notes = contact["personalNotes"].as_str().unwrap_or("");
        let sync_id = notes.split("SyncId=").nth(1).map(|rest| rest.chars().take(36).collect::<String>().to_lowercase()).unwrap_or_default();
        if !sync_id.is_empty() {
            seen.entry(email).or_default().insert(sync_id);
        }
    }
    let split: Vec<_> = seen.iter().filter(|(_, ids)| ids.len() != 1).collect();
    if split.is_empty() { Ok(()) } else { Err(format!("people with several SyncIds: {split:?}")) }
}

fn state_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("exokit-crash-{}-{name}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("sqlite-journal"));
    path
}

/// Kills the child once a request waits at the freeze point (or lets it end if it got there
/// first), then waits for the requests let in to be answered.
fn kill_at_freeze(sandbox: &Sandbox, mut child: Child) -> bool {
    let started = Instant::now();
    let killed = loop {
        if sandbox.state.freeze.status().waiting > 0 {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the child neither finished nor reached the freeze point");
        std::thread::sleep(Duration::from_millis(2));
    };
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(1) {
        let status = sandbox.state.freeze.status();
        if sandbox.state.requests().len() as u64 >= status.admitted - status.waiting {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    sandbox.state.freeze.set(None);
    killed
}

#[test]
fn a_first_sync_killed_at_any_of_many_points_converges_on_rerun_without_duplicates_or_lost_notes() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // The uninterrupted run, and how many requests it takes.
    let reference = start(crash_seed());
    reference.state.freeze.set(Some(u64::MAX));
    let events = run(&state_file("reference"));
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let total = reference.state.freeze.status().admitted;
    let expected = picture(&reference);
    one_sync_id_per_person(&reference).unwrap();
    assert!(total > KILL_POINTS * 2, "a first sync of {total} requests is too short to spread {KILL_POINTS} kill points over");
    drop(reference);

    let points: Vec<u64> = (0..KILL_POINTS).map(|i| 1 + i * (total - 2) / (KILL_POINTS - 1)).collect();
    let mut killed_at = Vec::new();
    let mut resumed = 0;
    for &point in &points {
        let sandbox = start(crash_seed());
        let state = state_file(&format!("point-{point}"));
        sandbox.state.freeze.set(Some(point));
        // Killed, and left the tenant unfinished: the rerun has something to repair.
        if kill_at_freeze(&sandbox, child(&sandbox, &state)) && picture(&sandbox) != expected {
            killed_at.push(point);
        }
        connect(&sandbox);
        let events = run(&state);
        assert!(errors(&events).is_empty(), "rerun after a kill at request {point}: {:?}", errors(&events));
        // The journal: the rerun says what the killed run left unanswered.
        if lines(&events).iter().any(|l| l.starts_with("Resuming after an interrupted run")) {
            resumed += 1;
        }
        let got = picture(&sandbox);
        for (folder, contacts) in got.iter().enumerate() {
            let mut emails: Vec<&str> = contacts.iter().map(|c| c.split(" | ").nth(1).unwrap()).collect();
            emails.dedup();
            assert_eq!(emails.len(), contacts.len(), "a duplicate in folder {folder} after a kill at request {point}: {contacts:#?}");
        }
        for n in 0..USERS {
            let held_notes: Vec<String> = held(&sandbox, &user_id(n), None).iter().map(|c| c["personalNotes"].as_str().unwrap_or("").to_string()).collect();
            for given in own(n) {
                let text = note(n, given);
                assert!(held_notes.iter().any(|h| h.starts_with(&text)), "user {n}'s note on {given} was lost after a kill at request {point}: {held_notes:#?}");
            }
        }
        assert_eq!(got, expected, "after a kill at request {point} of {total}");
        if let Err(problem) = one_sync_id_per_person(&sandbox) {
            panic!("after a kill at request {point} of {total}: {problem}");
        }
        let _ = std::fs::remove_file(&state);
    }
    let mut distinct = killed_at.clone();
    distinct.dedup();
    eprintln!("a first sync of {total} requests, killed unfinished at {killed_at:?}; {resumed} reruns resumed a journalled run");
    assert!(resumed >= KILL_POINTS as usize / 2, "only {resumed} reruns found the killed run in the journal");
    assert!(distinct.len() >= 20, "only {} runs were killed unfinished (at {killed_at:?}) of {total} requests", distinct.len());
}

// ---- Issue 21: lost answers and kills at random moments -------------------------------------

/// The crash seed's six users, a user with many contacts of their own (creates fill several
/// `$batch`es, so a lost envelope holds many creates), and a user with none.
const FAULT_USERS: usize = USERS + 2;
const BUSY_CONTACTS: usize = 45;

fn faulted_tenant() -> exokit_sandbox::Seed {
    let mut contacts: Vec<Vec<Value>> = (0..USERS)
        .map(|n| {
            own(n)
                .into_iter()
                .map(|given| {
                    let surname = PEOPLE.iter().find(|p| p.0 == given).unwrap().1;
                    let mut c = contact(given, surname, Some(&format!("{}@fabrikam.com", given.to_lowercase())));
                    c["personalNotes"] = json!(note(n, given));
                    c
                })
                .collect()
        })
        .collect();
    contacts.push(
        (0..BUSY_CONTACTS)
            .map(|k| {
                let mut c = contact(&format!("Vendor{k}"), "Busy", Some(&format!("vendor{k}@tailspin.com")));
                c["personalNotes"] = json!(format!("vendor {k}\r\nnet 30"));
                c
            })
            .collect(),
    );
    contacts.push(Vec::new());
    seed(contacts, None)
}

/// Graph's failures that leave a write's outcome unknown, and the known ones: an envelope that
/// ran and answered 504/503 without Retry-After or lost its connection, single reads reset after
/// they ran, envelopes refused unrun (503 with Retry-After), and items throttled.
const FAULTS: &str = "batch:504!@0.06,batch:503!@0.04,batch:reset!@0.04,batch:503@0.03,contacts:503@0.03,delta:reset!@0.03,delta:reset@0.02";

/// A tiny deterministic generator (no new dependency): the trials are the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Debug, Clone, Copy)]
enum Kill {
    /// The faulted run ends by itself.
    Never,
    /// SIGKILL this long after the child started.
    AfterMillis(u64),
    /// SIGKILL once this many requests were let in (the freeze point).
    AtRequest(u64),
}

/// One faulted first sync (killed or not), then one clean run; the result must equal the
/// uninterrupted run's, with no duplicate at any point.
/// Returns whether the child was killed mid-run (not before its first request, not after its end).
fn trial(expected: &[Vec<String>], fault_seed: u64, kill: Kill, name: &str) -> bool {
    let mut killed = false;
    let sandbox = start(faulted_tenant());
    let state = state_file(name);
    sandbox.state.faults.set(exokit_sandbox::faults::Plan::parse(FAULTS).unwrap(), Some(fault_seed));
    match kill {
        Kill::Never => {
            let mut child = child(&sandbox, &state);
            let started = Instant::now();
            while child.try_wait().unwrap().is_none() {
                assert!(started.elapsed() < Duration::from_secs(120), "{name}: the faulted run did not end");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        Kill::AfterMillis(wait) => {
            let mut child = child(&sandbox, &state);
            std::thread::sleep(Duration::from_millis(wait));
            killed = child.try_wait().unwrap().is_none() && !sandbox.state.requests().is_empty();
            let _ = child.kill();
            child.wait().unwrap();
        }
        Kill::AtRequest(point) => {
            sandbox.state.freeze.set(Some(point));
            killed = kill_at_freeze(&sandbox, child(&sandbox, &state));
        }
    }
    sandbox.state.freeze.set(None);
    sandbox.state.faults.set(exokit_sandbox::faults::Plan::none(), None);
    // Never a duplicate, even before the clean run: a lost answer is looked up, not re-sent.
    no_duplicate(&sandbox).unwrap_or_else(|problem| panic!("{name} ({kill:?}), after the faulted run: {problem}"));
    connect(&sandbox);
    let events = run(&state);
    assert!(errors(&events).is_empty(), "{name} ({kill:?}): the clean run: {:?}", errors(&events));
    no_duplicate(&sandbox).unwrap_or_else(|problem| panic!("{name} ({kill:?}), after the clean run: {problem}"));
    one_sync_id_per_person_of(&sandbox, FAULT_USERS).unwrap_or_else(|problem| panic!("{name} ({kill:?}): {problem}"));
    assert_eq!(picture_of(&sandbox, FAULT_USERS), expected, "{name} ({kill:?}): one clean run after the faulted one");
    let _ = std::fs::remove_file(&state);
    killed
}

/// No folder holds a SyncId twice, nor an email twice.
fn no_duplicate(sandbox: &Sandbox) -> Result<(), String> {
    let mut folders = vec![("hub".to_string(), held(sandbox, HUB, Some("All Contacts")))];
    folders.extend((0..FAULT_USERS).map(|n| (format!("user {n}"), held(sandbox, &user_id(n), None))));
    for (name, contacts) in folders {
        let mut keys: Vec<String> = contacts
            .iter()
            .flat_map(|c| {
                let notes = c["personalNotes"].as_str().unwrap_or("");
                let sync_id = notes.split("SyncId=").nth(1).map(|rest| format!("sync:{}", rest.chars().take(36).collect::<String>().to_lowercase()));
                let email = c["emailAddresses"][0]["address"].as_str().map(|e| format!("email:{}", e.to_lowercase()));
                sync_id.into_iter().chain(email)
            })
            .collect();
        keys.sort();
        let total = keys.len();
        keys.dedup();
        if keys.len() != total {
            return Err(format!("a duplicate in {name}: {:#?}", contacts.iter().map(|c| (c["displayName"].clone(), c["personalNotes"].clone())).collect::<Vec<_>>()));
        }
    }
    Ok(())
}

#[test]
fn a_first_sync_under_lost_answers_and_random_kills_converges_in_one_clean_run_without_duplicates() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // The uninterrupted run without faults: what every trial must end as; its length in requests
    // and time bounds the kill points.
    let reference = start(faulted_tenant());
    reference.state.freeze.set(Some(u64::MAX));
    let started = Instant::now();
    let mut child_run = child(&reference, &state_file("fault-reference"));
    child_run.wait().unwrap();
    let millis = started.elapsed().as_millis() as u64;
    let total = reference.state.freeze.status().admitted;
    reference.state.freeze.set(None);
    let expected = picture_of(&reference, FAULT_USERS);
    no_duplicate(&reference).unwrap();
    drop(reference);
    // EXOKIT_TRIALS runs more (the default keeps the suite fast); EXOKIT_TRIALS_SEED varies them.
    let trials: u64 = std::env::var("EXOKIT_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(9);
    let mut dice = Lcg(std::env::var("EXOKIT_TRIALS_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(21));
    let clock = Instant::now();
    let mut killed = 0;
    for n in 0..trials {
        let fault_seed = dice.next();
        // Faults make a run several times longer than the reference: time kills spread over that.
        let kill = match n % 3 {
            0 => Kill::Never,
            1 => Kill::AfterMillis(millis / 5 + dice.below(millis * 6)),
            _ => Kill::AtRequest(1 + dice.below(total)),
        };
        killed += usize::from(trial(&expected, fault_seed, kill, &format!("trial-{n}")));
    }
    eprintln!("{trials} trials (faults {FAULTS}) of a first sync of {total} requests / {millis} ms, {killed} killed mid-run, in {} s", clock.elapsed().as_secs());
    if trials >= 6 {
        assert!(killed >= trials as usize / 3, "only {killed} of {trials} trials were killed mid-run: the kill points miss the run");
    }
}
