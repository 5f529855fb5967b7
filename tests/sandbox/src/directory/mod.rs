//! The directory beyond users: applications, service principals, groups and administrative
//! units. Exchange role assignments and custom app scopes live in [`crate::exchange`], because
//! Exchange owns them and Graph beta only shows them.
//!
//! Everything sits behind one lock: directory writes are rare and small, and one lock keeps
//! membership checks consistent. Never hold it while taking the Exchange lock.

mod apps;
pub mod grants;
mod groups;

pub use apps::{
    Application, KeyCredential, PasswordCredential, ServicePrincipal, seeded_service_principal_id, timestamp,
};
pub use groups::{AdministrativeUnit, Group, GroupKind, distinguished_name, organization_dn};

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::seed::{GroupSeed, TenantSeed, UserSeed};

#[derive(Debug)]
pub struct Directory {
    pub tenant_id: String,
    pub domain: String,
    data: Mutex<DirectoryData>,
    /// How long a newly created application or service principal stays invisible.
    lag_ms: AtomicU64,
}

#[derive(Debug, Default)]
pub struct DirectoryData {
    pub applications: Vec<Application>,
    pub service_principals: Vec<ServicePrincipal>,
    pub groups: Vec<Group>,
    pub units: Vec<AdministrativeUnit>,
    /// Entra permissions removed from seeded apps (`DELETE …/appRoleAssignments/{id}`), as
    /// (appId, permission).
    pub revoked: Vec<(String, String)>,
}

impl Directory {
    pub fn from_seed(seed: &TenantSeed) -> Result<Directory, String> {
        let mut data = DirectoryData::default();
        for app in &seed.apps {
            data.applications.push(Application::seeded(
                &app.app_id,
                &app.display_name,
                &app.secrets,
            ));
            data.service_principals
                .push(ServicePrincipal::seeded(&app.app_id, &app.display_name));
        }
        data.groups = seed_groups(&seed.groups, &seed.users, &seed.domain)?;
        for unit in &seed.administrative_units {
            let members = unit
                .members
                .iter()
                .map(|m| {
                    resolve_seed_member(m, &seed.users, &data.groups).ok_or_else(|| {
                        format!(
                            "administrative unit {}: unknown member {m}",
                            unit.display_name
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            data.units.push(AdministrativeUnit {
                id: unit.id.clone(),
                display_name: unit.display_name.clone(),
                description: None,
                members,
            });
        }
        check_unique(
            data.groups
                .iter()
                .map(|g| g.id.as_str())
                .chain(data.units.iter().map(|u| u.id.as_str())),
        )?;
        Ok(Directory {
            tenant_id: seed.id.clone(),
            domain: seed.domain.clone(),
            data: Mutex::new(data),
            lag_ms: AtomicU64::new(0),
        })
    }

    /// The directory, locked. Keep the guard short: never across an `.await`, never while
    /// taking the Exchange lock.
    pub fn lock(&self) -> MutexGuard<'_, DirectoryData> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn replication_lag(&self) -> Duration {
        Duration::from_millis(self.lag_ms.load(Ordering::Relaxed))
    }

    /// Sets the lag for objects created from now on (0 by default, so tests that do not care
    /// see objects at once).
    pub fn set_replication_lag(&self, lag: Duration) {
        self.lag_ms.store(lag.as_millis() as u64, Ordering::Relaxed);
    }

    /// When an object created now becomes visible.
    pub fn visible_at(&self) -> Instant {
        Instant::now() + self.replication_lag()
    }

    /// Whether `secret` is a current client secret of the app `app_id` (seeded or added with
    /// `addPassword`), for a token endpoint that wants to accept secrets added at run time.
    pub fn secret_matches(&self, app_id: &str, secret: &str) -> bool {
        let now = chrono::Utc::now();
        let data = self.lock();
        data.applications
            .iter()
            .filter(|a| a.app_id.eq_ignore_ascii_case(app_id))
            .flat_map(|a| a.passwords.iter())
            .any(|p| p.secret_text == secret && p.start <= now && now < p.end)
    }
}

impl DirectoryData {
    /// A seeded app's Entra permissions now: its seed `roles` less the revoked ones.
    pub fn granted_roles(&self, app_id: &str, seeded: &[String]) -> Vec<String> {
        seeded
            .iter()
            .filter(|role| !self.revoked.iter().any(|(a, r)| a.eq_ignore_ascii_case(app_id) && r == *role))
            .cloned()
            .collect()
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    pub fn group_mut(&mut self, id: &str) -> Option<&mut Group> {
        self.groups
            .iter_mut()
            .find(|g| g.id.eq_ignore_ascii_case(id))
    }

    pub fn unit(&self, id: &str) -> Option<&AdministrativeUnit> {
        self.units.iter().find(|u| u.id.eq_ignore_ascii_case(id))
    }

    pub fn unit_mut(&mut self, id: &str) -> Option<&mut AdministrativeUnit> {
        self.units
            .iter_mut()
            .find(|u| u.id.eq_ignore_ascii_case(id))
    }

    /// A mail-enabled group by its DistinguishedName (case-insensitive, as AD compares DNs).
    pub fn group_by_dn(&self, dn: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| !g.dn.is_empty() && g.dn.eq_ignore_ascii_case(dn.trim()))
    }

    /// Direct membership: what RBAC `MemberOfGroup` scopes and group role-assignment scopes
    /// use ("only direct members are in scope", application-rbac FAQ).
    pub fn is_direct_member(&self, group_id: &str, object_id: &str) -> bool {
        self.group(group_id)
            .is_some_and(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(object_id)))
    }

    /// Membership through nested groups too: what Application Access Policies use
    /// (office-docs-powershell PR 12367).
    pub fn is_transitive_member(&self, group_id: &str, object_id: &str) -> bool {
        let mut seen = HashSet::new();
        let mut pending = vec![group_id.to_ascii_lowercase()];
        while let Some(id) = pending.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(group) = self.group(&id) else {
                continue;
            };
            for member in &group.members {
                if member.eq_ignore_ascii_case(object_id) {
                    return true;
                }
                if self.group(member).is_some() {
                    pending.push(member.to_ascii_lowercase());
                }
            }
        }
        false
    }

    /// Direct members of an administrative unit (users added to it; a group in a unit does not
    /// bring its members in).
    pub fn unit_has_member(&self, unit_id: &str, object_id: &str) -> bool {
        self.unit(unit_id)
            .is_some_and(|u| u.members.iter().any(|m| m.eq_ignore_ascii_case(object_id)))
    }

    /// The visible service principal with this object id.
    pub fn visible_service_principal(&self, id: &str, now: Instant) -> Option<&ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id) && s.visible(now))
    }

    /// Object ids of the service principals of an app (whether replicated yet or not: a token
    /// names the app, and Exchange knows the principal behind it).
    pub fn service_principal_ids_of(&self, app_id: &str) -> Vec<String> {
        self.service_principals
            .iter()
            .filter(|s| s.app_id.eq_ignore_ascii_case(app_id))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Every id in use (groups, units, applications, principals), to refuse duplicates.
    pub fn id_in_use(&self, id: &str) -> bool {
        self.groups.iter().any(|g| g.id.eq_ignore_ascii_case(id))
            || self.units.iter().any(|u| u.id.eq_ignore_ascii_case(id))
            || self
                .applications
                .iter()
                .any(|a| a.id.eq_ignore_ascii_case(id))
            || self
                .service_principals
                .iter()
                .any(|s| s.id.eq_ignore_ascii_case(id))
    }
}

/// A stable fake security identifier for an object id, as Exchange shows in `ScopeIdentityRaw`
/// and `MailboxSid`.
pub fn sid_of(object_id: &str) -> String {
    let n = uuid::Uuid::parse_str(object_id)
        .map(|u| u.as_u128())
        .unwrap_or_else(|_| {
            object_id
                .bytes()
                .fold(7u128, |h, b| h.wrapping_mul(31).wrapping_add(b as u128))
        });
    let part = |shift: u32| (n >> shift) as u32;
    format!(
        "S-1-5-21-{}-{}-{}-{}",
        part(96),
        part(64),
        part(32),
        part(0) % 100_000_000
    )
}

fn seed_groups(
    seeds: &[GroupSeed],
    users: &[UserSeed],
    domain: &str,
) -> Result<Vec<Group>, String> {
    let mut groups: Vec<Group> = seeds.iter().map(|s| group_from_seed(s, domain)).collect();
    // Members resolve once every group exists, so that seeds may nest groups in any order.
    for (i, seed) in seeds.iter().enumerate() {
        let members = seed
            .members
            .iter()
            .map(|m| {
                resolve_seed_member(m, users, &groups)
                    .ok_or_else(|| format!("group {}: unknown member {m}", seed.display_name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        groups[i].members = members;
    }
    Ok(groups)
}

fn group_from_seed(seed: &GroupSeed, domain: &str) -> Group {
    let unified = seed
        .group_types
        .iter()
        .any(|t| t.eq_ignore_ascii_case("Unified"));
    let kind = GroupKind::of(seed.mail_enabled, seed.security_enabled, unified);
    let alias = seed
        .alias
        .clone()
        .or_else(|| {
            seed.mail
                .as_ref()
                .and_then(|m| m.split('@').next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| {
            seed.display_name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect()
        });
    Group::new(
        seed.id.clone(),
        seed.display_name.clone(),
        alias,
        seed.mail.clone(),
        kind,
        domain,
    )
}

/// A seed member: a user by id or UPN, or a group by id or mail address.
fn resolve_seed_member(name: &str, users: &[UserSeed], groups: &[Group]) -> Option<String> {
    let user = users.iter().find(|u| {
        u.id.eq_ignore_ascii_case(name) || u.user_principal_name.eq_ignore_ascii_case(name)
    });
    let group = || {
        groups.iter().find(|g| {
            g.id.eq_ignore_ascii_case(name)
                || g.mail
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(name))
        })
    };
    user.map(|u| u.id.clone())
        .or_else(|| group().map(|g| g.id.clone()))
}

fn check_unique<'a>(ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id.to_ascii_lowercase()) {
            return Err(format!("directory object id {id} appears twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Seed;

    fn directory() -> Directory {
        let seed = Seed::from_json(
            r#"{"tenants":[{"id":"t","domain":"contoso.onmicrosoft.com",
              "users":[{"id":"u1","userPrincipalName":"a@contoso.onmicrosoft.com"},{"id":"u2","userPrincipalName":"b@contoso.onmicrosoft.com"}],
              "groups":[
                {"id":"outer","displayName":"Outer","mail":"outer@contoso.onmicrosoft.com","mailEnabled":true,"securityEnabled":true,"members":["inner"]},
                {"id":"inner","displayName":"Inner","mail":"inner@contoso.onmicrosoft.com","mailEnabled":true,"securityEnabled":true,"members":["a@contoso.onmicrosoft.com"]}],
              "administrativeUnits":[{"id":"au","displayName":"AU","members":["u2"]}]}]}"#,
        )
        .unwrap();
        Directory::from_seed(&seed.tenants[0]).unwrap()
    }

    #[test]
    fn nested_members_count_only_transitively() {
        let directory = directory();
        let data = directory.lock();
        assert!(data.is_direct_member("inner", "u1"));
        assert!(!data.is_direct_member("outer", "u1"));
        assert!(data.is_transitive_member("outer", "u1"));
        assert!(!data.is_transitive_member("outer", "u2"));
    }

    #[test]
    fn units_hold_their_direct_members() {
        let directory = directory();
        let data = directory.lock();
        assert!(data.unit_has_member("au", "u2") && !data.unit_has_member("au", "u1"));
    }

    #[test]
    fn an_unknown_seed_member_fails_the_load() {
        let seed = Seed::from_json(r#"{"tenants":[{"id":"t","domain":"d","groups":[{"id":"g","displayName":"G","members":["nobody"]}]}]}"#).unwrap();
        let error = Directory::from_seed(&seed.tenants[0]).unwrap_err();
        assert!(error.contains("unknown member nobody"), "{error}");
    }

    #[test]
    fn sids_are_stable() {
        assert_eq!(
            sid_of("6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91"),
            sid_of("6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91")
        );
        assert!(sid_of("x").starts_with("S-1-5-21-"));
    }
}
