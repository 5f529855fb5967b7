//! The effects of one pair's plan: creates and updates in the target mailbox, then the tags
//! written back to the sources they came from, each in `$batch`es. Every outcome is counted
//! and printed as it happened (D10/D11): a failed write is never re-sent without its body and
//! never counted as done, and a write-back follows only a write that succeeded.

use serde_json::{Value, json};

use crate::contacts;
use crate::error::ExoError;
use crate::graph::{BatchRequest, GraphClient};
use crate::mirror::contact::Contact;
use crate::mirror::plan::{Action, WriteBackTag};
use crate::mirror::report::{self, Outcome};
use crate::mirror::tags;

use crate::state::{JournalEntry, Owned};

use super::journal::{self, Journal};
use super::outcome;
use super::pair::Pair;
use super::reads;

/// What happened to one action.
pub struct Done {
    pub action: Action,
    pub outcome: Outcome,
    /// The log line the original would print (`Created: …`, `Would update: …`, `Failed …`).
    pub line: Option<String>,
    pub error: Option<ExoError>,
}

/// The outcomes, and the contacts as Graph returned them after the writes.
#[derive(Default)]
pub struct Executed {
    pub done: Vec<Done>,
    /// Write-backs and their outcomes (step 1).
    pub written_back: Vec<(WriteBackTag, Outcome, Option<ExoError>)>,
    /// Targets created or updated, as Graph returned them.
    pub targets: Vec<Contact>,
    /// Sources whose tag was written back, as Graph returned them.
    pub sources: Vec<Contact>,
}

/// Actions written per round: each round's write-backs (to the source mailbox) go while the
/// next round's writes (to the target mailbox) do, so two mailboxes' budgets work at once
/// (issue 19: a first sync near the hub's throttle floor, not twice it).
const ROUND: usize = 100;

/// Carries out `actions` (already decided; none is `NeedsFullRead`).
/// With a `journal`, each write is recorded before it is sent and marked with its answer.
pub async fn execute(graph: &GraphClient, dry_run: bool, pair: &Pair<'_>, target_folder: Option<&str>, actions: Vec<Action>, journal: Option<&Journal>) -> Executed {
    if dry_run {
        return Executed { done: actions.into_iter().map(planned).collect(), written_back: Vec::new(), targets: Vec::new(), sources: Vec::new() };
    }
    let mut executed = Executed::default();
    let mut owed: Vec<WriteBackTag> = Vec::new();
    let mut actions = actions.into_iter().peekable();
    while actions.peek().is_some() {
        let round: Vec<Action> = actions.by_ref().take(ROUND).collect();
        let mut backs = Executed::default();
        let (written, ()) = tokio::join!(
            execute_round(graph, pair, target_folder, round, journal),
            write_back(graph, pair, std::mem::take(&mut owed), &mut backs, journal)
        );
        let (part, back) = written;
        owed = back;
        executed.absorb(part);
        executed.absorb(backs);
    }
    let mut backs = Executed::default();
    write_back(graph, pair, owed, &mut backs, journal).await;
    executed.absorb(backs);
    executed
}

impl Executed {
    fn absorb(&mut self, other: Executed) {
        self.done.extend(other.done);
        self.written_back.extend(other.written_back);
        self.targets.extend(other.targets);
        self.sources.extend(other.sources);
    }
}

/// One round's writes to the target mailbox; returns their outcomes and the write-backs owed.
async fn execute_round(graph: &GraphClient, pair: &Pair<'_>, target_folder: Option<&str>, actions: Vec<Action>, journal: Option<&Journal>) -> (Executed, Vec<WriteBackTag>) {
    let (writes, requests): (Vec<usize>, Vec<BatchRequest>) = actions
        .iter()
        .enumerate()
        .filter_map(|(i, action)| request(pair.target_mailbox, target_folder, action).map(|r| (i, r)))
        .unzip();
    let entries: Vec<JournalEntry> = writes.iter().filter_map(|&i| journal::entry(pair.target_mailbox, &actions[i])).collect();
    // The write-backs these writes call for are journalled now, before the writes: a run killed
    // between a write and its write-back leaves them unanswered, and the next run completes them.
    let owed: Vec<JournalEntry> =
        writes.iter().filter_map(|&i| write_back_of(&actions[i])).map(|t| journal::write_back_entry(pair.source_mailbox, &t.source_id, &t.notes)).collect();
    if let Some(journal) = journal {
        journal.sent(&entries);
        journal.sent(&owed);
    }
    let mut entries = entries.into_iter();
    let mut answered = Vec::with_capacity(writes.len());
    let answers = contacts::send_all(graph, pair.target_mailbox, &requests).await;
    // A create whose answer was lost is looked up by its SyncId before it is ever sent again.
    let sent: Vec<outcome::Sent> = writes.iter().zip(&requests).map(|(&i, request)| outcome::Sent { request, sync_id: created_sync_id(&actions[i]) }).collect();
    let mut answers = outcome::settle(graph, pair.target_mailbox, target_folder, &sent, answers).await.into_iter();
    let mut executed = Executed { done: Vec::with_capacity(actions.len()), written_back: Vec::new(), targets: Vec::new(), sources: Vec::new() };
    let mut back = Vec::new();
    let mut not_owed = Vec::new();
    let mut created = Vec::new();
    let mut notes_again = Vec::new();
    for (index, action) in actions.into_iter().enumerate() {
        if !writes.contains(&index) {
            executed.done.push(planned(action));
            continue;
        }
        let answer = answers.next().expect("one answer per request");
        let written = answer.and_then(|value| reads::full(value, pair.target_mailbox));
        // Still unknown after the look-ups: left unanswered in the journal (and the run left
        // open), so that the next run checks it against its reads like a killed run's.
        let still_unknown = matches!(&written, Err(e) if outcome::unknown(e));
        if let (Some(mut entry), false) = (entries.next(), still_unknown) {
            entry.contact_id = written.as_ref().ok().map(|c| c.id.clone()).or(entry.contact_id);
            answered.push((entry, written.is_ok()));
        }
        if still_unknown && let Some(journal) = journal {
            journal.unsettled();
        }
        match written {
            Ok(contact) => {
                if let Some(tag) = write_back_of(&action) {
                    back.push(tag.clone());
                }
                if let Action::Create(create) = &action {
                    created.push(Owned { mailbox: pair.target_mailbox.to_string(), contact_id: contact.id.clone(), sync_id: create.sync_id.clone() });
                }
                if let Some(request) = notes_kept_differently(pair, &action, &contact) {
                    notes_again.push(request);
                }
                executed.targets.push(contact);
                executed.done.push(succeeded(action));
            }
            Err(error) => {
                if let (Some(tag), false) = (write_back_of(&action), still_unknown) {
                    not_owed.push((journal::write_back_entry(pair.source_mailbox, &tag.source_id, &tag.notes), false));
                }
                executed.done.push(failed(action, error));
            }
        }
    }
    if let Some(journal) = journal {
        journal.owned(&created);
        journal.answered(&answered);
        // A write that failed owes no write-back.
        journal.answered(&not_owed);
    }
    resend_notes(graph, pair, &notes_again).await;
    (executed, back)
}

fn request(mailbox: &str, folder: Option<&str>, action: &Action) -> Option<BatchRequest> {
    match action {
        Action::Create(create) => Some(contacts::create_request(mailbox, folder, create.body.to_json())),
        Action::Update(update) => Some(contacts::update_request(mailbox, &update.target_id, update.body.to_json())),
        Action::Skip(_) | Action::NeedsFullRead(_) => None,
    }
}

fn created_sync_id(action: &Action) -> Option<&str> {
    match action {
        Action::Create(c) => Some(c.sync_id.as_str()),
        _ => None,
    }
}

fn write_back_of(action: &Action) -> Option<&WriteBackTag> {
    match action {
        Action::Create(c) => c.write_back.as_ref(),
        Action::Update(u) => u.write_back.as_ref(),
        _ => None,
    }
}

/// An action not sent: a skip, or any write in a dry run.
fn planned(action: Action) -> Done {
    let outcome = match &action {
        Action::Create(_) => Outcome::WouldCreate,
        Action::Update(_) => Outcome::WouldUpdate,
        _ => Outcome::Skipped,
    };
    let line = report::action_line(&action, true);
    Done { action, outcome, line, error: None }
}

fn succeeded(action: Action) -> Done {
    let outcome = if matches!(action, Action::Create(_)) { Outcome::Created } else { Outcome::Updated };
    let line = report::action_line(&action, false);
    Done { action, outcome, line, error: None }
}

/// D11: printed as failed, with the reason, and counted as failed.
fn failed(action: Action, error: ExoError) -> Done {
    let line = report::action_line(&action, false).map(|text| {
        let text = text.replacen("Created:", "Failed to create:", 1).replacen("Updated:", "Failed to update:", 1);
        format!("{text} | Error: {error}")
    });
    Done { action, outcome: Outcome::Failed, line, error: Some(error) }
}

/// Spec §3.2 E7: when Graph kept different notes than a create sent, the notes go again.
fn notes_kept_differently(pair: &Pair<'_>, action: &Action, created: &Contact) -> Option<BatchRequest> {
    let Action::Create(create) = action else { return None };
    tags::notes_differ(&create.notes, created.personal_notes.as_deref())
        .then(|| contacts::update_request(pair.target_mailbox, &created.id, notes_patch(&create.notes)))
}

async fn resend_notes(graph: &GraphClient, pair: &Pair<'_>, requests: &[BatchRequest]) {
    for answer in contacts::send_all(graph, pair.target_mailbox, requests).await {
        if let Err(error) = answer {
            crate::ops::error(error);
        }
    }
}

/// Step 1: the tag goes back into the source contact, only after its target write succeeded.
async fn write_back(graph: &GraphClient, pair: &Pair<'_>, tags: Vec<WriteBackTag>, executed: &mut Executed, journal: Option<&Journal>) {
    let requests: Vec<BatchRequest> = tags.iter().map(|t| contacts::update_request(pair.source_mailbox, &t.source_id, notes_patch(&t.notes))).collect();
    // Journalled as sent with the writes they follow.
    let entries: Vec<JournalEntry> = tags.iter().map(|t| journal::write_back_entry(pair.source_mailbox, &t.source_id, &t.notes)).collect();
    let answers = contacts::send_all(graph, pair.source_mailbox, &requests).await;
    if let Some(journal) = journal {
        let answered: Vec<(JournalEntry, bool)> = entries.into_iter().zip(&answers).map(|(e, a)| (e, a.is_ok())).collect();
        journal.answered(&answered);
    }
    for (tag, answer) in tags.into_iter().zip(answers) {
        match answer.and_then(|value| reads::full(value, pair.source_mailbox)) {
            Ok(contact) => {
                executed.sources.push(contact);
                executed.written_back.push((tag, Outcome::WrittenBack, None));
            }
            Err(error) => executed.written_back.push((tag, Outcome::Failed, Some(error))),
        }
    }
}

fn notes_patch(notes: &str) -> Value {
    json!({ "personalNotes": notes })
}
