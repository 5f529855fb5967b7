//! The contact mirror, pure half: the decisions of the original `Automation-ContactsMirroring.ps1`
//! (shared/reference/original-script-spec.md), without any network.
//!
//! A run, per tenant (spec §4.1):
//! 1. [`config`]: read the configuration ([`MirrorConfig::from_env`] for the drop-in script,
//!    [`MirrorConfig::from_parameters`] for `Invoke-ContactMirror`).
//! 2. [`scope`]: resolve the users and the shared mailbox to object ids, then
//!    [`exclude_shared_mailbox`] (D8); find the shared mailbox's "All Contacts" folder.
//! 3. Step 1 ([`Step::Collect`]) for each user: list the user's default Contacts folder (sources)
//!    and the "All Contacts" folder (targets) with [`CONTACT_SELECT`], parse with
//!    [`Contact::from_graph`], and plan with a [`Planner`]. Step 2 ([`Step::Distribute`]) the same,
//!    from "All Contacts" to each user's default Contacts folder.
//! 4. [`report`]: the original's log lines and the counts.
//!
//! Everything here is a function of its inputs; the [`Run`] carries the timestamp and the SyncId
//! source, so a dry run plans the same way twice (D7). The effects (Graph reads and writes,
//! `$batch`, concurrency) belong to the apply step, which follows [`plan`]'s protocol for
//! [`Action::NeedsFullRead`].
//!
//! Modules: [`config`] (variables, JSON, test users), [`tags`] (the `personalNotes` tag line),
//! [`contact`] (the synced fields), [`payload`] (comparison and POST/PATCH bodies), [`matching`]
//! (the three indexes), [`plan`] (the actions), [`run`] (timestamp and SyncIds), [`scope`] (users,
//! folder), [`report`] (log lines and counts).

pub mod apply;
pub mod config;
pub mod contact;
pub mod deletes;
pub mod duplicates;
pub mod incremental;
pub mod matching;
pub mod ownership;
pub mod payload;
pub mod plan;
pub mod pwsh_order;
pub mod report;
pub mod run;
pub mod scope;
pub mod state_view;
pub mod tags;
pub mod tenants;

pub use config::{ClientCredentials, MirrorConfig, MirrorParameters, TenantConfig, TenantCredential, UserSelection};
pub use contact::{CONTACT_SELECT, Contact, ContactFields, EmailAddress, NotesRead};
pub use payload::{ContactBody, SyncedField};
pub use plan::{Action, Plan, PlanCounts, Planner, Side, SkipReason, Step, plan};
pub use report::{CreationRecord, Outcome, StepTotals, TenantReport};
pub use run::{PlaceholderSyncIds, RandomSyncIds, Run, SyncIdSource};
pub use scope::{ResolvedUser, UserScope, exclude_shared_mailbox};

/// The shared mailbox folder the mirror collects into (spec §1.6), a child of its default Contacts
/// folder; `Invoke-ContactMirror -FolderName` may name another. Only that folder of the shared
/// mailbox and the default Contacts folder of each user are read or written (spec §3.2, O4).
pub const HUB_FOLDER_NAME: &str = "All Contacts";
