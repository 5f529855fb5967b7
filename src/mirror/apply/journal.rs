//! The run journal on the apply side: writes recorded before they are sent and marked with their
//! answers, and on the next run, what a killed run left unanswered checked against the reads.
//! A journal that cannot be written is a warning, not a stop: the plan's matching (SyncId, email,
//! name) is what keeps a rerun from duplicating; the journal says what happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::mirror::contact::Contact;
use crate::mirror::plan::Action;
use crate::mirror::tags;
use crate::ops;
use crate::state::journal::{self, JournalEntry};
use crate::state::Owned;

use super::delta::TenantState;

/// One run's journal.
#[derive(Debug, Clone)]
pub struct Journal {
    state: TenantState,
    pub run: i64,
    /// Some write's outcome stayed unknown: the run is left open for the next one to check.
    unsettled: Arc<AtomicBool>,
}

impl Journal {
    /// Starts a run's journal; `None` (with a warning) when the state cannot record it.
    pub fn start(state: &TenantState) -> Option<Journal> {
        match state.store.start_run(&state.tenant) {
            Ok(run) => Some(Journal { state: state.clone(), run, unsettled: Arc::new(AtomicBool::new(false)) }),
            Err(error) => {
                ops::warning(format!("The run journal cannot be written ({error}); the run goes on without it."));
                None
            }
        }
    }

    pub fn sent(&self, entries: &[JournalEntry]) {
        if let Err(error) = self.state.store.journal_sent(self.run, &self.state.tenant, entries) {
            ops::warning(format!("The run journal cannot be written ({error})."));
        }
    }

    pub fn answered(&self, answered: &[(JournalEntry, bool)]) {
        if let Err(error) = self.state.store.journal_answered(self.run, answered) {
            ops::warning(format!("The run journal cannot be written ({error})."));
        }
    }

    /// Records contacts the mirror created (the only ones it may later delete).
    pub fn owned(&self, owned: &[Owned]) {
        if let Err(error) = self.state.store.record_owned(&self.state.tenant, owned) {
            ops::warning(format!("The state file cannot record the contacts this run created ({error}); they will be untagged, not deleted, if their source goes."));
        }
    }

    /// Checks the writes killed runs left unanswered against what this run read (`folders`:
    /// mailbox id and contacts), says what it found, and closes those runs. Returns those
    /// writes, for the caller to complete (see [`crate::mirror::ownership`]); the runs are closed
    /// only once the caller has journalled what it sends again in this run.
    pub fn reconcile_interrupted(&self, folders: &[(&str, &[Contact])]) -> (Vec<JournalEntry>, Vec<i64>) {
        let interrupted = match self.state.store.interrupted(&self.state.tenant, self.run) {
            Ok(found) => found,
            Err(error) => {
                ops::warning(format!("The run journal cannot be read ({error})."));
                return (Vec::new(), Vec::new());
            }
        };
        if interrupted.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let present = |mailbox: &str, sync_id: &str| {
            folders.iter().filter(|(id, _)| *id == mailbox).flat_map(|(_, contacts)| contacts.iter()).any(|c| {
                c.tags().sync_id.is_some_and(|s| s.eq_ignore_ascii_case(sync_id))
            })
        };
        let unanswered: Vec<JournalEntry> = interrupted.iter().flat_map(|i| i.unanswered.iter().cloned()).collect();
        let found = journal::reconcile(&unanswered, &present);
        let started: Vec<&str> = interrupted.iter().map(|i| i.started_at.as_str()).collect();
        ops::information(format!(
            "Resuming after an interrupted run (started {}): of {} writes sent without an answer, {} are in place and {} are planned again.",
            started.join(", "),
            unanswered.len(),
            found.applied,
            found.missing
        ));
        let runs: Vec<i64> = interrupted.iter().map(|i| i.run).collect();
        (unanswered, runs)
    }

    /// Closes killed runs once what they left is dealt with (or journalled again by this run).
    pub fn close(&self, runs: &[i64]) {
        if let Err(error) = self.state.store.finish_runs(runs) {
            ops::warning(format!("The run journal cannot be written ({error})."));
        }
    }

    /// Marks the run as leaving a write whose outcome is unknown.
    pub fn unsettled(&self) {
        self.unsettled.store(true, Ordering::Relaxed);
    }

    /// Ends the run, unless a write's outcome stayed unknown: then it stays open, and the next
    /// run checks its unanswered writes against its reads, as after a kill.
    pub fn finish(&self) {
        if self.unsettled.load(Ordering::Relaxed) {
            ops::warning("Some writes got no answer that says whether they were applied; the next run checks them against the mailboxes before writing again.");
            return;
        }
        if let Err(error) = self.state.store.finish_runs(&[self.run]) {
            ops::warning(format!("The run journal cannot be written ({error})."));
        }
    }
}

/// The journal entry of a write action in `mailbox` (`None` for skips).
pub fn entry(mailbox: &str, action: &Action) -> Option<JournalEntry> {
    match action {
        Action::Create(c) => Some(JournalEntry { mailbox: mailbox.into(), sync_id: c.sync_id.clone(), kind: "create", contact_id: None }),
        Action::Update(u) => Some(JournalEntry { mailbox: mailbox.into(), sync_id: u.sync_id.clone(), kind: "update", contact_id: Some(u.target_id.clone()) }),
        _ => None,
    }
}

/// The journal entry of a tag written back to `source_id` in `mailbox`.
pub fn write_back_entry(mailbox: &str, source_id: &str, notes: &str) -> JournalEntry {
    let sync_id = tags::parse_tags(Some(notes)).sync_id.unwrap_or_default();
    JournalEntry { mailbox: mailbox.into(), sync_id, kind: "write-back", contact_id: Some(source_id.into()) }
}
