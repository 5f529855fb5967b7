//! Contact folders: the shared mailbox's hub folder is found by name, breadth first under the
//! default Contacts folder, as the original script does (spec §3.2 C), but stopping at the first
//! level that has it.

use serde::Deserialize;
use serde_json::json;

use crate::error::Result;
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    pub id: String,
    pub display_name: String,
}

/// The first folder named `name` (case-insensitive) in breadth-first order under the default
/// Contacts folder, or `None`.
pub async fn find_folder(graph: &GraphClient, mailbox: &str, name: &str) -> Result<Option<Folder>> {
    let mut level = children(graph, mailbox, None).await?;
    while !level.is_empty() {
        if let Some(found) = level.iter().find(|f| f.display_name.eq_ignore_ascii_case(name)) {
            return Ok(Some(found.clone()));
        }
        let mut next = Vec::new();
        for folder in &level {
            next.extend(children(graph, mailbox, Some(&folder.id)).await?);
        }
        level = next;
    }
    Ok(None)
}

async fn children(graph: &GraphClient, mailbox: &str, parent: Option<&str>) -> Result<Vec<Folder>> {
    let path = match parent {
        None => format!("/users/{}/contactFolders", segment(mailbox)),
        Some(id) => format!("/users/{}/contactFolders/{}/childFolders", segment(mailbox), segment(id)),
    };
    let _slot = graph.gate().enter(mailbox, 1).await;
    graph.list(Version::V1, &path, &[("$top", "1000"), ("$select", "id,displayName")]).await
}

/// Creates a folder under the default Contacts folder.
pub async fn create_folder(graph: &GraphClient, mailbox: &str, name: &str) -> Result<Folder> {
    let url = graph.url(Version::V1, &format!("/users/{}/contactFolders", segment(mailbox)), &[]);
    let _slot = graph.gate().enter(mailbox, 1).await;
    let answer = graph.send(Method::Post, url.clone(), Some(&json!({"displayName": name}))).await?;
    serde_json::from_value(answer).map_err(|e| crate::error::ExoError::Protocol {
        url: url.to_string(),
        message: format!("the created folder is not the expected JSON ({e})"),
    })
}
