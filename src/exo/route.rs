//! Where the admin API may send a client: regional redirects and nextLinks. Pure.
//!
//! The front door answers some tenants with a 302 to a regional backend
//! (`{prefix}.outlook.office365.com`, sometimes on port 446), and reqwest would drop the bearer
//! token on the host change, so the client follows redirects itself (exo-rest.md §1.1). The token
//! may only go where Exchange lives: the endpoint's own origin or a subdomain of its host, over
//! the same scheme.

use url::Url;

/// The URL a `Location` (or `@odata.nextLink`) sends the client to, or why it may not follow.
/// Relative locations resolve against `from`; port 446 becomes the scheme's default (the
/// backends answer on 443 too, and 446 is often blocked outbound).
pub fn follow(endpoint: &Url, from: &Url, location: &str) -> Result<Url, String> {
    let mut target = from.join(location.trim()).map_err(|e| format!("'{location}' is not a URL ({e})"))?;
    if target.port() == Some(446) {
        target.set_port(None).map_err(|_| format!("'{location}' has no host"))?;
    }
    if target.scheme() != endpoint.scheme() {
        return Err(format!("it leaves {} for {}", endpoint.scheme(), target.scheme()));
    }
    let (Some(host), Some(home)) = (target.host_str(), endpoint.host_str()) else {
        return Err(format!("'{location}' has no host"));
    };
    let host = host.to_ascii_lowercase();
    let home = home.to_ascii_lowercase();
    let same_origin = host == home && target.port_or_known_default() == endpoint.port_or_known_default();
    let regional = host.ends_with(&format!(".{home}")) && target.port_or_known_default() == endpoint.port_or_known_default();
    if same_origin || regional {
        Ok(target)
    } else {
        Err(format!("it points to {}, which is not {home} or one of its regional hosts", target.origin().ascii_serialization()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn regional_hosts_are_followed_and_446_becomes_443() {
        let endpoint = url("https://outlook.office365.com/");
        let from = url("https://outlook.office365.com/adminapi/beta/t/InvokeCommand");
        let to = follow(&endpoint, &from, "https://nampr01.outlook.office365.com:446/adminapi/beta/t/InvokeCommand?$select=A").unwrap();
        assert_eq!(to.as_str(), "https://nampr01.outlook.office365.com/adminapi/beta/t/InvokeCommand?$select=A");
    }

    #[test]
    fn relative_locations_resolve_against_the_request() {
        let endpoint = url("http://127.0.0.1:8080/outlook.office365.com/");
        let from = url("http://127.0.0.1:8080/outlook.office365.com/adminapi/beta/t/InvokeCommand");
        let to = follow(&endpoint, &from, "/eur01.outlook.office365.com/adminapi/beta/t/InvokeCommand").unwrap();
        assert_eq!(to.as_str(), "http://127.0.0.1:8080/eur01.outlook.office365.com/adminapi/beta/t/InvokeCommand");
    }

    #[test]
    fn the_token_never_goes_elsewhere() {
        let endpoint = url("https://outlook.office365.com/");
        let from = url("https://outlook.office365.com/adminapi/beta/t/InvokeCommand");
        for bad in [
            "https://evil.example/adminapi",
            "https://outlook.office365.com.evil.example/x",
            "http://nampr01.outlook.office365.com/x",
            "https://nampr01.outlook.office365.com:8443/x",
        ] {
            assert!(follow(&endpoint, &from, bad).is_err(), "{bad}");
        }
    }
}
