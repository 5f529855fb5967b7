//! Which mailboxes a tenant's run touches (spec §4.1 steps 2–4): the user list, without the shared
//! mailbox, and the shared mailbox's "All Contacts" folder.

use crate::error::{ExoError, Result};

/// A user of the run, after the apply step resolved it through Graph (`/users/{x}?$select=id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    /// The user as the original's loop named it: the configured test-user string, or for licensed
    /// users the `userPrincipalName` (else the id). It is `SourceUserId`: `CreatedBy` /
    /// `LastUpdatedBy` in tags and the `Syncing … -> …` lines.
    pub listed_as: String,
    /// The Entra object id.
    pub id: String,
    /// The user principal name when Graph gave one (`Get-ContactMirrorState` shows it).
    pub upn: Option<String>,
}

/// One entry of the licensed-user listing (spec §3.2 B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedUser {
    pub id: Option<String>,
    pub user_principal_name: Option<String>,
}

/// The licensed users as the original named them: `userPrincipalName`, else `id`, blanks dropped
/// (spec §4.1 step 2). The errors name the tenant and carry the original's messages.
pub fn licensed_users(tenant_id: &str, listing: &[ListedUser]) -> Result<Vec<ResolvedUser>> {
    let tenant = format!("tenant '{tenant_id}'");
    if listing.is_empty() {
        return Err(ExoError::invalid_argument(
            tenant,
            "No licensed users found.",
        ));
    }
    let users: Vec<ResolvedUser> = listing
        .iter()
        .filter_map(|user| {
            let id = non_blank(user.id.as_deref())?;
            let listed_as = non_blank(user.user_principal_name.as_deref()).unwrap_or(id);
            Some(ResolvedUser {
                listed_as: listed_as.to_string(),
                id: id.to_string(),
                upn: non_blank(user.user_principal_name.as_deref()).map(str::to_string),
            })
        })
        .collect();
    if users.is_empty() {
        return Err(ExoError::invalid_argument(
            tenant,
            "No licensed users available.",
        ));
    }
    Ok(users)
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The user list without the shared mailbox, and without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserScope {
    pub users: Vec<ResolvedUser>,
    /// True when the shared mailbox was in the list and was taken out.
    pub excluded_shared_mailbox: bool,
    /// Entries dropped because an earlier entry is the same user (e.g. listed by UPN and by id).
    pub duplicates: usize,
}

/// D8: removes the shared mailbox by its resolved object id, whatever form (UPN, SMTP address,
/// alias, id) it and the users were given in. Also drops a user listed twice (first wins), which
/// the original would have synced twice. Ids compare without case (they are GUIDs).
pub fn exclude_shared_mailbox(users: Vec<ResolvedUser>, shared_mailbox_id: &str) -> UserScope {
    let shared = shared_mailbox_id.trim().to_lowercase();
    let mut scope = UserScope {
        users: Vec::with_capacity(users.len()),
        excluded_shared_mailbox: false,
        duplicates: 0,
    };
    let mut seen = std::collections::HashSet::new();
    for user in users {
        let id = user.id.trim().to_lowercase();
        if id == shared {
            scope.excluded_shared_mailbox = true;
        } else if seen.insert(id) {
            scope.users.push(user);
        } else {
            scope.duplicates += 1;
        }
    }
    scope
}

/// The first folder named `hub_folder` ("All Contacts"), ignoring case, among the shared mailbox's
/// contact folders given as `(id, displayName)` in breadth-first order (spec §3.2 C).
pub fn find_hub_folder<'a>(
    folders: impl IntoIterator<Item = (&'a str, &'a str)>,
    hub_folder: &str,
) -> Option<&'a str> {
    let wanted = hub_folder.to_lowercase();
    folders
        .into_iter()
        .find(|(_, name)| name.to_lowercase() == wanted)
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUB_ID: &str = "9a2c6d1e-0000-4000-8000-00000000000a";

    fn user(listed_as: &str, id: &str) -> ResolvedUser {
        ResolvedUser {
            listed_as: listed_as.into(),
            id: id.into(),
            upn: None,
        }
    }

    #[test]
    fn d8_the_shared_mailbox_is_excluded_by_object_id_whatever_its_form() {
        // Configured as `contacts@contoso.com`, listed by UPN `allcontacts@contoso.onmicrosoft.com`.
        let users = vec![
            user("ann@contoso.com", "id-ann"),
            user("allcontacts@contoso.onmicrosoft.com", HUB_ID),
        ];
        let scope = exclude_shared_mailbox(users, &HUB_ID.to_uppercase());
        assert_eq!(scope.users, vec![user("ann@contoso.com", "id-ann")]);
        assert!(scope.excluded_shared_mailbox);
    }

    #[test]
    fn a_name_that_merely_equals_the_shared_mailbox_string_is_not_excluded() {
        let scope =
            exclude_shared_mailbox(vec![user("contacts@contoso.com", "id-someone")], HUB_ID);
        assert_eq!(scope.users.len(), 1);
        assert!(!scope.excluded_shared_mailbox);
    }

    #[test]
    fn a_user_listed_twice_is_synced_once() {
        let scope = exclude_shared_mailbox(
            vec![user("ann@contoso.com", "ID-1"), user("id-1", "id-1")],
            HUB_ID,
        );
        assert_eq!(scope.users, vec![user("ann@contoso.com", "ID-1")]);
        assert_eq!(scope.duplicates, 1);
    }

    #[test]
    fn licensed_users_are_named_by_upn_else_id() {
        let listing = [
            ListedUser {
                id: Some("1".into()),
                user_principal_name: Some("a@x".into()),
            },
            ListedUser {
                id: Some("2".into()),
                user_principal_name: None,
            },
            ListedUser {
                id: None,
                user_principal_name: Some("c@x".into()),
            },
        ];
        assert_eq!(
            licensed_users("t", &listing).unwrap(),
            vec![ResolvedUser { upn: Some("a@x".into()), ..user("a@x", "1") }, user("2", "2")]
        );
        let none = licensed_users("contoso.com", &[]).unwrap_err().to_string();
        assert!(
            none.contains("No licensed users found.") && none.contains("contoso.com"),
            "{none}"
        );
        let blank = [ListedUser {
            id: Some(" ".into()),
            user_principal_name: None,
        }];
        assert!(
            licensed_users("t", &blank)
                .unwrap_err()
                .to_string()
                .contains("No licensed users available.")
        );
    }

    #[test]
    fn the_hub_folder_is_the_first_all_contacts_in_bfs_order() {
        let folders = [
            ("f1", "Work"),
            ("f2", "all contacts"),
            ("f3", "All Contacts"),
        ];
        assert_eq!(
            find_hub_folder(folders, crate::mirror::HUB_FOLDER_NAME),
            Some("f2")
        );
        assert_eq!(find_hub_folder([("f1", "Contacts")], "All Contacts"), None);
        assert_eq!(find_hub_folder([("f1", "Shared")], "shared"), Some("f1"));
    }
}
