//! The cmdlets `InvokeCommand` serves, by name. Each binds its own parameters (see
//! [`super::cmdlet::Params`]) and answers with output rows or a [`CmdletError`].

mod calendar;
mod groups;
mod mailbox;
mod policy;
mod rbac;

use serde_json::{Map, Value};

use super::Ctx;
use super::cmdlet::{CmdletError, Output};

type Handler = fn(&Ctx, &Map<String, Value>) -> Result<Output, CmdletError>;

const CMDLETS: &[(&str, Handler)] = &[
    ("New-ApplicationAccessPolicy", policy::new),
    ("Get-ApplicationAccessPolicy", policy::get),
    ("Set-ApplicationAccessPolicy", policy::set),
    ("Remove-ApplicationAccessPolicy", policy::remove),
    ("Test-ApplicationAccessPolicy", policy::test),
    ("Get-MailboxCalendarFolder", calendar::get_folder),
    ("Set-MailboxCalendarFolder", calendar::set_folder),
    ("Get-MailboxFolderStatistics", calendar::folder_statistics),
    ("Get-CalendarProcessing", calendar::get_processing),
    ("Set-CalendarProcessing", calendar::set_processing),
    ("Get-SharingPolicy", calendar::get_sharing_policy),
    ("New-DistributionGroup", groups::new),
    ("Get-DistributionGroup", groups::get),
    ("Get-Group", groups::get_group),
    ("Get-Mailbox", mailbox::get),
    ("Add-DistributionGroupMember", groups::add_member),
    ("Remove-DistributionGroupMember", groups::remove_member),
    ("Get-DistributionGroupMember", groups::get_members),
    ("New-ServicePrincipal", rbac::new_service_principal),
    ("Get-ServicePrincipal", rbac::get_service_principal),
    ("Remove-ServicePrincipal", rbac::remove_service_principal),
    ("New-ManagementScope", rbac::new_scope),
    ("Get-ManagementScope", rbac::get_scope),
    ("Remove-ManagementScope", rbac::remove_scope),
    ("New-ManagementRoleAssignment", rbac::new_assignment),
    ("Get-ManagementRoleAssignment", rbac::get_assignment),
    ("Remove-ManagementRoleAssignment", rbac::remove_assignment),
    (
        "Test-ServicePrincipalAuthorization",
        rbac::test_authorization,
    ),
];

pub fn run(ctx: &Ctx, name: &str, parameters: &Map<String, Value>) -> Result<Output, CmdletError> {
    let (_, handler) = CMDLETS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| CmdletError::unknown_cmdlet(name))?;
    handler(ctx, parameters)
}

/// Every cmdlet name served, for documentation and tests.
pub fn names() -> Vec<&'static str> {
    CMDLETS.iter().map(|(n, _)| *n).collect()
}

/// A `-ResultSize`: a positive number or `Unlimited`.
fn result_size(params: &super::cmdlet::Params, default: usize) -> Result<usize, CmdletError> {
    if params
        .string("ResultSize")?
        .is_some_and(|s| s.eq_ignore_ascii_case("Unlimited"))
    {
        return Ok(usize::MAX);
    }
    Ok(params
        .int("ResultSize", 1, i32::MAX as i64)?
        .map_or(default, |n| n as usize))
}

/// Cuts a listing to `size` rows with the warning Exchange gives (the default-size one names
/// `-ResultSize Unlimited`).
fn limit(mut rows: Vec<Value>, size: usize, size_given: bool) -> Output {
    let mut warnings = Vec::new();
    if rows.len() > size {
        rows.truncate(size);
        warnings.push(if size_given {
            "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.".to_string()
        } else {
            format!("By default, only the first {size} items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify \"-ResultSize Unlimited\". Be aware that, depending on the actual number of items, returning all items can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. Instead, pipe the results to another task or script to perform batch changes.")
        });
    }
    Output { rows, warnings }
}
