//! One mirror run's identity: its timestamp, whether it is a dry run, and where new SyncIds come
//! from. Passed into every plan so that a plan is a pure function of its inputs.

use std::fmt;

use chrono::{DateTime, Utc};

/// Where new SyncIds come from.
pub trait SyncIdSource: Send {
    /// The next SyncId for a contact that has none.
    fn next_sync_id(&mut self) -> String;
}

/// Random lower-case GUIDs (`8-4-4-4-12`), as the original's `[guid]::NewGuid()` (spec §4.4).
#[derive(Debug, Default)]
pub struct RandomSyncIds;

impl SyncIdSource for RandomSyncIds {
    fn next_sync_id(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// D7: a dry run names new contacts `dryrun-000001`, `dryrun-000002`, … in planning order, so the
/// same inputs print the same plan. The placeholder is deliberately not a GUID: were it ever
/// written, the SyncId reader (36 hex characters) would not take it for a real id.
#[derive(Debug, Default)]
pub struct PlaceholderSyncIds {
    issued: u64,
}

impl SyncIdSource for PlaceholderSyncIds {
    fn next_sync_id(&mut self) -> String {
        self.issued += 1;
        format!("dryrun-{:06}", self.issued)
    }
}

/// The run every plan of one invocation shares (both steps, every user, every tenant).
pub struct Run {
    /// The run's timestamp, written as `LastUpdatedAt` (one value for the whole run; the original
    /// took a new `Get-Date` per contact).
    pub started_at: DateTime<Utc>,
    /// D7: nothing is written, and new SyncIds are placeholders.
    pub dry_run: bool,
    sync_ids: Box<dyn SyncIdSource>,
}

impl Run {
    /// A real run: random SyncIds.
    pub fn live(started_at: DateTime<Utc>) -> Run {
        Run {
            started_at,
            dry_run: false,
            sync_ids: Box::new(RandomSyncIds),
        }
    }

    /// A dry run: deterministic placeholder SyncIds.
    pub fn dry_run(started_at: DateTime<Utc>) -> Run {
        Run {
            started_at,
            dry_run: true,
            sync_ids: Box::new(PlaceholderSyncIds::default()),
        }
    }

    /// `live` or `dry_run` as a flag.
    pub fn new(started_at: DateTime<Utc>, dry_run: bool) -> Run {
        if dry_run {
            Run::dry_run(started_at)
        } else {
            Run::live(started_at)
        }
    }

    /// A run with another SyncId source (tests).
    pub fn with_sync_ids(
        started_at: DateTime<Utc>,
        dry_run: bool,
        sync_ids: Box<dyn SyncIdSource>,
    ) -> Run {
        Run {
            started_at,
            dry_run,
            sync_ids,
        }
    }

    pub(crate) fn next_sync_id(&mut self) -> String {
        self.sync_ids.next_sync_id()
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("started_at", &self.started_at)
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_placeholders_are_deterministic_and_not_guids() {
        let mut a = Run::dry_run(Utc::now());
        let mut b = Run::dry_run(Utc::now());
        let first: Vec<String> = (0..3).map(|_| a.next_sync_id()).collect();
        let second: Vec<String> = (0..3).map(|_| b.next_sync_id()).collect();
        assert_eq!(first, ["dryrun-000001", "dryrun-000002", "dryrun-000003"]);
        assert_eq!(first, second);
        let tags = crate::mirror::tags::parse_tags(Some(&format!("SyncId={}", first[0])));
        assert_eq!(
            tags.sync_id, None,
            "a placeholder never reads back as a SyncId"
        );
    }

    #[test]
    fn live_runs_use_random_lower_case_guids() {
        let mut run = Run::live(Utc::now());
        let (a, b) = (run.next_sync_id(), run.next_sync_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a, a.to_lowercase());
    }
}
