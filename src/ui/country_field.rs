//! Countries in the form (see `crate::countries`): Prolifi's `country_id` as a select of the
//! host's `countries`, or the record's country named beside the id; Count's address countries
//! with suggestions; and Count's "shipping address same as billing", which copies each billing
//! field into its shipping twin through the ordinary edit (so drafts and conflicts see it).

use dom::{el, Event};
use providers::substring::Trim;
use providers::text_key;
use providers::{FieldSpec, FormValues, ProviderId};

use super::customer_form::{FormApp, Message};
use super::field::{Choices, FieldProps, ListStatus};
use super::shell::{Context, Html, On};
use crate::countries::{addresses_match, country_options, is_address_country, shipping_twin};
use crate::form::Msg;

/// The control that holds "same as billing" comes right before this field.
pub const FIRST_SHIPPING_FIELD: &str = "shippingAddress.street";

/// Count's shipping address: its own, or following billing.
pub enum ShippingAddress {
    Own,
    /// "Same as billing" ticked: what the shipping fields held before, given back when it is
    /// cleared (nothing, when nothing had been typed there or the form opened with it ticked).
    SameAsBilling {
        set_aside: Option<FormValues>,
    },
}

impl FormApp {
    /// The id of Count's shared list of country suggestions (one per form).
    fn country_list_id(&self) -> String {
        providers::substring::concat(&[&self.id_prefix, "-countries"])
    }

    /// Count's country suggestions in the form's language, after a render: the list is filled
    /// by `host.js` outside the virtual DOM (its 250 options diffed on every render cost the
    /// first render and each key; README, Speed), once, and again only when the language
    /// changes (the list lives in the shadow root, beside the drawn form, so a redraw keeps it).
    pub(super) fn fill_country_list(&mut self, ctx: &Context) {
        let tag = self.catalog.locale().tag();
        // Not for a form built hidden (`HiddenBuild`): the names' `Intl` work, after the next
        // paint, would then fall in the moments its record is expected.
        if ctx.props().provider != ProviderId::Count
            || self.state.is_none()
            || self.quiet.is_some()
            || self.country_list_lang == tag
        {
            return;
        }
        if let Some(root) = self.root_ref.get() {
            crate::browser::country_list(&root, &self.country_list_id(), tag);
            self.country_list_lang = tag;
        }
    }

    /// What a country field offers: the host's list as a select (Prolifi), or suggestions of
    /// country names (Count).
    pub(super) fn country_choices(
        &self,
        ctx: &Context,
        spec: &FieldSpec,
        value: &str,
    ) -> Option<Choices> {
        let state = self.state.as_ref()?;
        let no_status = || ListStatus {
            text: None,
            loading: false,
            retry: None,
        };
        match state.provider() {
            ProviderId::Prolifi if spec.name == "country_id" => {
                let countries = &ctx.props().countries;
                if countries.is_empty() {
                    return None;
                }
                let record = state.loaded.as_ref().map(|r| {
                    (
                        r.values.get("country_id"),
                        r.raw.get("country").and_then(|c| c.as_str()).unwrap_or(""),
                    )
                });
                let options = country_options(countries, value, record)
                    .into_iter()
                    .map(|(id, name)| (id.into(), name.into()))
                    .collect();
                Some(Choices::Pick {
                    options,
                    none: self.catalog.t(text_key!("country.none")).into(),
                    status: no_status(),
                })
            }
            ProviderId::Count if is_address_country(spec.name) => {
                Some(Choices::Listed(self.country_list_id().into()))
            }
            _ => None,
        }
    }

    /// Prolifi's `country_id`: with the host's list it is "Country", picked by name; without
    /// it, the record's country is named beside the id ("Saved country: United Kingdom").
    pub(super) fn adjust_country(&self, ctx: &Context, props: &mut FieldProps) {
        let Some(state) = self.state.as_ref() else {
            return;
        };
        if state.provider() != ProviderId::Prolifi || props.spec.name != "country_id" {
            return;
        }
        if !ctx.props().countries.is_empty() {
            props.label = self.catalog.t(text_key!("field.country")).into();
            props.hint = None;
            return;
        }
        let saved = state
            .loaded
            .as_ref()
            .and_then(|r| r.raw.get("country")?.as_str())
            .map(str::trimmed)
            .filter(|name| !name.is_empty());
        if let Some(name) = saved {
            let mut hint = self
                .catalog
                .t_with(text_key!("country.saved"), &[("name", name)]);
            if let Some(rest) = &props.hint {
                hint.push(' ');
                hint.push_str(rest);
            }
            props.hint = Some(hint.into());
        }
    }

    /// The shipping field a billing edit also goes to, while "same as billing" is ticked.
    pub(super) fn mirror_of(&self, field: &str) -> Option<&'static str> {
        if !self.same_address() {
            return None;
        }
        let twin = shipping_twin(field)?;
        let state = self.state.as_ref()?;
        state
            .contract()
            .fields(state.operation())
            .iter()
            .find(|spec| spec.name == twin)
            .map(|spec| spec.name)
    }

    /// Whether the record's shipping address is its billing address (see
    /// `countries::addresses_match`): the form then starts with "same as billing" ticked.
    pub(super) fn addresses_match(&self) -> bool {
        let Some(state) = self.state.as_ref() else {
            return false;
        };
        let names: Vec<&str> = state
            .contract()
            .fields(state.operation())
            .iter()
            .map(|spec| spec.name)
            .collect();
        addresses_match(&names, |name| state.values.get(name))
    }

    /// Whether `field` follows billing (read-only while the box is ticked).
    pub(super) fn follows_billing(&self, field: &str) -> bool {
        self.same_address() && field.starts_with("shippingAddress.")
    }

    /// Ticking copies every billing field into its shipping twin, setting aside what the
    /// shipping fields held. Unticking gives that back when something had been typed there;
    /// otherwise the copies stay, to be changed.
    pub(super) fn set_same_address(&mut self, ctx: &Context, same: bool) {
        let Some(state) = self.state.as_mut() else {
            return;
        };
        let fields = state.contract().fields(state.operation());
        // Each billing field's shipping twin.
        let twins = || {
            fields.iter().filter_map(|spec| {
                let twin = shipping_twin(spec.name)?;
                Some((spec.name, fields.iter().find(|s| s.name == twin)?.name))
            })
        };
        // Where the shipping fields' texts come from: the billing fields (ticked), or what was
        // set aside (cleared); `None`: they stay as they are.
        let from = match (
            std::mem::replace(&mut self.shipping, ShippingAddress::Own),
            same,
        ) {
            (ShippingAddress::Own, true) => {
                let typed = twins().any(|(_, ship)| !state.values.get(ship).trimmed().is_empty());
                let set_aside = typed.then(|| state.values.clone());
                self.shipping = ShippingAddress::SameAsBilling { set_aside };
                Some((state.values.clone(), true))
            }
            (ShippingAddress::SameAsBilling { set_aside }, false) => set_aside.map(|v| (v, false)),
            (shipping, _) => {
                self.shipping = shipping;
                None
            }
        };
        let mut effects = Vec::new();
        if let Some((values, from_billing)) = from {
            for (bill, ship) in twins() {
                let text = values.get(if from_billing { bill } else { ship });
                if state.values.get(ship) != text {
                    let text = text.to_string();
                    effects.extend(state.update(Msg::Edit { field: ship, text }));
                }
            }
        }
        self.run(ctx, effects);
        self.follow_up(ctx);
    }

    /// Whether shipping follows billing ("same as billing" ticked).
    pub(super) fn same_address(&self) -> bool {
        matches!(self.shipping, ShippingAddress::SameAsBilling { .. })
    }

    /// "Shipping address same as billing", before the first shipping field.
    pub(super) fn same_address_box(&self, disabled: bool) -> Html {
        let id = providers::substring::concat(&[&self.id_prefix, "-same-address"]);
        let onchange = On::Checked(Message::SameAddress);
        el("div")
            .key("same-address")
            .attr("class", "cf-field")
            .attr("part", "field same-address")
            .child(
                el("input")
                    .attr("type", "checkbox")
                    .attr("id", id.clone())
                    .attr("class", "cf-checkbox")
                    .attr("part", "checkbox")
                    .flag("disabled", disabled)
                    .checked(self.same_address())
                    .on(Event::Change, onchange),
            )
            .child(
                el("label")
                    .attr("for", id)
                    .attr("part", "label")
                    .text(self.catalog.t(text_key!("address.same_as_billing"))),
            )
            .into()
    }
}
