//! Field errors by field name. A short list rather than a map: see `providers::FormValues`.

use super::FieldMessage;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldErrors(Vec<(String, FieldMessage)>);

impl FieldErrors {
    pub fn get(&self, field: &str) -> Option<&FieldMessage> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// The first message for a field wins: it is the one shown beside it.
    pub fn add(&mut self, field: String, message: FieldMessage) {
        if !self.contains_key(&field) {
            self.0.push((field, message));
        }
    }

    pub fn remove(&mut self, field: &str) {
        self.0.retain(|(f, _)| f != field);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &FieldMessage)> {
        self.0.iter().map(|(f, m)| (f, m))
    }
}
