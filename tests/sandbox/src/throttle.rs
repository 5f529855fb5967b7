//! Outlook's limits per app and mailbox: 4 concurrent requests and 10,000 per 10 minutes.
//! (Placeholder seam: admits everything until the limits are implemented.)

/// Why a request was refused: Graph answers 429 `ApplicationThrottled` with this message and
/// `Retry-After`.
#[derive(Debug, Clone)]
pub struct Throttled {
    pub message: String,
    pub retry_after_seconds: f64,
}

/// Held while a request to a mailbox is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {}

#[derive(Debug, Default)]
pub struct Throttle {}

impl Throttle {
    pub fn new() -> Throttle {
        Throttle::default()
    }

    /// Admits one request of `app_id` to the mailbox of `mailbox_id` (a user's object id).
    pub fn enter(&self, _app_id: &str, _mailbox_id: &str) -> Result<Permit, Throttled> {
        Ok(Permit {})
    }
}
