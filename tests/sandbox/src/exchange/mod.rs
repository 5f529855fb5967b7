//! Exchange-side objects reached through `POST /adminapi/beta/{tenant}/InvokeCommand`:
//! Application Access Policies, calendar publishing and processing, sharing policies, and RBAC
//! for Applications (service principal pointers, management scopes, role assignments).
//!
//! Cmdlets run against a [`Ctx`]: the tenant's users, directory and Exchange state. Lock order
//! is Exchange, then directory; never the reverse.

pub mod calendar;
pub mod cmdlet;
mod cmdlets;
pub mod locale;
pub mod opath;
pub mod policies;
pub mod rbac;
mod recipients;
mod seeding;
pub mod sharing;

pub use cmdlet::{CmdletError, Output};

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::directory::Directory;
use crate::mailbox::User;
use crate::roles::{self, RoleDefinition};
use crate::seed::TenantSeed;
use crate::state::Tenant;

#[derive(Debug)]
pub struct Exchange {
    data: Mutex<ExchangeData>,
}

#[derive(Debug)]
pub struct ExchangeData {
    pub access_policies: Vec<policies::AccessPolicy>,
    pub sharing_policies: Vec<sharing::SharingPolicy>,
    /// Sharing policy name by mailbox owner id, for mailboxes not on the default policy.
    pub mailbox_sharing: HashMap<String, String>,
    /// Default calendar by mailbox owner id (absent: never touched, default settings).
    pub calendars: HashMap<String, calendar::CalendarFolder>,
    /// Calendar-processing settings by mailbox owner id (absent: defaults).
    pub processing: HashMap<String, Map<String, Value>>,
    pub service_principals: Vec<rbac::ExoServicePrincipal>,
    pub scopes: Vec<rbac::ManagementScope>,
    pub assignments: Vec<rbac::RoleAssignment>,
    /// The regional backend the front door redirects this tenant to (`NAMPR01A001`), if any.
    pub region: Option<String>,
}

impl Default for ExchangeData {
    fn default() -> Self {
        ExchangeData {
            access_policies: Vec::new(),
            sharing_policies: vec![sharing::SharingPolicy::exchange_default()],
            mailbox_sharing: HashMap::new(),
            calendars: HashMap::new(),
            processing: HashMap::new(),
            service_principals: Vec::new(),
            scopes: Vec::new(),
            assignments: Vec::new(),
            region: None,
        }
    }
}

impl Exchange {
    /// Builds the Exchange state by running the seed's cmdlets, against a directory built from
    /// the same seed (object ids are the seed's, so they hold for the tenant's own directory).
    pub fn from_seed(seed: &TenantSeed) -> Result<Exchange, String> {
        let exchange = Exchange {
            data: Mutex::new(ExchangeData::default()),
        };
        let users: Vec<User> = seed.users.iter().map(User::from_seed).collect();
        let directory = Directory::from_seed(seed)?;
        let role_definitions = seed
            .exchange_role_definitions
            .clone()
            .unwrap_or_else(roles::builtin);
        let ctx = Ctx {
            tenant_id: &seed.id,
            domain: &seed.domain,
            users: &users,
            directory: &directory,
            exchange: &exchange,
            role_definitions: &role_definitions,
        };
        seeding::apply(&ctx, &seed.exchange)?;
        Ok(exchange)
    }

    /// Deleting a service principal in Entra deletes Exchange's pointer to it and the role
    /// assignments made to it (exo-rest.md §3.5).
    pub fn forget_service_principal(&self, object_id: &str) {
        let mut data = self.lock();
        data.service_principals
            .retain(|sp| !sp.object_id.eq_ignore_ascii_case(object_id));
        data.assignments
            .retain(|a| !a.principal_id.eq_ignore_ascii_case(object_id));
    }

    /// The Exchange state, locked. Keep the guard short; take the directory lock only after it.
    pub fn lock(&self) -> MutexGuard<'_, ExchangeData> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What a cmdlet can see: one tenant's users, directory and Exchange state.
pub struct Ctx<'a> {
    pub tenant_id: &'a str,
    pub domain: &'a str,
    pub users: &'a [User],
    pub directory: &'a Directory,
    pub exchange: &'a Exchange,
    pub role_definitions: &'a [RoleDefinition],
}

impl<'a> Ctx<'a> {
    pub fn of(tenant: &'a Tenant) -> Ctx<'a> {
        Ctx {
            tenant_id: &tenant.id,
            domain: &tenant.domain,
            users: &tenant.users,
            directory: &tenant.directory,
            exchange: &tenant.exchange,
            role_definitions: &tenant.role_definitions,
        }
    }

    pub fn role(&self, id_or_name: &str) -> Option<&'a RoleDefinition> {
        self.role_definitions.iter().find(|r| {
            r.id().eq_ignore_ascii_case(id_or_name)
                || rbac::role_name(r).eq_ignore_ascii_case(id_or_name)
        })
    }
}

/// Runs one cmdlet by name (case-insensitive, as PowerShell resolves it).
pub fn run(
    ctx: &Ctx,
    cmdlet: &str,
    parameters: &Map<String, Value>,
) -> Result<Output, CmdletError> {
    cmdlets::run(ctx, cmdlet, parameters)
}

/// Every cmdlet `InvokeCommand` serves.
pub fn cmdlet_names() -> Vec<&'static str> {
    cmdlets::names()
}

/// Whether the app's Application Access Policies let its Entra permissions reach a mailbox.
pub fn access_policy_verdict(ctx: &Ctx, app_id: &str, user: &User) -> policies::Verdict {
    let exchange = ctx.exchange.lock();
    let policies: Vec<&policies::AccessPolicy> = exchange
        .access_policies
        .iter()
        .filter(|p| p.app_id.eq_ignore_ascii_case(app_id))
        .collect();
    let directory = ctx.directory.lock();
    policies::verdict(&policies, &directory, &user.id)
}

/// The RBAC-for-Applications assignments of an app that grant one of `permissions` on a
/// mailbox, by role name.
pub fn rbac_grants(ctx: &Ctx, app_id: &str, user: &User, permissions: &[&str]) -> Vec<String> {
    let exchange = ctx.exchange.lock();
    let directory = ctx.directory.lock();
    let principals = directory.service_principal_ids_of(app_id);
    exchange
        .assignments
        .iter()
        .filter(|a| {
            principals
                .iter()
                .any(|p| p.eq_ignore_ascii_case(&a.principal_id))
        })
        .filter_map(|a| ctx.role(&a.role_id).map(|role| (a, role)))
        .filter(|(_, role)| {
            rbac::role_permissions(role)
                .iter()
                .any(|granted| permissions.contains(&granted.as_str()))
        })
        .filter(|(a, _)| rbac::covers(&a.scope, &exchange.scopes, &directory, user))
        .map(|(_, role)| rbac::role_name(role))
        .collect()
}
