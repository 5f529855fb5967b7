//! Where a tenant lives: login, Graph and Exchange endpoints, as one value.
//!
//! The sandbox and any other local fake are a custom cloud; nothing else in the crate knows an
//! endpoint.

use url::Url;

use crate::error::{ExoError, Result};

/// The endpoints of one cloud. Built with [`Cloud::named`] or [`Cloud::custom`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// `Global`, `USGov`, `USGovDoD`, `China` or `Custom`.
    pub name: String,
    /// The Entra ID authority host, e.g. `https://login.microsoftonline.com/`.
    pub authority_host: Url,
    /// The Graph root, e.g. `https://graph.microsoft.com/`.
    pub graph_endpoint: Url,
    /// The Exchange Online root, e.g. `https://outlook.office365.com/`.
    pub exchange_endpoint: Url,
    /// False for a custom cloud given without `-ExchangeEndpoint`: `exchange_endpoint` is then
    /// the named cloud's, which that connection was never given, so nothing is sent there.
    pub exchange_given: bool,
}

/// The national clouds as Get-MgEnvironment and Connect-ExchangeOnline know them.
const NAMED: &[(&str, &str, &str, &str)] = &[
    ("Global", "https://login.microsoftonline.com/", "https://graph.microsoft.com/", "https://outlook.office365.com/"),
    ("USGov", "https://login.microsoftonline.us/", "https://graph.microsoft.us/", "https://outlook.office365.us/"),
    ("USGovDoD", "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/", "https://outlook-dod.office365.us/"),
    ("China", "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/", "https://partner.outlook.cn/"),
];

impl Cloud {
    /// The names [`Cloud::named`] accepts.
    pub fn known_names() -> Vec<&'static str> {
        NAMED.iter().map(|c| c.0).collect()
    }

    /// A national cloud by name (case-insensitive).
    pub fn named(name: &str) -> Result<Cloud> {
        let Some(&(name, login, graph, exchange)) =
            NAMED.iter().find(|c| c.0.eq_ignore_ascii_case(name.trim()))
        else {
            return Err(ExoError::invalid_argument(
                "Environment",
                format!("unknown environment '{name}'; expected one of {}", Cloud::known_names().join(", ")),
            ));
        };
        Ok(Cloud {
            name: name.to_string(),
            authority_host: Url::parse(login).expect("static URL"),
            graph_endpoint: Url::parse(graph).expect("static URL"),
            exchange_endpoint: Url::parse(exchange).expect("static URL"),
            exchange_given: true,
        })
    }

    /// A custom cloud. Missing endpoints are taken from `base` (a named cloud).
    /// `http://` is accepted for loopback hosts only.
    pub fn custom(
        base: &Cloud,
        graph_endpoint: Option<&str>,
        authority_host: Option<&str>,
        exchange_endpoint: Option<&str>,
    ) -> Result<Cloud> {
        let pick = |given: Option<&str>, field: &str, default: &Url| match given {
            Some(text) if !text.trim().is_empty() => parse_endpoint(field, text),
            _ => Ok(default.clone()),
        };
        // A custom Graph or login host without an Exchange one must not send Exchange calls
        // (or ask for a token) for the named cloud's production host.
        let exchange_given = exchange_endpoint.is_some_and(|e| !e.trim().is_empty());
        let custom_elsewhere = [graph_endpoint, authority_host].iter().any(|e| e.is_some_and(|e| !e.trim().is_empty()));
        Ok(Cloud {
            name: "Custom".into(),
            graph_endpoint: pick(graph_endpoint, "GraphEndpoint", &base.graph_endpoint)?,
            authority_host: pick(authority_host, "AuthorityHost", &base.authority_host)?,
            exchange_endpoint: pick(exchange_endpoint, "ExchangeEndpoint", &base.exchange_endpoint)?,
            exchange_given: exchange_given || !custom_elsewhere,
        })
    }

    /// Fails, naming `-ExchangeEndpoint`, when this cloud has no Exchange endpoint of its own.
    pub fn require_exchange(&self) -> Result<&Url> {
        if self.exchange_given {
            return Ok(&self.exchange_endpoint);
        }
        Err(ExoError::invalid_argument(
            "ExchangeEndpoint",
            "this connection has a custom -GraphEndpoint or -AuthorityHost but no -ExchangeEndpoint, so it sends no Exchange admin call; connect again with -ExchangeEndpoint (the Exchange admin API root of that cloud)",
        ))
    }

    /// The Exchange endpoint as `Get-ExoKitContext` shows it (empty when there is none).
    pub fn exchange_display(&self) -> String {
        if self.exchange_given { self.exchange_endpoint.to_string() } else { String::new() }
    }

    /// The OAuth2 token endpoint of a tenant.
    pub fn token_url(&self, tenant: &str) -> Url {
        join(&self.authority_host, &format!("{tenant}/oauth2/v2.0/token"))
    }

    /// The `.default` scope for Graph in this cloud.
    pub fn graph_scope(&self) -> String {
        format!("{}.default", origin_with_slash(&self.graph_endpoint))
    }

    /// The `.default` scope for the Exchange admin API in this cloud (its endpoint, as Graph's).
    pub fn exchange_scope(&self) -> String {
        format!("{}.default", origin_with_slash(&self.exchange_endpoint))
    }

    /// The admin API's `InvokeCommand` URL for a tenant (its id or initial domain).
    pub fn invoke_command_url(&self, tenant: &str) -> Url {
        join(&self.exchange_endpoint, &format!("adminapi/beta/{}/InvokeCommand", crate::graph::segment(tenant)))
    }

    /// A Graph URL: `version` is `v1.0` or `beta`, `path` has no leading slash.
    pub fn graph_url(&self, version: &str, path: &str) -> Url {
        join(&self.graph_endpoint, &format!("{version}/{}", path.trim_start_matches('/')))
    }
}

/// Parses an endpoint URL given by the user, naming `field` in any error.
fn parse_endpoint(field: &str, text: &str) -> Result<Url> {
    let mut url = Url::parse(text.trim())
        .map_err(|e| ExoError::invalid_argument(field, format!("'{text}' is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(ExoError::invalid_argument(
                field,
                format!("'{text}' uses http://, which is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://"),
            ));
        }
        other => return Err(ExoError::invalid_argument(field, format!("'{text}' has scheme '{other}'; use https://"))),
    }
    if url.host().is_none() {
        return Err(ExoError::invalid_argument(field, format!("'{text}' has no host")));
    }
    // A base URL must end with '/' or `Url::join` would drop its last segment.
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn join(base: &Url, path: &str) -> Url {
    base.join(path).expect("endpoint bases are validated absolute URLs")
}

fn origin_with_slash(url: &Url) -> String {
    let text = url.as_str();
    if text.ends_with('/') { text.to_string() } else { format!("{text}/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_clouds_resolve_case_insensitively() {
        let cloud = Cloud::named("usgovdod").unwrap();
        assert_eq!(cloud.name, "USGovDoD");
        assert_eq!(cloud.graph_endpoint.as_str(), "https://dod-graph.microsoft.us/");
        assert_eq!(cloud.graph_scope(), "https://dod-graph.microsoft.us/.default");
    }

    #[test]
    fn unknown_cloud_names_the_parameter_and_the_choices() {
        let err = Cloud::named("Mars").unwrap_err().to_string();
        assert!(err.contains("Environment") && err.contains("Mars") && err.contains("USGovDoD"), "{err}");
    }

    #[test]
    fn http_is_only_for_loopback() {
        let global = Cloud::named("Global").unwrap();
        let ok = Cloud::custom(&global, Some("http://127.0.0.1:8080"), Some("http://localhost:9"), None).unwrap();
        assert_eq!(ok.graph_url("beta", "users").as_str(), "http://127.0.0.1:8080/beta/users");
        assert_eq!(ok.token_url("t1").as_str(), "http://localhost:9/t1/oauth2/v2.0/token");
        let err = Cloud::custom(&global, Some("http://graph.example.com"), None, None).unwrap_err().to_string();
        assert!(err.contains("GraphEndpoint") && err.contains("loopback"), "{err}");
        let err = Cloud::custom(&global, None, Some("not a url"), None).unwrap_err().to_string();
        assert!(err.contains("AuthorityHost"), "{err}");
    }

    #[test]
    fn exchange_urls_and_scope_follow_the_exchange_endpoint() {
        let global = Cloud::named("Global").unwrap();
        assert_eq!(global.exchange_scope(), "https://outlook.office365.com/.default");
        assert_eq!(
            global.invoke_command_url("contoso.onmicrosoft.com").as_str(),
            "https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand"
        );
        let c = Cloud::custom(&global, None, None, Some("http://127.0.0.1:9/outlook.office365.com")).unwrap();
        assert_eq!(c.exchange_scope(), "http://127.0.0.1:9/outlook.office365.com/.default");
        assert_eq!(c.invoke_command_url("t#1").as_str(), "http://127.0.0.1:9/outlook.office365.com/adminapi/beta/t%231/InvokeCommand");
    }

    #[test]
    fn custom_base_paths_keep_their_last_segment() {
        let global = Cloud::named("Global").unwrap();
        let c = Cloud::custom(&global, Some("https://proxy.example/graph"), None, None).unwrap();
        assert_eq!(c.graph_url("v1.0", "me").as_str(), "https://proxy.example/graph/v1.0/me");
    }
}
