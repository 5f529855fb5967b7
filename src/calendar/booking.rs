//! `Set-CalendarExternalBooking -Mailbox -Enabled`: Set-CalendarProcessing
//! -ProcessExternalMeetingMessages. Seed 000 warns to enable it only on calendars meant to be
//! public, so a user's own mailbox is refused unless `-Force` says that is meant.

use serde_json::{Value, json};

use crate::error::{ExoError, Result};
use crate::exo::{self, Anchor, ExoClient, parameters};
use crate::ops;
use crate::session;

/// A mailbox's external-booking setting after the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalBooking {
    pub mailbox: String,
    pub recipient_type_details: String,
    pub process_external_meeting_messages: bool,
    pub automate_processing: String,
}

pub async fn set(mailboxes: Vec<String>, enabled: bool, force: bool) -> Result<()> {
    let client = session::current()?.exo.clone();
    client.cloud().require_exchange()?;
    for mailbox in mailboxes {
        if let Some(booking) = ops::item(&mailbox, set_one(&client, &mailbox, enabled, force).await)? {
            ops::record(ops::Record::ExternalBooking(booking));
        }
    }
    Ok(())
}

/// One mailbox: checked by the guard, changed, read back.
async fn set_one(client: &ExoClient, mailbox: &str, enabled: bool, force: bool) -> Result<ExternalBooking> {
    let kind = recipient_type(client, mailbox).await?;
    guard(mailbox, &kind, enabled, force)?;
    let params = parameters([
        ("Identity", Some(json!(mailbox))),
        ("ProcessExternalMeetingMessages", Some(Value::Bool(enabled))),
        ("Confirm", Some(json!(false))),
    ]);
    client.run("Set-CalendarProcessing", params, Anchor::Mailbox(mailbox)).await?;
    let rows = client.run("Get-CalendarProcessing", parameters([("Identity", Some(json!(mailbox)))]), Anchor::Mailbox(mailbox)).await?.rows;
    let row = rows.first().cloned().unwrap_or(Value::Null);
    Ok(ExternalBooking {
        mailbox: mailbox.to_string(),
        recipient_type_details: kind,
        process_external_meeting_messages: row.get("ProcessExternalMeetingMessages").and_then(Value::as_bool).unwrap_or(false),
        automate_processing: row.get("AutomateProcessing").and_then(Value::as_str).unwrap_or_default().to_string(),
    })
}

/// Turning external booking on for a person's own mailbox lets anyone outside put meetings in
/// it; only rooms, equipment and shared calendars are meant for that.
pub fn guard(mailbox: &str, kind: &str, enabled: bool, force: bool) -> Result<()> {
    if enabled && kind.eq_ignore_ascii_case("UserMailbox") && !force {
        return Err(ExoError::invalid_argument(
            "Mailbox",
            format!("'{mailbox}' is a user mailbox; accepting meeting requests from outside the organization belongs on room, equipment or shared calendars meant to be public. Use -Force if this person's calendar is meant to be public"),
        ));
    }
    Ok(())
}

async fn recipient_type(client: &ExoClient, mailbox: &str) -> Result<String> {
    let rows = match client.run("Get-Mailbox", parameters([("Identity", Some(json!(mailbox)))]), Anchor::Mailbox(mailbox)).await {
        Ok(output) => output.rows,
        Err(e) if exo::is(&e, exo::NOT_FOUND) => {
            return Err(e.reworded(|m| format!("{m} (no mailbox '{mailbox}')")));
        }
        Err(e) => return Err(e),
    };
    let kind = rows.first().and_then(|r| r.get("RecipientTypeDetails")).and_then(Value::as_str);
    kind.map(str::to_string).ok_or_else(|| ExoError::Protocol { url: "Get-Mailbox".into(), message: format!("'{mailbox}' has no RecipientTypeDetails") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_mailboxes_need_force_to_be_opened_and_never_to_be_closed() {
        let err = guard("alice@c.com", "UserMailbox", true, false).unwrap_err().to_string();
        assert!(err.contains("alice@c.com") && err.contains("-Force"), "{err}");
        assert!(guard("alice@c.com", "UserMailbox", true, true).is_ok());
        assert!(guard("alice@c.com", "UserMailbox", false, false).is_ok());
        assert!(guard("room@c.com", "RoomMailbox", true, false).is_ok());
    }
}
