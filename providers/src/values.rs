//! The text a person typed, per field name.

use std::collections::BTreeMap;

/// Raw control text keyed by field name. Absent and empty mean the same thing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormValues(BTreeMap<String, String>);

impl FormValues {
    pub fn new() -> FormValues {
        FormValues::default()
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, name: impl Into<String>, text: impl Into<String>) {
        self.0.insert(name.into(), text.into());
    }

    pub fn with(mut self, name: &str, text: &str) -> FormValues {
        self.set(name, text);
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for FormValues {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> FormValues {
        FormValues(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}
