//! ExoKit's engine: Microsoft Graph and Exchange admin calls behind a C ABI.
//!
//! Layers, top to bottom (data flows one way; see ARCHITECTURE.md):
//! - [`ffi`]: the C ABI, the only place with `#[ffi]`. Converts and forwards, nothing more.
//! - [`ops`]: long work as a handle whose events the caller pulls (progress, verbose lines,
//!   records, errors); cancellation.
//! - domain modules ([`access`], [`session`]): what a cmdlet means, as plain Rust.
//! - [`graph`]: the typed Microsoft Graph client; [`exo`]: the Exchange admin API client.
//! - [`http`] and [`auth`]: the one transport (retries, `Retry-After`) and tokens.
//! - [`cloud`]: every endpoint comes from one `Cloud` value.

pub mod access;
pub mod auth;
pub mod calendar;
pub mod cloud;
pub mod contacts;
pub mod error;
pub mod exo;
pub mod ffi;
pub mod graph;
pub mod http;
pub mod mirror;
pub mod ops;
pub mod runtime;
pub mod session;
pub mod users;

pub use ffi::ffi_inventory;

/// The crate version, as the module and the C smoke test report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
