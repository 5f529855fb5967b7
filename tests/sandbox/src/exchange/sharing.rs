//! Sharing policies (exo-rest.md §3.2): anonymous calendar publishing needs an `Anonymous:`
//! entry in the mailbox's policy, and the policy must be enabled.

use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct SharingPolicy {
    pub guid: String,
    pub name: String,
    /// `"<domain>:<Action>[,<Action>]"`, the domain being a domain, `*` or `Anonymous`.
    pub domains: Vec<String>,
    pub enabled: bool,
    pub default: bool,
}

/// The actions a sharing entry may grant.
pub const ACTIONS: &[&str] = &[
    "CalendarSharingFreeBusySimple",
    "CalendarSharingFreeBusyDetail",
    "CalendarSharingFreeBusyReviewer",
    "ContactsSharing",
];

impl SharingPolicy {
    /// Exchange Online's own default policy.
    pub fn exchange_default() -> SharingPolicy {
        SharingPolicy {
            guid: "0a3a2a43-4cf3-4b3b-9d44-5bd59f2f2a2e".into(),
            name: "Default Sharing Policy".into(),
            domains: vec![
                "Anonymous:CalendarSharingFreeBusyReviewer".into(),
                "*:CalendarSharingFreeBusySimple".into(),
            ],
            enabled: true,
            default: true,
        }
    }

    /// The most detailed calendar `DetailLevel` anonymous publishing may use under this policy,
    /// or `None` when it may not publish at all. The mapping Simple → AvailabilityOnly,
    /// Detail → LimitedDetails, Reviewer → FullDetails is inferred from the action
    /// descriptions (exo-rest.md §3.2, unverified on a live tenant).
    pub fn anonymous_detail_cap(&self) -> Option<u8> {
        if !self.enabled {
            return None;
        }
        self.domains
            .iter()
            .filter_map(|entry| entry.split_once(':'))
            .filter(|(domain, _)| domain.trim().eq_ignore_ascii_case("Anonymous"))
            .flat_map(|(_, actions)| actions.split(',').map(str::trim))
            .filter_map(|action| match action.to_ascii_lowercase().as_str() {
                "calendarsharingfreebusysimple" => Some(0),
                "calendarsharingfreebusydetail" => Some(1),
                "calendarsharingfreebusyreviewer" => Some(2),
                _ => None,
            })
            .max()
    }

    pub fn to_row(&self) -> Value {
        json!({
            "Name": self.name,
            "Identity": self.name,
            "Guid": self.guid,
            "Domains": self.domains,
            "Enabled": self.enabled,
            "Default": self.default,
            "ObjectState": "Unchanged",
        })
    }
}

/// Checks one `Domains` entry: `<domain>:<Action>[,<Action>…]`.
pub fn valid_entry(entry: &str) -> bool {
    let Some((domain, actions)) = entry.split_once(':') else {
        return false;
    };
    !domain.trim().is_empty()
        && actions.split(',').all(|a| {
            ACTIONS
                .iter()
                .any(|known| known.eq_ignore_ascii_case(a.trim()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_allows_full_anonymous_publishing() {
        assert_eq!(
            SharingPolicy::exchange_default().anonymous_detail_cap(),
            Some(2)
        );
    }

    #[test]
    fn no_anonymous_entry_or_disabled_means_no_publishing() {
        let mut policy = SharingPolicy::exchange_default();
        policy.domains = vec!["*:CalendarSharingFreeBusySimple".into()];
        assert_eq!(policy.anonymous_detail_cap(), None);
        let mut disabled = SharingPolicy::exchange_default();
        disabled.enabled = false;
        assert_eq!(disabled.anonymous_detail_cap(), None);
    }

    #[test]
    fn entries_are_checked() {
        assert!(valid_entry("Anonymous:CalendarSharingFreeBusySimple"));
        assert!(valid_entry(
            "contoso.com: CalendarSharingFreeBusyDetail, ContactsSharing"
        ));
        assert!(!valid_entry("Anonymous") && !valid_entry("Anonymous:Everything"));
    }
}
