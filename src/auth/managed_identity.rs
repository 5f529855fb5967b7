//! Managed identity: the token comes from the machine's identity endpoint, not from the login
//! host. Two kinds of endpoint exist: IMDS on Azure VMs, scale sets and AKS
//! (`GET /metadata/identity/oauth2/token` with `Metadata: true`), and the App Service / Functions /
//! Container Apps one named by `IDENTITY_ENDPOINT` with the `IDENTITY_HEADER` value as
//! `X-IDENTITY-HEADER`. Which one is decided here from the variables the caller passes in (a .NET
//! host's `$env:` is invisible to this library).

use std::collections::BTreeMap;

use url::Url;

use crate::auth::Secret;
use crate::error::{ExoError, Result};
use crate::http::{Method, Request};

/// The variables read, as Azure's SDKs read them.
pub const IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";
pub const IDENTITY_HEADER: &str = "IDENTITY_HEADER";
/// Azure Identity's override of the IMDS host (pod identity); also how tests point at a sandbox.
pub const IMDS_HOST: &str = "AZURE_POD_IDENTITY_AUTHORITY_HOST";
const DEFAULT_IMDS_HOST: &str = "http://169.254.169.254/";

/// A managed identity: system-assigned when `client_id` is `None`.
#[derive(Debug, Clone)]
pub struct ManagedIdentity {
    pub client_id: Option<String>,
    pub endpoint: IdentityEndpoint,
}

#[derive(Debug, Clone)]
pub enum IdentityEndpoint {
    Imds(Url),
    AppService { url: Url, header: Secret },
}

impl ManagedIdentity {
    /// Picks the endpoint from `variables` (names as above); `header` is `IDENTITY_HEADER`'s
    /// value, which crosses the boundary as a secret.
    pub fn from_variables(client_id: Option<String>, variables: &BTreeMap<String, String>, header: Option<Secret>) -> Result<ManagedIdentity> {
        let client_id = client_id.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        let value = |name: &str| variables.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let endpoint = match (value(IDENTITY_ENDPOINT), header) {
            (Some(url), Some(header)) => IdentityEndpoint::AppService { url: parse(IDENTITY_ENDPOINT, url)?, header },
            (Some(_), None) => {
                return Err(ExoError::invalid_argument(
                    IDENTITY_ENDPOINT,
                    format!("is set but {IDENTITY_HEADER} is not; ExoKit supports the App Service endpoint (both set) and IMDS (neither set), not Azure Arc's challenge flow"),
                ));
            }
            (None, _) => {
                let host = value(IMDS_HOST).unwrap_or(DEFAULT_IMDS_HOST);
                let base = parse(IMDS_HOST, host)?;
                IdentityEndpoint::Imds(base.join("metadata/identity/oauth2/token").expect("relative path"))
            }
        };
        Ok(ManagedIdentity { client_id, endpoint })
    }

    /// The token request for `scope` (`https://graph.microsoft.com/.default` → resource
    /// `https://graph.microsoft.com`).
    pub fn request(&self, scope: &str) -> Request {
        let resource = scope.strip_suffix("/.default").unwrap_or(scope);
        let (mut url, api_version) = match &self.endpoint {
            IdentityEndpoint::Imds(url) => (url.clone(), "2018-02-01"),
            IdentityEndpoint::AppService { url, .. } => (url.clone(), "2019-08-01"),
        };
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("api-version", api_version).append_pair("resource", resource);
            if let Some(client_id) = &self.client_id {
                query.append_pair("client_id", client_id);
            }
        }
        let request = Request::new(Method::Get, url);
        match &self.endpoint {
            IdentityEndpoint::Imds(_) => request.header("metadata", "true"),
            IdentityEndpoint::AppService { header, .. } => request.header("x-identity-header", header.expose()),
        }
    }

    /// The endpoint's host, which requests reach without a proxy.
    pub fn host(&self) -> String {
        let url = match &self.endpoint {
            IdentityEndpoint::Imds(url) | IdentityEndpoint::AppService { url, .. } => url,
        };
        url.host_str().unwrap_or_default().to_string()
    }

    /// Where the token comes from, for verbose lines and errors.
    pub fn describe(&self) -> String {
        let kind = match &self.client_id {
            Some(id) => format!("user-assigned managed identity {id}"),
            None => "system-assigned managed identity".to_string(),
        };
        match &self.endpoint {
            IdentityEndpoint::Imds(url) => format!("{kind} (IMDS at {})", origin(url)),
            IdentityEndpoint::AppService { url, .. } => format!("{kind} (App Service endpoint {})", origin(url)),
        }
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn parse(name: &str, text: &str) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| ExoError::invalid_argument(name, format!("'{text}' is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ExoError::invalid_argument(name, format!("'{text}' is not an http(s) URL")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn imds_is_the_default_and_sends_metadata_true() {
        let mi = ManagedIdentity::from_variables(None, &vars(&[]), None).unwrap();
        let request = mi.request("https://graph.microsoft.com/.default");
        assert_eq!(
            request.url.as_str(),
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com"
        );
        assert_eq!(request.headers, vec![("metadata", "true".to_string())]);
    }

    #[test]
    fn app_service_uses_its_endpoint_header_and_the_client_id() {
        let variables = vars(&[(IDENTITY_ENDPOINT, "http://127.0.0.1:41/msi/token")]);
        let mi = ManagedIdentity::from_variables(Some("abc".into()), &variables, Some(Secret::new("h-value".into()))).unwrap();
        let request = mi.request("https://outlook.office365.com/.default");
        assert!(request.url.as_str().starts_with("http://127.0.0.1:41/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Foutlook.office365.com&client_id=abc"), "{}", request.url);
        assert_eq!(request.headers[0].1, "h-value");
        assert!(!mi.describe().contains("h-value"));
        assert!(!format!("{mi:?}").contains("h-value"));
    }

    #[test]
    fn an_endpoint_without_its_header_is_named() {
        let err = ManagedIdentity::from_variables(None, &vars(&[(IDENTITY_ENDPOINT, "http://x/")]), None).unwrap_err().to_string();
        assert!(err.contains(IDENTITY_ENDPOINT) && err.contains(IDENTITY_HEADER), "{err}");
    }
}
