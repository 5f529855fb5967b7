//! The directory beyond users: applications, service principals, groups, administrative units,
//! Exchange role assignments and custom app scopes (Graph beta).

use std::sync::Mutex;

use crate::seed::TenantSeed;

#[derive(Debug, Default)]
pub struct Directory {
    #[allow(dead_code)]
    inner: Mutex<()>,
}

impl Directory {
    pub fn from_seed(_seed: &TenantSeed) -> Result<Directory, String> {
        Ok(Directory::default())
    }
}
