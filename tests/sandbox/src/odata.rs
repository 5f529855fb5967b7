//! The OData query options the sandbox understands: `$filter` with `eq`/`ne` comparisons joined
//! by `and`, `$top`, `$skiptoken` paging. Anything else in a `$filter` is a 400, as Graph answers
//! a filter it does not support.

use serde_json::Value;

use crate::graph_error::GraphError;

/// One `property eq 'value'` (or `ne`) comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub property: String,
    pub negated: bool,
    pub value: String,
}

/// Parses `a eq 'x' and b ne 'y'`. Property names are matched case-insensitively later.
pub fn parse_filter(text: &str) -> Result<Vec<Comparison>, GraphError> {
    let mut comparisons = Vec::new();
    let mut rest = text.trim();
    loop {
        let (comparison, after) = parse_comparison(rest)
            .ok_or_else(|| GraphError::bad_request(format!("Invalid filter clause: '{text}'")))?;
        comparisons.push(comparison);
        rest = after.trim_start();
        if rest.is_empty() {
            return Ok(comparisons);
        }
        rest = rest
            .strip_prefix("and ")
            .ok_or_else(|| GraphError::bad_request(format!("Invalid filter clause: '{text}'")))?;
    }
}

fn parse_comparison(text: &str) -> Option<(Comparison, &str)> {
    let (property, rest) = text.split_once(' ')?;
    let (operator, rest) = rest.trim_start().split_once(' ')?;
    let negated = match operator {
        "eq" => false,
        "ne" => true,
        _ => return None,
    };
    let (value, rest) = parse_string_literal(rest.trim_start())?;
    let valid_name = !property.is_empty() && property.chars().all(|c| c.is_ascii_alphanumeric() || c == '/');
    valid_name.then(|| (Comparison { property: property.to_string(), negated, value }, rest))
}

/// A single-quoted OData string; `''` is an escaped quote.
fn parse_string_literal(text: &str) -> Option<(String, &str)> {
    let mut chars = text.char_indices();
    if chars.next()?.1 != '\'' {
        return None;
    }
    let mut value = String::new();
    let mut pending_quote = false;
    for (i, c) in chars {
        if pending_quote {
            if c == '\'' {
                value.push('\'');
                pending_quote = false;
                continue;
            }
            return Some((value, &text[i..]));
        }
        if c == '\'' {
            pending_quote = true;
        } else {
            value.push(c);
        }
    }
    pending_quote.then_some((value, ""))
}

/// Whether a JSON object satisfies every comparison. String properties compare
/// case-insensitively, as Graph's directory and Exchange filters do.
pub fn matches(item: &Value, filter: &[Comparison]) -> bool {
    filter.iter().all(|c| {
        let found = item
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(&c.property)))
            .map(|(_, v)| v);
        let equal = match found {
            Some(Value::String(s)) => s.eq_ignore_ascii_case(&c.value),
            Some(Value::Bool(b)) => b.to_string() == c.value,
            _ => false,
        };
        equal != c.negated
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_parse_with_escaped_quotes_and_and() {
        let f = parse_filter("displayName eq 'O''Brien' and allowedPrincipalTypes ne 'user'").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].value, "O'Brien");
        assert!(f[1].negated);
    }

    #[test]
    fn unsupported_filters_are_400() {
        for bad in ["startswith(displayName,'A')", "displayName gt 'a'", "displayName eq 'open", "a eq 'b' or c eq 'd'"] {
            let err = parse_filter(bad).unwrap_err();
            assert_eq!(err.status, 400, "{bad}");
        }
    }

    #[test]
    fn matching_is_case_insensitive_on_names_and_values() {
        let item = json!({"displayName": "Application Mail.Read"});
        assert!(matches(&item, &parse_filter("DisplayName eq 'application mail.read'").unwrap()));
        assert!(!matches(&item, &parse_filter("displayName ne 'Application Mail.Read'").unwrap()));
    }
}
