//! One step between one source folder and one target folder: plan, reading in full whatever the
//! planner asks for, until every source has a decision.

use crate::error::Result;
use crate::graph::GraphClient;
use crate::mirror::contact::{Contact, NotesRead};
use crate::mirror::payload;
use crate::mirror::plan::{Action, Planner, Side, Step};
use crate::mirror::run::Run;

use super::reads;

/// Where the two sides of a pair live.
pub struct Pair<'a> {
    pub step: Step,
    /// `SourceUserId` in the original: the name the tags and log lines use.
    pub actor: &'a str,
    pub source_mailbox: &'a str,
    pub target_mailbox: &'a str,
}

/// The decided actions, and the targets as the planner last saw them (refreshed where read by
/// id, plus the contacts a dry run plans to create).
pub struct Planned {
    pub actions: Vec<Action>,
    pub targets: Vec<Contact>,
}

/// Plans every source. Contacts the planner wants whole are fetched by id in batches, then the
/// plan starts again: a full read never asks again, so this ends after at most two rounds.
pub async fn plan(graph: &GraphClient, run: &mut Run, pair: &Pair<'_>, sources: &mut [Contact], mut targets: Vec<Contact>) -> Result<Planned> {
    let (dry_run, started_at) = (run.dry_run, run.started_at);
    loop {
        let mut planner = Planner::new(run, pair.step, pair.actor, targets.clone());
        let mut wanted = (Vec::new(), Vec::new());
        let actions: Vec<Action> = sources
            .iter()
            .map(|source| {
                let action = planner.plan_contact(source);
                if let Action::NeedsFullRead(read) = &action {
                    match read.side {
                        Side::Source => wanted.0.push(read.contact_id.clone()),
                        Side::Target => wanted.1.push(read.contact_id.clone()),
                    }
                }
                action
            })
            .collect();
        if wanted.0.is_empty() && wanted.1.is_empty() {
            let mut targets = planner.targets().to_vec();
            if dry_run {
                // What a real run's writes would leave, so the next plan counts what it would.
                targets.extend(planner.planned_contacts());
                for action in &actions {
                    if let Action::Update(update) = action {
                        patch_in_place(&mut targets, update, started_at);
                    }
                }
            }
            return Ok(Planned { actions, targets });
        }
        wanted.1.dedup();
        replace(sources, reads::by_id(graph, pair.source_mailbox, &wanted.0).await?);
        replace(&mut targets, reads::by_id(graph, pair.target_mailbox, &wanted.1).await?);
    }
}

/// A dry run's update applied to the target in memory: the changed fields (null clears), the new
/// notes, modified at the run's start.
fn patch_in_place(targets: &mut [Contact], update: &crate::mirror::plan::UpdateContact, at: chrono::DateTime<chrono::Utc>) {
    let Some(target) = targets.iter_mut().find(|t| t.id == update.target_id) else { return };
    let mut json = payload::create_body(&target.fields, target.personal_notes.as_deref().unwrap_or("")).to_json();
    for (name, value) in update.body.to_json().as_object().into_iter().flatten() {
        json[name] = value.clone();
    }
    json["id"] = serde_json::json!(target.id);
    json["lastModifiedDateTime"] = serde_json::json!(at.to_rfc3339());
    if let Ok(patched) = Contact::from_graph(&json, NotesRead::Full, "a dry run's update") {
        *target = patched;
    }
}

fn replace(contacts: &mut [Contact], fresh: Vec<Contact>) {
    for contact in fresh {
        if let Some(slot) = contacts.iter_mut().find(|c| c.id == contact.id) {
            *slot = contact;
        }
    }
}
