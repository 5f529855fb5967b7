//! The OPATH recipient filters of management scopes (`New-ManagementScope
//! -RecipientRestrictionFilter`, Graph's `customAppScope.customAttributes.RecipientFilter`):
//! comparisons with `-eq`, `-ne`, `-like`, `-notlike`, joined by `-and`, `-or`, `-not` and
//! parentheses, on the properties a sandbox recipient has. `MemberOfGroup` compares a group's
//! DistinguishedName and means direct membership (application-rbac FAQ).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Compare {
        property: Property,
        op: Op,
        value: String,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Like,
    NotLike,
}

/// The filterable properties the sandbox knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    MemberOfGroup,
    RecipientTypeDetails,
    RecipientType,
    UserPrincipalName,
    PrimarySmtpAddress,
    DisplayName,
    Name,
    Alias,
    ExternalDirectoryObjectId,
    /// A real filterable property that sandbox recipients never have a value for
    /// (`Department`, `CustomAttribute1`, …): filters on it parse and compare with "".
    Blank,
}

const PROPERTIES: &[(&str, Property)] = &[
    ("MemberOfGroup", Property::MemberOfGroup),
    ("RecipientTypeDetails", Property::RecipientTypeDetails),
    ("RecipientType", Property::RecipientType),
    ("UserPrincipalName", Property::UserPrincipalName),
    ("PrimarySmtpAddress", Property::PrimarySmtpAddress),
    ("DisplayName", Property::DisplayName),
    ("Name", Property::Name),
    ("Alias", Property::Alias),
    (
        "ExternalDirectoryObjectId",
        Property::ExternalDirectoryObjectId,
    ),
];

/// Filterable in Exchange, but without a value on any sandbox recipient.
const BLANK: &[&str] = &[
    "Department",
    "Company",
    "City",
    "Office",
    "Title",
    "StateOrProvince",
    "CountryOrRegion",
    "CustomAttribute1",
    "CustomAttribute2",
    "CustomAttribute3",
    "CustomAttribute4",
    "CustomAttribute5",
    "CustomAttribute6",
    "CustomAttribute7",
    "CustomAttribute8",
    "CustomAttribute9",
    "CustomAttribute10",
    "CustomAttribute11",
    "CustomAttribute12",
    "CustomAttribute13",
    "CustomAttribute14",
    "CustomAttribute15",
];

/// Why a filter was refused, in Exchange's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a filter can ask of a recipient.
pub trait Subject {
    /// The property's value (`None` when the recipient has none).
    fn value(&self, property: Property) -> Option<String>;
    /// Whether the recipient is a direct member of the group with this DN.
    fn member_of(&self, dn: &str) -> bool;
}

/// At most this many tokens: the parser and the evaluator recurse, and a request must not be
/// able to exhaust a stack (Exchange limits filter length too; this wording is the sandbox's).
const MAX_TOKENS: usize = 600;

pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let tokens = tokenize(text)?;
    if tokens.len() > MAX_TOKENS {
        return Err(FilterError(format!(
            "The filter is too long: use at most {MAX_TOKENS} terms, operators and parentheses."
        )));
    }
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
    };
    let filter = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(filter),
        Some(token) => Err(syntax(text, token.position)),
    }
}

pub fn matches(filter: &Filter, subject: &dyn Subject) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, subject) && matches(b, subject),
        Filter::Or(a, b) => matches(a, subject) || matches(b, subject),
        Filter::Not(inner) => !matches(inner, subject),
        Filter::Compare {
            property: Property::MemberOfGroup,
            op,
            value,
        } => {
            let member = subject.member_of(value);
            match op {
                Op::Eq | Op::Like => member,
                Op::Ne | Op::NotLike => !member,
            }
        }
        Filter::Compare {
            property,
            op,
            value,
        } => {
            let actual = subject.value(*property).unwrap_or_default();
            match op {
                Op::Eq => actual.eq_ignore_ascii_case(value),
                Op::Ne => !actual.eq_ignore_ascii_case(value),
                Op::Like => wildcard(value, &actual),
                Op::NotLike => !wildcard(value, &actual),
            }
        }
    }
}

/// `*` matches any run of characters; comparison ignores case.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.to_ascii_lowercase(), text.to_ascii_lowercase());
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first)
        || !text[first.len()..].ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Open,
    Close,
    /// `-eq`, `-and`, … (lower-cased, without the dash).
    Operator(String),
    Quoted(String),
    Word(String),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    position: usize,
}

fn syntax(text: &str, position: usize) -> FilterError {
    FilterError(format!(
        "Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"{text}\" at position {}.",
        position + 1
    ))
}

fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (position, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (kind, next) = match c {
            '(' => (Kind::Open, i + 1),
            ')' => (Kind::Close, i + 1),
            '\'' | '"' => quoted(&chars, i).ok_or_else(|| syntax(text, position))?,
            '-' => {
                let end = word_end(&chars, i + 1);
                let word: String = chars[i + 1..end]
                    .iter()
                    .map(|(_, c)| c.to_ascii_lowercase())
                    .collect();
                (Kind::Operator(word), end)
            }
            _ => {
                let end = word_end(&chars, i);
                if end == i {
                    return Err(syntax(text, position));
                }
                (
                    Kind::Word(chars[i..end].iter().map(|(_, c)| *c).collect()),
                    end,
                )
            }
        };
        tokens.push(Token { kind, position });
        i = next;
    }
    Ok(tokens)
}

fn word_end(chars: &[(usize, char)], from: usize) -> usize {
    let mut end = from;
    while end < chars.len() && !chars[end].1.is_whitespace() && !"()'\"".contains(chars[end].1) {
        end += 1;
    }
    end
}

/// A quoted literal; a doubled quote inside is one quote.
fn quoted(chars: &[(usize, char)], start: usize) -> Option<(Kind, usize)> {
    let quote = chars[start].1;
    let mut value = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i].1 == quote {
            if chars.get(i + 1).is_some_and(|(_, c)| *c == quote) {
                value.push(quote);
                i += 2;
                continue;
            }
            return Some((Kind::Quoted(value), i + 1));
        }
        value.push(chars[i].1);
        i += 1;
    }
    None
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn peek_operator(&self, name: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token { kind: Kind::Operator(op), .. }) if op == name)
    }

    fn error_here(&self) -> FilterError {
        let position = self
            .tokens
            .get(self.at)
            .map(|t| t.position)
            .unwrap_or(self.text.len());
        syntax(self.text, position)
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.peek_operator("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.peek_operator("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.peek_operator("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if matches!(
            self.tokens.get(self.at),
            Some(Token {
                kind: Kind::Open,
                ..
            })
        ) {
            self.at += 1;
            let inner = self.or()?;
            if !matches!(
                self.tokens.get(self.at),
                Some(Token {
                    kind: Kind::Close,
                    ..
                })
            ) {
                return Err(self.error_here());
            }
            self.at += 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let Some(Token {
            kind: Kind::Word(name),
            ..
        }) = self.tokens.get(self.at).cloned()
        else {
            return Err(self.error_here());
        };
        let property = PROPERTIES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
            .map(|(_, p)| *p)
            .or_else(|| BLANK.iter().any(|b| b.eq_ignore_ascii_case(&name)).then_some(Property::Blank))
            .ok_or_else(|| FilterError(format!("'{name}' is not a recognized filterable property. For a list of filterable properties see the command help.")))?;
        self.at += 1;
        let op = match self.tokens.get(self.at).map(|t| &t.kind) {
            Some(Kind::Operator(op)) if op == "eq" => Op::Eq,
            Some(Kind::Operator(op)) if op == "ne" => Op::Ne,
            Some(Kind::Operator(op)) if op == "like" => Op::Like,
            Some(Kind::Operator(op)) if op == "notlike" => Op::NotLike,
            _ => return Err(self.error_here()),
        };
        self.at += 1;
        let value = match self.tokens.get(self.at).map(|t| &t.kind) {
            Some(Kind::Quoted(v)) => v.clone(),
            Some(Kind::Word(w)) if w.eq_ignore_ascii_case("$null") => String::new(),
            Some(Kind::Word(w)) => w.clone(),
            _ => return Err(self.error_here()),
        };
        self.at += 1;
        Ok(Filter::Compare {
            property,
            op,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Subject for Fake {
        fn value(&self, property: Property) -> Option<String> {
            match property {
                Property::RecipientTypeDetails => Some("RoomMailbox".into()),
                Property::UserPrincipalName => Some("room1@contoso.com".into()),
                _ => None,
            }
        }
        fn member_of(&self, dn: &str) -> bool {
            dn.eq_ignore_ascii_case("CN=Rooms,OU=x")
        }
    }

    #[test]
    fn member_of_group_eq_and_ne() {
        assert!(matches(
            &parse("MemberOfGroup -eq 'CN=Rooms,OU=x'").unwrap(),
            &Fake
        ));
        assert!(!matches(
            &parse("MemberOfGroup -ne 'CN=Rooms,OU=x'").unwrap(),
            &Fake
        ));
        assert!(matches(
            &parse("MemberOfGroup -ne 'CN=Other,OU=x'").unwrap(),
            &Fake
        ));
    }

    #[test]
    fn boolean_operators_parentheses_and_like() {
        let filter = parse("(RecipientTypeDetails -eq 'RoomMailbox' -and -not (UserPrincipalName -notlike 'room*@contoso.com')) -or Alias -eq 'x'").unwrap();
        assert!(matches(&filter, &Fake));
        assert!(!matches(
            &parse("RecipientTypeDetails -eq \"UserMailbox\"").unwrap(),
            &Fake
        ));
        assert!(!matches(&parse("Department -eq 'Sales'").unwrap(), &Fake));
    }

    #[test]
    fn doubled_quotes_escape_a_quote() {
        let filter = parse("MemberOfGroup -eq 'CN=O''Brien,OU=x'").unwrap();
        assert_eq!(
            filter,
            Filter::Compare {
                property: Property::MemberOfGroup,
                op: Op::Eq,
                value: "CN=O'Brien,OU=x".into()
            }
        );
    }

    #[test]
    fn bad_filters_are_refused_with_exchange_wording() {
        for bad in [
            "MemberOfGroup -eq",
            "MemberOfGroup 'x'",
            "(Alias -eq 'x'",
            "Alias -eq 'x' -and",
            "Alias -eq 'open",
        ] {
            let error = parse(bad).unwrap_err();
            assert!(
                error.0.starts_with("Invalid filter syntax."),
                "{bad}: {error}"
            );
        }
        assert!(
            parse("Frobnicate -eq 'Sales'")
                .unwrap_err()
                .0
                .contains("is not a recognized filterable property")
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("a*c", "abc") && wildcard("*", "") && wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*c", "ab") && !wildcard("abc", "abcd"));
    }
}
