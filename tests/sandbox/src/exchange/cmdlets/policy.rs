//! New/Get/Set/Remove/Test-ApplicationAccessPolicy (exo-rest.md §3.1).

use serde_json::{Map, Value, json};

use super::super::Ctx;
use super::super::cmdlet::{CmdletError, Output, Params};
use super::super::policies::{AccessPolicy, AccessRight, PolicyScope, SIZE_LIMIT};
use super::super::recipients::{self, Recipient};
use crate::directory::{DirectoryData, GroupKind, organization_dn, sid_of};
use crate::seed::MailboxKind;

const RIGHT_TYPE: &str =
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.ApplicationAccessPolicyRight";

pub fn new(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(
        raw,
        &[
            "AccessRight",
            "AppId",
            "PolicyScopeGroupId",
            "Description",
            "Confirm",
        ],
    )?;
    params.require(&["AccessRight", "AppId", "PolicyScopeGroupId"])?;
    let right = match params.choice("AccessRight", RIGHT_TYPE, &["RestrictAccess", "DenyAccess"])? {
        Some("DenyAccess") => AccessRight::Deny,
        _ => AccessRight::Restrict,
    };
    let app_ids = params.strings("AppId")?.unwrap_or_default();
    if let Some(bad) = app_ids.iter().find(|a| uuid::Uuid::parse_str(a).is_err()) {
        return Err(CmdletError::data_validation(format!(
            "The value '{bad}' of AppId isn't a valid application ID. Use the application (client) ID GUID."
        )));
    }
    let scope_name = params.required_string("PolicyScopeGroupId")?;
    let description = params.string("Description")?;
    let mut exchange = ctx.exchange.lock();
    let scope = policy_scope(ctx, &ctx.directory.lock(), &scope_name)?;
    let created: Vec<AccessPolicy> = app_ids
        .iter()
        .map(|app_id| AccessPolicy {
            app_id: app_id.to_ascii_lowercase(),
            scope: scope.clone(),
            right,
            description: description.clone(),
        })
        .collect();
    for policy in &created {
        let duplicate = exchange
            .access_policies
            .iter()
            .any(|p| p.app_id == policy.app_id && p.scope.object_id == policy.scope.object_id);
        if duplicate {
            return Err(CmdletError::already_exists(format!(
                "The application access policy '{}' already exists.",
                policy.identity(ctx.tenant_id)
            )));
        }
    }
    let total: usize = exchange
        .access_policies
        .iter()
        .chain(&created)
        .map(AccessPolicy::size)
        .sum();
    if total > SIZE_LIMIT {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.ApplicationAccessPolicySizeExceededException",
            "The total size of App Access Policies exceeded the limit.",
        ));
    }
    let rows = created
        .iter()
        .map(|p| p.to_row(ctx.tenant_id, true))
        .collect();
    exchange.access_policies.extend(created);
    Ok(Output::rows(rows))
}

/// The policy's scope: a user mailbox, or a mail-enabled security group. Other recipients are
/// not security principals (distribution groups, Microsoft 365 groups, shared and resource
/// mailboxes).
fn policy_scope(
    ctx: &Ctx,
    directory: &DirectoryData,
    name: &str,
) -> Result<PolicyScope, CmdletError> {
    let not_principal = || {
        CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
            format!(
                "The recipient '{name}' isn't a security principal. PolicyScopeGroupId must be a mailbox user, a mail user or a mail-enabled security group."
            ),
        )
    };
    match recipients::recipient(ctx, directory, name)? {
        Recipient::Mailbox(user) if user.mailbox == MailboxKind::User => Ok(PolicyScope {
            object_id: user.id.clone(),
            name: recipients::alias(user).to_string(),
            is_group: false,
        }),
        Recipient::Group(group) if group.kind == GroupKind::MailSecurity => Ok(PolicyScope {
            object_id: group.id.clone(),
            name: group.display_name.clone(),
            is_group: true,
        }),
        _ => Err(not_principal()),
    }
}

/// Lists policies. A tenant with none answers not-found (M365DSC #687); an `-Identity` that
/// matches nothing lists them all (`Get-ApplicationAccessPolicy.md`).
pub fn get(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity"])?;
    let identity = params.string("Identity")?;
    let exchange = ctx.exchange.lock();
    if exchange.access_policies.is_empty() {
        return Err(CmdletError::not_found(&format!(
            "{}\\*",
            organization_dn(ctx.domain)
        )));
    }
    let directory = ctx.directory.lock();
    let valid =
        |p: &AccessPolicy| !p.scope.is_group || directory.group(&p.scope.object_id).is_some();
    let matching: Vec<&AccessPolicy> = exchange
        .access_policies
        .iter()
        .filter(|p| {
            identity
                .as_deref()
                .is_some_and(|i| p.identity(ctx.tenant_id).eq_ignore_ascii_case(i.trim()))
        })
        .collect();
    let shown = if matching.is_empty() {
        exchange.access_policies.iter().collect()
    } else {
        matching
    };
    Ok(Output::rows(
        shown
            .into_iter()
            .map(|p| p.to_row(ctx.tenant_id, valid(p)))
            .collect(),
    ))
}

fn position(ctx: &Ctx, policies: &[AccessPolicy], identity: &str) -> Result<usize, CmdletError> {
    policies
        .iter()
        .position(|p| {
            p.identity(ctx.tenant_id)
                .eq_ignore_ascii_case(identity.trim())
        })
        .ok_or_else(|| CmdletError::not_found(identity))
}

/// Only the description can change; anything else means Remove and New.
pub fn set(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Description", "Confirm"])?;
    let identity = params.required_string("Identity")?;
    let description = params.string("Description")?;
    let mut exchange = ctx.exchange.lock();
    let at = position(ctx, &exchange.access_policies, &identity)?;
    let policy = &mut exchange.access_policies[at];
    if !params.has("Description") || policy.description == description {
        return Ok(Output::unchanged(&identity));
    }
    policy.description = description;
    Ok(Output::none())
}

pub fn remove(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Confirm"])?;
    let identity = params.required_string("Identity")?;
    let mut exchange = ctx.exchange.lock();
    let at = position(ctx, &exchange.access_policies, &identity)?;
    exchange.access_policies.remove(at);
    Ok(Output::none())
}

/// The policies' verdict for one app and mailbox, evaluated now (no propagation delay).
pub fn test(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "AppId"])?;
    params.require(&["Identity", "AppId"])?;
    let user = recipients::mailbox(ctx, &params.required_string("Identity")?)?;
    let app_id = params.required_string("AppId")?;
    let verdict = super::super::access_policy_verdict(ctx, &app_id, user);
    Ok(Output::rows(vec![json!({
        "AppId": app_id,
        "Mailbox": recipients::alias(user),
        "MailboxId": user.id,
        "MailboxSid": sid_of(&user.id),
        "AccessCheckResult": verdict.name(),
    })]))
}
