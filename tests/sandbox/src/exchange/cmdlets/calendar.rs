//! Get/Set-MailboxCalendarFolder, Get-MailboxFolderStatistics (for the default calendar's
//! folder id), Get/Set-CalendarProcessing and Get-SharingPolicy (exo-rest.md §3.2, §3.3).

use serde_json::{Map, Value, json};

use super::super::calendar::{self, CalendarFolder, DATE_RANGES, DETAIL_LEVELS, Kind, PROCESSING};
use super::super::cmdlet::{CmdletError, Output, Params};
use super::super::recipients::{self, Recipient};
use super::super::sharing::SharingPolicy;
use super::super::{Ctx, ExchangeData};
use crate::mailbox::User;
use crate::seed::MailboxKind;

/// The folder id Get-MailboxFolderStatistics gives a mailbox's default calendar; `<mbx>:<id>`
/// names the calendar in any language (office-docs-powershell #10934).
fn calendar_folder_id(user: &User) -> String {
    format!(
        "AAMkAD{}AAAEGAAA=",
        user.id.replace('-', "").to_ascii_uppercase()
    )
}

fn cant_find(identity: &str) -> CmdletError {
    CmdletError {
        error_id: String::new(),
        ..CmdletError::task(
            "Microsoft.Exchange.Data.Storage.CantFindCalendarFolderException",
            format!("There isn't a calendar folder that matches the identity '{identity}'."),
        )
    }
}

/// `<mailbox>:\<calendar name>` or `<mailbox>:<folder id>`. The name must be the mailbox's own
/// (a German mailbox has `Kalender`, and `:\Calendar` fails for it as on a real tenant).
fn folder_owner<'a>(
    ctx: &Ctx<'a>,
    exchange: &ExchangeData,
    identity: &str,
) -> Result<&'a User, CmdletError> {
    let (mailbox, folder) = identity
        .split_once(':')
        .ok_or_else(|| cant_find(identity))?;
    let user = recipients::mailbox(ctx, mailbox)?;
    let name = exchange
        .calendars
        .get(&user.id)
        .map_or("Calendar", |c| c.name.as_str());
    let matches = match folder.strip_prefix('\\') {
        Some(path) => path.trim_end_matches('\\').eq_ignore_ascii_case(name),
        None => folder.trim() == calendar_folder_id(user),
    };
    if matches {
        Ok(user)
    } else {
        Err(cant_find(identity))
    }
}

pub fn get_folder(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "UseCustomRouting"])?;
    let identity = params.required_string("Identity")?;
    let exchange = ctx.exchange.lock();
    let user = folder_owner(ctx, &exchange, &identity)?;
    let folder = exchange
        .calendars
        .get(&user.id)
        .cloned()
        .unwrap_or_default();
    Ok(Output::rows(vec![folder.to_row(
        &user.user_principal_name,
        &user.id,
        ctx.domain,
    )]))
}

const SET_FOLDER: &[&str] = &[
    "Identity",
    "PublishEnabled",
    "DetailLevel",
    "PublishDateRangeFrom",
    "PublishDateRangeTo",
    "SearchableUrlEnabled",
    "ResetUrl",
    "UseHttps",
    "SetAsSharingSource",
    "SharedCalendarSyncStartDate",
    "Confirm",
];

pub fn set_folder(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, SET_FOLDER)?;
    let identity = params.required_string("Identity")?;
    let mut exchange = ctx.exchange.lock();
    let user = folder_owner(ctx, &exchange, &identity)?;
    let current = exchange
        .calendars
        .get(&user.id)
        .cloned()
        .unwrap_or_default();
    let next = apply_folder(&params, &current)?;
    if next.publish_enabled {
        check_publishing(&exchange, user, &next)?;
    }
    if next == current {
        return Ok(Output::unchanged(&identity));
    }
    exchange.calendars.insert(user.id.clone(), next);
    Ok(Output::none())
}

fn apply_folder(params: &Params, current: &CalendarFolder) -> Result<CalendarFolder, CmdletError> {
    let mut next = current.clone();
    const RANGE_TYPE: &str = "Microsoft.Exchange.Data.Storage.Management.DateRangeEnumType";
    if let Some(enabled) = params.bool("PublishEnabled")? {
        next.publish_enabled = enabled;
    }
    if let Some(level) = params.choice(
        "DetailLevel",
        "Microsoft.Exchange.Data.Storage.Management.DetailLevelEnumType",
        DETAIL_LEVELS,
    )? {
        next.detail_level = level;
    }
    if let Some(from) = params.choice("PublishDateRangeFrom", RANGE_TYPE, DATE_RANGES)? {
        next.range_from = from;
    }
    if let Some(to) = params.choice("PublishDateRangeTo", RANGE_TYPE, DATE_RANGES)? {
        next.range_to = to;
    }
    if let Some(searchable) = params.bool("SearchableUrlEnabled")? {
        next.searchable_url = searchable;
    }
    if let Some(start) = params.datetime("SharedCalendarSyncStartDate")? {
        next.sync_start = Some(start);
    }
    // `-UseHttps` and `-SetAsSharingSource` are accepted and have nothing to change here.
    params.switch("UseHttps")?;
    params.switch("SetAsSharingSource")?;
    if params.switch("ResetUrl")? && next.publish_enabled {
        next.url_token = calendar::new_url_token();
    }
    Ok(next)
}

/// The mailbox's sharing policy must allow anonymous publishing at this detail level. The
/// wording of these two errors is the sandbox's own (not captured from a live tenant).
fn check_publishing(
    exchange: &ExchangeData,
    user: &User,
    folder: &CalendarFolder,
) -> Result<(), CmdletError> {
    const CLASS: &str = "Microsoft.Exchange.Data.Storage.NotAllowedPublishingByPolicyException";
    let policy = sharing_policy_of(exchange, user);
    let name = policy.map_or("(none)", |p| p.name.as_str());
    let cap = policy.and_then(SharingPolicy::anonymous_detail_cap).ok_or_else(|| {
        CmdletError::task(CLASS, format!("Publishing the calendar isn't allowed by the sharing policy '{name}'. The policy must be enabled and contain an 'Anonymous:' entry."))
    })?;
    let wanted = DETAIL_LEVELS
        .iter()
        .position(|l| *l == folder.detail_level)
        .unwrap_or(0);
    if wanted > cap as usize {
        return Err(CmdletError::task(
            CLASS,
            format!(
                "The detail level '{}' is more than the sharing policy '{name}' allows for anonymous publishing.",
                folder.detail_level
            ),
        ));
    }
    Ok(())
}

fn sharing_policy_of<'e>(exchange: &'e ExchangeData, user: &User) -> Option<&'e SharingPolicy> {
    match exchange.mailbox_sharing.get(&user.id) {
        Some(name) => exchange
            .sharing_policies
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name)),
        None => exchange.sharing_policies.iter().find(|p| p.default),
    }
}

/// Only the default calendar's row: enough for the documented way to find a localized
/// calendar (`-FolderScope Calendar`, then `FolderType -eq 'Calendar'`).
pub fn folder_statistics(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(
        raw,
        &[
            "Identity",
            "FolderScope",
            "IncludeOldestAndNewestItems",
            "IncludeAnalysis",
        ],
    )?;
    let user = recipients::mailbox(ctx, &params.required_string("Identity")?)?;
    const SCOPES: &[&str] = &[
        "All",
        "Calendar",
        "Contacts",
        "Inbox",
        "SentItems",
        "DeletedItems",
        "Drafts",
        "JunkEmail",
        "Notes",
        "Tasks",
        "Outbox",
        "RecoverableItems",
    ];
    let scope = params
        .choice(
            "FolderScope",
            "Microsoft.Exchange.Data.Directory.Management.ElcFolderType",
            SCOPES,
        )?
        .unwrap_or("All");
    if !matches!(scope, "All" | "Calendar") {
        return Ok(Output::none());
    }
    let name = ctx
        .exchange
        .lock()
        .calendars
        .get(&user.id)
        .map_or_else(|| "Calendar".to_string(), |c| c.name.clone());
    Ok(Output::rows(vec![json!({
        "Name": name,
        "Identity": format!("{}\\{name}", user.user_principal_name),
        "FolderPath": format!("/{name}"),
        "FolderType": "Calendar",
        "FolderId": calendar_folder_id(user),
        "ItemsInFolder": 0,
        "FolderSize": "0 B (0 bytes)",
    })]))
}

pub fn get_processing(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "ResultSize"])?;
    let user = recipients::mailbox(ctx, &params.required_string("Identity")?)?;
    let exchange = ctx.exchange.lock();
    let settings = exchange
        .processing
        .get(&user.id)
        .cloned()
        .unwrap_or_else(|| calendar::processing_defaults(user.mailbox));
    let mut row = Map::new();
    row.insert("Identity".into(), json!(recipients::alias(user)));
    row.insert("MailboxOwnerId".into(), json!(user.user_principal_name));
    row.extend(settings);
    Ok(Output::rows(vec![Value::Object(row)]))
}

pub fn set_processing(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let mut declared: Vec<&'static str> = vec!["Identity", "Confirm", "IgnoreDefaultScope"];
    declared.extend(PROCESSING.iter().map(|(name, _)| *name));
    let params = Params::bind(raw, &declared)?;
    let identity = params.required_string("Identity")?;
    let user = recipients::mailbox(ctx, &identity)?;
    let mut exchange = ctx.exchange.lock();
    let current = exchange
        .processing
        .get(&user.id)
        .cloned()
        .unwrap_or_else(|| calendar::processing_defaults(user.mailbox));
    let mut next = current.clone();
    for (name, kind) in PROCESSING {
        if let Some(value) = processing_value(ctx, &params, name, *kind, &current)? {
            next.insert((*name).to_string(), value);
        }
    }
    // "User mailboxes are AutoUpdate and you can't change the value on a user mailbox."
    if user.mailbox == MailboxKind::User && next["AutomateProcessing"] != "AutoUpdate" {
        return Err(CmdletError::data_validation(format!(
            "AutomateProcessing can't be set to '{}' on the user mailbox '{identity}'. User mailboxes always use AutoUpdate.",
            next["AutomateProcessing"].as_str().unwrap_or_default()
        )));
    }
    if next == current {
        return Ok(Output::unchanged(&identity));
    }
    exchange.processing.insert(user.id.clone(), next);
    Ok(Output::none())
}

/// One property's new value, checked against its type; recipients must exist.
fn processing_value(
    ctx: &Ctx,
    params: &Params,
    name: &str,
    kind: Kind,
    current: &Map<String, Value>,
) -> Result<Option<Value>, CmdletError> {
    Ok(match kind {
        Kind::Choice(values) => params
            .choice(
                name,
                "Microsoft.Exchange.Data.Storage.CalendarProcessingFlags",
                values,
            )?
            .map(|v| json!(v)),
        Kind::Bool(_) => params.bool(name)?.map(|v| json!(v)),
        Kind::Int(min, max, _) => params.int(name, min, max)?.map(|v| json!(v)),
        Kind::Text => params.string(name)?.map(|v| json!(v)),
        Kind::Recipients => {
            let existing: Vec<String> = current[name]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let Some(names) = params.list_update(name, &existing)? else {
                return Ok(None);
            };
            let directory = ctx.directory.lock();
            let resolved = names
                .iter()
                .map(|n| {
                    recipients::recipient(ctx, &directory, n).map(|r| match r {
                        Recipient::Mailbox(user) => user.user_principal_name.clone(),
                        Recipient::Group(group) => group.mail.clone().unwrap_or(group.display_name),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(json!(resolved))
        }
    })
}

pub fn get_sharing_policy(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity"])?;
    let exchange = ctx.exchange.lock();
    let Some(identity) = params.string("Identity")? else {
        return Ok(Output::rows(
            exchange
                .sharing_policies
                .iter()
                .map(SharingPolicy::to_row)
                .collect(),
        ));
    };
    let found = exchange.sharing_policies.iter().find(|p| {
        p.name.eq_ignore_ascii_case(identity.trim()) || p.guid.eq_ignore_ascii_case(identity.trim())
    });
    found
        .map(|p| Output::rows(vec![p.to_row()]))
        .ok_or_else(|| CmdletError::not_found(&identity))
}
