//! What a run reports: the original's log lines (spec §5.1, format strings verbatim) and the
//! counts per tenant and step.
//!
//! D7: the original left Created and Updated at 0 in a dry run and said nothing about what it would
//! do. The `Done for tenant …` line keeps that format, and a dry run adds a `DryRun for tenant …`
//! line with the would-create and would-update counts.

use std::cmp::Ordering;

use crate::mirror::payload::NameChange;
use crate::mirror::pwsh_order::{compare_text, sort_like_pwsh};
use crate::mirror::plan::{Action, ContactLabel, CreateContact, Step, UpdateContact};

/// `Running synccontacts for tenant {TenantId}`
pub fn tenant_header(tenant_id: &str) -> String {
    format!("Running synccontacts for tenant {tenant_id}")
}

/// `Using tenant test user list with {N} users.`
pub fn test_users_line(count: usize) -> String {
    format!("Using tenant test user list with {count} users.")
}

/// `Using shared mailbox All Contacts folder id: {folderId}` (the folder's name is
/// [`HUB_FOLDER_NAME`](crate::mirror::HUB_FOLDER_NAME) unless `Invoke-ContactMirror -FolderName`
/// says otherwise).
pub fn hub_folder_line(hub_folder: &str, folder_id: &str) -> String {
    format!("Using shared mailbox {hub_folder} folder id: {folder_id}")
}

/// The step's header line, e.g. `Step 1: Sync user contacts to shared mailbox All Contacts`.
pub fn step_header(step: Step, hub_folder: &str) -> String {
    match step {
        Step::Collect => format!("Step 1: Sync user contacts to shared mailbox {hub_folder}"),
        Step::Distribute => format!("Step 2: Sync shared mailbox {hub_folder} to user contacts"),
    }
}

/// `Syncing {source} -> {target}`
pub fn syncing_line(source: &str, target: &str) -> String {
    format!("Syncing {source} -> {target}")
}

/// The line the original printed for an action: creates and updates only (skips were silent).
pub fn action_line(action: &Action, dry_run: bool) -> Option<String> {
    match action {
        Action::Create(create) => Some(create_line(create, dry_run)),
        Action::Update(update) => Some(update_line(update, dry_run)),
        Action::Skip(_) | Action::NeedsFullRead(_) => None,
    }
}

/// `Would create: NotesId={syncId} | {displayName} ({email})`, or `Created: …` after the write.
pub fn create_line(create: &CreateContact, dry_run: bool) -> String {
    let verb = if dry_run { "Would create" } else { "Created" };
    format!(
        "{verb}: NotesId={} | {}",
        create.sync_id,
        name_and_email(&create.label)
    )
}

/// `Would update: NotesId={syncId} | {displayName} ({email}) | Changed: {k1, k2}{deltaSuffix}`, or
/// `Updated: …` after the write.
pub fn update_line(update: &UpdateContact, dry_run: bool) -> String {
    let verb = if dry_run { "Would update" } else { "Updated" };
    let changed: Vec<&str> = update.changed.iter().map(|f| f.graph_name()).collect();
    format!(
        "{verb}: NotesId={} | {} | Changed: {}{}",
        update.sync_id,
        name_and_email(&update.label),
        changed.join(", "),
        delta_suffix(&update.name_changes)
    )
}

/// `{displayName} ({email})`; either may be empty, as in the original (`Name ()`).
fn name_and_email(label: &ContactLabel) -> String {
    format!(
        "{} ({})",
        label.display_name.as_deref().unwrap_or(""),
        label.email.as_deref().unwrap_or("")
    )
}

/// `""`, or ` | Delta: ` and `{key}: '{old}' -> '{new}'` segments joined with `"; "`.
pub fn delta_suffix(changes: &[NameChange]) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let segments: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "{}: '{}' -> '{}'",
                c.field.graph_name(),
                shown(c.old.as_deref()),
                shown(c.new.as_deref())
            )
        })
        .collect();
    format!(" | Delta: {}", segments.join("; "))
}

/// `<null>` for no value, `<empty>` for whitespace, the text otherwise.
fn shown(value: Option<&str>) -> &str {
    match value {
        None => "<null>",
        Some(v) if v.trim().is_empty() => "<empty>",
        Some(v) => v,
    }
}

/// What happened to one contact, for the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A POST that succeeded.
    Created,
    /// A PATCH that succeeded.
    Updated,
    /// A create that a dry run did not send.
    WouldCreate,
    /// An update that a dry run did not send.
    WouldUpdate,
    Skipped,
    /// A tag written back to a source contact.
    WrittenBack,
    /// A write that failed (D11: never counted as created or updated).
    Failed,
}

/// The counts of one step of one tenant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTotals {
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub would_create: usize,
    pub would_update: usize,
    pub written_back: usize,
    pub failed: usize,
}

impl StepTotals {
    pub fn count(&mut self, outcome: Outcome) {
        let slot = match outcome {
            Outcome::Created => &mut self.created,
            Outcome::Updated => &mut self.updated,
            Outcome::WouldCreate => &mut self.would_create,
            Outcome::WouldUpdate => &mut self.would_update,
            Outcome::Skipped => &mut self.skipped,
            Outcome::WrittenBack => &mut self.written_back,
            Outcome::Failed => &mut self.failed,
        };
        *slot += 1;
    }
}

/// One created (or, in a dry run, would-be-created) contact, for the creation summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationRecord {
    pub step: Step,
    pub created_by: String,
    /// The mailbox written to, as the run names it.
    pub target_user: String,
    pub target_folder: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub sync_id: String,
    pub dry_run: bool,
}

impl CreationRecord {
    pub fn new(
        create: &CreateContact,
        step: Step,
        target_user: &str,
        hub_folder: &str,
        dry_run: bool,
    ) -> CreationRecord {
        CreationRecord {
            step,
            created_by: create.created_by.clone(),
            target_user: target_user.to_string(),
            target_folder: step.target_folder_label(hub_folder).to_string(),
            display_name: create.label.display_name.clone(),
            email: create.label.email.clone(),
            sync_id: create.sync_id.clone(),
            dry_run,
        }
    }
}

/// Everything one tenant's run reports at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantReport {
    pub tenant_id: String,
    pub dry_run: bool,
    pub collect: StepTotals,
    pub distribute: StepTotals,
    pub creations: Vec<CreationRecord>,
}

impl TenantReport {
    pub fn new(tenant_id: &str, dry_run: bool) -> TenantReport {
        TenantReport {
            tenant_id: tenant_id.to_string(),
            dry_run,
            collect: StepTotals::default(),
            distribute: StepTotals::default(),
            creations: Vec::new(),
        }
    }

    pub fn totals(&self, step: Step) -> &StepTotals {
        match step {
            Step::Collect => &self.collect,
            Step::Distribute => &self.distribute,
        }
    }

    pub fn totals_mut(&mut self, step: Step) -> &mut StepTotals {
        match step {
            Step::Collect => &mut self.collect,
            Step::Distribute => &mut self.distribute,
        }
    }

    /// The closing lines: both `Done for tenant …` lines, then both creation summaries (spec §4.1
    /// step 7). A dry run adds its would-counts; failed writes get a line of their own.
    pub fn closing_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = [Step::Collect, Step::Distribute]
            .into_iter()
            .flat_map(|s| self.done_lines(s))
            .collect();
        lines.extend(self.creation_summary(Step::Collect));
        lines.extend(self.creation_summary(Step::Distribute));
        lines
    }

    /// `Done for tenant {T}. Step1 - Created: {c}, Updated: {u}, Skipped: {s}` and the extra lines.
    pub fn done_lines(&self, step: Step) -> Vec<String> {
        let (t, n, totals) = (&self.tenant_id, step.number(), self.totals(step));
        let mut lines = vec![format!(
            "Done for tenant {t}. Step{n} - Created: {}, Updated: {}, Skipped: {}",
            totals.created, totals.updated, totals.skipped
        )];
        if self.dry_run {
            lines.push(format!(
                "DryRun for tenant {t}. Step{n} - Would create: {}, Would update: {}",
                totals.would_create, totals.would_update
            ));
        }
        if totals.failed > 0 {
            lines.push(format!(
                "Errors for tenant {t}. Step{n} - Failed writes: {}",
                totals.failed
            ));
        }
        lines
    }

    /// `Tenant {T} / Step 1 (users -> shared mailbox) creation summary` and its groups: grouped by
    /// CreatedBy, target and folder ignoring case, largest group first (ties where pwsh 7.6 puts
    /// them, see [`group_records`]), items by displayName as `Sort-Object DisplayName` orders them.
    pub fn creation_summary(&self, step: Step) -> Vec<String> {
        let title = match step {
            Step::Collect => "Step 1 (users -> shared mailbox)",
            Step::Distribute => "Step 2 (shared mailbox -> users)",
        };
        let mut lines = vec![format!(
            "Tenant {} / {title} creation summary",
            self.tenant_id
        )];
        let records: Vec<&CreationRecord> =
            self.creations.iter().filter(|r| r.step == step).collect();
        if records.is_empty() {
            lines.push("  No contacts were created.".to_string());
            return lines;
        }
        for mut group in group_records(records) {
            let head = group[0];
            lines.push(format!(
                "  {} contact(s) | CreatedBy: {} | Target: {} | Folder: {}",
                group.len(),
                head.created_by,
                head.target_user,
                head.target_folder
            ));
            sort_like_pwsh(&mut group, |a, b| compare_text(a.display_name.as_deref().unwrap_or(""), b.display_name.as_deref().unwrap_or("")));
            lines.extend(group.into_iter().map(summary_item));
        }
        lines
    }
}

/// `Group-Object -Property CreatedBy, TargetUser, TargetFolder | Sort-Object -Property Count
/// -Descending`, as pwsh 7.6 does it: Group-Object sorts the records by the three keys (stable,
/// culture-aware, ignoring case) and makes a group of each run of equal keys, so groups come
/// out in key order; Sort-Object then reorders them by size with .NET's unstable sort.
fn group_records(mut records: Vec<&CreationRecord>) -> Vec<Vec<&CreationRecord>> {
    let compare_keys = |a: &CreationRecord, b: &CreationRecord| {
        compare_text(&a.created_by, &b.created_by)
            .then_with(|| compare_text(&a.target_user, &b.target_user))
            .then_with(|| compare_text(&a.target_folder, &b.target_folder))
    };
    records.sort_by(|a, b| compare_keys(a, b));
    let mut groups: Vec<Vec<&CreationRecord>> = Vec::new();
    for record in records {
        match groups.last_mut() {
            Some(group) if compare_keys(group[0], record) == Ordering::Equal => group.push(record),
            _ => groups.push(vec![record]),
        }
    }
    sort_like_pwsh(&mut groups, |a, b| b.len().cmp(&a.len()));
    groups
}

/// `    - [{Created|WouldCreate}] {displayName or "(no displayName)"} <{email or "no-email"}> | SyncId: {syncId}`
fn summary_item(record: &CreationRecord) -> String {
    format!(
        "    - [{}] {} <{}> | SyncId: {}",
        if record.dry_run {
            "WouldCreate"
        } else {
            "Created"
        },
        record.display_name.as_deref().unwrap_or("(no displayName)"),
        record.email.as_deref().unwrap_or("no-email"),
        record.sync_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::HUB_FOLDER_NAME;
    use crate::mirror::contact::ContactFields;
    use crate::mirror::payload::SyncedField;
    use crate::mirror::payload::create_body;
    use crate::mirror::plan::WriteBackTag;

    fn create(name: Option<&str>, email: Option<&str>, by: &str, sync_id: &str) -> CreateContact {
        CreateContact {
            source_id: "s".into(),
            sync_id: sync_id.into(),
            created_by: by.into(),
            label: ContactLabel {
                display_name: name.map(Into::into),
                email: email.map(Into::into),
            },
            body: create_body(&ContactFields::default(), "n"),
            notes: "n".into(),
            write_back: Some(WriteBackTag {
                source_id: "s".into(),
                notes: "n".into(),
            }),
        }
    }

    #[test]
    fn header_lines_are_verbatim() {
        assert_eq!(
            tenant_header("contoso.com"),
            "Running synccontacts for tenant contoso.com"
        );
        assert_eq!(
            test_users_line(2),
            "Using tenant test user list with 2 users."
        );
        assert_eq!(
            hub_folder_line(HUB_FOLDER_NAME, "AAMk1"),
            "Using shared mailbox All Contacts folder id: AAMk1"
        );
        assert_eq!(
            step_header(Step::Collect, HUB_FOLDER_NAME),
            "Step 1: Sync user contacts to shared mailbox All Contacts"
        );
        assert_eq!(
            step_header(Step::Distribute, HUB_FOLDER_NAME),
            "Step 2: Sync shared mailbox All Contacts to user contacts"
        );
        assert_eq!(syncing_line("a@x", "hub@x"), "Syncing a@x -> hub@x");
    }

    #[test]
    fn create_lines_are_verbatim() {
        let c = create(Some("Ann"), Some("ann@x.com"), "a", "id1");
        assert_eq!(
            create_line(&c, true),
            "Would create: NotesId=id1 | Ann (ann@x.com)"
        );
        assert_eq!(
            create_line(&c, false),
            "Created: NotesId=id1 | Ann (ann@x.com)"
        );
        assert_eq!(
            create_line(&create(None, None, "a", "id2"), false),
            "Created: NotesId=id2 |  ()"
        );
    }

    #[test]
    fn update_lines_list_changes_and_name_deltas() {
        let update = UpdateContact {
            source_id: "s".into(),
            target_id: "t".into(),
            sync_id: "id1".into(),
            label: ContactLabel {
                display_name: Some("Ann Lee".into()),
                email: Some("ann@x.com".into()),
            },
            changed: vec![
                SyncedField::DisplayName,
                SyncedField::JobTitle,
                SyncedField::PersonalNotes,
                SyncedField::Surname,
            ],
            name_changes: vec![
                NameChange {
                    field: SyncedField::DisplayName,
                    old: Some("Ann".into()),
                    new: Some("Ann Lee".into()),
                },
                NameChange {
                    field: SyncedField::Surname,
                    old: Some(" ".into()),
                    new: None,
                },
            ],
            body: create_body(&ContactFields::default(), "n"),
            write_back: None,
        };
        assert_eq!(
            update_line(&update, true),
            "Would update: NotesId=id1 | Ann Lee (ann@x.com) | Changed: displayName, jobTitle, personalNotes, surname \
             | Delta: displayName: 'Ann' -> 'Ann Lee'; surname: '<empty>' -> '<null>'"
        );
        assert!(update_line(&update, false).starts_with("Updated: NotesId=id1"));
    }

    #[test]
    fn done_lines_keep_the_original_format_and_a_dry_run_adds_its_counts() {
        let mut report = TenantReport::new("contoso.com", true);
        report.collect.count(Outcome::WouldCreate);
        report.collect.count(Outcome::WouldUpdate);
        report.collect.count(Outcome::Skipped);
        assert_eq!(
            report.done_lines(Step::Collect),
            [
                "Done for tenant contoso.com. Step1 - Created: 0, Updated: 0, Skipped: 1",
                "DryRun for tenant contoso.com. Step1 - Would create: 1, Would update: 1"
            ]
        );
        let mut live = TenantReport::new("t", false);
        live.distribute.count(Outcome::Failed);
        assert_eq!(
            live.done_lines(Step::Distribute)[1],
            "Errors for tenant t. Step2 - Failed writes: 1"
        );
    }

    #[test]
    fn creation_summary_groups_and_sorts_like_the_original() {
        let mut report = TenantReport::new("t", false);
        assert_eq!(
            report.creation_summary(Step::Collect),
            [
                "Tenant t / Step 1 (users -> shared mailbox) creation summary",
                "  No contacts were created."
            ]
        );
        let records = [
            CreationRecord::new(
                &create(Some("zed"), None, "a@x", "1"),
                Step::Distribute,
                "u1@x",
                HUB_FOLDER_NAME,
                false,
            ),
            CreationRecord::new(
                &create(Some("Bob"), Some("b@x"), "b@x", "2"),
                Step::Distribute,
                "u1@x",
                HUB_FOLDER_NAME,
                false,
            ),
            CreationRecord::new(
                &create(None, Some("c@x"), "B@X", "3"),
                Step::Distribute,
                "U1@x",
                HUB_FOLDER_NAME,
                false,
            ),
        ];
        report.creations.extend(records);
        assert_eq!(
            report.creation_summary(Step::Distribute),
            [
                "Tenant t / Step 2 (shared mailbox -> users) creation summary",
                "  2 contact(s) | CreatedBy: b@x | Target: u1@x | Folder: Default Contacts",
                "    - [Created] (no displayName) <c@x> | SyncId: 3",
                "    - [Created] Bob <b@x> | SyncId: 2",
                "  1 contact(s) | CreatedBy: a@x | Target: u1@x | Folder: Default Contacts",
                "    - [Created] zed <no-email> | SyncId: 1",
            ]
        );
        assert_eq!(report.closing_lines().len(), 2 + 2 + 6);
    }
}
