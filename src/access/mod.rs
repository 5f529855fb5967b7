//! App mailbox scoping: RBAC for Applications (Graph beta `roleManagement/exchange`): role
//! definitions, role assignments named the way admins name things, `New-ExchangeApp`, and
//! `Test-ExchangeAppAccess`.

pub mod apps;
pub mod assignments;
pub mod check;
pub mod directory;
pub mod names;
pub mod replication;
mod role_definitions;
pub mod scope;

pub use apps::{AppCreated, NewApp, new_app};
pub use check::{AccessQuery, AccessResult, test_access};
pub use assignments::{Assignment, AssignmentQuery, NewAssignment, ScopeRequest, get_assignments, new_assignment, remove_assignment};
pub use role_definitions::{RoleDefinition, get_role_definitions, list_role_definitions};
