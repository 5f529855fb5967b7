//! The pure plan: given one step's source and target contacts, what to create, update, write back
//! or skip (spec §4.2–§4.9, with D1, D2, D3, D6, D7 and D9 fixed).
//!
//! [`Planner`] plans one source contact at a time, so that the apply step can resolve a
//! [`Action::NeedsFullRead`] in place. Graph's list endpoint may return truncated notes
//! (graph-contact-semantics §4); notes are never written from such a read. The apply loop is:
//!
//! ```text
//! let mut planner = Planner::new(&mut run, step, actor, targets_from_list);
//! for source in sources_from_list {
//!     let mut source = source;
//!     let action = loop {
//!         match planner.plan_contact(&source) {
//!             Action::NeedsFullRead(read) => match read.side {
//!                 Side::Source => source = GET source mailbox /contacts/{id}  (NotesRead::Full),
//!                 Side::Target => planner.refresh_target(GET target mailbox /contacts/{id})?,
//!             },
//!             decided => break decided,
//!         }
//!     };
//!     apply(action)   // Create / Update, then its write_back if the write succeeded
//! }
//! ```
//!
//! A `NeedsFullRead` changes nothing in the planner, and it only ever names a contact read from a
//! list, so the loop ends: each answer turns one listed contact into a fully read one.

mod action;

use std::collections::HashMap;

pub use action::{
    Action, ContactLabel, CreateContact, FullRead, PlanCounts, Side, SkipContact, SkipReason, Step,
    UpdateContact, WriteBackTag,
};

use chrono::{DateTime, Utc};

use crate::error::{ExoError, Result};
use crate::mirror::contact::{Contact, NotesRead};
use crate::mirror::matching::{MatchKeys, TargetIndex, TargetRef};
use crate::mirror::payload::{self, SyncedField};
use crate::mirror::run::Run;
use crate::mirror::tags::{self, TagLine};

/// A whole plan, for callers whose contacts are all read in full (tests, reports): see [`plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub counts: PlanCounts,
}

/// Plans every source contact in order. A contact whose decision needs a full read gets
/// [`Action::NeedsFullRead`] and nothing else; use [`Planner`] to resolve those in place.
pub fn plan(
    run: &mut Run,
    step: Step,
    actor: &str,
    sources: &[Contact],
    targets: Vec<Contact>,
) -> Plan {
    let mut planner = Planner::new(run, step, actor, targets);
    let actions = sources
        .iter()
        .map(|source| planner.plan_contact(source))
        .collect();
    Plan {
        actions,
        counts: planner.counts(),
    }
}

/// The planner of one step between one source folder and one target folder (the original's
/// `Sync-Contacts` call).
pub struct Planner<'r> {
    run: &'r mut Run,
    step: Step,
    /// `SourceUserId` in the original: the user (step 1) or the shared mailbox (step 2) as listed.
    /// It becomes `LastUpdatedBy`, and `CreatedBy` when no tag names one (spec §4.4).
    actor: String,
    targets: Vec<Contact>,
    index: TargetIndex,
    /// Targets whose listed notes may hide a SyncId (see [`Contact::may_hide_sync_id`]).
    hidden_tags: Vec<usize>,
    /// The contacts this plan creates, in order (D6: indexed at once).
    planned: Vec<PlannedCreate>,
    /// Existing targets already matched in this plan, with the source that matched first.
    claimed: HashMap<usize, String>,
    counts: PlanCounts,
}

impl<'r> Planner<'r> {
    /// Indexes the targets (first wins, spec §4.2 with D6 fixed).
    pub fn new(run: &'r mut Run, step: Step, actor: &str, targets: Vec<Contact>) -> Planner<'r> {
        let mut planner = Planner {
            run,
            step,
            actor: actor.to_string(),
            targets,
            index: TargetIndex::default(),
            hidden_tags: Vec::new(),
            planned: Vec::new(),
            claimed: HashMap::new(),
            counts: PlanCounts::default(),
        };
        planner.reindex();
        planner
    }

    /// The counts of the actions decided so far.
    pub fn counts(&self) -> PlanCounts {
        self.counts
    }

    /// The target contacts, as refreshed so far.
    pub fn targets(&self) -> &[Contact] {
        &self.targets
    }

    /// The target contacts, as refreshed, to reuse as the next plan's targets (step 1 plans every
    /// user against the same shared folder) after adding what the writes returned.
    pub fn into_targets(self) -> Vec<Contact> {
        self.targets
    }

    /// The contacts this plan creates, as they will look once created (id `planned:<SyncId>`,
    /// modified at the run's start, notes read in full). A dry run adds them to the next plan's
    /// targets, so that it counts what a real run would: a contact two users hold is created once.
    pub fn planned_contacts(&self) -> Vec<Contact> {
        self.planned.iter().map(|p| p.contact.clone()).collect()
    }

    /// Replaces a target with its full read (the answer to a `NeedsFullRead { side: Target }`).
    pub fn refresh_target(&mut self, full: Contact) -> Result<()> {
        if full.notes_read != NotesRead::Full {
            return Err(ExoError::invalid_argument(
                "contact",
                "a refreshed target must come from a GET by id",
            ));
        }
        let position = self.targets.iter().position(|t| t.id == full.id);
        let Some(position) = position else {
            return Err(ExoError::invalid_argument(
                "contact",
                format!("'{}' is not among the targets", full.id),
            ));
        };
        self.targets[position] = full;
        self.reindex();
        Ok(())
    }

    fn reindex(&mut self) {
        self.index = TargetIndex::build(&self.targets);
        for (n, planned) in self.planned.iter().enumerate() {
            self.index.insert(&planned.keys, TargetRef::Planned(n));
        }
        self.hidden_tags = (0..self.targets.len())
            .filter(|&i| self.targets[i].may_hide_sync_id())
            .collect();
    }

    /// Decides one source contact. A `NeedsFullRead` answer leaves the planner unchanged.
    pub fn plan_contact(&mut self, source: &Contact) -> Action {
        let action = self.decide(source);
        match &action {
            Action::Create(create) => {
                self.counts.create += 1;
                self.counts.write_back += usize::from(create.write_back.is_some());
            }
            Action::Update(update) => {
                self.counts.update += 1;
                self.counts.write_back += usize::from(update.write_back.is_some());
            }
            Action::Skip(_) => self.counts.skip += 1,
            Action::NeedsFullRead(_) => self.counts.full_read += 1,
        }
        action
    }

    fn decide(&mut self, source: &Contact) -> Action {
        if source.may_hide_sync_id() {
            return full_read(Side::Source, &source.id);
        }
        let keys = MatchKeys::of(source);
        if let Some(sync_id) = &keys.sync_id
            && !self.index.has_sync_id(sync_id)
            && let Some(&hidden) = self.hidden_tags.first()
        {
            return full_read(Side::Target, &self.targets[hidden].id);
        }
        match self.index.find(&keys).map(|(found, _)| found) {
            Some(TargetRef::Planned(n)) => {
                self.skip_duplicate(source, None, self.planned[n].source_id.clone())
            }
            Some(TargetRef::Existing(i)) => match self.claimed.get(&i).cloned() {
                Some(first) => self.skip_duplicate(source, Some(i), first),
                None => self.decide_existing(source, i),
            },
            None => self.decide_create(source, keys),
        }
    }

    fn skip_duplicate(
        &self,
        source: &Contact,
        target: Option<usize>,
        first_source_id: String,
    ) -> Action {
        let target_id = target.map(|i| self.targets[i].id.clone());
        skip(
            source,
            target_id,
            SkipReason::AlreadyMatched { first_source_id },
        )
    }

    /// Spec §4.7: update only when a synced field changed **and** the target is older.
    fn decide_existing(&mut self, source: &Contact, i: usize) -> Action {
        let target = &self.targets[i];
        let target_id = Some(target.id.clone());
        let changed = payload::changed_fields(&source.fields, &target.fields);
        if changed.is_empty() {
            self.claimed.insert(i, source.id.clone());
            return skip(source, target_id, SkipReason::Unchanged);
        }
        if !target_older(source.last_modified, target.last_modified) {
            self.claimed.insert(i, source.id.clone());
            return skip(source, target_id, SkipReason::TargetNotOlder { changed });
        }
        if target.notes_may_be_mangled() {
            return full_read(Side::Target, &target.id);
        }
        if self.step.writes_back() && source.notes_may_be_mangled() {
            return full_read(Side::Source, &source.id);
        }
        let target = &self.targets[i];
        let (target_tags, source_tags) = (target.tags(), source.tags());
        // Spec §4.4: the target's SyncId and CreatedBy win over the source's.
        let sync_id = target_tags.sync_id.or(source_tags.sync_id);
        let created_by = target_tags.created_by.or(source_tags.created_by);
        let target_notes = target.personal_notes.clone();
        let target_fields = target.fields.clone();
        let tag = self.tag_line(sync_id, created_by);
        let notes = tags::with_tag(target_notes.as_deref(), &tag);
        let body = payload::patch_body(&source.fields, &changed, &notes);
        let name_changes = payload::name_changes(&source.fields, &target_fields, &changed);
        let mut all_changed = changed;
        all_changed.push(SyncedField::PersonalNotes);
        all_changed.sort();
        self.claimed.insert(i, source.id.clone());
        Action::Update(UpdateContact {
            source_id: source.id.clone(),
            target_id: self.targets[i].id.clone(),
            write_back: self.write_back(source, &tag),
            sync_id: tag.sync_id,
            label: label(source),
            changed: all_changed,
            name_changes,
            body,
        })
    }

    /// Spec §4.8: no match, so create; the new contact is indexed at once (D6).
    fn decide_create(&mut self, source: &Contact, keys: MatchKeys) -> Action {
        if self.step.writes_back() && source.notes_may_be_mangled() {
            return full_read(Side::Source, &source.id);
        }
        let source_tags = source.tags();
        let tag = self.tag_line(keys.sync_id.clone(), source_tags.created_by);
        let notes = tag.render();
        let planned_keys = MatchKeys {
            sync_id: Some(tag.sync_id.clone()),
            ..keys
        };
        self.index
            .insert(&planned_keys, TargetRef::Planned(self.planned.len()));
        let contact = Contact {
            id: format!("planned:{}", tag.sync_id),
            fields: source.fields.clone(),
            personal_notes: Some(notes.clone()),
            last_modified: Some(self.run.started_at),
            notes_read: NotesRead::Full,
        };
        self.planned.push(PlannedCreate {
            keys: planned_keys,
            source_id: source.id.clone(),
            contact,
        });
        Action::Create(CreateContact {
            source_id: source.id.clone(),
            write_back: self.write_back(source, &tag),
            sync_id: tag.sync_id,
            created_by: tag.created_by,
            label: label(source),
            body: payload::create_body(&source.fields, &notes),
            notes,
        })
    }

    /// The new tag; a new SyncId only when neither side has one (D7: from the run's source).
    fn tag_line(&mut self, sync_id: Option<String>, created_by: Option<String>) -> TagLine {
        TagLine {
            sync_id: sync_id.unwrap_or_else(|| self.run.next_sync_id()),
            created_by: created_by.unwrap_or_else(|| self.actor.clone()),
            last_updated_at: self.run.started_at,
            last_updated_by: self.actor.clone(),
        }
    }

    /// Step 1 writes the tag back into the source's own notes, keeping its text (D1).
    fn write_back(&self, source: &Contact, tag: &TagLine) -> Option<WriteBackTag> {
        if !self.step.writes_back() {
            return None;
        }
        let notes = tags::with_tag(source.personal_notes.as_deref(), tag);
        let unchanged = tags::normalize_notes(source.personal_notes.as_deref())
            == tags::normalize_notes(Some(&notes));
        (!unchanged).then(|| WriteBackTag {
            source_id: source.id.clone(),
            notes,
        })
    }
}

/// A contact the plan creates: its keys in the index, the source it comes from, and how it will look.
struct PlannedCreate {
    keys: MatchKeys,
    source_id: String,
    contact: Contact,
}

/// The original's `Test-TargetContactOlderThanSource` (spec §4.7 step 3): false without a source
/// time, true without a target time, else strictly older (equal times do not update).
pub fn target_older(source: Option<DateTime<Utc>>, target: Option<DateTime<Utc>>) -> bool {
    match (source, target) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(source), Some(target)) => target < source,
    }
}

fn label(source: &Contact) -> ContactLabel {
    ContactLabel {
        display_name: source.fields.display_name.clone(),
        email: source.fields.primary_email(),
    }
}

fn skip(source: &Contact, target_id: Option<String>, reason: SkipReason) -> Action {
    Action::Skip(SkipContact {
        source_id: source.id.clone(),
        target_id,
        label: label(source),
        reason,
    })
}

fn full_read(side: Side, id: &str) -> Action {
    Action::NeedsFullRead(FullRead {
        side,
        contact_id: id.to_string(),
    })
}

#[cfg(test)]
mod tests;
