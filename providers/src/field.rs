//! What a form field is: its wire name, the control it needs and the rules it obeys.

/// The control and the normalisation a field needs. Every kind is typed as text, so a field can
/// always be filled by typing into the control that bears its `name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Email,
    Tel,
    Url,
    Uuid,
    /// Never prefilled, never echoed.
    Password,
    /// Comma-separated list of values.
    Tags,
    /// JSON text of an object.
    JsonObject,
    /// JSON text of an array of objects (Count contacts).
    JsonList,
    /// One of a fixed set of wire values.
    Choice(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's path in the provider's request body without envelopes (`first_name`,
    /// `billingAddress.city`, `partner.key`): the input's `name` and the key of field errors.
    pub name: &'static str,
    /// Message key of the visible label.
    pub label: &'static str,
    /// Message key of a hint shown under the input, if any.
    pub hint: Option<&'static str>,
    pub kind: FieldKind,
    pub required: bool,
    pub max_chars: Option<usize>,
    /// The HTML `autocomplete` token, so browsers fill the right thing.
    pub autocomplete: Option<&'static str>,
}

impl FieldSpec {
    pub const fn new(name: &'static str, label: &'static str, kind: FieldKind) -> FieldSpec {
        FieldSpec {
            name,
            label,
            hint: None,
            kind,
            required: false,
            max_chars: None,
            autocomplete: None,
        }
    }

    pub const fn required(mut self) -> FieldSpec {
        self.required = true;
        self
    }

    pub const fn max(mut self, chars: usize) -> FieldSpec {
        self.max_chars = Some(chars);
        self
    }

    pub const fn hint(mut self, key: &'static str) -> FieldSpec {
        self.hint = Some(key);
        self
    }

    pub const fn autocomplete(mut self, token: &'static str) -> FieldSpec {
        self.autocomplete = Some(token);
        self
    }
}
