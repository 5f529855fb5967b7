//! Completing what a killed run left (issue 21, item 2), right after the reads and before any
//! plan: the creates it made are recorded as the mirror's, and the tag write-backs it owed are
//! sent (each source read by id first, so that no note text is lost). The decisions are in
//! [`crate::mirror::ownership`]; this module only reads and writes.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::contacts;
use crate::graph::GraphClient;
use crate::mirror::contact::{CONTACT_SELECT, Contact};
use crate::mirror::ownership::{self, Folder, OwedWriteBack};
use crate::mirror::tags;
use crate::ops;
use crate::state::JournalEntry;

use super::journal::{self, Journal};
use super::reads;

/// Acts on `unanswered` (a killed run's writes) against this run's reads. Returns the sources
/// as written back, to replace the ones read.
pub async fn complete(graph: &GraphClient, journal: &Journal, unanswered: &[JournalEntry], folders: &[Folder<'_>], hub: &[Contact], now: DateTime<Utc>) -> Vec<(String, Contact)> {
    journal.owned(&ownership::adopted_creates(unanswered, folders));
    let owed = ownership::owed_write_backs(unanswered, folders, hub, now);
    let mut written = Vec::new();
    let mut mailboxes: Vec<&str> = owed.iter().map(|o| o.mailbox.as_str()).collect();
    mailboxes.dedup();
    for mailbox in mailboxes {
        let mine: Vec<&OwedWriteBack> = owed.iter().filter(|o| o.mailbox == mailbox).collect();
        written.extend(write_back(graph, journal, mailbox, &mine).await.into_iter().map(|c| (mailbox.to_string(), c)));
    }
    if !owed.is_empty() {
        ops::information(format!("Completed {} of {} tag write-backs an interrupted run left unsent.", written.len(), owed.len()));
    }
    written
}

async fn write_back(graph: &GraphClient, journal: &Journal, mailbox: &str, owed: &[&OwedWriteBack]) -> Vec<Contact> {
    let reads: Vec<_> = owed.iter().map(|o| contacts::get_request(mailbox, &o.source_id, CONTACT_SELECT)).collect();
    let mut patches = Vec::new();
    let mut entries = Vec::new();
    for (owed, answer) in owed.iter().zip(contacts::send_all(graph, mailbox, &reads).await) {
        match answer.and_then(|value| reads::full(value, mailbox)) {
            Ok(source) => {
                let notes = tags::with_tag(source.personal_notes.as_deref(), &owed.tag);
                entries.push(journal::write_back_entry(mailbox, &source.id, &notes));
                patches.push(contacts::update_request(mailbox, &source.id, json!({ "personalNotes": notes })));
            }
            Err(error) => ops::warning(format!("An interrupted run's tag write-back to a contact of {mailbox} cannot be completed: {error}")),
        }
    }
    journal.sent(&entries);
    let answers = contacts::send_all(graph, mailbox, &patches).await;
    let answered: Vec<(JournalEntry, bool)> = entries.into_iter().zip(&answers).map(|(e, a)| (e, a.is_ok())).collect();
    journal.answered(&answered);
    let mut written = Vec::new();
    for answer in answers {
        match answer.and_then(|value| reads::full(value, mailbox)) {
            Ok(contact) => written.push(contact),
            Err(error) => ops::error(error),
        }
    }
    written
}
