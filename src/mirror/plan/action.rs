//! What a plan asks the apply step to do, one [`Action`] per source contact.

use crate::mirror::payload::{ContactBody, NameChange, SyncedField};

/// The direction of a step (spec §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Step 1: each user's default Contacts folder → the shared mailbox's "All Contacts" folder,
    /// with the tag written back to the user's contact.
    Collect,
    /// Step 2: the shared mailbox's "All Contacts" folder → each user's default Contacts folder.
    Distribute,
}

impl Step {
    /// 1 or 2, as the original's log lines number them.
    pub fn number(self) -> u8 {
        match self {
            Step::Collect => 1,
            Step::Distribute => 2,
        }
    }

    /// Only step 1 writes the tag back to the source contact (spec §4.9).
    pub fn writes_back(self) -> bool {
        self == Step::Collect
    }

    /// The target folder's label in the creation summary (spec §5.1, §8.4: no folder walk for it):
    /// the shared mailbox's folder name in step 1, `Default Contacts` in step 2.
    pub fn target_folder_label(self, hub_folder: &str) -> &str {
        match self {
            Step::Collect => hub_folder,
            Step::Distribute => "Default Contacts",
        }
    }
}

/// Which side of the step a contact is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Target,
}

/// How a contact is named in log lines: its displayName and primary email (spec §5.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactLabel {
    pub display_name: Option<String>,
    pub email: Option<String>,
}

/// One source contact's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// POST `body` into the step's target folder.
    Create(CreateContact),
    /// PATCH the target contact with `body`.
    Update(UpdateContact),
    /// Nothing to write.
    Skip(SkipContact),
    /// Nothing decided yet: GET this contact by id (its listed notes may be truncated), hand the
    /// result to the planner, and plan the source contact again. See [`super::Planner`].
    NeedsFullRead(FullRead),
}

/// A contact to create. `write_back`, if any, is sent only after the POST succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateContact {
    pub source_id: String,
    pub sync_id: String,
    /// The `CreatedBy` in the new tag, for the creation summary (spec §5.1).
    pub created_by: String,
    pub label: ContactLabel,
    /// The POST body, including `personalNotes` (the tag line alone, spec §4.8).
    pub body: ContactBody,
    /// The notes sent, to compare with the POST answer (re-PATCH when Graph changed them, spec §3.2 E7).
    pub notes: String,
    pub write_back: Option<WriteBackTag>,
}

/// A contact to update. `write_back`, if any, is sent only after the PATCH succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateContact {
    pub source_id: String,
    pub target_id: String,
    pub sync_id: String,
    pub label: ContactLabel,
    /// The changed data fields plus `personalNotes`, sorted as the original's `Changed:` list.
    pub changed: Vec<SyncedField>,
    /// displayName / givenName / surname changes, for the `| Delta:` suffix.
    pub name_changes: Vec<NameChange>,
    /// The PATCH body: changed fields (cleared ones as `null` / `[]`) and `personalNotes`.
    pub body: ContactBody,
    pub write_back: Option<WriteBackTag>,
}

/// Step 1's write-back (spec §4.9, D1 fixed): the source contact's own notes with only the tag
/// replaced. PATCH `{"personalNotes": notes}` on the source contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBackTag {
    pub source_id: String,
    pub notes: String,
}

/// A source contact that needs no write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipContact {
    pub source_id: String,
    /// The matched target's id, if the match is an existing contact.
    pub target_id: Option<String>,
    pub label: ContactLabel,
    pub reason: SkipReason,
}

/// Why nothing is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The synced fields are equal (notes are not compared, spec §4.7).
    Unchanged,
    /// The fields differ but the target is not older than the source (spec §4.7 step 3).
    TargetNotOlder { changed: Vec<SyncedField> },
    /// D6: an earlier source contact of this plan already matched (or created) the same target;
    /// the first one wins.
    AlreadyMatched { first_source_id: String },
}

/// A contact to read in full before planning again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullRead {
    pub side: Side,
    pub contact_id: String,
}

/// How many actions of each kind a plan holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    pub create: usize,
    pub update: usize,
    pub skip: usize,
    /// Creates and updates that also write the tag back to the source.
    pub write_back: usize,
    /// `NeedsFullRead` answers given (each one is followed by a new plan of the same contact).
    pub full_read: usize,
}
