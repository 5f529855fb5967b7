//! The run journal: every write is recorded before it is sent and marked with its answer, and a
//! run records when it ends. A run that never ended was killed: its writes without an answer may
//! or may not have happened. The next run checks each against what it read (by SyncId, in the
//! mailbox it was sent to), says what it found, and its plan, which matches by SyncId, email and
//! name, completes what is missing without duplicating what is there.

use rusqlite::params;

use super::StateStore;
use crate::error::Result;

/// How many ended runs the file remembers (their start and end only).
const KEPT_RUNS: i64 = 20;

/// One write: a create or update in `mailbox`, or a tag written back to a source there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub mailbox: String,
    pub sync_id: String,
    /// `create`, `update` or `write-back`.
    pub kind: &'static str,
    /// The contact's id: the target of an update, the source of a write-back, the created contact
    /// once answered.
    pub contact_id: Option<String>,
}

/// A killed run and its writes that got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    pub run: i64,
    pub started_at: String,
    pub unanswered: Vec<JournalEntry>,
}

/// What the unanswered writes came to, as the next run's reads show.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Found in the mailbox they were sent to: they happened before the kill.
    pub applied: usize,
    /// Not found: they never happened, and this run's plan decides them again.
    pub missing: usize,
}

/// Pure: each unanswered write against `present(mailbox, sync_id)` (the contacts read this run).
pub fn reconcile(unanswered: &[JournalEntry], present: &dyn Fn(&str, &str) -> bool) -> Reconciled {
    let mut outcome = Reconciled::default();
    for entry in unanswered {
        if present(&entry.mailbox, &entry.sync_id) {
            outcome.applied += 1;
        } else {
            outcome.missing += 1;
        }
    }
    outcome
}

impl StateStore {
    /// Records a run's start; its id goes with every journal entry.
    pub fn start_run(&self, tenant: &str) -> Result<i64> {
        self.with(|db| {
            db.execute("INSERT INTO runs (tenant, started_at) VALUES (?1, ?2)", params![tenant, chrono::Utc::now().to_rfc3339()])?;
            Ok(db.last_insert_rowid())
        })
    }

    /// Records that runs ended (this one, or killed ones now reconciled). An ended run's journal
    /// is no longer needed, so the file does not grow run after run; the last runs are kept.
    pub fn finish_runs(&self, runs: &[i64]) -> Result<()> {
        self.with(|db| {
            let tx = db.transaction()?;
            for run in runs {
                tx.execute("UPDATE runs SET finished_at = ?2 WHERE id = ?1", params![run, chrono::Utc::now().to_rfc3339()])?;
            }
            tx.execute("DELETE FROM journal WHERE run IN (SELECT id FROM runs WHERE finished_at IS NOT NULL)", [])?;
            tx.execute(
                "DELETE FROM runs WHERE finished_at IS NOT NULL AND id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?1)",
                [KEPT_RUNS],
            )?;
            tx.commit()
        })
    }

    /// Records writes about to be sent, in one transaction, before they are sent.
    pub fn journal_sent(&self, run: i64, tenant: &str, entries: &[JournalEntry]) -> Result<()> {
        self.with(|db| {
            let tx = db.transaction()?;
            let now = chrono::Utc::now().to_rfc3339();
            for e in entries {
                tx.execute(
                    "INSERT INTO journal (run, tenant, mailbox, sync_id, kind, status, contact_id, at) VALUES (?1, ?2, ?3, ?4, ?5, 'sent', ?6, ?7)",
                    params![run, tenant, e.mailbox, e.sync_id, e.kind, e.contact_id, now],
                )?;
            }
            tx.commit()
        })
    }

    /// Marks sent writes with their answers: `done` (with the contact's id) or `failed`.
    pub fn journal_answered(&self, run: i64, answered: &[(JournalEntry, bool)]) -> Result<()> {
        self.with(|db| {
            let tx = db.transaction()?;
            for (e, ok) in answered {
                tx.execute(
                    "UPDATE journal SET status = ?1, contact_id = coalesce(?2, contact_id) WHERE rowid = (
                         SELECT rowid FROM journal WHERE run = ?3 AND mailbox = ?4 AND sync_id = ?5 AND kind = ?6 AND status = 'sent' LIMIT 1)",
                    params![if *ok { "done" } else { "failed" }, e.contact_id, run, e.mailbox, e.sync_id, e.kind],
                )?;
            }
            tx.commit()
        })
    }

    /// The tenant's runs that never ended (other than `current`), with their unanswered writes.
    pub fn interrupted(&self, tenant: &str, current: i64) -> Result<Vec<Interrupted>> {
        self.with(|db| {
            let mut runs = db.prepare("SELECT id, started_at FROM runs WHERE tenant = ?1 AND finished_at IS NULL AND id <> ?2 ORDER BY id")?;
            let found: Vec<(i64, String)> = runs.query_map(params![tenant, current], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            let mut entries = db.prepare("SELECT mailbox, sync_id, kind, contact_id FROM journal WHERE run = ?1 AND status = 'sent' ORDER BY rowid")?;
            let mut out = Vec::new();
            for (run, started_at) in found {
                let unanswered = entries
                    .query_map([run], |r| {
                        let kind: String = r.get(2)?;
                        let kind = match kind.as_str() {
                            "create" => "create",
                            "update" => "update",
                            _ => "write-back",
                        };
                        Ok(JournalEntry { mailbox: r.get(0)?, sync_id: r.get(1)?, kind, contact_id: r.get(3)? })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                out.push(Interrupted { run, started_at, unanswered });
            }
            Ok(out)
        })
    }

    /// The last run of a tenant: (started, finished), for `Get-ContactMirrorState`.
    pub fn last_run(&self, tenant: &str) -> Result<Option<(String, Option<String>)>> {
        use rusqlite::OptionalExtension;
        self.with(|db| {
            db.query_row("SELECT started_at, finished_at FROM runs WHERE tenant = ?1 ORDER BY id DESC LIMIT 1", [tenant], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mailbox: &str, sync_id: &str) -> JournalEntry {
        JournalEntry { mailbox: mailbox.into(), sync_id: sync_id.into(), kind: "create", contact_id: None }
    }

    #[test]
    fn unanswered_writes_are_found_by_sync_id_in_their_mailbox() {
        let present = |mailbox: &str, sync_id: &str| mailbox == "hub" && sync_id == "s1";
        let outcome = reconcile(&[entry("hub", "s1"), entry("hub", "s2"), entry("u1", "s1")], &present);
        assert_eq!(outcome, Reconciled { applied: 1, missing: 2 });
    }

    #[test]
    fn a_killed_run_is_found_with_only_its_unanswered_writes() {
        let path = std::env::temp_dir().join(format!("exokit-journal-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = StateStore::open(&path).unwrap();
        let killed = store.start_run("t").unwrap();
        store.journal_sent(killed, "t", &[entry("hub", "s1"), entry("hub", "s2")]).unwrap();
        let answered = JournalEntry { contact_id: Some("c1".into()), ..entry("hub", "s1") };
        store.journal_answered(killed, &[(answered, true)]).unwrap();
        let finished = store.start_run("t").unwrap();
        store.finish_runs(&[finished]).unwrap();
        let current = store.start_run("t").unwrap();
        let found = store.interrupted("t", current).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].run, found[0].unanswered.clone()), (killed, vec![entry("hub", "s2")]));
        store.finish_runs(&[killed]).unwrap();
        assert!(store.interrupted("t", current).unwrap().is_empty());
        let kept: i64 = store.with(|db| db.query_row("SELECT count(*) FROM journal WHERE run = ?1", [killed], |r| r.get(0))).unwrap();
        assert_eq!(kept, 0, "an ended run's journal is dropped");
        assert_eq!(store.last_run("t").unwrap().map(|r| r.1.is_none()), Some(true), "the current run has not ended");
    }
}
