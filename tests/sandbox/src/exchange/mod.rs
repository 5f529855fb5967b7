//! Exchange-side objects reached through `POST /adminapi/beta/{tenant}/InvokeCommand`.

use std::sync::Mutex;

use crate::seed::TenantSeed;

#[derive(Debug, Default)]
pub struct Exchange {
    #[allow(dead_code)]
    inner: Mutex<()>,
}

impl Exchange {
    pub fn from_seed(_seed: &TenantSeed) -> Result<Exchange, String> {
        Ok(Exchange::default())
    }
}
