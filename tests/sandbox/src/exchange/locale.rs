//! Cmdlet error messages in the caller's language. Exchange answers in the culture of
//! `Accept-Language` (M365DSC #687 got German text from a German client), so a client that
//! matches on English words breaks for half the world; this lets tests prove a client
//! classifies on the exception class instead (exo-rest.md §1.6).
//!
//! Only German is known, and only for the messages clients most often act on; anything else
//! stays English, as Exchange does for strings it has no translation of.

use super::CmdletError;

/// The error as a caller asking for `accept_language` would read it.
pub fn localize(error: CmdletError, accept_language: Option<&str>) -> CmdletError {
    if !wants_german(accept_language) {
        return error;
    }
    match german(&error.message) {
        Some(message) => CmdletError { message, ..error },
        None => error,
    }
}

/// The first language tag decides (`de-DE,de;q=0.9,en;q=0.8` is German).
fn wants_german(accept_language: Option<&str>) -> bool {
    accept_language
        .and_then(|v| v.split(',').next())
        .map(|tag| tag.trim().to_ascii_lowercase())
        .is_some_and(|tag| tag == "de" || tag.starts_with("de-"))
}

/// The German text of the English messages in [`CmdletError`]'s constructors and the
/// group-membership cmdlets, with their inserted values kept.
fn german(english: &str) -> Option<String> {
    if let Some(rest) = english.strip_prefix("The operation couldn't be performed because object '") {
        let (object, rest) = rest.split_once("' couldn't be found on '")?;
        let server = rest.strip_suffix("'.")?;
        return Some(format!(
            "Der Vorgang kann nicht ausgeführt werden, da das Objekt \"{object}\" auf \"{server}\" nicht gefunden wurde."
        ));
    }
    if let Some(rest) = english.strip_prefix("Couldn't find object \"") {
        let (object, _) = rest.split_once('"')?;
        return Some(format!(
            "Das Objekt \"{object}\" wurde nicht gefunden. Stellen Sie sicher, dass es richtig geschrieben ist, oder geben Sie ein anderes Objekt an."
        ));
    }
    if let Some(rest) = english.strip_prefix("The recipient \"") {
        let (member, rest) = rest.split_once('"')?;
        let group = rest
            .strip_prefix(" is already a member of the group \"")?
            .strip_suffix("\".")?;
        return Some(format!(
            "Der Empfänger \"{member}\" ist bereits Mitglied der Gruppe \"{group}\"."
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_callers_get_german_text_and_the_same_class() {
        let error = CmdletError::not_found("nobody@contoso.com");
        let german = localize(error.clone(), Some("de-DE,de;q=0.9"));
        assert_eq!(german.class, error.class);
        assert!(
            german.message.starts_with("Der Vorgang kann nicht ausgeführt werden, da das Objekt \"nobody@contoso.com\""),
            "{}",
            german.message
        );
        assert_eq!(localize(error.clone(), Some("en-US")), error);
        assert_eq!(localize(error.clone(), None), error);
    }

    #[test]
    fn untranslated_messages_stay_english() {
        let error = CmdletError::unknown_cmdlet("Get-Frobnicator");
        assert_eq!(localize(error.clone(), Some("de")), error);
    }
}
