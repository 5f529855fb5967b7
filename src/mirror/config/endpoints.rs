//! Which cloud a tenant is in (issue 13): a tenant's own `Environment`, `GraphEndpoint` and
//! `AuthorityHost` fields, else the `AUTOMATION_SYNCCONTACTS_ENVIRONMENT`, `…_GRAPH_ENDPOINT` and
//! `…_AUTHORITY_HOST` variables, else the global cloud. Checked when the configuration is read,
//! so that a wrong value stops the run before any request, naming where it was written.

use crate::cloud::Cloud;
use crate::error::{ExoError, Result};

pub const ENVIRONMENT: &str = "AUTOMATION_SYNCCONTACTS_ENVIRONMENT";
pub const GRAPH_ENDPOINT: &str = "AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT";
pub const AUTHORITY_HOST: &str = "AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST";
/// A PEM bundle of CAs to trust besides the platform's (a TLS-inspecting proxy's).
pub const CA_FILE: &str = "AUTOMATION_SYNCCONTACTS_CA_FILE";

/// A tenant's endpoints as configured (`None`: the cloud's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub environment: Option<String>,
    pub graph_endpoint: Option<String>,
    pub authority_host: Option<String>,
}

/// One configured value and where it was written (a JSON field or a variable).
type Given = Option<(String, String)>;

/// The tenant's own values, each falling back to its variable; checked by building the cloud.
pub(super) fn resolve(own: [Given; 3], lookup: &dyn Fn(&str) -> Option<String>) -> Result<Endpoints> {
    let [environment, graph, authority] = own;
    let variable = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).map(|v| (v, name.to_string()));
    let environment = environment.or_else(|| variable(ENVIRONMENT));
    let graph = graph.or_else(|| variable(GRAPH_ENDPOINT));
    let authority = authority.or_else(|| variable(AUTHORITY_HOST));
    let base = Cloud::named(environment.as_ref().map_or("Global", |(v, _)| v.as_str())).map_err(|e| renamed(e, &environment))?;
    if graph.is_some() || authority.is_some() {
        Cloud::custom(&base, graph.as_ref().map(|(v, _)| v.as_str()), None, None).map_err(|e| renamed(e, &graph))?;
        Cloud::custom(&base, None, authority.as_ref().map(|(v, _)| v.as_str()), None).map_err(|e| renamed(e, &authority))?;
    }
    Ok(Endpoints { environment: environment.map(|(v, _)| v), graph_endpoint: graph.map(|(v, _)| v), authority_host: authority.map(|(v, _)| v) })
}

/// The cloud module names its own parameters; the configuration names where the value was.
fn renamed(error: ExoError, given: &Given) -> ExoError {
    match (error, given) {
        (ExoError::InvalidArgument { message, .. }, Some((_, name))) => ExoError::InvalidArgument { parameter: name.clone(), message },
        (error, _) => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn given(value: &str, name: &str) -> Given {
        Some((value.into(), name.into()))
    }

    #[test]
    fn a_tenants_own_field_wins_over_the_variable() {
        let lookup = |name: &str| (name == GRAPH_ENDPOINT).then(|| "https://graph.microsoft.us".to_string());
        let endpoints = resolve([None, given("http://127.0.0.1:9", "MicrosoftTenants[0].GraphEndpoint"), None], &lookup).unwrap();
        assert_eq!(endpoints.graph_endpoint.as_deref(), Some("http://127.0.0.1:9"));
        let endpoints = resolve([None, None, None], &lookup).unwrap();
        assert_eq!(endpoints.graph_endpoint.as_deref(), Some("https://graph.microsoft.us"));
    }

    #[test]
    fn each_bad_value_names_where_it_was_written() {
        let unknown = resolve([given("Mars", "MicrosoftTenants[1].Environment"), None, None], &none).unwrap_err();
        assert!(matches!(&unknown, ExoError::InvalidArgument { parameter, message } if parameter == "MicrosoftTenants[1].Environment" && message.contains("Mars")), "{unknown:?}");
        let plain = resolve([None, given("http://graph.contoso.com", GRAPH_ENDPOINT), None], &none).unwrap_err();
        assert!(matches!(&plain, ExoError::InvalidArgument { parameter, message } if parameter == GRAPH_ENDPOINT && message.contains("loopback")), "{plain:?}");
        let malformed = resolve([None, None, given("https//login", AUTHORITY_HOST)], &none).unwrap_err();
        assert!(matches!(&malformed, ExoError::InvalidArgument { parameter, .. } if parameter == AUTHORITY_HOST), "{malformed:?}");
    }
}
