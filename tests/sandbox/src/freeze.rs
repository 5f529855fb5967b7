//! A freeze point for crash tests: after N requests have been let in, every later one waits
//! before it runs, so a test can kill its client at a chosen, repeatable point of a run and know
//! exactly which requests the tenant served. Releasing the freeze refuses the waiting requests
//! (503) without running them: their client is gone.
//!
//! `PUT /_sandbox/freeze {"after": N}` counts from zero again; `GET` gives
//! `{"after", "admitted", "waiting"}`; `DELETE` releases. `$batch` items count one each, as they
//! pass the same layer.

use std::sync::Mutex;

use tokio::sync::watch;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FreezeStatus {
    pub after: Option<u64>,
    /// Requests let in since the freeze was set.
    pub admitted: u64,
    /// Requests waiting at the freeze point now.
    pub waiting: u64,
}

pub struct Freeze {
    status: Mutex<FreezeStatus>,
    /// Bumped on every set or release; waiters leave when it changes.
    generation: watch::Sender<u64>,
}

impl Default for Freeze {
    fn default() -> Self {
        Freeze { status: Mutex::new(FreezeStatus::default()), generation: watch::Sender::new(0) }
    }
}

impl Freeze {
    /// Freezes after `after` more requests (`None` releases); waiting requests are refused.
    pub fn set(&self, after: Option<u64>) {
        let mut status = self.status.lock().unwrap();
        *status = FreezeStatus { after, admitted: 0, waiting: status.waiting };
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn status(&self) -> FreezeStatus {
        *self.status.lock().unwrap()
    }

    /// `true`: the request runs. `false`: it waited at the freeze point and was refused.
    pub async fn admit(&self) -> bool {
        let mut changed = {
            let mut status = self.status.lock().unwrap();
            status.admitted += 1;
            match status.after {
                Some(after) if status.admitted > after => {
                    status.waiting += 1;
                    self.generation.subscribe()
                }
                _ => return true,
            }
        };
        changed.mark_unchanged();
        let _ = changed.changed().await;
        self.status.lock().unwrap().waiting -= 1;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_past_the_point_wait_and_are_refused_on_release() {
        let freeze = std::sync::Arc::new(Freeze::default());
        assert!(freeze.admit().await, "no freeze: everything runs");
        freeze.set(Some(1));
        assert!(freeze.admit().await);
        let waiting = tokio::spawn({
            let freeze = freeze.clone();
            async move { freeze.admit().await }
        });
        while freeze.status().waiting == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(freeze.status(), FreezeStatus { after: Some(1), admitted: 2, waiting: 1 });
        freeze.set(None);
        assert!(!waiting.await.unwrap(), "released: refused, not run");
        assert_eq!(freeze.status().waiting, 0);
        assert!(freeze.admit().await);
    }
}
