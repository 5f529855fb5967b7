//! The sync tag kept in a contact's `personalNotes`:
//! `SyncId=…;CreatedBy=…;LastUpdatedAt=…;LastUpdatedBy=…` (spec §4.4, §4.5).
//!
//! Reading follows the original regexes with one fix (D9): `CreatedBy` and the other values end at
//! `;` **or at the end of their line**, and they are read only from the tag itself (the text after
//! the `SyncId=` match on its line), so user text that mentions `CreatedBy=` is neither read nor
//! deleted. v1 tags (`SyncId=…;CreatedBy=…`) read the same way.
//!
//! Writing replaces only the tag (D1): every other line of the notes is kept, in order, and the
//! new tag line goes last, joined with CRLF, as the original wrote it.

use chrono::{DateTime, Timelike, Utc};

/// Length of a SyncId value: the original regex is `SyncId\s*=\s*([0-9a-f-]{36})`.
const SYNC_ID_LEN: usize = 36;

/// The values found in a contact's notes. Every field is optional: untagged notes give all `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedTags {
    /// The 36-character SyncId, as written (matching compares it case-insensitively).
    pub sync_id: Option<String>,
    /// Who first created the mirrored contact (a UPN or id). `None` in a tag without it.
    pub created_by: Option<String>,
    /// The `"o"` timestamp of the last write, as text (never used for decisions, like the original).
    pub last_updated_at: Option<String>,
    /// Who last wrote the contact.
    pub last_updated_by: Option<String>,
}

/// The tag to write: one line, no spaces, the field order of the original (spec §4.5 step 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLine {
    pub sync_id: String,
    pub created_by: String,
    pub last_updated_at: DateTime<Utc>,
    pub last_updated_by: String,
}

impl TagLine {
    /// `SyncId=<id>;CreatedBy=<by>;LastUpdatedAt=<utc "o">;LastUpdatedBy=<by>`.
    ///
    /// `;`, CR and LF inside a value would split the tag when it is read back, so they become spaces.
    pub fn render(&self) -> String {
        format!(
            "SyncId={};CreatedBy={};LastUpdatedAt={};LastUpdatedBy={}",
            clean_value(&self.sync_id),
            clean_value(&self.created_by),
            round_trip_utc(&self.last_updated_at),
            clean_value(&self.last_updated_by)
        )
    }
}

fn clean_value(value: &str) -> String {
    value.trim().replace([';', '\r', '\n'], " ")
}

/// .NET's `ToUniversalTime().ToString("o")`: seven fractional digits and `Z`,
/// e.g. `2026-01-20T13:45:12.1234567Z` (spec §4.5).
pub fn round_trip_utc(at: &DateTime<Utc>) -> String {
    let ticks = at.nanosecond() % 1_000_000_000 / 100;
    format!("{}.{ticks:07}Z", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// Where the SyncId regex matched on one line: the byte offset of `SyncId`, and of the end of the id.
struct SyncIdMatch {
    start: usize,
    id_end: usize,
}

/// The original SyncId regex, `(?i)SyncId\s*=\s*([0-9a-f-]{36})`, applied to one line: the first
/// match wins, with no word boundary (so `xSyncId=` matches too, as in the original).
fn find_sync_id(line: &str) -> Option<SyncIdMatch> {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("syncid") {
        let start = from + found;
        if let Some(id_end) = sync_id_value_end(line, start + "syncid".len()) {
            return Some(SyncIdMatch { start, id_end });
        }
        from = start + 1;
    }
    None
}

/// After `SyncId`: whitespace, `=`, whitespace, then 36 characters of `[0-9a-fA-F-]`.
fn sync_id_value_end(line: &str, after_key: usize) -> Option<usize> {
    let rest = &line[after_key..];
    let rest_trimmed = rest.trim_start();
    let after_eq = rest_trimmed.strip_prefix('=')?.trim_start();
    let value_start = line.len() - after_eq.len();
    let id_len = after_eq
        .bytes()
        .take_while(|b| b.is_ascii_hexdigit() || *b == b'-')
        .take(SYNC_ID_LEN)
        .count();
    (id_len == SYNC_ID_LEN).then_some(value_start + SYNC_ID_LEN)
}

/// Reads the tag from notes (spec §4.4 with the D9 fix). The first line holding a SyncId is the tag;
/// its other values are the `;`-separated `Key=Value` pairs after the id, each ending at `;` or at
/// the end of the line.
pub fn parse_tags(notes: Option<&str>) -> ParsedTags {
    let Some(notes) = notes else {
        return ParsedTags::default();
    };
    for line in split_lines(notes) {
        if let Some(found) = find_sync_id(line) {
            return tags_from_line(line, &found);
        }
    }
    ParsedTags::default()
}

fn tags_from_line(line: &str, found: &SyncIdMatch) -> ParsedTags {
    let id_start = found.id_end - SYNC_ID_LEN;
    let mut tags = ParsedTags {
        sync_id: Some(line[id_start..found.id_end].to_string()),
        ..ParsedTags::default()
    };
    // The first piece is whatever follows the 36 id characters up to the first `;`.
    for pair in line[found.id_end..].split(';').skip(1) {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "createdby" => &mut tags.created_by,
            "lastupdatedat" => &mut tags.last_updated_at,
            "lastupdatedby" => &mut tags.last_updated_by,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
    tags
}

/// Splits on `\r?\n`, like the original `Build-SyncNotes`.
fn split_lines(notes: &str) -> impl Iterator<Item = &str> {
    notes
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

/// True when the notes are one tag line and nothing else (a v1 or v2 tag). Such notes hold no user
/// text, so a list read of them cannot have lost any (see [`crate::mirror::contact`]).
pub fn is_tag_only(notes: &str) -> bool {
    let trimmed = notes.trim();
    !trimmed.contains(['\r', '\n']) && find_sync_id(trimmed).is_some_and(|found| found.start == 0)
}

/// The user's own text: the notes without the tag (D1), lines joined with CRLF. Returns `None` when
/// nothing but the tag and blank lines remain.
///
/// Removed: on each line holding a SyncId, the text from `SyncId` to the end of the line (a line
/// left blank goes entirely); leading and trailing blank lines (a leading line break makes Graph's
/// list endpoint truncate the notes, graph-contact-semantics §4); and the tail of a tag that the
/// original script split over several lines (D9, see [`d9_block_end`]). Everything else is kept,
/// including lines that mention `CreatedBy=` and blank lines between paragraphs.
pub fn user_text(notes: Option<&str>) -> Option<String> {
    let lines: Vec<&str> = split_lines(notes?).collect();
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        index += 1;
        let Some(found) = find_sync_id(line) else {
            kept.push(line);
            continue;
        };
        let before = line[..found.start].trim_end();
        if !before.trim().is_empty() {
            kept.push(before);
        }
        if let Some(end) = d9_block_end(&lines, index - 1, &found) {
            index = end + 1;
        }
    }
    let first = kept.iter().position(|line| !line.trim().is_empty())?;
    let last = kept.iter().rposition(|line| !line.trim().is_empty())?;
    Some(kept[first..=last].join("\r\n"))
}

/// D9 repair. The original read `CreatedBy` with `[^;]+`, which runs over line breaks: a v1 tag
/// `SyncId=…;CreatedBy=x` followed by user lines was rewritten as
/// `SyncId=…;CreatedBy=x⏎<copy of the user lines>;LastUpdatedAt=…;LastUpdatedBy=…`.
/// When a tag line has no `LastUpdatedAt` and a later line (before any other SyncId) carries both
/// `LastUpdatedAt=` and `LastUpdatedBy=`, the lines up to that one are that copy, and are dropped.
/// Returns the index of the block's last line.
fn d9_block_end(lines: &[&str], tag_index: usize, found: &SyncIdMatch) -> Option<usize> {
    if tags_from_line(lines[tag_index], found)
        .last_updated_at
        .is_some()
    {
        return None;
    }
    for (offset, line) in lines[tag_index + 1..].iter().enumerate() {
        if find_sync_id(line).is_some() {
            return None;
        }
        let lower = line.to_ascii_lowercase();
        if has_key(&lower, "lastupdatedat") && has_key(&lower, "lastupdatedby") {
            return Some(tag_index + 1 + offset);
        }
    }
    None
}

/// `(?i)<key>\s*=` on an already lower-cased line.
fn has_key(lower: &str, key: &str) -> bool {
    lower
        .match_indices(key)
        .any(|(at, _)| lower[at + key.len()..].trim_start().starts_with('='))
}

/// The notes to write: the user's text from `notes` (if any), CRLF, then the tag line (spec §4.5
/// step 6: tag last, CRLF). With no user text, the tag line alone.
pub fn with_tag(notes: Option<&str>, tag: &TagLine) -> String {
    match user_text(notes) {
        Some(text) => format!("{text}\r\n{}", tag.render()),
        None => tag.render(),
    }
}

/// The original's `Normalize-NotesText`: CRLF and CR become LF, then trim. Two notes that are equal
/// after this need no write.
pub fn normalize_notes(notes: Option<&str>) -> String {
    notes
        .unwrap_or_default()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

/// True when Graph's copy of notes differs from what was sent, so the apply step PATCHes the notes
/// again after a POST (spec §3.2 E7), comparing like the original's normaliser.
pub fn notes_differ(sent: &str, returned: Option<&str>) -> bool {
    normalize_notes(Some(sent)) != normalize_notes(returned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 20, 13, 45, 12).unwrap()
            + chrono::Duration::nanoseconds(123_456_700)
    }

    fn tag() -> TagLine {
        TagLine {
            sync_id: ID.into(),
            created_by: "alice@contoso.com".into(),
            last_updated_at: at(),
            last_updated_by: "bob@contoso.com".into(),
        }
    }

    #[test]
    fn tag_line_has_the_original_format_and_a_seven_digit_utc_timestamp() {
        assert_eq!(
            tag().render(),
            format!(
                "SyncId={ID};CreatedBy=alice@contoso.com;LastUpdatedAt=2026-01-20T13:45:12.1234567Z;LastUpdatedBy=bob@contoso.com"
            )
        );
        let whole_second = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            round_trip_utc(&whole_second),
            "2026-01-01T00:00:00.0000000Z"
        );
    }

    #[test]
    fn tag_round_trips_through_notes() {
        let notes = with_tag(Some("Met at the fair\r\nLikes golf"), &tag());
        let parsed = parse_tags(Some(&notes));
        assert_eq!(parsed.sync_id.as_deref(), Some(ID));
        assert_eq!(parsed.created_by.as_deref(), Some("alice@contoso.com"));
        assert_eq!(
            parsed.last_updated_at.as_deref(),
            Some("2026-01-20T13:45:12.1234567Z")
        );
        assert_eq!(parsed.last_updated_by.as_deref(), Some("bob@contoso.com"));
        assert_eq!(
            user_text(Some(&notes)).as_deref(),
            Some("Met at the fair\r\nLikes golf")
        );
    }

    #[test]
    fn tag_goes_last_and_lines_are_joined_with_crlf() {
        let old = format!("SyncId={ID};CreatedBy=x\nfirst line\n\nsecond line\n");
        let notes = with_tag(Some(&old), &tag());
        assert_eq!(
            notes,
            format!("first line\r\n\r\nsecond line\r\n{}", tag().render())
        );
        assert!(notes.ends_with("LastUpdatedBy=bob@contoso.com"));
    }

    #[test]
    fn no_user_text_gives_the_tag_alone() {
        assert_eq!(with_tag(None, &tag()), tag().render());
        assert_eq!(with_tag(Some("\r\n  \r\n"), &tag()), tag().render());
        let old = format!("SyncId={ID};CreatedBy=x;LastUpdatedAt=y;LastUpdatedBy=z");
        assert_eq!(with_tag(Some(&old), &tag()), tag().render());
    }

    #[test]
    fn v1_tags_are_read() {
        let parsed = parse_tags(Some(&format!("SyncId={ID};CreatedBy=carol@contoso.com")));
        assert_eq!(parsed.sync_id.as_deref(), Some(ID));
        assert_eq!(parsed.created_by.as_deref(), Some("carol@contoso.com"));
        assert_eq!(parsed.last_updated_at, None);
        assert!(is_tag_only(&format!(
            "SyncId={ID};CreatedBy=carol@contoso.com"
        )));
    }

    #[test]
    fn sync_id_follows_the_original_regex() {
        // Case-insensitive, spaces around `=`, no word boundary, upper-case hex kept as written.
        let upper = ID.to_uppercase();
        assert_eq!(
            parse_tags(Some(&format!("syncid = {upper}"))).sync_id,
            Some(upper.clone())
        );
        assert_eq!(
            parse_tags(Some(&format!("xSyncId={ID}")))
                .sync_id
                .as_deref(),
            Some(ID)
        );
        assert_eq!(parse_tags(Some("SyncId=not-a-guid")).sync_id, None);
        assert_eq!(parse_tags(Some("SyncId=0f8fad5b")).sync_id, None);
    }

    #[test]
    fn d9_created_by_ends_at_its_line() {
        let notes =
            format!("SyncId={ID};CreatedBy=carol@contoso.com\r\nCall after 5pm\r\nOffice 3");
        let parsed = parse_tags(Some(&notes));
        assert_eq!(parsed.created_by.as_deref(), Some("carol@contoso.com"));
        assert_eq!(
            user_text(Some(&notes)).as_deref(),
            Some("Call after 5pm\r\nOffice 3")
        );
    }

    #[test]
    fn d9_user_text_mentioning_created_by_is_kept_and_not_read() {
        let notes =
            format!("Ticket CreatedBy=helpdesk; LastUpdatedBy=me\r\nSyncId={ID};CreatedBy=alice");
        assert_eq!(
            parse_tags(Some(&notes)).created_by.as_deref(),
            Some("alice")
        );
        let rewritten = with_tag(Some(&notes), &tag());
        assert_eq!(
            rewritten,
            format!(
                "Ticket CreatedBy=helpdesk; LastUpdatedBy=me\r\n{}",
                tag().render()
            )
        );
    }

    #[test]
    fn d9_tag_split_by_the_original_script_is_repaired() {
        // v1 notes `SyncId=…;CreatedBy=carol⏎Call after 5pm` after one run of the v2 script.
        let broken = format!(
            "Call after 5pm\r\nSyncId={ID};CreatedBy=carol\r\nCall after 5pm;LastUpdatedAt=2026-01-01T00:00:00.0000000Z;LastUpdatedBy=u@x"
        );
        assert_eq!(
            parse_tags(Some(&broken)).created_by.as_deref(),
            Some("carol")
        );
        assert_eq!(user_text(Some(&broken)).as_deref(), Some("Call after 5pm"));
    }

    #[test]
    fn d9_needs_both_keys_user_lines_with_only_one_are_kept() {
        // A v1 tag, then user lines; the last one mentions only `LastUpdatedBy=`: that is not
        // the original's split tail (which always carries both keys), so nothing is dropped.
        for key in ["LastUpdatedBy=helpdesk", "LastUpdatedAt=monday"] {
            let notes = format!("SyncId={ID};CreatedBy=carol\r\nCall after 5pm\r\nTicket {key}");
            assert_eq!(
                user_text(Some(&notes)).as_deref(),
                Some(format!("Call after 5pm\r\nTicket {key}").as_str()),
                "{key}"
            );
        }
    }

    #[test]
    fn text_before_a_tag_on_the_same_line_is_kept() {
        let notes = format!("See ticket 42 SyncId={ID};CreatedBy=a");
        assert_eq!(user_text(Some(&notes)).as_deref(), Some("See ticket 42"));
    }

    #[test]
    fn every_old_tag_line_is_replaced_by_one() {
        let notes = format!("SyncId={ID};CreatedBy=a\r\nhello\r\nSyncId={ID};CreatedBy=b");
        assert_eq!(
            with_tag(Some(&notes), &tag()),
            format!("hello\r\n{}", tag().render())
        );
    }

    #[test]
    fn values_that_would_break_the_tag_are_cleaned() {
        let line = TagLine {
            created_by: "a;b\r\nc".into(),
            ..tag()
        }
        .render();
        assert!(line.contains("CreatedBy=a b  c;"), "{line}");
    }

    #[test]
    fn notes_compare_like_the_original_normaliser() {
        assert!(!notes_differ("a\r\nb", Some("a\nb\n")));
        assert!(notes_differ("a\r\nb", Some("a b")));
        assert!(notes_differ("a", None));
    }
}
