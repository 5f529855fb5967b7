//! App mailbox scoping: RBAC for Applications (Graph beta `roleManagement/exchange`): role
//! definitions, role assignments named the way admins name things, `New-ExchangeApp` and
//! `Test-ExchangeAppAccess`; the Application Access Policies RBAC replaces, their scope groups,
//! the access audit and the policy → RBAC migration.

pub mod apps;
pub mod assignments;
pub mod audit;
pub mod check;
pub mod directory;
pub mod entra;
pub mod migrate;
pub mod names;
pub mod policies;
pub mod replication;
mod role_definitions;
pub mod scope;
pub mod scope_group;

pub use apps::{AppCreated, NewApp, new_app};
pub use check::{AccessQuery, AccessResult, test_access};
pub use assignments::{Assignment, AssignmentQuery, NewAssignment, ScopeRequest, get_assignments, new_assignment, remove_assignment};
pub use role_definitions::{RoleDefinition, get_role_definitions, list_role_definitions};
