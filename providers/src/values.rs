//! The text a person typed, per field name.

/// Raw control text keyed by field name. Absent and empty mean the same thing.
///
/// A list, not a map: a form has a few dozen fields, and a map's code would be most of the
/// widget's size budget for no measurable speed.
#[derive(Clone, Debug, Default)]
pub struct FormValues(Vec<(String, String)>);

impl FormValues {
    pub fn new() -> FormValues {
        FormValues::default()
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Sets a field's text; the name is copied only the first time the field is set.
    pub fn set(&mut self, name: impl AsRef<str> + Into<String>, text: impl Into<String>) {
        let text = text.into();
        match self.0.iter_mut().find(|(k, _)| k == name.as_ref()) {
            Some(slot) => slot.1 = text,
            None => self.0.push((name.into(), text)),
        }
    }

    pub fn with(mut self, name: &str, text: &str) -> FormValues {
        self.set(name, text);
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Equal when every field reads the same (order of entry does not matter; absent = empty).
impl PartialEq for FormValues {
    fn eq(&self, other: &Self) -> bool {
        self.iter().all(|(k, v)| other.get(k) == v) && other.iter().all(|(k, v)| self.get(k) == v)
    }
}

impl Eq for FormValues {}

impl<K: AsRef<str> + Into<String>, V: Into<String>> FromIterator<(K, V)> for FormValues {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> FormValues {
        let mut values = FormValues::new();
        for (k, v) in iter {
            values.set(k, v);
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_and_equality_ignores_order() {
        let a = FormValues::new()
            .with("x", "1")
            .with("y", "2")
            .with("x", "3");
        let b = FormValues::new()
            .with("y", "2")
            .with("x", "3")
            .with("z", "");
        assert_eq!(a.get("x"), "3");
        assert_eq!(a, b);
        assert_ne!(a, FormValues::new().with("x", "3"));
    }
}
