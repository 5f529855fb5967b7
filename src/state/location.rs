//! Where the state file lives (pure): `-StatePath`, then `AUTOMATION_SYNCCONTACTS_STATE_PATH`,
//! then the user's state directory (`%LOCALAPPDATA%` on Windows; `$XDG_STATE_HOME`, else
//! `~/.local/state`, elsewhere). The variables are passed in: a .NET host's `$env:` changes
//! never reach this process's own environment.

use std::path::PathBuf;

use crate::error::{ExoError, Result};

/// The variable that overrides the default location.
pub const STATE_PATH_VARIABLE: &str = "AUTOMATION_SYNCCONTACTS_STATE_PATH";

/// The variables [`resolve`] reads; the cmdlets pass exactly these.
pub const LOCATION_VARIABLES: [&str; 4] = [STATE_PATH_VARIABLE, "XDG_STATE_HOME", "LOCALAPPDATA", "HOME"];

/// The file's name inside the state directory.
const FILE_NAME: &str = "contact-mirror.sqlite";

/// The state file for these inputs; `windows` picks `%LOCALAPPDATA%` over the XDG rules.
pub fn resolve(explicit: Option<&str>, variable: &dyn Fn(&str) -> Option<String>, windows: bool) -> Result<PathBuf> {
    let set = |name: &str| variable(name).filter(|v| !v.trim().is_empty());
    if let Some(path) = explicit.filter(|p| !p.trim().is_empty()) {
        return Ok(PathBuf::from(path));
    }
    if let Some(path) = set(STATE_PATH_VARIABLE) {
        return Ok(PathBuf::from(path));
    }
    let directory = if windows {
        set("LOCALAPPDATA").map(|d| PathBuf::from(d).join("ExoKit"))
    } else {
        set("XDG_STATE_HOME")
            .filter(|d| d.starts_with('/'))
            .map(|d| PathBuf::from(d).join("exokit"))
            .or_else(|| set("HOME").map(|h| PathBuf::from(h).join(".local/state/exokit")))
    };
    directory.map(|d| d.join(FILE_NAME)).ok_or_else(|| {
        let home = if windows { "LOCALAPPDATA" } else { "XDG_STATE_HOME nor HOME" };
        ExoError::invalid_argument("StatePath", format!("no state directory: neither {STATE_PATH_VARIABLE} nor {home} is set; pass -StatePath"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name: &str| owned.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_parameter_wins_then_the_variable_then_the_state_directory() {
        let all = vars(&[(STATE_PATH_VARIABLE, "/v/s.db"), ("XDG_STATE_HOME", "/x"), ("HOME", "/home/a")]);
        assert_eq!(resolve(Some("/p/s.db"), &all, false).unwrap(), PathBuf::from("/p/s.db"));
        assert_eq!(resolve(None, &all, false).unwrap(), PathBuf::from("/v/s.db"));
        let xdg = vars(&[("XDG_STATE_HOME", "/x"), ("HOME", "/home/a")]);
        assert_eq!(resolve(None, &xdg, false).unwrap(), PathBuf::from("/x/exokit/contact-mirror.sqlite"));
        let home = vars(&[("HOME", "/home/a")]);
        assert_eq!(resolve(None, &home, false).unwrap(), PathBuf::from("/home/a/.local/state/exokit/contact-mirror.sqlite"));
    }

    #[test]
    fn a_relative_xdg_state_home_is_ignored_as_the_spec_says() {
        let relative = vars(&[("XDG_STATE_HOME", "state"), ("HOME", "/home/a")]);
        assert_eq!(resolve(None, &relative, false).unwrap(), PathBuf::from("/home/a/.local/state/exokit/contact-mirror.sqlite"));
    }

    #[test]
    fn windows_uses_localappdata() {
        let win = vars(&[("LOCALAPPDATA", r"C:\Users\a\AppData\Local"), ("HOME", "/ignored")]);
        let path = resolve(None, &win, true).unwrap();
        assert!(path.starts_with(r"C:\Users\a\AppData\Local"), "{path:?}");
        assert!(path.ends_with("contact-mirror.sqlite"), "{path:?}");
    }

    #[test]
    fn no_directory_at_all_names_the_way_out() {
        let error = resolve(None, &vars(&[]), false).unwrap_err().to_string();
        assert!(error.contains("-StatePath") && error.contains(STATE_PATH_VARIABLE), "{error}");
    }
}
