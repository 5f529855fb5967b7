//! Users and their mailboxes: contact folders and contacts, with the change history that
//! `contacts/delta` reads.

pub mod contact;
mod store;

pub use contact::{Contact, ContactError, READ_ONLY, WRITABLE};
pub use store::{DeltaChange, Folder, Mailbox, ROOT_WELL_KNOWN};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::seed::{MailboxKind, UserSeed};

/// A directory user as Graph lists it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub licenses: Vec<String>,
    pub mailbox: MailboxKind,
}

impl User {
    pub fn from_seed(seed: &UserSeed) -> User {
        let display_name = seed.display_name.clone().unwrap_or_else(|| {
            seed.user_principal_name.split('@').next().unwrap_or_default().to_string()
        });
        User {
            id: seed.id.clone(),
            user_principal_name: seed.user_principal_name.clone(),
            display_name,
            licenses: seed.licenses.clone(),
            mailbox: seed.mailbox,
        }
    }

    pub fn has_mailbox(&self) -> bool {
        self.mailbox != MailboxKind::None
    }
}

/// Every mailbox of a tenant, by the owner's object id. The set is fixed by the seed; each
/// mailbox has its own lock so that requests to different mailboxes never wait on each other.
#[derive(Debug, Default)]
pub struct Mailboxes {
    by_user: HashMap<String, Arc<Mutex<Mailbox>>>,
}

impl Mailboxes {
    pub fn from_seed(users: Vec<UserSeed>) -> Result<Mailboxes, String> {
        let mut by_user = HashMap::with_capacity(users.len());
        for (ordinal, user) in users.into_iter().filter(|u| u.mailbox != MailboxKind::None).enumerate() {
            let (id, name) = (user.id.clone(), user.user_principal_name.clone());
            let mailbox = Mailbox::from_seed(user, ordinal).map_err(|e| format!("user {name}: {e}"))?;
            if by_user.insert(id.clone(), Arc::new(Mutex::new(mailbox))).is_some() {
                return Err(format!("user id {id} appears twice"));
            }
        }
        Ok(Mailboxes { by_user })
    }

    /// Forgets the delta states of every mailbox.
    pub fn evict_all_delta_states(&self) {
        for mailbox in self.by_user.values() {
            mailbox.lock().unwrap_or_else(|p| p.into_inner()).evict_delta_states();
        }
    }

    /// The mailbox of a user (by object id).
    pub fn of(&self, user_id: &str) -> Option<Arc<Mutex<Mailbox>>> {
        self.by_user.get(user_id).cloned()
    }
}
