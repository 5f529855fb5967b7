//! What a run hands to PowerShell: one summary per tenant and step, and (with `-PassThru` or
//! `-WhatIf`) one record per contact action.

use std::time::Duration;

use crate::mirror::plan::{Action, ContactLabel, Step};
use crate::mirror::report::StepTotals;

/// The counts of one step of one tenant (`Invoke-ContactMirror`'s main output).
#[derive(Debug, Clone, PartialEq)]
pub struct StepSummary {
    pub tenant: String,
    pub step: Step,
    pub dry_run: bool,
    pub totals: StepTotals,
    /// HTTP round trips of this step (retries included; a `$batch` is one).
    pub requests: u64,
    pub duration: Duration,
}

/// One contact action, planned or done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    pub tenant: String,
    pub step: Step,
    /// The mailbox written to.
    pub mailbox: String,
    /// `Create`, `Update`, `WriteBack`, `Skip` or `Delete`.
    pub action: &'static str,
    /// `Done`, `Failed`, `WhatIf` or the skip reason.
    pub outcome: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub sync_id: Option<String>,
    /// The synced fields that differ (updates).
    pub changed: Vec<String>,
    pub error: Option<String>,
    /// Why a contact is deleted (`Delete` only).
    pub reason: Option<String>,
}

impl ActionRecord {
    pub fn new(tenant: &str, step: Step, mailbox: &str, action: &Action) -> ActionRecord {
        let (kind, label, sync_id, changed) = match action {
            Action::Create(c) => ("Create", &c.label, Some(c.sync_id.clone()), Vec::new()),
            Action::Update(u) => ("Update", &u.label, Some(u.sync_id.clone()), names(&u.changed)),
            Action::Skip(s) => ("Skip", &s.label, None, Vec::new()),
            Action::NeedsFullRead(_) => ("Read", &NO_LABEL, None, Vec::new()),
        };
        ActionRecord {
            tenant: tenant.to_string(),
            step,
            mailbox: mailbox.to_string(),
            action: kind,
            outcome: String::new(),
            display_name: label.display_name.clone(),
            email: label.email.clone(),
            sync_id,
            changed,
            error: None,
            reason: None,
        }
    }
}

static NO_LABEL: ContactLabel = ContactLabel { display_name: None, email: None };

fn names(fields: &[crate::mirror::payload::SyncedField]) -> Vec<String> {
    fields.iter().map(|f| f.graph_name().to_string()).collect()
}
