//! Large, deterministic seeds for tests and benchmarks: `U` licensed users with `C` contacts
//! each, a fraction of which are people shared between several users' lists, plus the shared
//! mailbox the contact mirror writes to, a few unlicensed users, one user without a mailbox,
//! and the demo seed's apps.
//!
//! The same [`GenerateOptions`] always give the same JSON: everything comes from one seeded
//! generator ([`rng`]), never from the clock or the OS. The `exokit-seed` binary writes it.
//!
//! ```
//! let options = exokit_sandbox::generate::GenerateOptions { users: 5, contacts: 10, ..Default::default() };
//! let seed = exokit_sandbox::generate::seed(&options).unwrap();
//! assert_eq!(seed.tenants[0].users.len(), 5 + 3 + 1 + 1);
//! ```

mod contact;
mod people;
mod rng;
mod tenant;
mod words;

use std::fmt;

use serde_json::Value;

use crate::Seed;

/// What to generate. [`Default`] gives a small tenant (20 users × 50 contacts).
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Licensed users with a mailbox and contacts (the mirror's users).
    pub users: usize,
    /// Contacts in each licensed user's default Contacts folder.
    pub contacts: usize,
    /// Fraction (0..=1) of each user's contacts that are people other users also hold.
    pub overlap: f64,
    /// The generator's seed: the same number gives the same tenant.
    pub seed: u64,
    /// Users without a licence (each with a few contacts the mirror must leave alone).
    pub unlicensed: usize,
    /// How many users' lists a shared person appears in, on average (at least 2).
    pub share_width: usize,
    /// The tenant's id and initial domain; by default the demo seed's, so that the demo's
    /// credentials work unchanged.
    pub tenant_id: String,
    pub domain: String,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            users: 20,
            contacts: 50,
            overlap: 0.3,
            seed: 1,
            unlicensed: 3,
            share_width: 8,
            tenant_id: tenant::DEMO_TENANT_ID.to_string(),
            domain: tenant::DEMO_DOMAIN.to_string(),
        }
    }
}

/// An option out of range, named as the `exokit-seed` flag that sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateError(pub String);

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenerateError {}

impl GenerateOptions {
    fn check(&self) -> Result<(), GenerateError> {
        let fail = |message: String| Err(GenerateError(message));
        if !(0.0..=1.0).contains(&self.overlap) {
            return fail(format!(
                "--overlap must be between 0 and 1, not {}",
                self.overlap
            ));
        }
        if self.share_width < 2 {
            return fail(format!(
                "--share-width must be at least 2 (a shared person is in two lists or more), not {}",
                self.share_width
            ));
        }
        if self.overlap > 0.0 && self.users < 2 {
            return fail(format!(
                "--overlap {} needs at least 2 --users to share contacts between",
                self.overlap
            ));
        }
        if self.domain.is_empty() || self.domain.contains(['@', '/', ' ']) {
            return fail(format!(
                "--domain must be a domain name such as contoso.onmicrosoft.com, not '{}'",
                self.domain
            ));
        }
        if self.users.saturating_mul(self.contacts) > 50_000_000 {
            return fail(format!(
                "--users {} × --contacts {} is more than 50 million contacts",
                self.users, self.contacts
            ));
        }
        Ok(())
    }

    /// How many of each user's contacts are shared people.
    pub fn shared_per_user(&self) -> usize {
        (self.overlap * self.contacts as f64).round() as usize
    }
}

/// The seed as JSON (the shape of `seeds/demo.json`).
pub fn json(options: &GenerateOptions) -> Result<Value, GenerateError> {
    options.check()?;
    Ok(tenant::generate(options))
}

/// The seed, ready for [`crate::Options::new`].
pub fn seed(options: &GenerateOptions) -> Result<Seed, GenerateError> {
    let value = json(options)?;
    // The generator only writes what the seed types accept; a failure here is a generator bug.
    serde_json::from_value(value).map_err(|e| {
        GenerateError(format!(
            "the generated seed does not parse (a generator bug): {e}"
        ))
    })
}
