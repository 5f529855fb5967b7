//! Loading the seed's Exchange part: every entry runs as the cmdlet that makes it, so a seed
//! entry is checked exactly as a request would be.

use serde_json::{Map, Value};

use super::cmdlet::Params;
use super::sharing::{self, SharingPolicy};
use super::{Ctx, run};
use crate::mailbox::User;
use crate::seed::ExchangeSeed;

pub fn apply(ctx: &Ctx, seed: &ExchangeSeed) -> Result<(), String> {
    if let Some(region) = &seed.region {
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("exchange.region: '{region}' is not a region name such as NAMPR01A001 (letters and digits)"));
        }
        ctx.exchange.lock().region = Some(region.clone());
    }
    sharing_policies(ctx, &seed.sharing_policies)?;
    mailbox_sharing(ctx, seed)?;
    for (i, entry) in seed.calendar_folders.iter().enumerate() {
        let at = format!("exchange.calendarFolders[{i}]");
        let entry = object(entry, &at)?;
        name_calendar(ctx, entry).map_err(|e| format!("{at}: {e}"))?;
        cmdlet(ctx, "Set-MailboxCalendarFolder", entry, &at)?;
    }
    each(
        ctx,
        "Set-CalendarProcessing",
        &seed.calendar_processing,
        "calendarProcessing",
    )?;
    each(
        ctx,
        "New-ApplicationAccessPolicy",
        &seed.application_access_policies,
        "applicationAccessPolicies",
    )?;
    for (i, entry) in seed.service_principals.iter().enumerate() {
        let at = format!("exchange.servicePrincipals[{i}]");
        let entry = with_default_object_id(ctx, object(entry, &at)?);
        cmdlet(ctx, "New-ServicePrincipal", &entry, &at)?;
    }
    each(
        ctx,
        "New-ManagementScope",
        &seed.management_scopes,
        "managementScopes",
    )?;
    each(
        ctx,
        "New-ManagementRoleAssignment",
        &seed.management_role_assignments,
        "managementRoleAssignments",
    )?;
    Ok(())
}

fn object<'v>(entry: &'v Value, at: &str) -> Result<&'v Map<String, Value>, String> {
    entry
        .as_object()
        .ok_or_else(|| format!("{at}: expected an object of cmdlet parameters"))
}

fn cmdlet(ctx: &Ctx, name: &str, parameters: &Map<String, Value>, at: &str) -> Result<(), String> {
    run(ctx, name, parameters)
        .map(|_| ())
        .map_err(|e| format!("{at} ({name}): {}", e.message))
}

fn each(ctx: &Ctx, name: &str, entries: &[Value], field: &str) -> Result<(), String> {
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("exchange.{field}[{i}]");
        cmdlet(ctx, name, object(entry, &at)?, &at)?;
    }
    Ok(())
}

/// A seeded policy list replaces Exchange Online's default policy.
fn sharing_policies(ctx: &Ctx, entries: &[Value]) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut policies = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("exchange.sharingPolicies[{i}]");
        let params = Params::bind(
            object(entry, &at)?,
            &["Name", "Domains", "Enabled", "Default"],
        )
        .map_err(|e| format!("{at}: {}", e.message))?;
        let read = || -> Result<SharingPolicy, super::CmdletError> {
            Ok(SharingPolicy {
                guid: uuid::Uuid::new_v4().to_string(),
                name: params.required_string("Name")?,
                domains: params.strings("Domains")?.unwrap_or_default(),
                enabled: params.bool("Enabled")?.unwrap_or(true),
                default: params.bool("Default")?.unwrap_or(false),
            })
        };
        let policy = read().map_err(|e| format!("{at}: {}", e.message))?;
        if let Some(bad) = policy.domains.iter().find(|d| !sharing::valid_entry(d)) {
            return Err(format!(
                "{at}: the Domains entry '{bad}' isn't '<domain>:<action>[,<action>]'"
            ));
        }
        policies.push(policy);
    }
    ctx.exchange.lock().sharing_policies = policies;
    Ok(())
}

fn mailbox_sharing(ctx: &Ctx, seed: &ExchangeSeed) -> Result<(), String> {
    let mut exchange = ctx.exchange.lock();
    for (mailbox, policy) in &seed.mailbox_sharing_policies {
        let at = format!("exchange.mailboxSharingPolicies.{mailbox}");
        let user = seeded_user(ctx, mailbox).ok_or_else(|| format!("{at}: no such user"))?;
        if !exchange
            .sharing_policies
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(policy))
        {
            return Err(format!("{at}: no sharing policy named '{policy}'"));
        }
        exchange
            .mailbox_sharing
            .insert(user.id.clone(), policy.clone());
    }
    Ok(())
}

/// The user a seed entry names by id or UPN.
fn seeded_user<'a>(ctx: &Ctx<'a>, mailbox: &str) -> Option<&'a User> {
    ctx.users.iter().find(|u| {
        u.id.eq_ignore_ascii_case(mailbox) || u.user_principal_name.eq_ignore_ascii_case(mailbox)
    })
}

/// The folder part of a seeded `Identity` names the mailbox's calendar (`:\Kalender`).
fn name_calendar(ctx: &Ctx, entry: &Map<String, Value>) -> Result<(), String> {
    let identity = entry
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Identity"))
        .and_then(|(_, v)| v.as_str())
        .ok_or("Identity is required")?;
    let (mailbox, folder) = identity
        .split_once(":\\")
        .ok_or_else(|| format!("Identity '{identity}' isn't '<mailbox>:\\<calendar name>'"))?;
    let user = seeded_user(ctx, mailbox).ok_or_else(|| format!("no such user {mailbox}"))?;
    let mut exchange = ctx.exchange.lock();
    exchange.calendars.entry(user.id.clone()).or_default().name =
        folder.trim_end_matches('\\').to_string();
    Ok(())
}

/// A seeded service principal may leave out `ObjectId`: it defaults to the Entra service
/// principal of the app.
fn with_default_object_id(ctx: &Ctx, entry: &Map<String, Value>) -> Map<String, Value> {
    let mut entry = entry.clone();
    let has = |k: &str| entry.keys().any(|key| key.eq_ignore_ascii_case(k));
    if has("ObjectId") || has("ServiceId") {
        return entry;
    }
    let app_id = entry
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("AppId"))
        .and_then(|(_, v)| v.as_str())
        .unwrap_or_default()
        .to_string();
    if let Some(id) = ctx
        .directory
        .lock()
        .service_principal_ids_of(&app_id)
        .first()
    {
        entry.insert("ObjectId".into(), Value::String(id.clone()));
    }
    entry
}
