//! New-DistributionGroup (incl. `-Type Security`), Get-DistributionGroup, Get-Group and
//! Add/Remove/Get-DistributionGroupMember (exo-rest.md §3.4). The groups are the directory's:
//! Graph sees them at once.

use serde_json::{Map, Value, json};

use super::super::Ctx;
use super::super::cmdlet::{CmdletError, Output, Params};
use super::super::recipients::{self, Recipient};
use super::{limit, result_size};
use crate::directory::{DirectoryData, Group, GroupKind};

const NEW: &[&str] = &[
    "Name",
    "Type",
    "Alias",
    "DisplayName",
    "PrimarySmtpAddress",
    "ManagedBy",
    "Members",
    "CopyOwnerToMember",
    "IgnoreNamingPolicy",
    "MemberJoinRestriction",
    "MemberDepartRestriction",
    "RequireSenderAuthenticationEnabled",
    "HiddenGroupMembershipEnabled",
    "ModeratedBy",
    "ModerationEnabled",
    "SendModerationNotifications",
    "Notes",
    "Description",
    "RoomList",
    "BccBlocked",
    "OrganizationalUnit",
    "Confirm",
];

/// Characters Exchange allows in an alias.
fn valid_alias(alias: &str) -> bool {
    !alias.is_empty()
        && !alias.starts_with('.')
        && !alias.ends_with('.')
        && alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
}

pub fn new(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, NEW)?;
    let name = params
        .bounded_string("Name", 64)?
        .ok_or_else(|| CmdletError::missing(&["Name"]))?;
    let security = params.choice(
        "Type",
        "Microsoft.Exchange.Management.RecipientTasks.GroupType",
        &["Distribution", "Security"],
    )? == Some("Security");
    let alias = params.bounded_string("Alias", 64)?.unwrap_or_else(|| {
        name.chars()
            .filter(|c| valid_alias(&c.to_string()))
            .collect()
    });
    if !valid_alias(&alias) {
        return Err(CmdletError::data_validation(format!(
            "The alias \"{alias}\" contains characters that aren't valid. Use letters, digits and the characters !#$%&'*+-/=?^_`{{|}}~."
        )));
    }
    let join = params
        .choice(
            "MemberJoinRestriction",
            "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType",
            &["Open", "Closed", "ApprovalRequired"],
        )?
        .unwrap_or("Closed");
    let depart = params
        .choice(
            "MemberDepartRestriction",
            "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType",
            &["Open", "Closed"],
        )?
        .unwrap_or(if security { "Closed" } else { "Open" });
    if security && join == "Open" {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
            "Security groups can't have the MemberJoinRestriction Open. Use Closed or ApprovalRequired.",
        ));
    }
    let smtp = params
        .string("PrimarySmtpAddress")?
        .unwrap_or_else(|| format!("{alias}@{}", ctx.domain));
    if smtp
        .split_once('@')
        .is_none_or(|(local, domain)| local.is_empty() || domain.is_empty())
    {
        return Err(CmdletError::bad_value(
            "PrimarySmtpAddress",
            &json!(smtp),
            "Microsoft.Exchange.Data.SmtpAddress",
            "The email address isn't correct.",
        ));
    }
    let members = params.strings("Members")?.unwrap_or_default();
    if members.len() > 10_000 {
        return Err(CmdletError::invalid_argument(
            "Members",
            "The number of provided arguments (more than 10000) exceeds the maximum number of allowed arguments (10000).",
        ));
    }
    let owners = params.strings("ManagedBy")?.unwrap_or_default();
    let copy_owners = params.switch("CopyOwnerToMember")?;
    let require_sender_auth = params
        .bool("RequireSenderAuthenticationEnabled")?
        .unwrap_or(true);
    let display_name = params
        .bounded_string("DisplayName", 256)?
        .unwrap_or_else(|| name.clone());
    let notes = params.string("Notes")?.or(params.string("Description")?);

    let mut directory = ctx.directory.lock();
    check_unused(ctx, &directory, &name, &alias, &smtp)?;
    let kind = if security {
        GroupKind::MailSecurity
    } else {
        GroupKind::Distribution
    };
    let mut group = Group::new(
        uuid::Uuid::new_v4().to_string(),
        display_name,
        alias,
        Some(smtp),
        kind,
        ctx.domain,
    );
    group.description = notes;
    group.managed_by = owners
        .iter()
        .map(|o| owner_id(ctx, &directory, o))
        .collect::<Result<_, _>>()?;
    for member in members.iter().chain(if copy_owners {
        owners.iter()
    } else {
        [].iter()
    }) {
        let id = member_id(ctx, &directory, member)?;
        if !group.members.contains(&id) {
            group.members.push(id);
        }
    }
    let mut row = group_details(&group, &directory);
    // A new group can come back without its DN (azapptoolkit groups.rs); read it again with
    // Get-DistributionGroup.
    row["DistinguishedName"] = json!("");
    row["MemberJoinRestriction"] = json!(join);
    row["MemberDepartRestriction"] = json!(depart);
    row["RequireSenderAuthenticationEnabled"] = json!(require_sender_auth);
    directory.groups.push(group);
    Ok(Output::rows(vec![row]))
}

/// Names, aliases and addresses are unique among recipients.
fn check_unused(
    ctx: &Ctx,
    directory: &DirectoryData,
    name: &str,
    alias: &str,
    smtp: &str,
) -> Result<(), CmdletError> {
    let smtp_taken = directory.groups.iter().any(|g| {
        g.mail
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(smtp))
    }) || ctx
        .users
        .iter()
        .any(|u| u.user_principal_name.eq_ignore_ascii_case(smtp));
    if smtp_taken {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
            format!(
                "The proxy address \"SMTP:{smtp}\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address."
            ),
        ));
    }
    let name_taken = directory.groups.iter().any(|g| {
        g.is_recipient()
            && (g.display_name.eq_ignore_ascii_case(name) || g.alias.eq_ignore_ascii_case(alias))
    });
    if name_taken {
        return Err(CmdletError::already_exists(format!(
            "The object '{}' already exists.",
            crate::directory::distinguished_name(alias, ctx.domain)
        )));
    }
    Ok(())
}

/// `ManagedBy` takes mailboxes and mail-enabled security groups.
fn owner_id(ctx: &Ctx, directory: &DirectoryData, name: &str) -> Result<String, CmdletError> {
    match recipients::recipient(ctx, directory, name)? {
        Recipient::Mailbox(user) => Ok(user.id.clone()),
        Recipient::Group(group) if group.kind == GroupKind::MailSecurity => Ok(group.id),
        Recipient::Group(group) => Err(CmdletError::data_validation(format!(
            "The group '{}' can't be a manager. ManagedBy accepts mailboxes, mail users and mail-enabled security groups.",
            group.display_name
        ))),
    }
}

/// Members may be mailboxes, distribution groups and mail-enabled security groups; not
/// Microsoft 365 groups.
fn member_id(ctx: &Ctx, directory: &DirectoryData, name: &str) -> Result<String, CmdletError> {
    match recipients::recipient(ctx, directory, name)? {
        Recipient::Mailbox(user) => Ok(user.id.clone()),
        Recipient::Group(group) if group.kind.is_distribution_group() => Ok(group.id),
        Recipient::Group(group) => Err(CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
            format!(
                "The recipient \"{}\" of type GroupMailbox can't be a member of a distribution group.",
                group.display_name
            ),
        )),
    }
}

fn group_details(group: &Group, directory: &DirectoryData) -> Value {
    let mut row = recipients::group_row(group);
    let owners: Vec<String> = group
        .managed_by
        .iter()
        .map(|id| {
            directory
                .group(id)
                .map_or_else(|| id.clone(), |g| g.display_name.clone())
        })
        .collect();
    row["GroupType"] = json!(if group.kind == GroupKind::MailSecurity {
        "Universal, SecurityEnabled"
    } else {
        "Universal"
    });
    row["ManagedBy"] = json!(owners);
    row["Description"] = json!(group.description.iter().collect::<Vec<_>>());
    row["MemberJoinRestriction"] = json!("Closed");
    row["MemberDepartRestriction"] = json!(if group.kind == GroupKind::MailSecurity {
        "Closed"
    } else {
        "Open"
    });
    row["RequireSenderAuthenticationEnabled"] = json!(true);
    row["WhenCreatedUTC"] = json!(group.created.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    row
}

pub fn get(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    list(ctx, raw, false)
}

/// Every mail-enabled group, Microsoft 365 groups included (where `MemberOfGroup` DNs come from).
pub fn get_group(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    list(ctx, raw, true)
}

/// Distribution groups (and mail-enabled security groups), or every mail-enabled group.
fn list(ctx: &Ctx, raw: &Map<String, Value>, every_kind: bool) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "ResultSize"])?;
    let size = result_size(&params, 1000)?;
    let directory = ctx.directory.lock();
    let rows: Vec<Value> = match params.string("Identity")? {
        Some(identity) => {
            let group = if every_kind {
                recipients::recipient_group(&directory, &identity)?
            } else {
                recipients::distribution_group(&directory, &identity)?
            };
            vec![group_details(&group, &directory)]
        }
        None => directory
            .groups
            .iter()
            .filter(|g| {
                if every_kind {
                    g.is_recipient()
                } else {
                    g.kind.is_distribution_group()
                }
            })
            .map(|g| group_details(g, &directory))
            .collect(),
    };
    Ok(limit(rows, size, params.has("ResultSize")))
}

/// Editing a group's members needs `-BypassSecurityGroupManagerCheck` when the caller is not
/// in `ManagedBy`, which an app never is.
fn check_manager(params: &Params) -> Result<(), CmdletError> {
    if params.switch("BypassSecurityGroupManagerCheck")? {
        return Ok(());
    }
    Err(CmdletError::task(
        "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
        "You don't have sufficient permissions. This operation can only be performed by a manager of the group.",
    ))
}

/// The parameters of `Add-` and `Remove-DistributionGroupMember`, with `Identity` and `Member`.
fn member_params(raw: &Map<String, Value>) -> Result<(Params, String, String), CmdletError> {
    let params = Params::bind(
        raw,
        &[
            "Identity",
            "Member",
            "BypassSecurityGroupManagerCheck",
            "Confirm",
        ],
    )?;
    params.require(&["Identity", "Member"])?;
    let (identity, member) = (
        params.required_string("Identity")?,
        params.required_string("Member")?,
    );
    Ok((params, identity, member))
}

pub fn add_member(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let (params, identity, member) = member_params(raw)?;
    let mut directory = ctx.directory.lock();
    let group = recipients::distribution_group(&directory, &identity)?;
    check_manager(&params)?;
    let id = member_id(ctx, &directory, &member)?;
    if group.members.iter().any(|m| m.eq_ignore_ascii_case(&id)) {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException",
            format!(
                "The recipient \"{member}\" is already a member of the group \"{}\".",
                group.display_name
            ),
        ));
    }
    directory
        .group_mut(&group.id)
        .expect("resolved above")
        .members
        .push(id);
    Ok(Output::none())
}

pub fn remove_member(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let (params, identity, member) = member_params(raw)?;
    let mut directory = ctx.directory.lock();
    let group = recipients::distribution_group(&directory, &identity)?;
    check_manager(&params)?;
    let id = match recipients::recipient(ctx, &directory, &member)? {
        Recipient::Mailbox(user) => user.id.clone(),
        Recipient::Group(g) => g.id,
    };
    let Some(at) = group
        .members
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&id))
    else {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.MemberNotFoundException",
            format!(
                "The recipient \"{member}\" isn't a member of the group \"{}\".",
                group.display_name
            ),
        ));
    };
    directory
        .group_mut(&group.id)
        .expect("resolved above")
        .members
        .remove(at);
    Ok(Output::none())
}

/// Direct members; `-ResultSize` defaults to 1000 (`Get-DistributionGroupMember.md`).
pub fn get_members(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(
        raw,
        &["Identity", "ResultSize", "IncludeSoftDeletedObjects"],
    )?;
    let identity = params.required_string("Identity")?;
    let size = result_size(&params, 1000)?;
    params.switch("IncludeSoftDeletedObjects")?;
    let directory = ctx.directory.lock();
    let group = recipients::distribution_group(&directory, &identity)?;
    let rows: Vec<Value> = group
        .members
        .iter()
        .filter_map(|id| recipients::member_row(ctx, &directory, id))
        .collect();
    Ok(limit(rows, size, params.has("ResultSize")))
}
