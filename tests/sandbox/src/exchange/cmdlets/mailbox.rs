//! Get-Mailbox: one mailbox by identity (UPN, alias, id), or every mailbox. Callers use it for
//! `RecipientTypeDetails` (user, shared, room, equipment).

use serde_json::{Map, Value};

use super::super::Ctx;
use super::super::cmdlet::{CmdletError, Output, Params};
use super::super::recipients;

pub fn get(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "ResultSize", "RecipientTypeDetails"])?;
    match params.string("Identity")? {
        Some(identity) => {
            let user = recipients::mailbox(ctx, &identity)?;
            Ok(Output::rows(vec![recipients::user_row(ctx, user)]))
        }
        None => Ok(Output::rows(
            ctx.users
                .iter()
                .filter(|u| u.has_mailbox())
                .map(|u| recipients::user_row(ctx, u))
                .collect(),
        )),
    }
}
