//! How requests reach the service: a proxy (explicit, or `HTTPS_PROXY`/`HTTP_PROXY` with
//! `NO_PROXY`), and certificate authorities trusted in addition to the platform's roots (a
//! TLS-inspecting proxy's, or a test tenant's). Values come in explicitly — never read from this
//! process's environment here — because a .NET host keeps its own copy of the environment that
//! native code does not see: the cmdlets pass what PowerShell sees.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::auth::Secret;
use crate::error::{ExoError, Result};

/// Proxy and trust settings for one connection.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub proxy: Option<ProxySetting>,
    /// PEM files of extra trusted CAs, each with the parameter or variable that named it.
    pub ca_files: Vec<(PathBuf, String)>,
}

/// A proxy URL (`http://host:port`), where it came from, and hosts that bypass it.
#[derive(Debug, Clone)]
pub struct ProxySetting {
    pub url: String,
    /// `-ProxyCredential`: user and password for the proxy's Basic authentication.
    pub credential: Option<(String, Secret)>,
    /// `-Proxy`, `HTTPS_PROXY`…: named in errors and verbose lines.
    pub source: String,
    /// `NO_PROXY`: comma-separated hosts, domains (`.corp`), IPs or `*`.
    pub no_proxy: Option<String>,
}

impl Network {
    /// The settings environment variables give, as curl and Invoke-RestMethod read them:
    /// `HTTPS_PROXY` (else `HTTP_PROXY`; either case), `NO_PROXY`, `SSL_CERT_FILE`, plus
    /// `ca_variable` (e.g. `AUTOMATION_SYNCCONTACTS_CA_FILE`) when given.
    pub fn from_variables(variables: &BTreeMap<String, String>, ca_variable: Option<&str>) -> Network {
        let get = |name: &str| {
            variables
                .get(name)
                .or_else(|| variables.get(&name.to_ascii_lowercase()))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let proxy = ["HTTPS_PROXY", "HTTP_PROXY"].into_iter().find_map(|name| {
            get(name).map(|url| ProxySetting { url, credential: None, source: name.to_string(), no_proxy: get("NO_PROXY") })
        });
        let ca_files = ca_variable
            .into_iter()
            .chain(["SSL_CERT_FILE"])
            .filter_map(|name| get(name).map(|path| (PathBuf::from(path), name.to_string())))
            .collect();
        Network { proxy, ca_files }
    }

    /// `Connect-ExoKit`'s parameters over what the variables gave: `-Proxy` replaces the
    /// variables' proxy (keeping `NO_PROXY`), `-ProxyCredential` authenticates to whichever proxy
    /// is used, `-CertificateAuthorityFile` is trusted first.
    pub fn with_parameters(mut self, proxy: Option<&str>, credential: Option<(String, Secret)>, ca_file: Option<&str>) -> Network {
        let given = |value: Option<&str>| value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        if let Some(url) = given(proxy) {
            let no_proxy = self.proxy.take().and_then(|p| p.no_proxy);
            self.proxy = Some(ProxySetting { url, credential: None, source: "Proxy".into(), no_proxy });
        }
        if let Some(proxy) = self.proxy.as_mut() {
            proxy.credential = credential;
        }
        if let Some(file) = given(ca_file) {
            self.ca_files.insert(0, (file.into(), "CertificateAuthorityFile".into()));
        }
        self
    }

    /// The same settings with `host` reached directly: a managed identity endpoint is on the
    /// machine itself (IMDS's link-local address, App Service's loopback one), so a corporate
    /// proxy must not see its requests, as in Azure's own SDKs.
    pub fn bypassing(mut self, host: &str) -> Network {
        if let Some(proxy) = self.proxy.as_mut() {
            proxy.no_proxy = Some(match proxy.no_proxy.take().filter(|n| !n.trim().is_empty()) {
                Some(list) => format!("{list},{host}"),
                None => host.to_string(),
            });
        }
        self
    }

    /// `NAME=value` pairs, as the cmdlets pass the variables PowerShell sees.
    pub fn variables_from_pairs(pairs: &[String]) -> BTreeMap<String, String> {
        pairs.iter().filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// What a verbose line may say: the proxy without any credential in its URL, the CA files.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(proxy) = &self.proxy {
            parts.push(format!("proxy {} (from {})", without_credentials(&proxy.url), proxy.source));
        }
        for (path, source) in &self.ca_files {
            parts.push(format!("trusting the CAs in {} (from {source})", path.display()));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// Applies the settings to a client builder. Proxies from this process's own environment
    /// are switched off: only what was passed counts.
    pub(super) fn apply(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        builder = builder.no_proxy();
        if let Some(setting) = &self.proxy {
            let invalid = |e: reqwest::Error| ExoError::invalid_argument(&setting.source, format!("'{}' is not a proxy URL ({e})", without_credentials(&setting.url)));
            let mut proxy = reqwest::Proxy::all(&setting.url)
                .map_err(invalid)?
                .no_proxy(setting.no_proxy.as_deref().and_then(reqwest::NoProxy::from_string));
            if let Some((user, password)) = &setting.credential {
                proxy = proxy.basic_auth(user, password.expose());
            }
            builder = builder.proxy(proxy);
        }
        for (path, source) in &self.ca_files {
            for certificate in read_bundle(path, source)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        Ok(builder)
    }
}

fn read_bundle(path: &PathBuf, source: &str) -> Result<Vec<reqwest::Certificate>> {
    let bytes = std::fs::read(path)
        .map_err(|e| ExoError::invalid_argument(source, format!("cannot read the CA file {}: {e}", path.display())))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&bytes)
        .map_err(|e| ExoError::invalid_argument(source, format!("{} is not a PEM certificate bundle ({e})", path.display())))?;
    if certificates.is_empty() {
        return Err(ExoError::invalid_argument(source, format!("{} holds no PEM certificate", path.display())));
    }
    Ok(certificates)
}

/// `http://user:pass@proxy:8080` → `http://proxy:8080`.
pub fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => "(unparsable URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_bypassed_host_joins_no_proxy_and_no_proxy_means_nothing_to_bypass() {
        let network = Network::from_variables(&vars(&[("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", ".corp")]), None);
        assert_eq!(network.bypassing("169.254.169.254").proxy.unwrap().no_proxy.as_deref(), Some(".corp,169.254.169.254"));
        let network = Network::from_variables(&vars(&[("HTTPS_PROXY", "http://p:3128")]), None);
        assert_eq!(network.bypassing("127.0.0.1").proxy.unwrap().no_proxy.as_deref(), Some("127.0.0.1"));
        assert!(Network::default().bypassing("127.0.0.1").proxy.is_none());
    }

    #[test]
    fn https_proxy_wins_over_http_proxy_and_lower_case_counts() {
        let network = Network::from_variables(&vars(&[("http_proxy", "http://a:1"), ("HTTPS_PROXY", "http://b:2"), ("no_proxy", "localhost")]), None);
        let proxy = network.proxy.unwrap();
        assert_eq!((proxy.url.as_str(), proxy.source.as_str(), proxy.no_proxy.as_deref()), ("http://b:2", "HTTPS_PROXY", Some("localhost")));
    }

    #[test]
    fn the_proxy_parameter_replaces_the_variables_proxy_but_keeps_no_proxy() {
        let variables = Network::variables_from_pairs(&["HTTPS_PROXY=http://env:1".into(), "NO_PROXY=.corp".into()]);
        let network = Network::from_variables(&variables, None).with_parameters(Some("http://given:2"), None, Some("/ca.pem"));
        let proxy = network.proxy.unwrap();
        assert_eq!((proxy.url.as_str(), proxy.source.as_str(), proxy.no_proxy.as_deref()), ("http://given:2", "Proxy", Some(".corp")));
        assert_eq!(network.ca_files[0].1, "CertificateAuthorityFile");
    }

    #[test]
    fn the_description_never_shows_a_proxy_password() {
        let network = Network::from_variables(&vars(&[("HTTPS_PROXY", "http://me:s3cret@proxy.corp:8080")]), None);
        let text = network.describe().unwrap();
        assert!(text.contains("proxy.corp:8080") && !text.contains("s3cret") && !text.contains("me@"), "{text}");
    }

    #[test]
    fn an_unreadable_ca_file_names_its_variable() {
        let network = Network::from_variables(&vars(&[("AUTOMATION_SYNCCONTACTS_CA_FILE", "/nonexistent/ca.pem")]), Some("AUTOMATION_SYNCCONTACTS_CA_FILE"));
        let error = network.apply(reqwest::Client::builder()).unwrap_err();
        assert!(error.to_string().contains("AUTOMATION_SYNCCONTACTS_CA_FILE"), "{error}");
    }
}
