//! Query options as Graph reads them from a URL: `$select`, `$top`, `$skip`, `$filter`,
//! `$count`, and the opaque paging tokens; plus the absolute links Graph puts in `@odata.nextLink`.

use std::collections::HashMap;

use axum::http::HeaderMap;

use crate::graph_error::GraphError;
use crate::odata::{self, Comparison};

/// The query options of one request. Unknown `$` options are a 400, as in Graph.
#[derive(Debug, Default, Clone)]
pub struct ListQuery {
    pub select: Option<Vec<String>>,
    pub top: Option<usize>,
    pub skip: usize,
    pub filter: Option<String>,
    pub count: bool,
    pub skiptoken: Option<String>,
    pub deltatoken: Option<String>,
    pub orderby: Option<String>,
    /// `$expand` or `$search`, which no contact route implements: refused where they are given.
    pub unsupported: Option<&'static str>,
}

const KNOWN: &[&str] = &["$select", "$top", "$skip", "$filter", "$count", "$skiptoken", "$deltatoken", "$orderby", "$expand", "$search"];

impl ListQuery {
    pub fn parse(raw: Option<&str>) -> Result<ListQuery, GraphError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| GraphError::bad_request("The query specified in the URI is not valid."))?;
        let mut options: HashMap<String, String> = HashMap::new();
        for (name, value) in pairs {
            let key = name.to_ascii_lowercase();
            if key.starts_with('$') && !KNOWN.contains(&key.as_str()) {
                return Err(GraphError::bad_request(format!("Query option '{name}' is not allowed. Make sure that the query option is supported and that it has the correct name.")));
            }
            if options.insert(key, value).is_some() {
                return Err(GraphError::bad_request(format!("Query option '{name}' was specified more than once, but it must be specified at most once.")));
            }
        }
        let top = options.get("$top").map(|t| parse_number("$top", t)).transpose()?;
        let skip = options.get("$skip").map(|t| parse_number("$skip", t)).transpose()?.unwrap_or(0);
        let count = match options.get("$count").map(String::as_str) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(GraphError::bad_request(format!("Invalid value '{other}' for $count query option found. Valid values are 'true' and 'false'."))),
        };
        let select = options.get("$select").map(|s| s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect());
        Ok(ListQuery {
            select,
            top,
            skip,
            filter: options.remove("$filter"),
            count,
            skiptoken: options.remove("$skiptoken"),
            deltatoken: options.remove("$deltatoken"),
            orderby: options.remove("$orderby"),
            unsupported: ["$expand", "$search"].into_iter().find(|name| options.contains_key(*name)),
        })
    }

    /// `$top` checked against a service's maximum (1000 for Outlook, 999 for users).
    pub fn page_size(&self, default: usize, max: usize) -> Result<usize, GraphError> {
        match self.top {
            None => Ok(default),
            Some(0) => Err(GraphError::bad_request("Invalid value for $top: the value must be greater than 0.")),
            Some(top) if top > max => Err(GraphError::bad_request(format!("Invalid page size specified: '{top}'. Must be between 1 and {max} inclusive."))),
            Some(top) => Ok(top),
        }
    }

    /// The `$filter` as `eq`/`ne` comparisons (what the sandbox supports for folders and users).
    pub fn comparisons(&self) -> Result<Vec<Comparison>, GraphError> {
        self.filter.as_deref().map(odata::parse_filter).transpose().map(Option::unwrap_or_default)
    }

    /// `$select` names checked against an entity's properties: Graph refuses an unknown one
    /// (Outlook with `RequestBroker--ParseUri`) rather than ignoring it.
    pub fn check_select(&self, known: &[&str], entity: &str) -> Result<(), GraphError> {
        let Some(select) = &self.select else { return Ok(()) };
        match select.iter().find(|name| !known.iter().any(|k| k.eq_ignore_ascii_case(name))) {
            Some(name) => Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "RequestBroker--ParseUri",
                format!("Could not find a property named '{name}' on type '{entity}'."),
            )),
            None => Ok(()),
        }
    }

    /// The query string of a nextLink: the same options with `$skip` advanced.
    pub fn with_skip(&self, top: usize, skip: usize) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("$top", top.to_string())];
        if let Some(select) = &self.select {
            pairs.push(("$select", select.join(",")));
        }
        if let Some(filter) = &self.filter {
            pairs.push(("$filter", filter.clone()));
        }
        if let Some(orderby) = &self.orderby {
            pairs.push(("$orderby", orderby.clone()));
        }
        if self.count {
            pairs.push(("$count", "true".into()));
        }
        pairs.push(("$skip", skip.to_string()));
        serde_urlencoded::to_string(pairs).expect("strings encode")
    }
}

fn parse_number(name: &str, text: &str) -> Result<usize, GraphError> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| GraphError::bad_request(format!("Invalid value '{text}' for {name} query option found. The {name} query option requires a non-negative integer value.")))
}

/// The scheme and authority the client used, for the absolute links Graph returns: a link
/// must lead back over the same transport (an HTTPS client cannot follow an `http://` link to
/// the TLS port). The scheme comes from the accept loop ([`crate::listen::SCHEME_HEADER`]).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let scheme = match headers.get(crate::listen::SCHEME_HEADER).and_then(|h| h.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_over_the_maximum_is_a_400() {
        let query = ListQuery::parse(Some("$top=1001")).unwrap();
        assert_eq!(query.page_size(10, 1000).unwrap_err().status, 400);
        assert_eq!(ListQuery::parse(Some("$top=1000")).unwrap().page_size(10, 1000).unwrap(), 1000);
    }

    #[test]
    fn an_unknown_dollar_option_and_a_repeated_one_are_refused() {
        assert!(ListQuery::parse(Some("$frobnicate=1")).is_err());
        assert!(ListQuery::parse(Some("$top=1&$top=2")).is_err());
        assert!(ListQuery::parse(Some("$top=abc")).is_err());
    }

    #[test]
    fn a_next_link_keeps_select_and_advances_skip() {
        let query = ListQuery::parse(Some("$top=2&$select=id,displayName")).unwrap();
        assert_eq!(query.with_skip(2, 4), "%24top=2&%24select=id%2CdisplayName&%24skip=4");
    }
}
