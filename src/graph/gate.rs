//! At most four requests in flight per mailbox, across every caller of one client: Outlook
//! answers a fifth with 429 `MailboxConcurrency` (graph-api.md §5), and a retry storm costs
//! more than waiting for a slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Outlook's concurrency limit per app and mailbox.
pub const PER_MAILBOX: u32 = 4;

#[derive(Debug, Default)]
pub struct MailboxGate {
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl MailboxGate {
    /// Waits for `count` slots (at most [`PER_MAILBOX`]) of `mailbox` (an id or UPN, compared
    /// case-insensitively). A `$batch` of n items to one mailbox takes min(n, 4): Graph runs
    /// four of its items at once.
    pub async fn enter(&self, mailbox: &str, count: u32) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.entry(mailbox.to_ascii_lowercase()).or_insert_with(|| Arc::new(Semaphore::new(PER_MAILBOX as usize))).clone()
        };
        semaphore.acquire_many_owned(count.clamp(1, PER_MAILBOX)).await.expect("gates are never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_fifth_request_to_one_mailbox_waits_but_another_mailbox_does_not() {
        let gate = MailboxGate::default();
        let held: Vec<_> = futures_join(&gate, "Alice@x", 4).await;
        let fifth = tokio::time::timeout(Duration::from_millis(50), gate.enter("alice@x", 1)).await;
        assert!(fifth.is_err(), "the fifth waits");
        assert!(tokio::time::timeout(Duration::from_millis(50), gate.enter("bob@x", 1)).await.is_ok());
        drop(held);
        assert!(tokio::time::timeout(Duration::from_millis(50), gate.enter("alice@x", 4)).await.is_ok());
    }

    async fn futures_join(gate: &MailboxGate, mailbox: &str, n: usize) -> Vec<OwnedSemaphorePermit> {
        let mut permits = Vec::new();
        for _ in 0..n {
            permits.push(gate.enter(mailbox, 1).await);
        }
        permits
    }
}
