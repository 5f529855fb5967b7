//! App mailbox scoping: RBAC for Applications (Graph beta `roleManagement/exchange`), the
//! Application Access Policies it replaces, their scope groups, the access audit and the
//! policy → RBAC migration.

pub mod audit;
pub mod entra;
pub mod migrate;
pub mod policies;
mod role_definitions;
pub mod scope_group;

pub use role_definitions::{RoleDefinition, get_role_definitions, list_role_definitions};
