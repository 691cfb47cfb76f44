//! What a form field is: its wire name, the control it needs and the rules it obeys.

use crate::text_key;
/// The control and the normalisation a field needs. Every kind is typed as text, so a field can
/// always be filled by typing into the control that bears its `name`.
#[derive(Clone, Copy, Debug, Eq)]
pub enum FieldKind {
    Text,
    Email,
    Tel,
    /// A web address where `https://` is assumed when no scheme is typed (`example.com/ref`),
    /// as for `Website`.
    Url,
    /// A web address where `https://` is assumed when no scheme is typed (`blueharbour.test`).
    Website,
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

impl PartialEq for FieldKind {
    /// By kind; two `Choice`s by their list, a static, by address rather than item by item
    /// (the derived comparison was 163 B of the package, for checks like `kind == Tags`).
    fn eq(&self, other: &FieldKind) -> bool {
        match (self, other) {
            (FieldKind::Choice(a), FieldKind::Choice(b)) => std::ptr::eq(*a, *b),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

/// Where a field sits in the form: the form shows one fieldset per section, with a legend, in
/// this order. Provider-agnostic, so the widget groups any provider's fields the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Who the customer is: names, keys, references.
    Identity,
    Contact,
    Addresses,
    /// The partner who referred the customer (one of several ways to name them).
    Referrer,
    /// Group, tags, status.
    Classification,
    /// Free-form data and everything else.
    Metadata,
    /// Irreversible requests (anonymization), kept apart from everyday edits.
    DangerZone,
}

impl Section {
    /// Message key of the section's legend.
    pub fn legend(self) -> &'static str {
        match self {
            Section::Identity => text_key!("section.identity"),
            Section::Contact => text_key!("section.contact"),
            Section::Addresses => text_key!("section.addresses"),
            Section::Referrer => text_key!("section.referrer"),
            Section::Classification => text_key!("section.classification"),
            Section::Metadata => text_key!("section.metadata"),
            Section::DangerZone => text_key!("section.danger_zone"),
        }
    }

    /// Message key of a hint for the whole section, if any.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Section::Referrer => Some(text_key!("hint.section.referrer")),
            Section::DangerZone => Some(text_key!("hint.section.danger_zone")),
            _ => None,
        }
    }

    /// The public `data-section` and `::part(section-…)` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Identity => "identity",
            Section::Contact => "contact",
            Section::Addresses => "addresses",
            Section::Referrer => "referrer",
            Section::Classification => "classification",
            Section::Metadata => "metadata",
            Section::DangerZone => "danger-zone",
        }
    }
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Identity,
        Section::Contact,
        Section::Addresses,
        Section::Referrer,
        Section::Classification,
        Section::Metadata,
        Section::DangerZone,
    ];
}

/// The fields of each section that has any, sections in `Section` order and fields in the
/// contract's order within each: the order the form shows them in. (The contract's order stays
/// the order of request bodies.)
pub fn by_section(fields: &[FieldSpec]) -> Vec<(Section, Vec<&FieldSpec>)> {
    let mut sections = Vec::new();
    for section in Section::ALL {
        let mut run = Vec::new();
        for field in fields {
            if field.section == section {
                run.push(field);
            }
        }
        if !run.is_empty() {
            sections.push((section, run));
        }
    }
    sections
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
    /// The fieldset the form shows it in.
    pub section: Section,
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
            section: Section::Identity,
        }
    }

    pub const fn section(mut self, section: Section) -> FieldSpec {
        self.section = section;
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_grouped_by_section_in_section_order() {
        let f = |name, section| FieldSpec::new(name, "l", FieldKind::Text).section(section);
        let fields = [
            f("email", Section::Contact),
            f("a", Section::Identity),
            f("m", Section::Metadata),
            f("b", Section::Identity),
        ];
        let runs: Vec<(Section, Vec<&str>)> = by_section(&fields)
            .into_iter()
            .map(|(s, run)| (s, run.iter().map(|f| f.name).collect()))
            .collect();
        assert_eq!(
            runs,
            vec![
                (Section::Identity, vec!["a", "b"]),
                (Section::Contact, vec!["email"]),
                (Section::Metadata, vec!["m"]),
            ]
        );
        assert!(by_section(&[]).is_empty());
    }

    /// Every form of every provider uses more than one section, and anonymization is only ever
    /// in the danger zone.
    #[test]
    fn every_form_is_sectioned() {
        for provider in crate::ProviderId::ALL {
            for channel in [crate::Channel::Gateway, crate::Channel::Direct] {
                let Some(contract) = crate::contract_for(provider, channel) else {
                    continue;
                };
                for op in [crate::Operation::Create, crate::Operation::Update] {
                    let fields = contract.fields(op);
                    assert!(by_section(fields).len() > 1, "{provider:?} {op:?}");
                    for spec in fields {
                        assert_eq!(
                            spec.name.contains("anonymization"),
                            spec.section == Section::DangerZone,
                            "{}",
                            spec.name
                        );
                    }
                }
            }
        }
    }
}
