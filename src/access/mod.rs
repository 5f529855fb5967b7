//! App mailbox scoping: RBAC for Applications (Graph beta `roleManagement/exchange`).

mod role_definitions;

pub use role_definitions::{RoleDefinition, get_role_definitions, list_role_definitions};
