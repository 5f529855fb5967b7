//! Whether a tenant's last run settled: it planned every change it read and nothing failed.
//! Only then may the next run plan just what changed since (issue 19); otherwise it plans
//! every pair, as a run without a state does.

use rusqlite::{OptionalExtension, params};

use super::StateStore;
use crate::error::Result;

impl StateStore {
    /// True when the tenant's last run settled; the row is deleted at once, so that a run killed
    /// from here on leaves the next one unsettled.
    pub fn take_settled(&self, tenant: &str) -> Result<bool> {
        self.with(|db| {
            let found: Option<String> = db.query_row("SELECT at FROM settled WHERE tenant = ?1", [tenant], |r| r.get(0)).optional()?;
            db.execute("DELETE FROM settled WHERE tenant = ?1", [tenant])?;
            Ok(found.is_some())
        })
    }

    /// Records that the tenant's run settled.
    pub fn set_settled(&self, tenant: &str) -> Result<()> {
        self.with(|db| {
            db.execute(
                "INSERT INTO settled (tenant, at) VALUES (?1, ?2) ON CONFLICT (tenant) DO UPDATE SET at = excluded.at",
                params![tenant, chrono::Utc::now().to_rfc3339()],
            )
            .map(|_| ())
        })
    }
}
