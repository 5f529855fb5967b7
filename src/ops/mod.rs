//! Long work as a handle. A cmdlet starts an [`Operation`], then pulls its [`Event`]s on its own
//! thread until [`Event::Done`]; another thread may [`Operation::cancel`] it at any time.
//!
//! Why a pull API: PowerShell accepts `Write*` calls only on the pipeline thread, while the work
//! runs on tokio workers. With pulls there are no callbacks into .NET, so no delegate lifetimes
//! and nothing to marshal back.
//!
//! Code running inside an operation reports through the free functions [`verbose`],
//! [`warning`], [`progress`], [`record`] and [`error`]; outside one (unit tests) they do nothing.

mod event;

pub use event::{Event, Progress, Record};

use std::future::Future;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::{ExoError, Result};
use crate::runtime;

tokio::task_local! {
    static SINK: Sender<Event>;
}

/// A running (or finished) piece of work and the events it has not yet handed over.
pub struct Operation {
    events: Mutex<Receiver<Event>>,
    cancel: CancellationToken,
}

impl Operation {
    /// Starts `work` on the shared runtime. Its `Err` becomes a terminating [`Event::Error`];
    /// a panic inside it becomes an internal error, never an unwind into the caller.
    pub fn start<Fut>(work: Fut) -> Operation
    where
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let scoped = SINK.scope(tx.clone(), async move {
            tokio::select! {
                biased;
                _ = token.cancelled() => Err(ExoError::Cancelled),
                outcome = work => outcome,
            }
        });
        let rt = runtime::handle();
        let task = rt.spawn(scoped);
        rt.spawn(async move {
            let failure = match task.await {
                Ok(Ok(())) => None,
                Ok(Err(err)) => Some(err),
                Err(join) => Some(ExoError::Internal(panic_message(join))),
            };
            if let Some(err) = failure {
                let _ = tx.send(Event::Error { error: err, terminating: true });
            }
            let _ = tx.send(Event::Done);
        });
        Operation { events: Mutex::new(rx), cancel }
    }

    /// The next event, waiting at most `timeout`; `None` when nothing arrived in that time.
    /// After [`Event::Done`] every call answers `Done` again.
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        let events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match events.recv_timeout(timeout) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Event::Done),
        }
    }

    /// Asks the work to stop. It stops at its next await point (an HTTP call in flight is dropped).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Drains every event up to and including `Done` (for Rust callers and tests).
    pub fn wait(&self) -> Vec<Event> {
        let mut all = Vec::new();
        loop {
            if let Some(event) = self.next_event(Duration::from_secs(3600)) {
                let done = matches!(event, Event::Done);
                all.push(event);
                if done {
                    return all;
                }
            }
        }
    }
}

impl Drop for Operation {
    /// A handle dropped mid-flight (a disposed cmdlet) must not leave work running.
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn panic_message(join: tokio::task::JoinError) -> String {
    if join.is_cancelled() {
        return "the operation's task was aborted".into();
    }
    let payload = join.into_panic();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("panic: {text}")
}

fn emit(event: Event) {
    // A closed channel (the caller is gone) or no operation (unit tests): nothing to tell.
    let _ = SINK.try_with(|sink| sink.send(event).is_ok());
}

/// Hands a secret to the caller (see [`Event::Secret`]); the next record is the one it belongs to.
pub fn secret(secret: crate::auth::Secret) {
    emit(Event::Secret(secret));
}

/// A verbose line (`Write-Verbose`). Never put a secret in it.
pub fn verbose(message: impl Into<String>) {
    emit(Event::Verbose(message.into()));
}

/// A log line for the information stream (`Write-Information`, tag `ExoKit`): what a pipeline
/// log shows, quiet in an interactive session unless asked for.
pub fn information(message: impl Into<String>) {
    emit(Event::Information(message.into()));
}

/// A warning line (`Write-Warning`).
pub fn warning(message: impl Into<String>) {
    emit(Event::Warning(message.into()));
}

/// A progress update (`Write-Progress`).
pub fn progress(activity: impl Into<String>, status: impl Into<String>, percent: Option<u8>) {
    emit(Event::Progress(Progress { activity: activity.into(), status: status.into(), percent }));
}

/// An output object (`Write-Output`).
pub fn record(record: Record) {
    emit(Event::Record(record));
}

/// Runs part of an operation's work as its own task in `set`, reporting to the same caller.
/// Dropping the set (the operation cancelled or finished) aborts what is still running.
pub fn spawn_into<F>(set: &mut tokio::task::JoinSet<F::Output>, work: F)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // The task reports to the same caller and runs on the same connection as its parent.
    let connection = crate::session::scope_of_running();
    let work = async move {
        match connection {
            Ok(connection) => crate::session::scoped(connection, work).await,
            Err(()) => work.await,
        }
    };
    match SINK.try_with(Sender::clone) {
        Ok(sink) => set.spawn(SINK.scope(sink, work)),
        Err(_) => set.spawn(work),
    };
}

/// Runs part of an operation's work with its events kept, not sent: the caller tells them later
/// with [`replay`] (several tenants at once, each told together).
pub async fn buffered<F: Future>(work: F) -> (F::Output, Vec<Event>) {
    let (sink, kept) = mpsc::channel();
    let output = SINK.scope(sink, work).await;
    (output, kept.try_iter().collect())
}

/// Sends events kept by [`buffered`] to the caller, in order.
pub fn replay(events: Vec<Event>) {
    events.into_iter().for_each(emit);
}

/// A non-terminating error (`Write-Error`): this item failed, the operation goes on.
pub fn error(error: ExoError) {
    emit(Event::Error { error, terminating: false });
}

/// One input item's outcome: a failure is reported as a non-terminating error naming `item`
/// and the cmdlet goes on with the next, unless nothing can go on after it
/// ([`ExoError::stops_everything`]), which is returned to stop the operation.
pub fn item<T>(item: &str, outcome: Result<T>) -> Result<Option<T>> {
    match outcome {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.stops_everything() => Err(err),
        Err(err) => {
            error(err.for_item(item));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_arrive_in_order_and_end_with_done() {
        let op = Operation::start(async {
            verbose("one");
            warning("two");
            Ok(())
        });
        let events = op.wait();
        assert!(matches!(&events[0], Event::Verbose(m) if m == "one"));
        assert!(matches!(&events[1], Event::Warning(m) if m == "two"));
        assert!(matches!(events[2], Event::Done));
        assert!(matches!(op.next_event(Duration::from_millis(10)), Some(Event::Done)));
    }

    #[test]
    fn a_failure_is_a_terminating_error_before_done() {
        let op = Operation::start(async { Err(ExoError::NotConnected) });
        let events = op.wait();
        assert!(matches!(&events[0], Event::Error { error: ExoError::NotConnected, terminating: true }));
        assert!(matches!(events[1], Event::Done));
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let op = Operation::start(async {
            if std::hint::black_box(true) {
                panic!("boom");
            }
            Ok(())
        });
        let events = op.wait();
        assert!(
            matches!(&events[0], Event::Error { error: ExoError::Internal(m), terminating: true } if m.contains("boom")),
            "{events:?}"
        );
    }

    #[test]
    fn buffered_events_are_told_when_replayed_in_their_order() {
        let op = Operation::start(async {
            let ((), kept) = buffered(async {
                verbose("inner one");
                warning("inner two");
            })
            .await;
            verbose("outer");
            replay(kept);
            Ok(())
        });
        let events = op.wait();
        let texts: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                Event::Verbose(m) | Event::Warning(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["outer", "inner one", "inner two"]);
    }

    #[test]
    fn cancel_stops_pending_work_promptly() {
        let op = Operation::start(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        });
        let started = std::time::Instant::now();
        op.cancel();
        let events = op.wait();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(matches!(&events[0], Event::Error { error: ExoError::Cancelled, .. }));
    }
}
