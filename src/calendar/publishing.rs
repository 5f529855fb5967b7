//! `Get-/Set-CalendarPublishing`: Get/Set-MailboxCalendarFolder on the mailbox's default
//! calendar, found by its folder id (exo-rest.md §3.2): `:\Calendar` fails for a mailbox whose
//! calendar is `Kalender` or `Calendrier`, the id works in every language.

use serde_json::{Value, json};

use crate::error::{ExoError, Result};
use crate::exo::{Anchor, ExoClient, parameters, switch};
use crate::ops;
use crate::session;

pub const DETAIL_LEVELS: &[&str] = &["AvailabilityOnly", "LimitedDetails", "FullDetails"];
pub const DATE_RANGES: &[&str] = &["OneDay", "ThreeDays", "OneWeek", "OneMonth", "ThreeMonths", "SixMonths", "OneYear"];

/// A mailbox's calendar and how it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publishing {
    pub mailbox: String,
    /// The calendar's name in the mailbox's language.
    pub folder_name: String,
    pub publish_enabled: bool,
    pub detail_level: String,
    pub publish_date_range_from: String,
    pub publish_date_range_to: String,
    pub published_calendar_url: Option<String>,
    pub published_ical_url: Option<String>,
}

/// What `Set-CalendarPublishing` changes; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub enabled: Option<bool>,
    pub detail_level: Option<String>,
    pub range_from: Option<String>,
    pub range_to: Option<String>,
    pub reset_url: bool,
}

impl Change {
    /// Checks the enums here, so a typo names the parameter before anything is sent.
    fn validate(&self) -> Result<()> {
        check_choice("DetailLevel", self.detail_level.as_deref(), DETAIL_LEVELS)?;
        check_choice("PublishDateRangeFrom", self.range_from.as_deref(), DATE_RANGES)?;
        check_choice("PublishDateRangeTo", self.range_to.as_deref(), DATE_RANGES)
    }

    /// Set-MailboxCalendarFolder's parameters for the folder `identity`.
    fn parameters(&self, identity: &str) -> serde_json::Map<String, Value> {
        parameters([
            ("Identity", Some(json!(identity))),
            ("PublishEnabled", self.enabled.map(Value::Bool)),
            ("DetailLevel", self.detail_level.clone().map(Value::String)),
            ("PublishDateRangeFrom", self.range_from.clone().map(Value::String)),
            ("PublishDateRangeTo", self.range_to.clone().map(Value::String)),
            ("ResetUrl", switch(self.reset_url)),
            ("Confirm", Some(json!(false))),
        ])
    }
}

fn check_choice(parameter: &str, value: Option<&str>, allowed: &[&str]) -> Result<()> {
    match value {
        Some(v) if !allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) => {
            Err(ExoError::invalid_argument(parameter, format!("'{v}' is not one of {}", allowed.join(", "))))
        }
        _ => Ok(()),
    }
}

/// `Get-CalendarPublishing -Mailbox`.
pub async fn get(mailboxes: Vec<String>) -> Result<()> {
    let client = session::current()?.exo.clone();
    client.cloud().require_exchange()?;
    for mailbox in mailboxes {
        let outcome = async {
            let (folder, name) = default_calendar(&client, &mailbox).await?;
            read(&client, &mailbox, &folder, &name).await
        };
        if let Some(publishing) = ops::item(&mailbox, outcome.await)? {
            ops::record(ops::Record::CalendarPublishing(publishing));
        }
    }
    Ok(())
}

/// `Set-CalendarPublishing -Mailbox …`: changes, reads back, and warns when publishing is on
/// but Exchange gives no URL.
pub async fn set(mailboxes: Vec<String>, change: Change) -> Result<()> {
    change.validate()?;
    let client = session::current()?.exo.clone();
    client.cloud().require_exchange()?;
    for mailbox in mailboxes {
        if let Some(publishing) = ops::item(&mailbox, set_one(&client, &mailbox, &change).await)? {
            if let Some(warning) = empty_url_warning(&publishing) {
                ops::warning(warning);
            }
            ops::record(ops::Record::CalendarPublishing(publishing));
        }
    }
    Ok(())
}

/// Changes one mailbox's default calendar and reads it back.
async fn set_one(client: &ExoClient, mailbox: &str, change: &Change) -> Result<Publishing> {
    let (folder, name) = default_calendar(client, mailbox).await?;
    client.run("Set-MailboxCalendarFolder", change.parameters(&folder), Anchor::Mailbox(mailbox)).await.map_err(explain_refusal)?;
    read(client, mailbox, &folder, &name).await
}

/// The default calendar's folder identity (`mbx:<FolderId>`) and its localized name.
async fn default_calendar(client: &ExoClient, mailbox: &str) -> Result<(String, String)> {
    let params = parameters([("Identity", Some(json!(mailbox))), ("FolderScope", Some(json!("Calendar")))]);
    let rows = client.run("Get-MailboxFolderStatistics", params, Anchor::Mailbox(mailbox)).await?.rows;
    let row = rows
        .iter()
        .find(|r| r.get("FolderType").and_then(Value::as_str) == Some("Calendar"))
        .ok_or_else(|| ExoError::invalid_argument("Mailbox", format!("'{mailbox}' has no default calendar folder")))?;
    let id = row.get("FolderId").and_then(Value::as_str).ok_or_else(|| ExoError::Protocol {
        url: "Get-MailboxFolderStatistics".into(),
        message: format!("the calendar row of '{mailbox}' has no FolderId"),
    })?;
    let name = row.get("Name").and_then(Value::as_str).unwrap_or("Calendar");
    Ok((format!("{mailbox}:{id}"), name.to_string()))
}

async fn read(client: &ExoClient, mailbox: &str, folder: &str, name: &str) -> Result<Publishing> {
    let rows = client
        .run("Get-MailboxCalendarFolder", parameters([("Identity", Some(json!(folder)))]), Anchor::Mailbox(mailbox))
        .await?
        .rows;
    let row = rows.first().ok_or_else(|| ExoError::Protocol {
        url: "Get-MailboxCalendarFolder".into(),
        message: format!("no calendar folder for '{mailbox}'"),
    })?;
    Ok(from_row(mailbox, name, row))
}

fn from_row(mailbox: &str, name: &str, row: &Value) -> Publishing {
    let text = |key: &str| row.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let url = |key: &str| row.get(key).and_then(Value::as_str).filter(|u| !u.trim().is_empty()).map(str::to_string);
    Publishing {
        mailbox: mailbox.to_string(),
        folder_name: name.to_string(),
        publish_enabled: row.get("PublishEnabled").and_then(Value::as_bool).unwrap_or(false),
        detail_level: text("DetailLevel"),
        publish_date_range_from: text("PublishDateRangeFrom"),
        publish_date_range_to: text("PublishDateRangeTo"),
        published_calendar_url: url("PublishedCalendarUrl"),
        published_ical_url: url("PublishedICalUrl"),
    }
}

/// Publishing is on but no URL came back: the sharing policy blocks anonymous publishing.
pub fn empty_url_warning(p: &Publishing) -> Option<String> {
    (p.publish_enabled && (p.published_calendar_url.is_none() || p.published_ical_url.is_none())).then(|| {
        format!(
            "The calendar of {} is set to be published, but Exchange returned no URL: the mailbox's sharing policy blocks anonymous publishing. It must be Enabled and list an 'Anonymous:CalendarSharingFreeBusySimple' (or …Detail, …Reviewer) entry in Domains, e.g. Set-SharingPolicy -Identity 'Default Sharing Policy' -Domains @{{Add='Anonymous:CalendarSharingFreeBusyReviewer'}}.",
            p.mailbox
        )
    })
}

/// Exchange's refusal by sharing policy, with the setting that fixes it.
fn explain_refusal(error: ExoError) -> ExoError {
    if !crate::exo::is(&error, "NotAllowedPublishingByPolicyException") {
        return error;
    }
    error.reworded(|message| {
        format!(
            "{message} Anonymous publishing needs the mailbox's sharing policy to be Enabled and to list an 'Anonymous:' entry in Domains whose level covers the DetailLevel (CalendarSharingFreeBusySimple: AvailabilityOnly, …Detail: LimitedDetails, …Reviewer: FullDetails)."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_records_and_empty_urls_warn_only_when_enabled() {
        let row = json!({"PublishEnabled": true, "DetailLevel": "FullDetails", "PublishDateRangeFrom": "OneDay", "PublishDateRangeTo": "OneYear", "PublishedCalendarUrl": null, "PublishedICalUrl": ""});
        let p = from_row("hans@contoso.com", "Kalender", &row);
        assert_eq!((p.detail_level.as_str(), p.published_ical_url.clone()), ("FullDetails", None));
        let warning = empty_url_warning(&p).unwrap();
        assert!(warning.contains("hans@contoso.com") && warning.contains("Anonymous:"), "{warning}");
        let off = from_row("a", "Calendar", &json!({"PublishEnabled": false}));
        assert_eq!(empty_url_warning(&off), None);
    }

    #[test]
    fn bad_choices_name_their_parameter() {
        let change = Change { range_to: Some("TwoYears".into()), ..Change::default() };
        let err = change.validate().unwrap_err().to_string();
        assert!(err.contains("PublishDateRangeTo") && err.contains("OneYear"), "{err}");
        assert!(Change { detail_level: Some("fulldetails".into()), ..Change::default() }.validate().is_ok());
    }

    #[test]
    fn only_given_settings_are_sent() {
        let change = Change { enabled: Some(false), ..Change::default() };
        assert_eq!(Value::Object(change.parameters("a:F")), json!({"Identity": "a:F", "PublishEnabled": false, "Confirm": false}));
    }
}
