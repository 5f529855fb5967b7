//! What every cmdlet shares: its error (the `InvokeCommand` error body, exo-rest.md §1.6), its
//! output (rows and warnings, §1.4), and PowerShell-style parameter binding over the JSON
//! `Parameters` object (§1.3): names are case-insensitive, an unknown name or a value of the
//! wrong type fails before the cmdlet runs, mandatory parameters are checked together.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

/// The server named in "couldn't be found on '…'" messages.
pub const SERVER: &str = "NAMPR01A001DC001.PROD.OUTLOOK.COM";

/// A failed cmdlet. `details[0].message` is `"<ErrorId>|<ExceptionClass>|<Message>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdletError {
    pub status: StatusCode,
    /// `error.code`: `NotFound` for a missing object, `BadRequest` for everything else a
    /// cmdlet refuses.
    pub code: &'static str,
    pub error_id: String,
    pub class: &'static str,
    pub message: String,
}

const NOT_FOUND_CLASS: &str =
    "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException";
const BINDING_CLASS: &str = "System.Management.Automation.ParameterBindingException";

impl CmdletError {
    /// A cmdlet-level failure of the given exception class (HTTP 400).
    pub fn task(class: &'static str, message: impl Into<String>) -> CmdletError {
        CmdletError {
            status: StatusCode::BAD_REQUEST,
            code: "BadRequest",
            error_id: error_id(class),
            class,
            message: message.into(),
        }
    }

    /// `-Identity` names nothing (M365DSC #2998 shows this as `NotFound`).
    pub fn not_found(identity: &str) -> CmdletError {
        CmdletError {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            error_id: error_id(NOT_FOUND_CLASS),
            class: NOT_FOUND_CLASS,
            message: format!(
                "The operation couldn't be performed because object '{identity}' couldn't be found on '{SERVER}'."
            ),
        }
    }

    /// A recipient parameter (`-Member`, `-PolicyScopeGroupId`, `-ManagedBy`) names nothing.
    pub fn recipient_not_found(name: &str) -> CmdletError {
        CmdletError {
            message: format!(
                "Couldn't find object \"{name}\". Please make sure that it was spelled correctly or specify a different object."
            ),
            ..CmdletError::not_found(name)
        }
    }

    pub fn ambiguous(identity: &str) -> CmdletError {
        CmdletError::task(
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
            format!(
                "The operation couldn't be performed because '{identity}' matches multiple entries."
            ),
        )
    }

    /// The cmdlet is unknown (or not in the caller's role).
    pub fn unknown_cmdlet(name: &str) -> CmdletError {
        CmdletError::task(
            "System.Management.Automation.CommandNotFoundException",
            format!(
                "The term '{name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again."
            ),
        )
    }

    pub fn unknown_parameter(name: &str) -> CmdletError {
        CmdletError::task(
            BINDING_CLASS,
            format!("A parameter cannot be found that matches parameter name '{name}'."),
        )
    }

    pub fn missing(names: &[&str]) -> CmdletError {
        CmdletError::task(
            BINDING_CLASS,
            format!(
                "Cannot process command because of one or more missing mandatory parameters: {}.",
                names.join(" ")
            ),
        )
    }

    pub fn parameter_set() -> CmdletError {
        CmdletError::task(
            BINDING_CLASS,
            "Parameter set cannot be resolved using the specified named parameters.",
        )
    }

    /// A value that does not convert to the parameter's type.
    pub fn bad_value(parameter: &str, value: &Value, type_name: &str, detail: &str) -> CmdletError {
        let shown = value
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string());
        CmdletError::task(
            BINDING_CLASS,
            format!(
                "Cannot bind parameter '{parameter}'. Cannot convert value \"{shown}\" to type \"{type_name}\". Error: \"{detail}\""
            ),
        )
    }

    /// A value of the right type that the parameter's validation refuses (length, range).
    pub fn invalid_argument(parameter: &str, detail: &str) -> CmdletError {
        CmdletError::task(
            "System.Management.Automation.ParameterBindingValidationException",
            format!("Cannot validate argument on parameter '{parameter}'. {detail}"),
        )
    }

    /// A filter parameter Exchange could not parse or does not know a property of.
    pub fn filter(parameter: &str, detail: &str) -> CmdletError {
        CmdletError::task(
            BINDING_CLASS,
            format!(
                "Cannot bind parameter '{parameter}' to the target. Exception setting \"{parameter}\": \"{detail}\""
            ),
        )
    }

    /// Exchange's data validation failure (a property value it will not store).
    pub fn data_validation(message: impl Into<String>) -> CmdletError {
        CmdletError::task("Microsoft.Exchange.Data.DataValidationException", message)
    }

    /// An object with that name, alias or address exists already.
    pub fn already_exists(message: impl Into<String>) -> CmdletError {
        CmdletError::task(
            "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
            message,
        )
    }

    /// `{"error":{"code","message":"Error executing cmdlet","details":[…],"innererror":{…}}}`.
    pub fn body(&self) -> Value {
        json!({"error": {
            "code": self.code,
            "message": "Error executing cmdlet",
            "details": [{"code": "Context", "target": "", "message": format!("{}|{}|{}", self.error_id, self.class, self.message)}],
            "innererror": {
                "message": "Error executing cmdlet",
                "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                "stacktrace": "",
                "internalexception": {"message": self.message, "type": self.class, "stacktrace": ""},
            },
        }})
    }

    /// The short exception name, as the `x-ExceptionType` header carries it.
    pub fn short_class(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(self.class)
    }
}

/// Real ids look like `Ex6F9304`: a short hash. Derive a stable one from the class.
fn error_id(class: &str) -> String {
    let hash = class.bytes().fold(0x811c9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x01000193)
    });
    format!("Ex{:06X}", hash & 0xFF_FFFF)
}

/// What a cmdlet returns: its output objects and any warnings (`@adminapi.warnings`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Output {
    pub rows: Vec<Value>,
    pub warnings: Vec<String>,
}

impl Output {
    pub fn rows(rows: Vec<Value>) -> Output {
        Output {
            rows,
            warnings: Vec::new(),
        }
    }

    pub fn none() -> Output {
        Output::default()
    }

    /// A Set-* that changed nothing: success, with Exchange's warning.
    pub fn unchanged(identity: &str) -> Output {
        Output {
            rows: Vec::new(),
            warnings: vec![format!(
                "The command completed successfully but no settings of '{identity}' have been modified."
            )],
        }
    }
}

/// PowerShell's common parameters: accepted by every cmdlet, no effect here.
const COMMON: &[&str] = &[
    "ErrorAction",
    "WarningAction",
    "InformationAction",
    "Verbose",
    "Debug",
    "ErrorVariable",
    "WarningVariable",
    "OutVariable",
    "OutBuffer",
];

/// A cmdlet's parameters after binding: only names the cmdlet declares, each at most once.
#[derive(Debug, Clone)]
pub struct Params {
    values: Vec<(&'static str, Value)>,
}

impl Params {
    /// Binds the JSON `Parameters` to the declared names (case-insensitive), refusing any
    /// other name as PowerShell would. A `null` value counts as not given.
    pub fn bind(
        raw: &Map<String, Value>,
        declared: &[&'static str],
    ) -> Result<Params, CmdletError> {
        let mut values: Vec<(&'static str, Value)> = Vec::new();
        for (name, value) in raw {
            if COMMON.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                continue;
            }
            let canonical = declared
                .iter()
                .find(|d| d.eq_ignore_ascii_case(name))
                .ok_or_else(|| CmdletError::unknown_parameter(name))?;
            if values.iter().any(|(n, _)| n == canonical) {
                return Err(CmdletError::task(
                    BINDING_CLASS,
                    format!(
                        "Cannot bind parameter because parameter '{canonical}' is specified more than once."
                    ),
                ));
            }
            if !value.is_null() {
                values.push((canonical, value.clone()));
            }
        }
        Ok(Params { values })
    }

    pub fn has(&self, name: &str) -> bool {
        self.values.iter().any(|(n, _)| *n == name)
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Fails naming every mandatory parameter that is missing.
    pub fn require(&self, names: &[&str]) -> Result<(), CmdletError> {
        let missing: Vec<&str> = names.iter().copied().filter(|n| !self.has(n)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(CmdletError::missing(&missing))
        }
    }

    /// A string parameter. Numbers and booleans convert as PowerShell converts them; arrays
    /// and objects do not.
    pub fn string(&self, name: &str) -> Result<Option<String>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match value {
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(if *b { "True" } else { "False" }.into())),
            Value::Array(items) if items.len() == 1 && items[0].is_string() => {
                Ok(items[0].as_str().map(str::to_string))
            }
            _ => Err(CmdletError::bad_value(
                name,
                value,
                "System.String",
                "Specified method is not supported.",
            )),
        }
    }

    /// A mandatory string parameter that must not be empty.
    pub fn required_string(&self, name: &str) -> Result<String, CmdletError> {
        let value = self
            .string(name)?
            .ok_or_else(|| CmdletError::missing(&[name]))?;
        if value.trim().is_empty() {
            return Err(CmdletError::invalid_argument(
                name,
                "The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.",
            ));
        }
        Ok(value)
    }

    /// A string no longer than `max` characters.
    pub fn bounded_string(&self, name: &str, max: usize) -> Result<Option<String>, CmdletError> {
        let value = self.string(name)?;
        if let Some(v) = &value
            && v.chars().count() > max
        {
            return Err(CmdletError::invalid_argument(
                name,
                &format!(
                    "The character length of the {} argument is too long. Shorten the character length of the argument so it is fewer than or equal to \"{max}\" characters, and then try the command again.",
                    v.chars().count()
                ),
            ));
        }
        Ok(value)
    }

    /// A `Boolean`: JSON `true`/`false`, or the strings `True`/`False` some clients send.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        as_bool(value).map(Some).ok_or_else(|| CmdletError::bad_value(name, value, "System.Boolean", "Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0."))
    }

    /// A `SwitchParameter`: set when `true` (or `"true"`), not set when absent or `false`.
    pub fn switch(&self, name: &str) -> Result<bool, CmdletError> {
        Ok(self.bool(name)?.unwrap_or(false))
    }

    /// An integer within `min..=max`.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let number = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            CmdletError::bad_value(
                name,
                value,
                "System.Int32",
                "Input string was not in a correct format.",
            )
        })?;
        if number < min || number > max {
            return Err(CmdletError::invalid_argument(
                name,
                &format!(
                    "The {number} argument is greater than the maximum allowed range of {max}, or less than the minimum of {min}. Supply an argument that is within the range and then try the command again."
                ),
            ));
        }
        Ok(Some(number))
    }

    /// An enum value, matched case-insensitively and returned in its canonical spelling.
    pub fn choice(
        &self,
        name: &str,
        type_name: &str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let text = value.as_str().unwrap_or_default();
        allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(text.trim())).map(Some).ok_or_else(|| {
            let detail = format!("Unable to match the identifier name {text} to a valid enumerator name. Specify one of the following enumerator names and try again:\n{}", allowed.join(", "));
            CmdletError::bad_value(name, value, type_name, &detail)
        })
    }

    /// A list parameter: a JSON array, or one string.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let refused = || {
            CmdletError::bad_value(
                name,
                value,
                "Microsoft.Exchange.Data.MultiValuedProperty",
                "Specified method is not supported.",
            )
        };
        match value {
            Value::String(s) => Ok(Some(vec![s.clone()])),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).ok_or_else(refused))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            _ => Err(refused()),
        }
    }

    /// A `MultiValuedProperty` update: a list replaces `current`; a `GenericHashTable` with
    /// `Add`/`Remove` edits it (exo-rest.md §1.3).
    pub fn list_update(
        &self,
        name: &str,
        current: &[String],
    ) -> Result<Option<Vec<String>>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let Some(table) = value.as_object() else {
            return self.strings(name);
        };
        let items = |key: &str| -> Result<Vec<String>, CmdletError> {
            let found = table
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v);
            match found {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::String(s)) => Ok(vec![s.clone()]),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_string).ok_or_else(|| {
                            CmdletError::bad_value(
                                name,
                                value,
                                "Microsoft.Exchange.Data.MultiValuedProperty",
                                "Specified method is not supported.",
                            )
                        })
                    })
                    .collect(),
                Some(other) => Err(CmdletError::bad_value(
                    name,
                    other,
                    "Microsoft.Exchange.Data.MultiValuedProperty",
                    "Specified method is not supported.",
                )),
            }
        };
        let unknown = table
            .keys()
            .find(|k| !["@odata.type", "add", "remove"].contains(&k.to_ascii_lowercase().as_str()));
        if let Some(key) = unknown {
            return Err(CmdletError::bad_value(
                name,
                value,
                "Microsoft.Exchange.Data.MultiValuedProperty",
                &format!("The hash table key '{key}' isn't valid. Use Add or Remove."),
            ));
        }
        let (add, remove) = (items("Add")?, items("Remove")?);
        let mut out: Vec<String> = current
            .iter()
            .filter(|c| !remove.iter().any(|r| r.eq_ignore_ascii_case(c)))
            .cloned()
            .collect();
        for item in add {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
                out.push(item);
            }
        }
        Ok(Some(out))
    }

    /// A `DateTime` (ISO 8601; a date alone means midnight UTC).
    pub fn datetime(
        &self,
        name: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, CmdletError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let text = value.as_str().unwrap_or_default();
        let parsed = chrono::DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&chrono::Utc))
            .ok()
            .or_else(|| {
                let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                    .ok()
                    .or_else(|| {
                        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                    })?;
                Some(naive.and_utc())
            });
        parsed.map(Some).ok_or_else(|| {
            CmdletError::bad_value(
                name,
                value,
                "System.DateTime",
                "String was not recognized as a valid DateTime.",
            )
        })
    }
}

fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s
            .trim()
            .trim_start_matches('$')
            .to_ascii_lowercase()
            .as_str()
        {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(raw: Value, declared: &[&'static str]) -> Result<Params, CmdletError> {
        Params::bind(raw.as_object().unwrap(), declared)
    }

    #[test]
    fn names_bind_case_insensitively_and_unknown_ones_fail() {
        let params = bind(
            json!({"identity": "x", "ErrorAction": "Stop"}),
            &["Identity"],
        )
        .unwrap();
        assert_eq!(params.string("Identity").unwrap().as_deref(), Some("x"));
        let error = bind(json!({"Identiti": "x"}), &["Identity"]).unwrap_err();
        assert!(
            error.message.contains("matches parameter name 'Identiti'"),
            "{}",
            error.message
        );
        assert_eq!(error.class, BINDING_CLASS);
    }

    #[test]
    fn booleans_accept_strings_and_refuse_words() {
        let params = bind(
            json!({"A": "True", "B": false, "C": "maybe"}),
            &["A", "B", "C"],
        )
        .unwrap();
        assert_eq!(params.bool("A").unwrap(), Some(true));
        assert_eq!(params.bool("B").unwrap(), Some(false));
        assert!(params.bool("C").is_err());
    }

    #[test]
    fn enums_come_back_canonical_or_fail_listing_the_names() {
        let params = bind(
            json!({"AccessRight": "restrictaccess", "Bad": "Maybe"}),
            &["AccessRight", "Bad"],
        )
        .unwrap();
        assert_eq!(
            params
                .choice("AccessRight", "T", &["RestrictAccess", "DenyAccess"])
                .unwrap(),
            Some("RestrictAccess")
        );
        let error = params
            .choice("Bad", "T", &["RestrictAccess", "DenyAccess"])
            .unwrap_err();
        assert!(error.message.contains("RestrictAccess, DenyAccess"));
    }

    #[test]
    fn hashtables_add_and_remove() {
        let params = bind(json!({"L": {"@odata.type": "#Exchange.GenericHashTable", "Add": ["c"], "Remove": "a"}}), &["L"]).unwrap();
        let current = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            params.list_update("L", &current).unwrap().unwrap(),
            vec!["b", "c"]
        );
    }

    #[test]
    fn missing_mandatory_parameters_are_named_together() {
        let params = bind(json!({}), &["A", "B"]).unwrap();
        assert_eq!(
            params.require(&["A", "B"]).unwrap_err().message,
            "Cannot process command because of one or more missing mandatory parameters: A B."
        );
    }

    #[test]
    fn the_error_body_has_the_pipe_format() {
        let body = CmdletError::not_found("x").body();
        assert_eq!(body["error"]["message"], "Error executing cmdlet");
        let detail = body["error"]["details"][0]["message"].as_str().unwrap();
        let parts: Vec<&str> = detail.split('|').collect();
        assert_eq!(parts.len(), 3);
        assert!(
            parts[0].starts_with("Ex") && parts[1].ends_with("ManagementObjectNotFoundException")
        );
    }
}
