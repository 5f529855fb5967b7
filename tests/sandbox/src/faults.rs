//! Injected faults, chosen per route with a rate: error statuses, connection resets, truncated
//! bodies and slow answers.
//!
//! # Syntax (`--faults SPEC`, `PUT /_sandbox/faults`)
//!
//! ```text
//! SPEC   = RULE *("," RULE)              empty: no faults
//! RULE   = ROUTE ":" FAULT ["@" RATE]     RATE defaults to 1 (every request)
//! ROUTE  = "*" | token | batch | users | folders | contacts | delta | roles | directory | exchange | graph
//! FAULT  = ("500" | "503" | "504") ["!"] ["=" DURATION]
//!        | "reset" ["!"] | "truncate" | "slow=" DURATION
//! RATE   = a probability from 0 to 1 (0.05) or a percentage (5%)
//! ```
//!
//! - `500`/`503`/`504` answer Graph's error JSON (the token route: the identity platform's) without
//!   running the request; `503` and `504` carry `Retry-After` (1 second, or `=DURATION`, rounded up
//!   to whole seconds). With `!` the request runs first and its answer is replaced by the error:
//!   a write that took effect but reported failure, as when Graph's gateway times out after the
//!   mailbox applied it. Such an answer carries no `Retry-After` unless `=DURATION` is given:
//!   the gateway does not know the write happened, and a client must not take it as throttling.
//! - `reset` closes the connection with a TCP reset before anything is answered (`reset!`: after
//!   the request ran: the request was read and applied, the answer is lost). `truncate` sends the
//!   headers and half the body, then closes.
//! - `slow=DURATION` waits that long before the request runs (on top of the latency).
//! - Rules are tried in order; the first whose route matches and whose dice hit decides. Each rule
//!   has its own dice, so with `--fault-seed` a given sequence of requests to a route meets the
//!   same faults on every run.
//! - `$batch` items go through the same rules (an item can get 503 or be slow), but `reset` and
//!   `truncate` only apply to requests that came on a connection, and the `!` forms only to whole
//!   requests (a `$batch` envelope included): Graph answers an item's 429/503/504 only for an
//!   item it did not run.
//!
//! Routes, by the request path (after `/v1.0` or `/beta`):
//! `token` = `/{tenant}/oauth2/v2.0/token`, `batch` = `/$batch`, `delta` = `…/contacts/delta`,
//! `contacts` = `…/contacts[/{id}]`, `folders` = `…/contactFolders…`, `…/childFolders`,
//! `users` = `/users[/{id}]` and anything else under a user, `roles` = `/roleManagement/…`,
//! `directory` = `/applications`, `/servicePrincipals`, `/groups`, `/administrativeUnits`,
//! `/directoryObjects`, `exchange` = the Exchange admin REST `…/InvokeCommand`, `graph` = any other
//! Graph path.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use crate::dice::Dice;

/// The route groups a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Token,
    Batch,
    Delta,
    Contacts,
    Folders,
    Users,
    Roles,
    Directory,
    Exchange,
    Graph,
}

const ROUTES: [(&str, Route); 10] = [
    ("token", Route::Token),
    ("batch", Route::Batch),
    ("delta", Route::Delta),
    ("contacts", Route::Contacts),
    ("folders", Route::Folders),
    ("users", Route::Users),
    ("roles", Route::Roles),
    ("directory", Route::Directory),
    ("exchange", Route::Exchange),
    ("graph", Route::Graph),
];

const DIRECTORY: [&str; 5] = [
    "applications",
    "servicePrincipals",
    "groups",
    "administrativeUnits",
    "directoryObjects",
];

impl Route {
    pub fn name(self) -> &'static str {
        ROUTES
            .iter()
            .find(|(_, r)| *r == self)
            .map(|(n, _)| *n)
            .unwrap_or("graph")
    }

    /// The group a request path belongs to.
    pub fn of_path(path: &str) -> Route {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segments.ends_with(&["oauth2", "v2.0", "token"]) {
            return Route::Token;
        }
        if segments
            .iter()
            .any(|s| s.eq_ignore_ascii_case("InvokeCommand") || s.eq_ignore_ascii_case("adminapi"))
        {
            return Route::Exchange;
        }
        let rest = match segments.first() {
            Some(v) if v.eq_ignore_ascii_case("v1.0") || v.eq_ignore_ascii_case("beta") => {
                &segments[1..]
            }
            _ => &segments[..],
        };
        Route::of_graph_segments(rest)
    }

    /// Collections sit at even positions (`users/{id}/contactFolders/{id}/contacts/{id}`), so a
    /// folder id spelled `contacts` is not mistaken for the contacts collection.
    fn of_graph_segments(rest: &[&str]) -> Route {
        let collections: Vec<&str> = rest.iter().step_by(2).copied().collect();
        let has = |name: &str| collections.iter().any(|c| c.eq_ignore_ascii_case(name));
        let last = rest.last().copied().unwrap_or_default();
        match collections.first().copied().unwrap_or_default() {
            "$batch" => Route::Batch,
            _ if has("contacts") && (last == "delta" || last == "delta()") => Route::Delta,
            _ if has("contacts") => Route::Contacts,
            _ if has("contactFolders") || has("childFolders") => Route::Folders,
            "users" => Route::Users,
            "roleManagement" => Route::Roles,
            first if DIRECTORY.iter().any(|d| d.eq_ignore_ascii_case(first)) => Route::Directory,
            _ => Route::Graph,
        }
    }
}

/// What a rule does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An error answer; `after`: the request ran first.
    Status {
        code: u16,
        after: bool,
        retry_after: Duration,
    },
    /// A TCP reset instead of an answer; `after`: the request ran first.
    Reset { after: bool },
    /// Headers and half the body, then the connection closes.
    Truncate,
    /// A wait before the request runs.
    Slow(Duration),
}

impl Fault {
    /// A short name for counters: `503`, `503!`, `reset`, `truncate`, `slow`.
    pub fn label(&self) -> String {
        match self {
            Fault::Status { code, after, .. } => format!("{code}{}", if *after { "!" } else { "" }),
            Fault::Reset { after } => format!("reset{}", if *after { "!" } else { "" }),
            Fault::Truncate => "truncate".into(),
            Fault::Slow(_) => "slow".into(),
        }
    }

    /// Resets and truncations need a connection; a `$batch` item has none. Nor does an item
    /// get an error after it ran (Graph's item-level 429/503/504 mean "not run").
    pub fn needs_connection(&self) -> bool {
        matches!(self, Fault::Reset { .. } | Fault::Truncate | Fault::Status { after: true, .. })
    }

    /// The `Retry-After` an error answer carries, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Fault::Status { code, retry_after, .. } if *code != 500 && !retry_after.is_zero() => Some(*retry_after),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// `None` matches every route.
    pub route: Option<Route>,
    pub fault: Fault,
    pub rate: f64,
}

/// A parsed SPEC, kept with its text for display.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub rules: Vec<Rule>,
    text: String,
}

impl Plan {
    pub fn none() -> Plan {
        Plan::default()
    }

    pub fn parse(spec: &str) -> Result<Plan, String> {
        let rules = spec
            .split(',')
            .map(str::trim)
            .enumerate()
            .filter(|(_, text)| !text.is_empty())
            .map(|(index, text)| {
                parse_rule(text)
                    .map_err(|why| format!("fault rule {} ('{text}'): {why}", index + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let text = rules.iter().map(rule_text).collect::<Vec<_>>().join(",");
        Ok(Plan { rules, text })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Plan {
    type Err = String;
    fn from_str(spec: &str) -> Result<Plan, String> {
        Plan::parse(spec)
    }
}

fn parse_rule(text: &str) -> Result<Rule, String> {
    let (route, rest) = text
        .split_once(':')
        .ok_or("expected ROUTE:FAULT[@RATE], e.g. contacts:503@0.1")?;
    let route = parse_route(route.trim())?;
    let (fault, rate) = match rest.rsplit_once('@') {
        Some((fault, rate)) => (fault, parse_rate(rate.trim())?),
        None => (rest, 1.0),
    };
    Ok(Rule {
        route,
        fault: parse_fault(fault.trim())?,
        rate,
    })
}

fn parse_route(text: &str) -> Result<Option<Route>, String> {
    if text == "*" {
        return Ok(None);
    }
    ROUTES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, r)| Some(*r))
        .ok_or_else(|| {
            let names: Vec<&str> = ROUTES.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown route '{text}'; expected * or one of {}",
                names.join(", ")
            )
        })
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(number) => (number, 100.0),
        None => (text, 1.0),
    };
    let rate = number
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("rate '{text}' is not a number like 0.1 or 10%"))?
        / scale;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("rate '{text}' is outside 0..1 (0%..100%)"));
    }
    Ok(rate)
}

fn parse_fault(text: &str) -> Result<Fault, String> {
    let (head, value) = match text.split_once('=') {
        Some((head, value)) => (head.trim(), Some(value.trim())),
        None => (text, None),
    };
    let (name, after) = match head.strip_suffix('!') {
        Some(name) => (name, true),
        None => (head, false),
    };
    match (name, value) {
        ("500", None) => Ok(Fault::Status {
            code: 500,
            after,
            retry_after: Duration::ZERO,
        }),
        ("500", Some(_)) => Err("500 takes no Retry-After; only 503 and 504 do".into()),
        ("503" | "504", value) => {
            let default = if after { Duration::ZERO } else { Duration::from_secs(1) };
            let retry_after = value
                .map(|v| duration(v, "Retry-After"))
                .transpose()?
                .unwrap_or(default);
            Ok(Fault::Status {
                code: name.parse().expect("a status"),
                after,
                retry_after,
            })
        }
        ("reset", None) => Ok(Fault::Reset { after }),
        ("truncate", None) if !after => Ok(Fault::Truncate),
        ("slow", Some(value)) if !after => Ok(Fault::Slow(duration(value, "slow")?)),
        ("slow", None) => Err("slow needs a duration, e.g. slow=2s".into()),
        ("reset" | "truncate" | "slow", _) => {
            Err(format!("'{text}' is not a valid form of {name}"))
        }
        _ => Err(format!(
            "unknown fault '{text}'; expected 500, 503, 504, reset, truncate or slow=DURATION"
        )),
    }
}

fn duration(text: &str, what: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("{what} '{text}' is not a duration like 500ms or 2s ({e})"))
}

fn rule_text(rule: &Rule) -> String {
    let route = rule.route.map(Route::name).unwrap_or("*");
    let fault = match rule.fault {
        Fault::Status {
            code,
            after,
            retry_after,
        } if code != 500 && retry_after != if after { Duration::ZERO } else { Duration::from_secs(1) } => {
            format!(
                "{code}{}={}",
                if after { "!" } else { "" },
                humantime::format_duration(retry_after)
            )
        }
        Fault::Slow(wait) => format!("slow={}", humantime::format_duration(wait)),
        other => other.label(),
    };
    format!("{route}:{fault}@{}", rule.rate)
}

/// The plan in force, with one die per rule.
#[derive(Debug)]
struct Armed {
    plan: Plan,
    seed: Option<u64>,
    dice: Vec<Dice>,
}

impl Armed {
    fn new(plan: Plan, seed: Option<u64>) -> Armed {
        // Each rule's die is seeded from the seed and its position, so rules do not share draws.
        let dice = (0..plan.rules.len() as u64)
            .map(|i| {
                seed.map(|s| Dice::seeded(s ^ (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
                    .unwrap_or_else(Dice::unseeded)
            })
            .collect();
        Armed { plan, seed, dice }
    }
}

/// The runtime fault switchboard, replaceable through `PUT /_sandbox/faults`.
#[derive(Debug)]
pub struct Faults {
    armed: Mutex<Armed>,
}

impl Faults {
    pub fn new(plan: Plan, seed: Option<u64>) -> Faults {
        Faults {
            armed: Mutex::new(Armed::new(plan, seed)),
        }
    }

    /// Replaces the plan; the dice start again from the seed.
    pub fn set(&self, plan: Plan, seed: Option<u64>) {
        *self.armed.lock().unwrap_or_else(|p| p.into_inner()) = Armed::new(plan, seed);
    }

    pub fn plan(&self) -> (Plan, Option<u64>) {
        let armed = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        (armed.plan.clone(), armed.seed)
    }

    /// The fault for one request, if any. `on_connection` is false for `$batch` items, which
    /// cannot be reset or truncated (their draw still happens, to keep the sequence stable).
    pub fn pick(&self, route: Route, on_connection: bool) -> Option<Fault> {
        let armed = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        for (rule, dice) in armed.plan.rules.iter().zip(&armed.dice) {
            if rule.route.is_some_and(|r| r != route) {
                continue;
            }
            if dice.hits(rule.rate) && (on_connection || !rule.fault.needs_connection()) {
                return Some(rule.fault);
            }
        }
        None
    }
}

impl Default for Faults {
    fn default() -> Self {
        Faults::new(Plan::none(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let plan = Plan::parse("contacts:503@0.1,users:reset@0.05,*:slow=2s@0.01").unwrap();
        assert_eq!(
            plan.rules,
            vec![
                Rule {
                    route: Some(Route::Contacts),
                    fault: Fault::Status {
                        code: 503,
                        after: false,
                        retry_after: Duration::from_secs(1)
                    },
                    rate: 0.1
                },
                Rule {
                    route: Some(Route::Users),
                    fault: Fault::Reset { after: false },
                    rate: 0.05
                },
                Rule {
                    route: None,
                    fault: Fault::Slow(Duration::from_secs(2)),
                    rate: 0.01
                },
            ]
        );
        assert_eq!(
            plan.to_string(),
            "contacts:503@0.1,users:reset@0.05,*:slow=2s@0.01"
        );
    }

    #[test]
    fn parses_every_form() {
        let plan =
            Plan::parse(" batch:504=5s@10% , token:500!, delta:reset!@1, folders:truncate@0 ")
                .unwrap();
        assert_eq!(
            plan.rules[0].fault,
            Fault::Status {
                code: 504,
                after: false,
                retry_after: Duration::from_secs(5)
            }
        );
        assert_eq!(plan.rules[0].rate, 0.1);
        assert_eq!(
            plan.rules[1].fault,
            Fault::Status {
                code: 500,
                after: true,
                retry_after: Duration::ZERO
            }
        );
        assert_eq!(plan.rules[1].rate, 1.0);
        assert_eq!(plan.rules[2].fault, Fault::Reset { after: true });
        assert_eq!(plan.rules[3].fault, Fault::Truncate);
        assert!(Plan::parse("").unwrap().is_empty());
    }

    #[test]
    fn bad_specs_name_the_rule_and_the_problem() {
        let cases = [
            (
                "contacts:503@0.1,users:rest@0.05",
                "fault rule 2 ('users:rest@0.05'): unknown fault 'rest'",
            ),
            (
                "contact:503",
                "fault rule 1 ('contact:503'): unknown route 'contact'; expected * or one of token, batch",
            ),
            ("contacts:503@1.5", "rate '1.5' is outside 0..1"),
            ("contacts:503@often", "rate 'often' is not a number"),
            ("contacts", "expected ROUTE:FAULT[@RATE]"),
            ("*:slow", "slow needs a duration"),
            ("*:slow=fast", "slow 'fast' is not a duration"),
            ("*:500=2s", "500 takes no Retry-After"),
            ("*:truncate!", "'truncate!' is not a valid form of truncate"),
        ];
        for (spec, expected) in cases {
            let error = Plan::parse(spec).unwrap_err();
            assert!(error.contains(expected), "{spec}: {error}");
        }
    }

    #[test]
    fn paths_map_to_routes() {
        let cases = [
            ("/contoso.onmicrosoft.com/oauth2/v2.0/token", Route::Token),
            ("/v1.0/$batch", Route::Batch),
            ("/v1.0/users", Route::Users),
            ("/v1.0/users/alice@contoso.com", Route::Users),
            ("/v1.0/users/a/contacts", Route::Contacts),
            ("/v1.0/users/a/contacts/AAMk1", Route::Contacts),
            (
                "/v1.0/users/a/contactFolders/AAMk1/contacts/delta",
                Route::Delta,
            ),
            ("/v1.0/users/a/contacts/delta", Route::Delta),
            ("/v1.0/users/a/contactFolders/contacts", Route::Folders),
            (
                "/v1.0/users/a/contactFolders/AAMk1/childFolders",
                Route::Folders,
            ),
            (
                "/beta/roleManagement/exchange/roleDefinitions",
                Route::Roles,
            ),
            ("/v1.0/servicePrincipals/x", Route::Directory),
            ("/adminapi/beta/tenant/InvokeCommand", Route::Exchange),
            ("/v1.0/organization", Route::Graph),
        ];
        for (path, route) in cases {
            assert_eq!(Route::of_path(path), route, "{path}");
        }
    }

    #[test]
    fn an_error_after_the_write_carries_no_retry_after_unless_asked() {
        let plan = Plan::parse("batch:503!,contacts:504!,contacts:503!=2s,contacts:503").unwrap();
        let after: Vec<Option<Duration>> = plan.rules.iter().map(|r| r.fault.retry_after()).collect();
        assert_eq!(after, [None, None, Some(Duration::from_secs(2)), Some(Duration::from_secs(1))]);
        assert_eq!(plan.to_string(), "batch:503!@1,contacts:504!@1,contacts:503!=2s@1,contacts:503@1");
    }

    #[test]
    fn a_batch_item_never_gets_an_error_after_it_ran() {
        let faults = Faults::new(Plan::parse("contacts:503!,contacts:reset!").unwrap(), Some(1));
        assert_eq!(faults.pick(Route::Contacts, false), None, "an item: neither form applies");
        assert!(matches!(faults.pick(Route::Contacts, true), Some(Fault::Status { code: 503, after: true, .. })));
    }

    #[test]
    fn a_seed_repeats_the_same_faults() {
        let plan = Plan::parse("contacts:503@0.3").unwrap();
        let run = || {
            let faults = Faults::new(plan.clone(), Some(42));
            (0..50)
                .map(|_| faults.pick(Route::Contacts, true).is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().any(|hit| *hit) && first.iter().any(|hit| !*hit));
    }

    #[test]
    fn rules_apply_only_to_their_route_and_connection_faults_skip_batch_items() {
        let faults = Faults::new(Plan::parse("contacts:reset,users:503").unwrap(), Some(1));
        assert_eq!(
            faults.pick(Route::Contacts, true),
            Some(Fault::Reset { after: false })
        );
        assert_eq!(faults.pick(Route::Contacts, false), None);
        assert_eq!(faults.pick(Route::Folders, true), None);
        assert!(matches!(
            faults.pick(Route::Users, false),
            Some(Fault::Status { code: 503, .. })
        ));
    }
}
