//! Calendar publishing settings (Get/Set-MailboxCalendarFolder) and resource booking settings
//! (Get/Set-CalendarProcessing) of one mailbox (exo-rest.md §3.2, §3.3).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::seed::MailboxKind;

pub const DETAIL_LEVELS: &[&str] = &["AvailabilityOnly", "LimitedDetails", "FullDetails"];
pub const DATE_RANGES: &[&str] = &[
    "OneDay",
    "ThreeDays",
    "OneWeek",
    "OneMonth",
    "ThreeMonths",
    "SixMonths",
    "OneYear",
];

/// The default calendar of a mailbox and how it is published.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarFolder {
    /// The folder's name in the mailbox's language (`Calendar`, `Kalender`, …).
    pub name: String,
    pub publish_enabled: bool,
    pub detail_level: &'static str,
    pub range_from: &'static str,
    pub range_to: &'static str,
    pub searchable_url: bool,
    /// The secret part of the published URLs; a new one on `-ResetUrl`.
    pub url_token: String,
    pub sync_start: Option<DateTime<Utc>>,
}

impl Default for CalendarFolder {
    fn default() -> Self {
        CalendarFolder {
            name: "Calendar".into(),
            publish_enabled: false,
            detail_level: "AvailabilityOnly",
            range_from: "ThreeMonths",
            range_to: "ThreeMonths",
            searchable_url: false,
            url_token: new_url_token(),
            sync_start: None,
        }
    }
}

pub fn new_url_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

impl CalendarFolder {
    /// Where a mailbox's calendar is published (empty until publishing is enabled).
    fn url(&self, user_id: &str, domain: &str, file: &str) -> Value {
        if !self.publish_enabled {
            return Value::Null;
        }
        json!(format!(
            "https://outlook.office365.com/owa/calendar/{}@{domain}/{}/{file}",
            user_id.replace('-', ""),
            self.url_token
        ))
    }

    pub fn to_row(&self, upn: &str, user_id: &str, domain: &str) -> Value {
        // PowerShell shows an unset date as 01/02/0001; JSON carries it as an ISO string.
        let sync_start = self
            .sync_start
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_else(|| "0001-01-02T00:00:00".into());
        json!({
            "Identity": format!("{upn}:\\{}", self.name),
            "MailboxOwnerId": upn,
            "PublishEnabled": self.publish_enabled,
            "DetailLevel": self.detail_level,
            "PublishDateRangeFrom": self.range_from,
            "PublishDateRangeTo": self.range_to,
            "SearchableUrlEnabled": self.searchable_url,
            "SharedCalendarSyncStartDate": sync_start,
            "PublishedCalendarUrl": self.url(user_id, domain, "calendar.html"),
            "PublishedICalUrl": self.url(user_id, domain, "calendar.ics"),
            "IsValid": true,
            "ObjectState": "Unchanged",
        })
    }
}

/// The type of one calendar-processing property.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Choice(&'static [&'static str]),
    Bool(bool),
    Int(i64, i64, i64),
    /// A recipient list (`BookInPolicy`, `ResourceDelegates`, …).
    Recipients,
    Text,
}

/// Every Set-CalendarProcessing property with its type and default (`Set-CalendarProcessing.md`).
/// `AutomateProcessing`'s default depends on the mailbox: see [`processing_defaults`].
pub const PROCESSING: &[(&str, Kind)] = &[
    (
        "AutomateProcessing",
        Kind::Choice(&["None", "AutoUpdate", "AutoAccept"]),
    ),
    ("AllowConflicts", Kind::Bool(false)),
    ("AllowRecurringMeetings", Kind::Bool(true)),
    ("BookingWindowInDays", Kind::Int(0, 1080, 180)),
    (
        "MaximumDurationInMinutes",
        Kind::Int(0, i32::MAX as i64, 1440),
    ),
    ("MinimumDurationInMinutes", Kind::Int(0, i32::MAX as i64, 0)),
    ("ConflictPercentageAllowed", Kind::Int(0, 100, 0)),
    ("MaximumConflictInstances", Kind::Int(0, i32::MAX as i64, 0)),
    ("EnforceSchedulingHorizon", Kind::Bool(true)),
    ("ScheduleOnlyDuringWorkHours", Kind::Bool(false)),
    ("ForwardRequestsToDelegates", Kind::Bool(true)),
    ("ProcessExternalMeetingMessages", Kind::Bool(false)),
    ("AllBookInPolicy", Kind::Bool(true)),
    ("AllRequestInPolicy", Kind::Bool(false)),
    ("AllRequestOutOfPolicy", Kind::Bool(false)),
    ("BookInPolicy", Kind::Recipients),
    ("RequestInPolicy", Kind::Recipients),
    ("RequestOutOfPolicy", Kind::Recipients),
    ("ResourceDelegates", Kind::Recipients),
    ("AddOrganizerToSubject", Kind::Bool(true)),
    ("DeleteSubject", Kind::Bool(true)),
    ("DeleteComments", Kind::Bool(true)),
    ("RemovePrivateProperty", Kind::Bool(true)),
    ("DeleteAttachments", Kind::Bool(true)),
    ("DeleteNonCalendarItems", Kind::Bool(true)),
    ("RemoveOldMeetingMessages", Kind::Bool(true)),
    ("RemoveForwardedMeetingNotifications", Kind::Bool(false)),
    ("RemoveCanceledMeetings", Kind::Bool(false)),
    ("AddNewRequestsTentatively", Kind::Bool(true)),
    ("TentativePendingApproval", Kind::Bool(true)),
    ("OrganizerInfo", Kind::Bool(true)),
    ("AddAdditionalResponse", Kind::Bool(false)),
    ("AdditionalResponse", Kind::Text),
    ("EnableResponseDetails", Kind::Bool(true)),
    ("EnforceCapacity", Kind::Bool(false)),
    ("EnableAutoRelease", Kind::Bool(false)),
    (
        "PostReservationMaxClaimTimeInMinutes",
        Kind::Int(0, 10080, 10),
    ),
    ("BookingType", Kind::Choice(&["Standard", "Reserved"])),
];

/// A mailbox's settings before any Set: resource mailboxes auto-accept (those created after
/// 2018-11-15), user and shared mailboxes auto-update.
pub fn processing_defaults(kind: MailboxKind) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, property) in PROCESSING {
        let value = match property {
            Kind::Choice(_) if *name == "AutomateProcessing" => json!(if matches!(
                kind,
                MailboxKind::Room | MailboxKind::Equipment
            ) {
                "AutoAccept"
            } else {
                "AutoUpdate"
            }),
            Kind::Choice(values) => json!(values[0]),
            Kind::Bool(b) => json!(b),
            Kind::Int(_, _, default) => json!(default),
            Kind::Recipients => json!([]),
            Kind::Text => json!(""),
        };
        out.insert((*name).to_string(), value);
    }
    out
}
