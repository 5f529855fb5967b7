//! Groups and administrative units, shared by Graph (`/groups`, `/directory/administrativeUnits`)
//! and Exchange (`New-DistributionGroup`, `Add-DistributionGroupMember`): one group created by
//! either is seen by both, as in a real tenant.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::apps::timestamp;

/// Where Exchange Online keeps a tenant's recipients in its directory; part of every
/// DistinguishedName (`MemberOfGroup` filters compare DNs).
const HOSTED_ORGANIZATIONS: &str =
    "OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";

/// What kind of group, as Exchange classifies it; decides what it may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// Entra-only security group: not an Exchange recipient, so no policy or scope can use it.
    Security,
    /// Mail-enabled security group: the only group an Application Access Policy accepts.
    MailSecurity,
    Distribution,
    /// Microsoft 365 group.
    Unified,
}

impl GroupKind {
    pub fn of(mail_enabled: bool, security_enabled: bool, unified: bool) -> GroupKind {
        match (unified, mail_enabled, security_enabled) {
            (true, _, _) => GroupKind::Unified,
            (false, true, true) => GroupKind::MailSecurity,
            (false, true, false) => GroupKind::Distribution,
            (false, false, _) => GroupKind::Security,
        }
    }

    /// Exchange's `RecipientTypeDetails`, or `None` for a group Exchange does not know.
    pub fn recipient_type_details(self) -> Option<&'static str> {
        match self {
            GroupKind::Security => None,
            GroupKind::MailSecurity => Some("MailUniversalSecurityGroup"),
            GroupKind::Distribution => Some("MailUniversalDistributionGroup"),
            GroupKind::Unified => Some("GroupMailbox"),
        }
    }

    /// Exchange's `RecipientType` (Microsoft 365 groups show as `MailUniversalDistributionGroup`).
    pub fn recipient_type(self) -> Option<&'static str> {
        match self {
            GroupKind::MailSecurity => Some("MailUniversalSecurityGroup"),
            GroupKind::Distribution | GroupKind::Unified => Some("MailUniversalDistributionGroup"),
            GroupKind::Security => None,
        }
    }

    pub fn is_distribution_group(self) -> bool {
        matches!(self, GroupKind::MailSecurity | GroupKind::Distribution)
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub mail: Option<String>,
    /// Exchange alias and Graph `mailNickname`.
    pub alias: String,
    pub kind: GroupKind,
    /// Direct members: user or group object ids.
    pub members: Vec<String>,
    /// Owners as Exchange's `ManagedBy` names them (object ids).
    pub managed_by: Vec<String>,
    pub created: DateTime<Utc>,
    /// Exchange's DistinguishedName (empty for an Entra-only group).
    pub dn: String,
}

impl Group {
    pub fn new(
        id: String,
        display_name: String,
        alias: String,
        mail: Option<String>,
        kind: GroupKind,
        domain: &str,
    ) -> Group {
        let dn = if kind.recipient_type_details().is_some() {
            distinguished_name(&alias, domain)
        } else {
            String::new()
        };
        Group {
            id,
            display_name,
            description: None,
            mail,
            alias,
            kind,
            members: Vec::new(),
            managed_by: Vec::new(),
            created: Utc::now(),
            dn,
        }
    }

    pub fn is_recipient(&self) -> bool {
        self.kind.recipient_type_details().is_some()
    }

    pub fn to_json(&self) -> Value {
        let mail_enabled = self.kind != GroupKind::Security;
        let security_enabled = matches!(self.kind, GroupKind::Security | GroupKind::MailSecurity);
        let group_types: Vec<&str> = if self.kind == GroupKind::Unified {
            vec!["Unified"]
        } else {
            vec![]
        };
        let proxies: Vec<String> = self.mail.iter().map(|m| format!("SMTP:{m}")).collect();
        json!({
            "id": self.id,
            "deletedDateTime": null,
            "createdDateTime": timestamp(self.created),
            "description": self.description,
            "displayName": self.display_name,
            "groupTypes": group_types,
            "mail": self.mail,
            "mailEnabled": mail_enabled,
            "mailNickname": self.alias,
            "proxyAddresses": proxies,
            "securityEnabled": security_enabled,
            "securityIdentifier": super::sid_of(&self.id),
            "visibility": if self.kind == GroupKind::Unified { json!("Private") } else { Value::Null },
        })
    }

    /// How a member list shows this group.
    pub fn member_json(&self) -> Value {
        let mut out = self.to_json();
        out["@odata.type"] = json!("#microsoft.graph.group");
        out
    }
}

#[derive(Debug, Clone)]
pub struct AdministrativeUnit {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    /// Direct members: user or group object ids.
    pub members: Vec<String>,
}

impl AdministrativeUnit {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "deletedDateTime": null,
            "displayName": self.display_name,
            "description": self.description,
            "visibility": null,
            "membershipType": "Assigned",
        })
    }
}

/// `CN=<alias>,OU=<domain>,OU=Microsoft Exchange Hosted Organizations,DC=…` (a comma in the
/// alias is escaped as in LDAP).
pub fn distinguished_name(alias: &str, domain: &str) -> String {
    format!(
        "CN={},OU={domain},{HOSTED_ORGANIZATIONS}",
        alias.replace(',', "\\,")
    )
}

/// The DN of the organization itself, which `Get-ApplicationAccessPolicy` names when there is
/// nothing to list.
pub fn organization_dn(domain: &str) -> String {
    format!("OU={domain},{HOSTED_ORGANIZATIONS}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mail_enabled_groups_have_a_dn() {
        let mesg = Group::new(
            "g".into(),
            "Sales".into(),
            "sales".into(),
            None,
            GroupKind::MailSecurity,
            "contoso.onmicrosoft.com",
        );
        assert!(mesg.dn.starts_with(
            "CN=sales,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,"
        ));
        let plain = Group::new(
            "g".into(),
            "Sales".into(),
            "sales".into(),
            None,
            GroupKind::Security,
            "contoso.onmicrosoft.com",
        );
        assert!(plain.dn.is_empty() && !plain.is_recipient());
    }

    #[test]
    fn graph_flags_follow_the_kind() {
        let mesg = Group::new(
            "g".into(),
            "S".into(),
            "s".into(),
            Some("s@c.com".into()),
            GroupKind::MailSecurity,
            "c",
        );
        let json = mesg.to_json();
        assert_eq!(
            (
                json["mailEnabled"].as_bool(),
                json["securityEnabled"].as_bool()
            ),
            (Some(true), Some(true))
        );
        let unified = Group::new(
            "g".into(),
            "S".into(),
            "s".into(),
            None,
            GroupKind::Unified,
            "c",
        )
        .to_json();
        assert_eq!(unified["groupTypes"][0], "Unified");
    }
}
