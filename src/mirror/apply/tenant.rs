//! One tenant's run (spec §4.1): the users and the shared mailbox, the hub folder, one read of
//! every mailbox, step 1 user by user into the hub, step 2 from the hub to every user at once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::contacts::{self, Folder};
use crate::error::{ExoError, Result};
use crate::graph::GraphClient;
use crate::mirror::config::{TenantConfig, UserSelection};
use crate::mirror::contact::{Contact, NotesRead};
use crate::mirror::deletes::Deletes;
use crate::mirror::incremental::{self, FullPlan, HubKeys, IndexKeys, Partial};
use crate::mirror::plan::{Action, Step};
use crate::mirror::report::{self, CreationRecord, Outcome, TenantReport};
use crate::mirror::run::Run;
use crate::mirror::scope::{self, ListedUser, ResolvedUser};
use crate::ops::{self, Record};
use crate::state::StateStore;
use crate::users;

use super::deletes;
use super::delta::{self, TenantState};
use super::journal::Journal;
use super::pair::{self, Pair};
use super::reads::{self, FolderRead};
use super::resume;
use super::records::{ActionRecord, StepSummary};
use super::write::{self, Executed};

/// Mailboxes read or written at once; each still gets at most four requests (the gate).
const PARALLEL_MAILBOXES: usize = 16;

/// How a tenant's run is done.
#[derive(Clone)]
pub struct Settings {
    pub started_at: DateTime<Utc>,
    pub dry_run: bool,
    /// Write one record per contact action (`-PassThru`, `-WhatIf`).
    pub actions: bool,
    /// The state file: folders are read by delta rounds and the hub folder's id is remembered.
    pub state: Option<Arc<StateStore>>,
    /// `-PropagateDeletes` and `-MaxDeletes`.
    pub deletes: Deletes,
    /// `-Full`: plan every pair even when the state's last run settled (issue 19).
    pub full: bool,
}

/// Everything a tenant's run needs, shared by its steps.
struct Tenant<'a> {
    graph: &'a GraphClient,
    config: &'a TenantConfig,
    settings: &'a Settings,
    shared_id: String,
    folder_id: Option<String>,
    report: TenantReport,
    state: Option<TenantState>,
    journal: Option<Journal>,
    /// `None` when this run plans only what changed (issue 19; `mirror::incremental`).
    full: Option<FullPlan>,
    /// What changed in the hub since the last run, by id: its delta round and step 1's writes.
    hub_changed: HashSet<String>,
    /// Per user left in the state during step 1: the contacts step 1 read whole or wrote back.
    overlays: HashMap<String, Vec<Contact>>,
}

/// Runs one tenant and returns its report; `Err` when the tenant could not be run at all (the
/// shared mailbox or its folder is missing, the users cannot be listed).
pub async fn run(graph: &GraphClient, config: &TenantConfig, settings: &Settings) -> Result<TenantReport> {
    let clock = Instant::now();
    let first_request = requests(graph);
    ops::information(report::tenant_header(&config.tenant_id));
    let shared = users::resolve(graph, &config.shared_mailbox)
        .await
        .map_err(|e| context(e, &format!("the shared mailbox '{}'", config.shared_mailbox)))?;
    let listed = select_users(graph, config).await?;
    let scope = scope::exclude_shared_mailbox(listed, &shared.id);
    let state = settings.state.clone().map(|store| TenantState::new(store, &config.tenant_id, graph));
    // Taken before any write: a run killed from here on leaves the next one planning in full.
    if let Some(state) = &state {
        record_names(state, &shared, &scope.users);
    }
    let settled = match &state {
        Some(state) => state.store.take_settled(&state.tenant)?,
        None => false,
    };
    let (folder_id, hub) = read_hub(graph, config, &shared.id, settings.dry_run, state.as_ref()).await?;
    let shown_id = folder_id.clone().unwrap_or_else(|| "(dry run: not created)".into());
    ops::information(report::hub_folder_line(&config.hub_folder, &shown_id));
    let journal = if settings.dry_run { None } else { state.as_ref().and_then(Journal::start) };
    let hub_changed: HashSet<String> = hub.upserted.iter().cloned().collect();
    let mut tenant = Tenant { graph, config, settings, shared_id: shared.id, folder_id, report: TenantReport::new(&config.tenant_id, settings.dry_run), state, journal, full: None, hub_changed, overlays: HashMap::new() };
    // Folders stay in the state between the reads and their plans, except where every folder is
    // needed at once: deletions to propagate, a killed run's writes to resume.
    let interrupted = match (&tenant.state, &tenant.journal) {
        (Some(state), Some(journal)) => state.store.interrupted(&state.tenant, journal.run).is_ok_and(|runs| !runs.is_empty()),
        _ => false,
    };
    // -RepairDuplicates looks for duplicates in every user's folder too.
    let keep = tenant.state.is_none() || settings.deletes.propagate || settings.deletes.repair || interrupted;
    let (mut mailboxes, changed) = read_users(graph, &scope.users, tenant.state.as_ref(), keep).await;
    // After the reads: their rounds add the tombstones of what left a folder.
    let deletes_pending = settings.deletes.propagate && tenant.state.as_ref().is_some_and(|s| s.store.tombstones(&s.tenant).is_ok_and(|t| !t.is_empty()));
    let full = FullPlan::reason(settings.full, tenant.state.is_some(), settled && !hub.lost, settings.actions, deletes_pending);
    tenant.full = full;
    if let Some(reason) = full {
        ops::verbose(format!("Planning every pair: {}.", reason.text()));
        if keep {
            tenant.load_all(&scope.users, &mut mailboxes)?;
        }
    }
    let mut hub = Hub::from(hub);
    if full.is_some() {
        tenant.load_hub(&mut hub)?;
    }
    tenant.resume_interrupted(&scope.users, &mut mailboxes, hub.contacts()).await;
    // A hub not loaded has nothing to delete: deletions to propagate make the plan a full one.
    let mut unloaded = Vec::new();
    let hub_contacts = match &mut hub.contacts {
        Some(contacts) => contacts,
        None => &mut unloaded,
    };
    if let Err(error) = tenant.delete_phase(&scope.users, &mut mailboxes, hub_contacts).await {
        // Stopped on purpose (over -MaxDeletes), not killed: the next run has nothing to resume.
        tenant.finish_journal();
        return Err(error);
    }
    let hub = tenant.collect(&scope.users, &mut mailboxes, &changed, hub).await?;
    // The reads of every mailbox happen before step 1, so they count in its figures.
    let collect = (requests(graph) - first_request, clock.elapsed());
    let clock = Instant::now();
    tenant.distribute(&scope.users, mailboxes, &changed, hub).await?;
    let distribute = (requests(graph) - first_request - collect.0, clock.elapsed());
    for line in tenant.report.closing_lines() {
        ops::information(line);
    }
    // Summaries last, after every log line, so that a table of them is not cut by the lines.
    tenant.summary(Step::Collect, collect.0, collect.1);
    tenant.summary(Step::Distribute, distribute.0, distribute.1);
    tenant.finish_journal();
    tenant.settle();
    Ok(tenant.report)
}

/// The mailboxes' UPNs next to their ids, so that `Get-ContactMirrorState` can show them (a
/// failure costs only that: the ids are shown).
fn record_names(state: &TenantState, shared: &crate::users::User, users: &[ResolvedUser]) {
    let mut names = vec![(shared.id.clone(), shared.user_principal_name.clone())];
    names.extend(users.iter().filter_map(|u| u.upn.clone().map(|upn| (u.id.clone(), upn))));
    names.retain(|(_, upn)| !upn.is_empty());
    if let Err(error) = state.store.set_mailbox_names(&state.tenant, &names) {
        ops::verbose(format!("The state cannot record the mailboxes' names ({error}); Get-ContactMirrorState shows their ids."));
    }
}

fn requests(graph: &GraphClient) -> u64 {
    graph.transport().counters().round_trips.load(std::sync::atomic::Ordering::Relaxed)
}

/// The users of the run: the test users (each resolved to its id), or every licensed user.
async fn select_users(graph: &GraphClient, config: &TenantConfig) -> Result<Vec<ResolvedUser>> {
    match &config.users {
        UserSelection::AllLicensed => {
            let listing = users::licensed(graph).await.map_err(|e| context(e, "the licensed users"))?;
            let listing: Vec<ListedUser> =
                listing.into_iter().map(|u| ListedUser { id: Some(u.id), user_principal_name: Some(u.user_principal_name) }).collect();
            scope::licensed_users(&config.tenant_id, &listing)
        }
        UserSelection::TestUsers(names) => {
            ops::information(report::test_users_line(names.len()));
            let mut resolved = Vec::with_capacity(names.len());
            for name in names {
                match users::resolve(graph, name).await {
                    Ok(user) => resolved.push(ResolvedUser { listed_as: name.clone(), upn: Some(user.user_principal_name).filter(|u| !u.is_empty()), id: user.id }),
                    Err(error) => ops::error(context(error, &format!("the user '{name}' (skipped)"))),
                }
            }
            Ok(resolved)
        }
    }
}

/// The hub folder's id and contents. With a state, the id found last time is used without a
/// request; when that folder is gone (renamed, deleted) the id is forgotten and found again.
async fn read_hub(graph: &GraphClient, config: &TenantConfig, shared_id: &str, dry_run: bool, state: Option<&TenantState>) -> Result<(Option<String>, FolderRead)> {
    let remembered = match state {
        Some(state) => state.store.hub_folder(&state.tenant, shared_id, &config.hub_folder)?,
        None => None,
    };
    if let (Some(id), Some(state)) = (&remembered, state) {
        match reads::folder(graph, Some(state), shared_id, Some(id)).await {
            Ok(hub) => return Ok((remembered.clone(), hub)),
            Err(error) if is_not_found(&error) => state.store.set_hub_folder(&state.tenant, shared_id, &config.hub_folder, None)?,
            Err(error) => return Err(context(error, "the shared folder")),
        }
    }
    let folder_id = hub_folder(graph, config, shared_id, dry_run).await?;
    if let (Some(id), Some(state)) = (&folder_id, state) {
        state.store.set_hub_folder(&state.tenant, shared_id, &config.hub_folder, Some(id))?;
    }
    let hub = match &folder_id {
        Some(id) => reads::folder(graph, state, shared_id, Some(id)).await.map_err(|e| context(e, "the shared folder"))?,
        None => FolderRead { contacts: Some(Vec::new()), upserted: Vec::new(), lost: true },
    };
    Ok((folder_id, hub))
}

fn is_not_found(error: &ExoError) -> bool {
    matches!(error, ExoError::Service { status: 404, .. })
}

/// The hub folder's id; `None` in a dry run when it does not exist yet (D7: no write at all).
/// A folder that cannot be created stops the tenant (D10), never falls back to another folder.
async fn hub_folder(graph: &GraphClient, config: &TenantConfig, shared_id: &str, dry_run: bool) -> Result<Option<String>> {
    let found = contacts::find_folder(graph, shared_id, &config.hub_folder).await.map_err(|e| context(e, "the shared mailbox's folders"))?;
    match found {
        Some(Folder { id, .. }) => Ok(Some(id)),
        None if dry_run => Ok(None),
        None => {
            let created = contacts::create_folder(graph, shared_id, &config.hub_folder)
                .await
                .map_err(|e| context(e, &format!("creating the folder '{}'", config.hub_folder)))?;
            Ok(Some(created.id))
        }
    }
}

/// What a user's default Contacts folder gave.
#[derive(Clone)]
enum Mailbox {
    Read(Vec<Contact>),
    /// In the state file, not in memory (its round brought nothing, or it is loaded again when a
    /// plan needs it, so that a run never holds every folder at once).
    Stored,
    /// No Exchange Online mailbox: skipped with a warning.
    Absent,
    /// The read failed: reported, counted as failed and skipped in both steps, never planned
    /// from a partial list (which would create duplicates).
    Failed,
}

/// Every user's default Contacts folder, read at once, and whether each changed since the last
/// run; unless `keep`, a folder read through the state is left there (loaded again when planned).
async fn read_users(graph: &GraphClient, users: &[ResolvedUser], state: Option<&TenantState>, keep: bool) -> (Vec<Mailbox>, Vec<bool>) {
    let slots = Arc::new(Semaphore::new(PARALLEL_MAILBOXES));
    let mut reads = JoinSet::new();
    for (index, user) in users.iter().enumerate() {
        let (graph, slots, id, state) = (graph.clone(), slots.clone(), user.id.clone(), state.cloned());
        ops::spawn_into(&mut reads, async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            (index, reads::folder(&graph, state.as_ref(), &id, None).await)
        });
    }
    let mut contacts: Vec<Mailbox> = vec![Mailbox::Failed; users.len()];
    let mut changed = vec![false; users.len()];
    while let Some(joined) = reads.join_next().await {
        let Ok((index, read)) = joined else { continue };
        match read {
            Ok(read) => {
                changed[index] = read.changed();
                contacts[index] = match read.contacts {
                    Some(read) if keep || state.is_none() => Mailbox::Read(read),
                    _ => Mailbox::Stored,
                };
            }
            Err(error) if without_mailbox(&error) => {
                ops::warning(format!("{} has no Exchange Online mailbox (MailboxNotEnabledForRESTAPI); skipped.", users[index].listed_as));
                contacts[index] = Mailbox::Absent;
            }
            Err(error) => ops::error(reads::pair_failed(&users[index].listed_as, error)),
        }
    }
    (contacts, changed)
}

/// A licensed user whose licence has no Exchange plan: the original logged an error and went
/// on; here it is a warning, so such users (common with non-mail licences) do not fail a run.
fn without_mailbox(error: &ExoError) -> bool {
    matches!(error, ExoError::Service { code, .. } if code == "MailboxNotEnabledForRESTAPI")
}

impl Tenant<'_> {
    fn finish_journal(&self) {
        if let Some(journal) = &self.journal {
            journal.finish();
        }
    }

    /// What a killed run left unanswered, checked against this run's reads and completed: its
    /// creates recorded as the mirror's, its owed write-backs sent.
    async fn resume_interrupted(&self, users: &[ResolvedUser], mailboxes: &mut [Mailbox], hub: &[Contact]) {
        let Some(journal) = &self.journal else { return };
        let written = {
            let mut folders: Vec<(&str, &[Contact])> = vec![(self.shared_id.as_str(), hub)];
            for (user, mailbox) in users.iter().zip(mailboxes.iter()) {
                if let Mailbox::Read(contacts) = mailbox {
                    folders.push((user.id.as_str(), contacts.as_slice()));
                }
            }
            let (unanswered, runs) = journal.reconcile_interrupted(&folders);
            if runs.is_empty() {
                return;
            }
            let written = resume::complete(self.graph, journal, &unanswered, &folders, hub, self.settings.started_at).await;
            journal.close(&runs);
            written
        };
        for (user, mailbox) in users.iter().zip(mailboxes.iter_mut()) {
            if let Mailbox::Read(contacts) = mailbox {
                let mine: Vec<Contact> = written.iter().filter(|(m, _)| *m == user.id).map(|(_, c)| c.clone()).collect();
                merge_into(contacts, &mine);
            }
        }
    }

    /// Deletes what the tombstones call for (with `-PropagateDeletes`), before step 1.
    async fn delete_phase(&self, users: &[ResolvedUser], mailboxes: &mut [Mailbox], hub: &mut Vec<Contact>) -> Result<()> {
        let hub_folder = deletes::Folder { id: &self.shared_id, name: &self.config.shared_mailbox, contacts: hub };
        let folders: Vec<deletes::Folder> = users
            .iter()
            .zip(mailboxes.iter_mut())
            .filter_map(|(user, mailbox)| match mailbox {
                Mailbox::Read(contacts) => Some(deletes::Folder { id: &user.id, name: &user.listed_as, contacts }),
                _ => None,
            })
            .collect();
        deletes::run(self.graph, self.state.as_ref(), self.settings.deletes, self.settings.dry_run, hub_folder, folders).await
    }

    /// Step 1: every user's contacts into the hub, user by user, so that a contact two users
    /// hold is created once. Returns the hub as it is afterwards. Planning only what changed,
    /// a user whose folder did not change is skipped whole (`mirror::incremental`).
    async fn collect(&mut self, users: &[ResolvedUser], mailboxes: &mut [Mailbox], changed: &[bool], mut hub: Hub) -> Result<Hub> {
        ops::information(report::step_header(Step::Collect, &self.config.hub_folder));
        let mut run = Run::new(self.settings.started_at, self.settings.dry_run);
        let shared_id = self.shared_id.clone();
        let folder_id = self.folder_id.clone();
        let mut planned_users = 0;
        for ((user, mailbox), &changed) in users.iter().zip(mailboxes.iter_mut()).zip(changed) {
            ops::information(report::syncing_line(&user.listed_as, &self.config.shared_mailbox));
            let plans = self.full.is_some() || incremental::collects(changed, false);
            let mut loaded = Vec::new();
            let sources = match mailbox {
                Mailbox::Read(sources) if plans => sources,
                Mailbox::Stored if plans => match delta::load(self.state.as_ref().expect("a stored folder has a state"), &user.id, None) {
                    Ok(contacts) => {
                        loaded = contacts;
                        &mut loaded
                    }
                    Err(error) => {
                        ops::error(reads::pair_failed(&user.listed_as, error));
                        self.report.totals_mut(Step::Collect).count(Outcome::Failed);
                        continue;
                    }
                },
                Mailbox::Read(sources) => {
                    self.report.totals_mut(Step::Collect).skipped += sources.len();
                    continue;
                }
                Mailbox::Stored => {
                    let count = self.stored_count(&user.id, None)?;
                    self.report.totals_mut(Step::Collect).skipped += count;
                    continue;
                }
                Mailbox::Absent => continue,
                Mailbox::Failed => {
                    self.report.totals_mut(Step::Collect).count(Outcome::Failed);
                    continue;
                }
            };
            planned_users += 1;
            let targets = self.load_hub(&mut hub)?.clone();
            let pair = Pair { step: Step::Collect, actor: &user.listed_as, source_mailbox: &user.id, target_mailbox: &shared_id };
            let planned = match pair::plan(self.graph, &mut run, &pair, sources, targets).await {
                Ok(planned) => planned,
                Err(error) => {
                    ops::error(reads::pair_failed(&user.listed_as, error));
                    self.report.totals_mut(Step::Collect).count(Outcome::Failed);
                    continue;
                }
            };
            let executed = write::execute(self.graph, self.settings.dry_run, &pair, folder_id.as_deref(), planned.actions, self.journal.as_ref()).await;
            self.hub_changed.extend(executed.targets.iter().map(|c| c.id.clone()));
            hub.contacts = Some(merge(planned.targets, &executed.targets));
            merge_into(sources, &executed.sources);
            if let Mailbox::Stored = mailbox {
                // What step 2 must see that the state does not hold: contacts read whole or
                // written back in this step.
                self.overlays.insert(user.id.clone(), loaded.into_iter().filter(|c| c.notes_read == NotesRead::Full).collect());
            }
            let target = self.config.shared_mailbox.clone();
            self.account(Step::Collect, &target, executed);
        }
        ops::verbose(format!("Step 1 planned {planned_users} of {} users' folders.", users.len()));
        Ok(hub)
    }

    /// Step 2: the hub into every user's default Contacts folder, many users at once; each
    /// user's lines are printed together, in user order. Planning only what changed, a user
    /// whose folder did not change gets only the hub's changed contacts planned (or nothing).
    async fn distribute(&mut self, users: &[ResolvedUser], mailboxes: Vec<Mailbox>, changed: &[bool], mut hub: Hub) -> Result<()> {
        ops::information(report::step_header(Step::Distribute, &self.config.hub_folder));
        let hub_len = match &hub.contacts {
            Some(contacts) => contacts.len(),
            None => self.stored_count(&self.shared_id.clone(), self.folder_id.clone().as_deref())?,
        };
        // Planning only what changed: the hub's keys and its changed contacts' positions.
        let partial = match self.full {
            Some(_) => None,
            None if self.hub_changed.is_empty() && !changed.contains(&true) => Some(Arc::new((None, Vec::new()))),
            None => {
                let contacts = self.load_hub(&mut hub)?;
                Some(Arc::new((Some(HubKeys::new(contacts)), incremental::positions(contacts, &self.hub_changed))))
            }
        };
        let hub = Arc::new(hub.contacts.unwrap_or_default());
        let slots = Arc::new(Semaphore::new(PARALLEL_MAILBOXES));
        let mut tasks = JoinSet::new();
        let mut results: Vec<Option<Result<(Executed, usize)>>> = (0..users.len()).map(|_| None).collect();
        let mut absent = vec![false; users.len()];
        for (index, (user, mailbox)) in users.iter().zip(mailboxes).enumerate() {
            let (targets, sources) = match (mailbox, &partial) {
                (Mailbox::Read(targets), None) => (Targets::Read(targets), None),
                (Mailbox::Read(targets), Some(_)) if changed[index] => (Targets::Read(targets), None),
                (Mailbox::Stored, None) => (self.stored(&user.id), None),
                (Mailbox::Stored, Some(_)) if changed[index] => (self.stored(&user.id), None),
                (Mailbox::Read(_) | Mailbox::Stored, Some(hub_keys)) if hub_keys.1.is_empty() => {
                    results[index] = Some(Ok((Executed::default(), hub_len)));
                    continue;
                }
                (Mailbox::Read(targets), Some(hub_keys)) => (Targets::Read(targets), Some(hub_keys.clone())),
                (Mailbox::Stored, Some(hub_keys)) => (self.stored(&user.id), Some(hub_keys.clone())),
                (Mailbox::Absent, _) => {
                    absent[index] = true;
                    continue;
                }
                (Mailbox::Failed, _) => continue,
            };
            let job = Distribution {
                graph: self.graph.clone(),
                hub: hub.clone(),
                sources,
                targets,
                actor: self.config.shared_mailbox.clone(),
                shared_id: self.shared_id.clone(),
                user_id: user.id.clone(),
                started_at: self.settings.started_at,
                dry_run: self.settings.dry_run,
                journal: self.journal.clone(),
            };
            let slots = slots.clone();
            ops::spawn_into(&mut tasks, async move {
                let _slot = slots.acquire_owned().await.expect("never closed");
                (index, job.run().await)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            if let Ok((index, result)) = joined {
                results[index] = Some(result);
            }
        }
        let planned = results.iter().filter(|r| matches!(r, Some(Ok((_, unplanned))) if *unplanned < hub_len) || matches!(r, Some(Err(_)))).count();
        ops::verbose(format!("Step 2 planned for {planned} of {} users.", users.len()));
        for ((user, result), absent) in users.iter().zip(results).zip(absent) {
            ops::information(report::syncing_line(&self.config.shared_mailbox, &user.listed_as));
            match result {
                None if absent => {}
                Some(Ok((executed, unplanned))) => {
                    self.report.totals_mut(Step::Distribute).skipped += unplanned;
                    self.account(Step::Distribute, &user.listed_as, executed);
                }
                Some(Err(error)) => {
                    ops::error(reads::pair_failed(&user.listed_as, error));
                    self.report.totals_mut(Step::Distribute).count(Outcome::Failed);
                }
                None => self.report.totals_mut(Step::Distribute).count(Outcome::Failed),
            }
        }
        Ok(())
    }

    /// A user's folder still in the state, with what step 1 changed in it.
    fn stored(&mut self, user_id: &str) -> Targets {
        Targets::Stored(self.state.clone().expect("a stored folder has a state"), self.overlays.remove(user_id).unwrap_or_default())
    }

    /// The hub's contacts, loaded from the state the first time a plan needs them.
    fn load_hub<'h>(&self, hub: &'h mut Hub) -> Result<&'h Vec<Contact>> {
        if hub.contacts.is_none() {
            let state = self.state.as_ref().expect("an unloaded folder comes from a state");
            hub.contacts = Some(delta::load(state, &self.shared_id, self.folder_id.as_deref())?);
        }
        Ok(hub.contacts.as_ref().expect("just loaded"))
    }

    /// Every user's folder loaded, for a full plan.
    fn load_all(&self, users: &[ResolvedUser], mailboxes: &mut [Mailbox]) -> Result<()> {
        for (user, mailbox) in users.iter().zip(mailboxes.iter_mut()) {
            if let Mailbox::Stored = mailbox {
                let state = self.state.as_ref().expect("an unloaded folder comes from a state");
                *mailbox = Mailbox::Read(delta::load(state, &user.id, None)?);
            }
        }
        Ok(())
    }

    /// How many contacts the state holds for a folder not loaded.
    fn stored_count(&self, mailbox: &str, folder: Option<&str>) -> Result<usize> {
        match &self.state {
            Some(state) => state.store.contact_count(&state.key(mailbox, folder)),
            None => Ok(0),
        }
    }

    /// A real run with nothing failed settles the tenant: the next run may plan only what changes.
    fn settle(&self) {
        let (Some(state), false) = (&self.state, self.settings.dry_run) else { return };
        if self.report.totals(Step::Collect).failed > 0 || self.report.totals(Step::Distribute).failed > 0 {
            return;
        }
        if let Err(error) = state.store.set_settled(&state.tenant) {
            ops::warning(format!("The state cannot record that the run ended cleanly ({error}); the next run plans every pair."));
        }
    }

    /// Counts, prints and records what one pair did.
    fn account(&mut self, step: Step, target: &str, executed: Executed) {
        let dry_run = self.settings.dry_run;
        for done in executed.done {
            self.report.totals_mut(step).count(done.outcome);
            if let (Action::Create(create), Outcome::Created | Outcome::WouldCreate) = (&done.action, done.outcome) {
                self.report.creations.push(CreationRecord::new(create, step, target, &self.config.hub_folder, dry_run));
            }
            if let Some(line) = &done.line {
                ops::information(line.clone());
            }
            if self.settings.actions {
                let mut record = ActionRecord::new(&self.config.tenant_id, step, target, &done.action);
                record.outcome = outcome_name(done.outcome).into();
                record.error = done.error.as_ref().map(ToString::to_string);
                ops::record(Record::MirrorAction(record));
            }
            if let Some(error) = done.error {
                ops::error(error);
            }
        }
        for (_, outcome, error) in executed.written_back {
            self.report.totals_mut(step).count(outcome);
            if let Some(error) = error {
                ops::error(error);
            }
        }
    }

    fn summary(&self, step: Step, requests: u64, duration: std::time::Duration) {
        ops::record(Record::MirrorSummary(StepSummary {
            tenant: self.config.tenant_id.clone(),
            step,
            dry_run: self.settings.dry_run,
            totals: *self.report.totals(step),
            requests,
            duration,
        }));
    }
}

/// The hub folder as this run holds it: loaded when a plan needs it.
struct Hub {
    contacts: Option<Vec<Contact>>,
}

impl Hub {
    fn from(read: FolderRead) -> Hub {
        Hub { contacts: read.contacts }
    }

    fn contacts(&self) -> &[Contact] {
        self.contacts.as_deref().unwrap_or(&[])
    }
}

/// A user's folder for step 2: in memory, or still in the state (with the contacts step 1 read
/// whole or wrote back, which the state does not hold).
enum Targets {
    Read(Vec<Contact>),
    Stored(TenantState, Vec<Contact>),
}

/// One user's step 2, as an owned task.
struct Distribution {
    graph: GraphClient,
    hub: Arc<Vec<Contact>>,
    /// Planning only what changed: the hub's keys and changed positions; `None`: the whole pair.
    sources: Option<Arc<(Option<HubKeys>, Vec<usize>)>>,
    targets: Targets,
    actor: String,
    shared_id: String,
    user_id: String,
    started_at: DateTime<Utc>,
    dry_run: bool,
    journal: Option<Journal>,
}

impl Distribution {
    /// The pair's outcomes, and how many hub contacts were not planned (unchanged: skipped).
    async fn run(self) -> Result<(Executed, usize)> {
        let (sources, targets) = match &self.sources {
            None => (self.hub.as_ref().clone(), self.targets.whole(&self.user_id)?),
            Some(partial) => match self.targets.partial(&self.user_id, partial)? {
                Chosen::Nothing => return Ok((Executed::default(), self.hub.len())),
                Chosen::Whole(targets) => (self.hub.as_ref().clone(), targets),
                Chosen::Some(positions, targets) => (positions.iter().map(|&i| self.hub[i].clone()).collect(), targets),
            },
        };
        let unplanned = self.hub.len() - sources.len();
        let mut sources = sources;
        let mut run = Run::new(self.started_at, self.dry_run);
        let pair = Pair { step: Step::Distribute, actor: &self.actor, source_mailbox: &self.shared_id, target_mailbox: &self.user_id };
        let planned = pair::plan(&self.graph, &mut run, &pair, &mut sources, targets).await?;
        Ok((write::execute(&self.graph, self.dry_run, &pair, None, planned.actions, self.journal.as_ref()).await, unplanned))
    }
}

/// What a partial step 2 plans for one user.
enum Chosen {
    Nothing,
    Whole(Vec<Contact>),
    /// Hub positions, and the targets they can reach.
    Some(Vec<usize>, Vec<Contact>),
}

impl Targets {
    fn whole(self, user_id: &str) -> Result<Vec<Contact>> {
        match self {
            Targets::Read(targets) => Ok(targets),
            Targets::Stored(state, overlay) => {
                let mut targets = delta::load(&state, user_id, None)?;
                merge_into(&mut targets, &overlay);
                Ok(targets)
            }
        }
    }


    /// The targets a change can reach (`mirror::incremental::connected`), read from the state's
    /// compact index and loaded by id; a folder without keys in the state is loaded whole.
    fn partial(self, user_id: &str, hub: &(Option<HubKeys>, Vec<usize>)) -> Result<Chosen> {
        let Some(hub_keys) = &hub.0 else { return Ok(Chosen::Nothing) };
        match self {
            Targets::Read(targets) => {
                let keys: Vec<IndexKeys> = targets.iter().map(IndexKeys::of).collect();
                Ok(match incremental::connected(hub_keys, &hub.1, &keys) {
                    Partial::Nothing => Chosen::Nothing,
                    Partial::Whole => Chosen::Whole(targets),
                    Partial::Some { sources, targets: reached } => Chosen::Some(sources, reached.into_iter().map(|i| targets[i].clone()).collect()),
                })
            }
            Targets::Stored(state, overlay) if !overlay.is_empty() => Targets::Read(Targets::Stored(state, overlay).whole(user_id)?).partial(user_id, hub),
            Targets::Stored(state, _) => {
                let Some(index) = state.store.index(&state.key(user_id, None))? else {
                    return Targets::Read(delta::load(&state, user_id, None)?).partial(user_id, hub);
                };
                let (ids, keys): (Vec<String>, Vec<IndexKeys>) = index.into_iter().unzip();
                Ok(match incremental::connected(hub_keys, &hub.1, &keys) {
                    Partial::Nothing => Chosen::Nothing,
                    Partial::Whole => Chosen::Whole(delta::load(&state, user_id, None)?),
                    Partial::Some { sources, targets: reached } => {
                        let wanted: Vec<String> = reached.iter().map(|&i| ids[i].clone()).collect();
                        match delta::load_some(&state, user_id, &wanted)? {
                            Some(found) if found.len() == wanted.len() => Chosen::Some(sources, found),
                            _ => Chosen::Whole(delta::load(&state, user_id, None)?),
                        }
                    }
                })
            }
        }
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Created | Outcome::Updated | Outcome::WrittenBack => "Done",
        Outcome::WouldCreate | Outcome::WouldUpdate => "WhatIf",
        Outcome::Skipped => "Skipped",
        Outcome::Failed => "Failed",
    }
}

/// `base` with `written` in place of (or after) the contacts of the same id.
fn merge(mut base: Vec<Contact>, written: &[Contact]) -> Vec<Contact> {
    merge_into(&mut base, written);
    base
}

fn merge_into(base: &mut Vec<Contact>, written: &[Contact]) {
    for contact in written {
        match base.iter_mut().find(|c| c.id == contact.id) {
            Some(slot) => *slot = contact.clone(),
            None => base.push(contact.clone()),
        }
    }
}

/// Names what was being done in a failure's message.
fn context(error: ExoError, what: &str) -> ExoError {
    error.reworded(|message| format!("{what}: {message}"))
}
