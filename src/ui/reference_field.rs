//! The provider's lists beside the form (Commerce Layer's customer groups and tags): loaded once
//! the credential may write, kept apart from the save machine (`crate::reference`), and shown as
//! a select of groups by name and as suggestions for tags.

use super::shell::{Context, On, Signal};
use providers::reference::ReferenceList;
use providers::text_key;
use providers::FieldSpec;
use yew::AttrValue;

use super::customer_form::{FormApp, Message};
use super::field::{Choices, ListStatus};
use crate::reference::{ReferenceData, MAX_PAGES};

impl FormApp {
    /// Starts loading each list the form's fields offer, once, when the credential may write.
    pub(super) fn load_references(&mut self, ctx: &Context) {
        let Some(state) = &self.state else { return };
        if !state.can_write() {
            return;
        }
        let contract = state.contract();
        let mut lists: Vec<ReferenceList> = Vec::new();
        for spec in contract.fields(state.operation()) {
            match contract.reference_list(spec.name) {
                Some(list) if self.references.get(list).is_none() => lists.push(list),
                _ => {}
            }
        }
        for list in lists {
            self.fetch_reference(ctx, list);
        }
    }

    /// (Re)loads one list.
    pub(super) fn fetch_reference(&mut self, ctx: &Context, list: ReferenceList) {
        let Some(state) = &self.state else { return };
        self.references.set(list, ReferenceData::Loading);
        let (contract, base) = (state.contract(), state.base().to_string());
        let client = self.client.clone();
        let abort = self.abort.clone();
        let link = ctx.link().clone();
        let generation = self.generation;
        crate::spawn::spawn_soon(async move {
            if let Some(data) = client.reference_list(contract, &base, list, &abort).await {
                link.send_message(Message::Reference(generation, list, data));
            }
        });
    }

    /// Whether typing in `field` changes what it offers (so each keystroke renders).
    pub(super) fn suggests(&self, field: &str) -> bool {
        let Some(state) = &self.state else {
            return false;
        };
        state.contract().reference_list(field) == Some(ReferenceList::Tags)
            && matches!(self.references.tags, Some(ReferenceData::Loaded { .. }))
    }

    /// What `spec` offers from its list, holding `value`.
    pub(super) fn choices_for(&self, spec: &FieldSpec, value: &str) -> Option<Choices> {
        let list = self.state.as_ref()?.contract().reference_list(spec.name)?;
        let data = self.references.get(list)?;
        let catalog = &self.catalog;
        let retry = || {
            Some((
                AttrValue::from(catalog.t(text_key!("action.reload_list"))),
                On::Send(Signal::ReloadReference(list, spec.name)),
            ))
        };
        let count =
            providers::digits::text(u64::from(MAX_PAGES * providers::reference::MAX_PAGE_SIZE));
        let status = |key: &str, retry| ListStatus {
            text: Some(catalog.t_with(key, &[("count", &count)]).into()),
            loading: false,
            retry,
        };
        match list {
            ReferenceList::CustomerGroups => {
                let mut options: Vec<(AttrValue, AttrValue)> = Vec::new();
                // The record's group stays selectable even when the list does not have it.
                if !value.is_empty() && data.name_of(value).is_none() {
                    let label =
                        catalog.t_with(text_key!("reference.current_group"), &[("id", value)]);
                    options.push((value.to_string().into(), label.into()));
                }
                let status = match data {
                    ReferenceData::Loading => ListStatus {
                        loading: true,
                        ..status(text_key!("reference.groups_loading"), None)
                    },
                    ReferenceData::Failed => status(text_key!("reference.groups_failed"), retry()),
                    ReferenceData::Loaded { items, .. } if items.is_empty() => {
                        status(text_key!("reference.groups_empty"), None)
                    }
                    ReferenceData::Loaded { cut: true, .. } => {
                        status(text_key!("reference.groups_cut"), None)
                    }
                    ReferenceData::Loaded { .. } => ListStatus {
                        text: None,
                        loading: false,
                        retry: None,
                    },
                };
                if let ReferenceData::Loaded { items, .. } = data {
                    options.extend(
                        items
                            .iter()
                            .map(|g| (g.id.clone().into(), g.name.clone().into())),
                    );
                }
                Some(Choices::Pick {
                    options,
                    none: catalog.t(text_key!("reference.no_group")).into(),
                    status,
                })
            }
            ReferenceList::Tags => {
                let (options, status) = match data {
                    ReferenceData::Loaded { items, cut } => (
                        // The combobox of `tags_field.rs` offers the names matching the tag
                        // being typed.
                        crate::tags::matches(items, value)
                            .into_iter()
                            .map(|name| {
                                let name = AttrValue::from(name.to_string());
                                (name.clone(), name)
                            })
                            .collect(),
                        match cut {
                            true => status(text_key!("reference.tags_cut"), None),
                            false => ListStatus {
                                text: None,
                                loading: false,
                                retry: None,
                            },
                        },
                    ),
                    ReferenceData::Failed => (
                        Vec::new(),
                        status(text_key!("reference.tags_failed"), retry()),
                    ),
                    ReferenceData::Loading => (
                        Vec::new(),
                        ListStatus {
                            text: None,
                            loading: true,
                            retry: None,
                        },
                    ),
                };
                Some(Choices::Suggest { options, status })
            }
        }
    }
}
