//! Which tenants of a configuration one run mirrors (pure): all of them, or the one that
//! `AUTOMATION_SYNCCONTACTS_TENANT` names, so that a CI system can run one job per tenant in
//! parallel (GitLab `parallel:matrix`, Azure Pipelines `strategy: matrix`), each with its own
//! cached state file.

use crate::error::{ExoError, Result};
use crate::mirror::config::TenantConfig;

/// A tenant's TenantId (without case), or its position in the configuration counted from 1
/// (as GitLab's `CI_NODE_INDEX` counts jobs of `parallel: N`).
pub const TENANT: &str = "AUTOMATION_SYNCCONTACTS_TENANT";

/// The tenants to run: all when `selector` is absent or blank, else the one it names.
pub fn select(tenants: Vec<TenantConfig>, selector: Option<&str>) -> Result<Vec<TenantConfig>> {
    let Some(selector) = selector.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(tenants) };
    let count = tenants.len();
    let position = match selector.parse::<usize>() {
        Ok(n) if (1..=count).contains(&n) => Some(n - 1),
        Ok(n) => {
            return Err(ExoError::invalid_argument(TENANT, format!("{n} is not a tenant of the configuration: it has {count} (counted from 1)")));
        }
        Err(_) => tenants.iter().position(|t| t.tenant_id.eq_ignore_ascii_case(selector)),
    };
    match position {
        Some(at) => Ok(tenants.into_iter().nth(at).into_iter().collect()),
        None => {
            let known: Vec<&str> = tenants.iter().map(|t| t.tenant_id.as_str()).collect();
            Err(ExoError::invalid_argument(TENANT, format!("'{selector}' is not a TenantId of the configuration ({}), nor its position", known.join(", "))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::config::MirrorConfig;

    fn three() -> Vec<TenantConfig> {
        let json = r#"{"MicrosoftTenants": [
            {"TenantId": "contoso.onmicrosoft.com", "ClientId": "a", "ClientSecret": "s", "GlobalAddressBookUserId": "all@contoso.com"},
            {"TenantId": "fabrikam.onmicrosoft.com", "ClientId": "b", "ClientSecret": "s", "GlobalAddressBookUserId": "all@fabrikam.com"},
            {"TenantId": "tailspin.onmicrosoft.com", "ClientId": "c", "ClientSecret": "s", "GlobalAddressBookUserId": "all@tailspin.com"}]}"#;
        let lookup = |name: &str| (name == "AUTOMATION_SYNCCONTACTS_CONFIG_JSON").then(|| json.to_string());
        MirrorConfig::from_env(&lookup).expect("a valid configuration").tenants
    }

    fn ids(tenants: &[TenantConfig]) -> Vec<&str> {
        tenants.iter().map(|t| t.tenant_id.as_str()).collect()
    }

    #[test]
    fn a_tenant_is_chosen_by_id_or_by_position_from_one() {
        assert_eq!(ids(&select(three(), None).unwrap()).len(), 3);
        assert_eq!(ids(&select(three(), Some("  ")).unwrap()).len(), 3);
        assert_eq!(ids(&select(three(), Some("FABRIKAM.onmicrosoft.com")).unwrap()), ["fabrikam.onmicrosoft.com"]);
        assert_eq!(ids(&select(three(), Some("3")).unwrap()), ["tailspin.onmicrosoft.com"]);
        assert_eq!(ids(&select(three(), Some("1")).unwrap()), ["contoso.onmicrosoft.com"]);
    }

    #[test]
    fn an_unknown_tenant_is_one_error_naming_the_variable_and_the_choices() {
        let error = select(three(), Some("4")).unwrap_err().to_string();
        assert!(error.contains(TENANT) && error.contains("has 3"), "{error}");
        let error = select(three(), Some("0")).unwrap_err().to_string();
        assert!(error.contains("counted from 1"), "{error}");
        let error = select(three(), Some("northwind.onmicrosoft.com")).unwrap_err().to_string();
        assert!(error.contains("northwind") && error.contains("contoso.onmicrosoft.com, fabrikam"), "{error}");
    }
}
