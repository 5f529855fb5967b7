//! Conformance with Microsoft Graph's published metadata: does a path exist in v1.0 or beta,
//! may it take this method, and does a JSON body (or `$select`) name only properties its type
//! has? The sandbox's own tests check every route it serves ([`crate::routes::catalog`]); the
//! ExoKit client's tests check every request it builds:
//!
//! ```
//! use exokit_sandbox::conformance::Metadata;
//! use serde_json::json;
//!
//! let graph = Metadata::get();
//! assert!(graph.path_exists("v1.0", "GET", "/users/abc/contactFolders/AAMk=/contacts/delta"));
//! assert!(!graph.path_exists("v1.0", "GET", "/users/abc/contactfolders"));
//! graph.check_request("v1.0", "PATCH", "/users/abc/contacts/AAMk=", Some(&json!({"givenName": "Ann"}))).unwrap();
//! let error = graph.check_body("v1.0", "contact", &json!({"nickname": "Ann"})).unwrap_err();
//! assert!(error.to_string().contains("did you mean 'nickName'"));
//! ```
//!
//! The data is vendored in `tests/sandbox/metadata/` (compiled in, so it works from any crate
//! and any working directory) and regenerated with `cargo xtask metadata`.
//!
//! What the published data cannot tell, and how this module decides instead:
//! - methods: the endpoint list has none, so OData's conventions apply: a collection takes GET
//!   and POST; an entity or singleton GET, PATCH, PUT and DELETE; a function GET; an action POST;
//!   `$ref` GET, POST, PUT and DELETE; `…/{id}/$ref` DELETE; `$count` GET; `$value` GET and PUT.
//! - actions: the endpoint list has no action paths, so `…/{application-id}/addPassword` is
//!   accepted when the v1.0 CSDL binds `addPassword` to `application` (or a base type). Beta
//!   has no published CSDL here: beta paths use the v1.0 actions, an approximation.
//! - `…/members/{id}/$ref` (remove one member) is missing from the endpoint list, which has only
//!   `…/members/$ref`; it is accepted, for DELETE, wherever the collection's `$ref` exists.
//! - `/$batch` is OData's JSON batch endpoint, not a resource, so no template lists it; it is
//!   accepted for POST and each request inside it is checked.
//! - a key placeholder (`{user-id}`) matches any text, so `/users/delta` also "exists" as a user.

mod actions;
mod paths;
mod request;
mod types;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

pub use request::{Resolved, Target};

use actions::Actions;
use paths::Tree;
use types::Types;

/// A Graph version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    Beta,
}

impl Version {
    pub fn parse(text: &str) -> Result<Version, ConformanceError> {
        match text {
            "v1.0" => Ok(Version::V1),
            "beta" => Ok(Version::Beta),
            other => Err(ConformanceError(format!(
                "unknown Graph version '{other}' (expected v1.0 or beta)"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

/// Why a path, method or body does not conform, naming what and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ConformanceError(pub String);

impl fmt::Display for ConformanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConformanceError {}

/// One version's templates and types.
struct Api {
    paths: Tree,
    types: Types,
}

/// Graph's published metadata, as vendored.
pub struct Metadata {
    v1: Api,
    beta: Api,
    /// From the v1.0 CSDL; also used for beta (see the module docs).
    actions: Actions,
}

macro_rules! vendored {
    ($file:literal) => {
        ($file, include_str!(concat!("../../metadata/", $file)))
    };
}

impl Metadata {
    /// Parses the vendored files.
    pub fn load() -> Result<Metadata, ConformanceError> {
        let fail = ConformanceError;
        let api = |paths: (&str, &str), types: (&str, &str)| -> Result<Api, ConformanceError> {
            Ok(Api {
                paths: Tree::parse(paths.1, paths.0).map_err(fail)?,
                types: Types::parse(types.1, types.0).map_err(fail)?,
            })
        };
        let (file, text) = vendored!("actions-v1.0.txt");
        Ok(Metadata {
            v1: api(vendored!("paths-v1.0.txt"), vendored!("types-v1.0.json"))?,
            beta: api(vendored!("paths-beta.txt"), vendored!("types-beta.json"))?,
            actions: Actions::parse(text, file).map_err(fail)?,
        })
    }

    /// The vendored metadata, parsed once per process.
    ///
    /// # Panics
    /// When a vendored file does not parse: `cargo xtask metadata` wrote something this module
    /// cannot read, which `load`'s error names.
    pub fn get() -> &'static Metadata {
        static METADATA: OnceLock<Metadata> = OnceLock::new();
        METADATA.get_or_init(|| {
            Metadata::load().unwrap_or_else(|e| panic!("the vendored Graph metadata: {e}"))
        })
    }

    fn api(&self, version: Version) -> &Api {
        match version {
            Version::V1 => &self.v1,
            Version::Beta => &self.beta,
        }
    }

    /// Whether `path` (concrete, `/users/abc/contacts/delta`, or a template, `{x-id}` keys) exists
    /// in `version` for `method`. A query string, a `/v1.0` prefix or a full URL are allowed.
    pub fn path_exists(&self, version: &str, method: &str, path: &str) -> bool {
        self.check_path(version, method, path).is_ok()
    }

    /// What `path` resolves to, or why it does not exist or does not take `method`.
    pub fn check_path(
        &self,
        version: &str,
        method: &str,
        path: &str,
    ) -> Result<Resolved, ConformanceError> {
        request::resolve(self, Version::parse(version)?, method, path)
    }

    /// A whole request: the path and method, the names in `$select`, and the body's property
    /// names (against the type the path holds, an action's parameters, or each request of a
    /// `$batch`).
    pub fn check_request(
        &self,
        version: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Resolved, ConformanceError> {
        request::check(self, Version::parse(version)?, method, path, body)
    }

    /// The structural property names of `type_name` (`contact` or `microsoft.graph.contact`),
    /// inherited ones included, sorted; `None` when the type is not vendored.
    pub fn properties(&self, version: &str, type_name: &str) -> Option<&[String]> {
        let version = Version::parse(version).ok()?;
        self.api(version)
            .types
            .get(unqualified(type_name))
            .map(|t| t.properties.as_slice())
    }

    /// The navigation property names of `type_name`, inherited ones included.
    pub fn navigation_properties(&self, version: &str, type_name: &str) -> Option<&[String]> {
        let version = Version::parse(version).ok()?;
        self.api(version)
            .types
            .get(unqualified(type_name))
            .map(|t| t.navigation.as_slice())
    }

    /// Checks that `body` names only properties of `type_name` (recursing into complex-typed
    /// values such as `emailAddresses`); `@odata.*` annotations pass.
    pub fn check_body(
        &self,
        version: &str,
        type_name: &str,
        body: &Value,
    ) -> Result<(), ConformanceError> {
        let version = Version::parse(version)?;
        let mut problems = Vec::new();
        self.api(version)
            .types
            .check(unqualified(type_name), body, "", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConformanceError(format!(
                "{} {type_name} body: {}",
                version.as_str(),
                problems.join("; ")
            )))
        }
    }

    /// The parameter names of an action bound to `binding` (`application`, or
    /// `Collection(directoryObject)`), from the v1.0 CSDL.
    pub fn action_parameters(&self, binding: &str, action: &str) -> Option<&[String]> {
        self.actions.parameters(binding, action)
    }
}

/// `microsoft.graph.contact` and `#microsoft.graph.contact` → `contact`.
fn unqualified(type_name: &str) -> &str {
    type_name
        .trim_start_matches('#')
        .trim_start_matches("microsoft.graph.")
}
