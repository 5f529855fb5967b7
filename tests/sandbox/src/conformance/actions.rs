//! Bound actions (`/applications/{id}/addPassword`): Graph's endpoint list has no action paths,
//! so they come from the v1.0 CSDL, one entry per type they can be called on.

use std::collections::HashMap;

pub struct Actions {
    /// (binding type, action) → parameter names. A binding is `user` or `Collection(user)`.
    map: HashMap<(String, String), Vec<String>>,
}

impl Actions {
    /// Reads `actions-v1.0.txt`: `binding<TAB>action<TAB>parameter,parameter`.
    pub fn parse(text: &str, file: &str) -> Result<Actions, String> {
        let mut map = HashMap::new();
        for (index, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.is_empty())
        {
            let mut fields = line.split('\t');
            let (Some(binding), Some(action), Some(parameters), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(format!(
                    "{file} line {}: expected three tab-separated fields, got '{line}'",
                    index + 1
                ));
            };
            let parameters = parameters
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            map.insert((binding.to_string(), action.to_string()), parameters);
        }
        Ok(Actions { map })
    }

    pub fn parameters(&self, binding: &str, action: &str) -> Option<&[String]> {
        self.map
            .get(&(binding.to_string(), action.to_string()))
            .map(Vec::as_slice)
    }
}
