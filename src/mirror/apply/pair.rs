//! One step between one source folder and one target folder: plan, reading in full whatever the
//! planner asks for, until every source has a decision.

use crate::error::Result;
use crate::graph::GraphClient;
use crate::mirror::contact::Contact;
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
    let dry_run = run.dry_run;
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
                targets.extend(planner.planned_contacts());
            }
            return Ok(Planned { actions, targets });
        }
        wanted.1.dedup();
        replace(sources, reads::by_id(graph, pair.source_mailbox, &wanted.0).await?);
        replace(&mut targets, reads::by_id(graph, pair.target_mailbox, &wanted.1).await?);
    }
}

fn replace(contacts: &mut [Contact], fresh: Vec<Contact>) {
    for contact in fresh {
        if let Some(slot) = contacts.iter_mut().find(|c| c.id == contact.id) {
            *slot = contact;
        }
    }
}
