//! Graph's path templates as a tree of segments, and matching a concrete path against it.
//!
//! A template segment with `{…}` (a key, `{user-id}`) or an `@alias` function parameter is a
//! pattern whose placeholders match any non-empty text; every other segment is a literal that
//! must match exactly (case included: Graph tolerates other cases, but the client should send
//! the canonical one). A function template `delta()` also matches a concrete `delta`, and a
//! concrete `microsoft.graph.x` matches the template's `graph.x` (cast) or `x` (function).

use std::collections::HashMap;

pub struct Tree {
    nodes: Vec<Node>,
}

pub struct Node {
    /// The template segment (empty for the root).
    pub segment: String,
    pub endpoint: bool,
    pub parent: Option<usize>,
    literals: HashMap<String, usize>,
    patterns: Vec<(Vec<Piece>, usize)>,
}

#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Any,
}

/// How far a concrete path got: the deepest node reached and how many segments it took.
pub struct Miss {
    pub node: usize,
    pub matched: usize,
}

pub const ROOT: usize = 0;

impl Tree {
    /// Reads `paths-<version>.txt` (one segment per line, one space of indent per level, ` +`
    /// after a segment that is not itself a template).
    pub fn parse(text: &str, file: &str) -> Result<Tree, String> {
        let mut tree = Tree {
            nodes: vec![Node::new(String::new(), None)],
        };
        let mut stack = vec![ROOT];
        for (index, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let segment = line.trim_start_matches(' ');
            let depth = line.len() - segment.len();
            let (segment, endpoint) = match segment.strip_suffix(" +") {
                Some(prefix_only) => (prefix_only, false),
                None => (segment, true),
            };
            if depth >= stack.len() || segment.is_empty() || segment.contains(' ') {
                return Err(format!(
                    "{file} line {}: malformed line '{line}'",
                    index + 1
                ));
            }
            stack.truncate(depth + 1);
            let node = tree.add(stack[depth], segment, endpoint);
            stack.push(node);
        }
        Ok(tree)
    }

    fn add(&mut self, parent: usize, segment: &str, endpoint: bool) -> usize {
        let index = self.nodes.len();
        let mut node = Node::new(segment.to_string(), Some(parent));
        node.endpoint = endpoint;
        self.nodes.push(node);
        let pieces = compile(segment);
        let parent = &mut self.nodes[parent];
        if pieces.contains(&Piece::Any) {
            parent.patterns.push((pieces, index));
        } else {
            parent.literals.insert(segment.to_string(), index);
        }
        index
    }

    pub fn node(&self, index: usize) -> &Node {
        &self.nodes[index]
    }

    /// `/users/{user-id}/contacts` for a node.
    pub fn template(&self, mut index: usize) -> String {
        let mut parts = Vec::new();
        while let Some(parent) = self.nodes[index].parent {
            parts.push(self.nodes[index].segment.as_str());
            index = parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    /// The template node a concrete path names, or how far it got.
    pub fn find(&self, segments: &[String]) -> Result<usize, Miss> {
        let mut best = Miss {
            node: ROOT,
            matched: 0,
        };
        self.walk(ROOT, segments, 0, &mut best).ok_or(best)
    }

    fn walk(&self, node: usize, rest: &[String], depth: usize, best: &mut Miss) -> Option<usize> {
        if depth > best.matched {
            *best = Miss {
                node,
                matched: depth,
            };
        }
        let Some((first, rest)) = rest.split_first() else {
            return self.nodes[node].endpoint.then_some(node);
        };
        self.children_matching(node, first)
            .into_iter()
            .find_map(|child| self.walk(child, rest, depth + 1, best))
    }

    /// Children a concrete segment may stand for, literals first.
    pub fn children_matching(&self, node: usize, segment: &str) -> Vec<usize> {
        let node = &self.nodes[node];
        let mut names = vec![segment.to_string(), format!("{segment}()")];
        if let Some(unqualified) = segment.strip_prefix("microsoft.graph.") {
            names.extend([
                format!("graph.{unqualified}"),
                unqualified.to_string(),
                format!("{unqualified}()"),
            ]);
        }
        let mut out: Vec<usize> = names
            .iter()
            .filter_map(|n| node.literals.get(n).copied())
            .collect();
        out.extend(
            node.patterns
                .iter()
                .filter(|(p, _)| glob(p, segment))
                .map(|(_, child)| *child),
        );
        out
    }

    pub fn literal_child(&self, node: usize, segment: &str) -> Option<usize> {
        self.nodes[node].literals.get(segment).copied()
    }

    /// Literal children spelled like `segment` in another case (for "did you mean").
    pub fn near_misses(&self, node: usize, segment: &str) -> Vec<&str> {
        let segment = segment.trim_end_matches("()");
        let mut out: Vec<&str> = self.nodes[node]
            .literals
            .keys()
            .filter(|k| k.trim_end_matches("()").eq_ignore_ascii_case(segment))
            .map(String::as_str)
            .collect();
        out.sort();
        out
    }

    /// `T` when the node is a collection whose members are addressed as `{T-id}`.
    pub fn member_type(&self, node: usize) -> Option<String> {
        self.nodes[node]
            .patterns
            .iter()
            .find_map(|(_, child)| key_type(&self.nodes[*child].segment))
    }
}

impl Node {
    fn new(segment: String, parent: Option<usize>) -> Node {
        Node {
            segment,
            endpoint: false,
            parent,
            literals: HashMap::new(),
            patterns: Vec::new(),
        }
    }
}

/// `{contactFolder-id1}` → `contactFolder`: Graph's templates name keys after the entity type.
pub fn key_type(segment: &str) -> Option<String> {
    let inner = segment.strip_prefix('{')?.strip_suffix('}')?;
    let name = inner
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .strip_suffix("-id")?;
    (!name.is_empty()).then(|| name.to_string())
}

/// Splits a template segment into text and placeholders (`{…}`, and `@alias` after `=`).
fn compile(segment: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        let alias = c == '@' && (text.ends_with('=') || text.ends_with("='"));
        if c == '{' || alias {
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(Piece::Any);
            if c == '{' {
                chars.by_ref().find(|c| *c == '}');
            } else {
                while chars
                    .next_if(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .is_some()
                {}
            }
        } else {
            text.push(c);
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// Whether `text` fits the pieces, each placeholder taking at least one character.
fn glob(pieces: &[Piece], text: &str) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(t), rest)) => {
            text.strip_prefix(t.as_str()).is_some_and(|r| glob(rest, r))
        }
        Some((Piece::Any, rest)) => (1..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .any(|i| glob(rest, &text[i..])),
    }
}

/// Splits a path on `/`, except inside parentheses or quotes (function parameters).
pub fn split(path: &str) -> Vec<String> {
    let (mut out, mut depth, mut quoted, mut current) = (Vec::new(), 0i32, false, String::new());
    for c in path.trim_start_matches('/').chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            '/' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        let text = "# comment\nusers\n {user-id}\n  contacts\n   delta()\n   {contact-id}\n  manager +\n   $ref\napplications(appId='{appId}')\nroleDefinitions\n {unifiedRoleDefinition-id}\n  assignedPrincipals(transitive=@transitive,directoryScopeType='@directoryScopeType')\n";
        Tree::parse(text, "test").unwrap()
    }

    fn find(tree: &Tree, path: &str) -> Option<String> {
        tree.find(&split(path)).ok().map(|n| tree.template(n))
    }

    #[test]
    fn keys_and_aliases_match_any_text_and_literals_match_exactly() {
        let t = tree();
        assert_eq!(
            find(&t, "/users/abc/contacts/AAMk=").as_deref(),
            Some("/users/{user-id}/contacts/{contact-id}")
        );
        assert_eq!(
            find(&t, "/applications(appId='0f5d')").as_deref(),
            Some("/applications(appId='{appId}')")
        );
        assert_eq!(
            find(&t, "/roleDefinitions/x/assignedPrincipals(transitive=true,directoryScopeType='Directory')").as_deref(),
            Some("/roleDefinitions/{unifiedRoleDefinition-id}/assignedPrincipals(transitive=@transitive,directoryScopeType='@directoryScopeType')")
        );
        assert_eq!(find(&t, "/users/abc/Contacts"), None);
        assert_eq!(
            find(&t, "/users/abc/manager"),
            None,
            "a prefix-only segment is not a template"
        );
        assert_eq!(
            find(&t, "/users/abc/manager/$ref").as_deref(),
            Some("/users/{user-id}/manager/$ref")
        );
    }

    #[test]
    fn delta_matches_with_or_without_parentheses_and_qualified() {
        let t = tree();
        for path in [
            "/users/a/contacts/delta",
            "/users/a/contacts/delta()",
            "/users/a/contacts/microsoft.graph.delta()",
        ] {
            assert_eq!(
                find(&t, path).as_deref(),
                Some("/users/{user-id}/contacts/delta()"),
                "{path}"
            );
        }
    }

    #[test]
    fn a_miss_says_how_far_it_got_and_suggests_the_case() {
        let t = tree();
        let miss = t.find(&split("/users/a/Contacts")).unwrap_err();
        assert_eq!(
            (t.template(miss.node).as_str(), miss.matched),
            ("/users/{user-id}", 2)
        );
        assert_eq!(t.near_misses(miss.node, "Contacts"), ["contacts"]);
    }

    #[test]
    fn key_types_come_from_the_key_name() {
        assert_eq!(
            key_type("{contactFolder-id1}").as_deref(),
            Some("contactFolder")
        );
        assert_eq!(key_type("{appId}"), None);
        assert_eq!(tree().member_type(1).as_deref(), Some("user"));
    }

    #[test]
    fn a_badly_indented_file_is_refused_with_its_line() {
        let error = Tree::parse("users\n   deep\n", "paths-x.txt")
            .err()
            .unwrap();
        assert!(error.contains("paths-x.txt line 2"), "{error}");
    }
}
