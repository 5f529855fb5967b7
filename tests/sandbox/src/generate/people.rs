//! People who appear in contact lists. A person is the canonical record; each mailbox holds a
//! copy of it (see [`super::contact`]), so shared people are recognisable by their address.

use std::collections::HashMap;

use super::rng::Rng;
use super::words::{
    CATEGORIES, COMPANIES, DEPARTMENTS, GIVEN_NAMES, JOB_TITLES, PERSONAL_DOMAINS, SURNAMES,
};

/// A SyncId an earlier mirror run left in this person's notes, and who it names as creator.
#[derive(Debug, Clone)]
pub struct PriorSync {
    pub id: String,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub given: &'static str,
    pub surname: &'static str,
    pub company: &'static str,
    /// Lower-case; the first is the primary address. Empty for people known by name only.
    pub emails: Vec<String>,
    pub job_title: Option<&'static str>,
    pub department: Option<&'static str>,
    pub business_phones: Vec<String>,
    pub mobile: Option<String>,
    pub categories: Vec<&'static str>,
    pub prior_sync: Option<PriorSync>,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given, self.surname)
    }
}

/// Hands out addresses (and user principal names) unique across the tenant, a repeated name
/// getting a number as mail systems do, so that two people never share an address by accident.
#[derive(Default)]
pub struct People {
    taken: HashMap<String, u32>,
}

impl People {
    /// A new person. `with_email` is false for the few known by name and phone only;
    /// `creators` are the user principal names a prior SyncId may name.
    pub fn person(
        &mut self,
        rng: &mut Rng,
        with_email: bool,
        prior_sync: bool,
        creators: &[String],
    ) -> Person {
        let given = *rng.pick(GIVEN_NAMES);
        let surname = *rng.pick(SURNAMES);
        let (company, domain) = *rng.pick(COMPANIES);
        let mut emails = Vec::new();
        if with_email {
            emails.push(self.unique_address(&format!("{given}.{surname}"), domain));
            let extra = rng.below(3); // 0, 1 or 2 more: Outlook keeps at most three
            for _ in 0..extra {
                let personal = *rng.pick(PERSONAL_DOMAINS);
                emails.push(self.unique_address(&format!("{}{}", &given[..1], surname), personal));
            }
        }
        let phones = rng.below(3);
        Person {
            given,
            surname,
            company,
            emails,
            job_title: rng.chance(0.85).then(|| *rng.pick(JOB_TITLES)),
            department: rng.chance(0.6).then(|| *rng.pick(DEPARTMENTS)),
            business_phones: (0..phones).map(|_| phone(rng)).collect(),
            mobile: rng.chance(0.6).then(|| phone(rng)),
            categories: if rng.chance(0.15) {
                vec![*rng.pick(CATEGORIES)]
            } else {
                Vec::new()
            },
            prior_sync: (prior_sync && !creators.is_empty()).then(|| PriorSync {
                id: rng.guid(),
                created_by: rng.pick(creators).clone(),
            }),
        }
    }

    /// `local@domain` in lower case, numbered from 2 on when already taken.
    pub fn unique_address(&mut self, local: &str, domain: &str) -> String {
        let local = local.to_ascii_lowercase();
        let count = self.taken.entry(format!("{local}@{domain}")).or_insert(0);
        *count += 1;
        match *count {
            1 => format!("{local}@{domain}"),
            n => format!("{local}{n}@{domain}"),
        }
    }
}

/// A number from the ranges reserved for fiction (US 555-01xx, UK 020 7946 0xxx).
pub fn phone(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        format!("+1 425 555 01{:02}", rng.below(100))
    } else {
        format!("+44 20 7946 0{:03}", rng.below(1000))
    }
}
