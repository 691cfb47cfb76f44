//! The form's markup, drawn from its state: the fields, the alert and status regions, the
//! conflict choice and the buttons.

use dom::{el, Event};
use providers::contract::customer_title;
use providers::text_key;
use providers::{by_section, ErrorKind, FieldKind, FieldSpec, Operation, ProviderId, Section};
use yew::AttrValue;

use super::country_field::FIRST_SHIPPING_FIELD;
use super::customer_form::{DateLine, FormApp};
use super::field::{field, field_id, FieldProps};
use super::outcome::{beside_submit, summary, InvalidField, SummaryProps};
use super::rows;
use super::section::{section, SectionProps};
use super::shell::{Context, Html, On, Signal};
use crate::anonymization;
use crate::form::{Failure, FormState, Notice, Phase, Step};
use crate::i18n::Catalog;
use crate::messages::{alert_text, field_text, notice_text};

/// What a keystroke can change on screen besides its own field's text. Equal before and after
/// an edit: nothing to render.
#[derive(Clone, PartialEq)]
pub struct Shown {
    phase: Phase,
    notice: bool,
    failure: bool,
    field_errors: usize,
}

impl Shown {
    pub fn of(state: &FormState) -> Shown {
        Shown {
            phase: state.phase(),
            notice: state.notice.is_some(),
            failure: state.failure.is_some(),
            field_errors: state.field_errors.iter().count(),
        }
    }
}

pub fn render(form: &FormApp, ctx: &Context) -> Html {
    let root = |state: &'static str| {
        el("div")
            .node_ref(&form.root_ref)
            .attr("class", "cf")
            .attr("data-state", state)
    };
    let props = ctx.props();
    let catalog = &form.catalog;
    let Some(state) = &form.state else {
        let text = catalog.t_with(
            text_key!("alert.api_base_required"),
            &[("provider", props.provider.display_name())],
        );
        return root("error")
            .attr("data-theme", props.theme.resolved())
            .attr("part", "root")
            .attr("lang", catalog.locale().tag())
            .child(
                el("div")
                    .attr("class", "cf-alert")
                    .attr("role", "alert")
                    .attr("part", "alert")
                    .child(el("p").text(text)),
            )
            .into();
    };
    let operation = state.operation();
    let fields = state.contract().fields(operation);
    let shown: Vec<&str> = fields.iter().map(|f| f.name).collect();
    // Until the form's language has arrived, it shows the loading state, not English.
    let phase = if form.strings_pending {
        Phase::Loading
    } else {
        state.phase()
    };
    let read_only = !state.editable() || !state.can_write();
    let onsubmit = On::Send(Signal::Submit);
    let retry_load = On::Send(Signal::RetryLoad);
    let retry_credential = On::Send(Signal::RetryCredential);
    let use_existing = On::Send(Signal::UseExisting);
    let duplicate = matches!(state.failure, Some(Failure::Duplicate { .. }));
    let busy = matches!(phase, Phase::Loading | Phase::Saving);
    // Until the first record arrives there is nothing to show but the shape of the form.
    let skeleton = phase == Phase::Loading
        && (form.strings_pending
            || (state.loaded.is_none()
                && (operation == Operation::Update || form.credential_wait.is_some())));
    // The first record is on its way and may come before anything needs to be drawn; while it
    // is slow to come, the form is built hidden (`HiddenBuild`), in its language.
    let quiet = skeleton && state.failure.is_none() && form.quiet.is_some();
    // Not while no credential has come (no request is out: the wait may be long).
    let build_hidden =
        quiet && !form.strings_pending && form.credential_wait.is_none() && form.built_hidden();
    if quiet && !build_hidden {
        return Html::Empty;
    }
    let skeleton = skeleton && !build_hidden;
    let last_changed = state
        .loaded
        .as_ref()
        .filter(|_| matches!(form.date_line, DateLine::Shown))
        .and_then(|record| record.updated_at.as_deref())
        .and_then(|iso| crate::format::date_time(catalog.locale().tag(), iso))
        .map(|date| catalog.t_with(text_key!("form.last_changed"), &[("date", &date)]));
    let try_again = matches!(
        &state.failure,
        Some(Failure::Api { step: Step::Save, error }) if error.kind.is_transient()
    );
    let submit_label = match (phase, operation) {
        (Phase::Saving, _) => catalog.t(text_key!("action.saving")),
        _ if try_again => catalog.t(text_key!("action.try_again")),
        (_, Operation::Create) => catalog.t(text_key!("action.create")),
        (_, Operation::Update) => catalog.t(text_key!("action.update")),
    };
    // A field of the other operation's form too: what a create form held and an update
    // cannot write is named by its label (`Failure::Differs`).
    let other = state.contract().fields(match operation {
        Operation::Create => Operation::Update,
        Operation::Update => Operation::Create,
    });
    let label_of = |name: &str| {
        fields
            .iter()
            .chain(other)
            .find(|f| f.name == name)
            .map_or_else(|| name.to_string(), |f| catalog.t(f.label))
    };
    let conflict = form.conflict_view(state, &label_of);
    let alert = state
        .failure
        .as_ref()
        .map(|f| alert_text(catalog, props.provider, f, &shown, &label_of));
    let can_retry_load = matches!(
        &state.failure,
        Some(Failure::Api { step: Step::Load, error }) if error.kind.is_transient() || error.kind == ErrorKind::BadReply
    );
    // Any failure to obtain a token may clear on a second try (a sign-in, a network blip).
    let can_retry_credential = matches!(&state.failure, Some(Failure::TokenProvider));
    // A form that could not start (no record, no credential) and holds nothing typed shows what
    // happened and the way forward, not an empty form nobody can fill in.
    let blocked = state.failure.as_ref().is_some_and(Failure::is_fatal)
        && state.loaded.is_none()
        && !state.is_dirty();
    // Saved, and the form can no longer write (a Commerce Layer guest's create).
    let saved_read_only = read_only && matches!(phase, Phase::Saved);
    let notice = match (phase, &state.notice) {
        (Phase::Loading, _) => Some(catalog.t(text_key!("status.loading"))),
        (_, Some(Notice::Created)) => Some(created_text(catalog, state)),
        (_, Some(Notice::ReadOnly)) if state.may_write_other_operation() => {
            Some(catalog.t(match operation {
                Operation::Create => text_key!("status.cannot_create"),
                Operation::Update => text_key!("status.cannot_update"),
            }))
        }
        (_, Some(notice)) => Some(notice_text(catalog, props.provider, notice, &label_of)),
        _ => None,
    };
    let title_id = providers::substring::concat(&[&form.id_prefix, "-title"]);
    // Until the form's language has arrived there is no title, rather than one in English.
    let title = (!form.strings_pending).then(|| title_text(catalog, state));
    let sections = by_section(fields);
    let anonymization_status = form.anonymization_status();
    // In the order the form shows them.
    let mut invalid = Vec::new();
    for spec in sections.iter().flat_map(|(_, specs)| specs) {
        if let Some(message) = state.field_errors.get(spec.name) {
            invalid.push(InvalidField {
                id: field_id(&form.id_prefix, spec.name),
                label: catalog.t(spec.label),
                message: field_text(catalog, message),
            });
        }
    }
    // An email another customer has: the summary links to the way forward, which sits by the
    // submit button, far below it.
    let use_existing_id = providers::substring::concat(&[&form.id_prefix, "-use-existing"]);
    if duplicate {
        invalid.push(InvalidField {
            id: use_existing_id.clone(),
            label: catalog.t(text_key!("action.use_existing")),
            message: String::new(),
        });
    }
    let failed_note = (!blocked)
        .then(|| alert.as_ref().map(|a| a.summary.clone()))
        .flatten();
    let button = |part: &'static str, on: On, label: &str| {
        el("button")
            .attr("type", "button")
            .attr("part", part)
            .on(Event::Click, on)
            .text(catalog.t(label))
    };
    // A blocked form shows them alone, any other beside its submit button.
    let retry_load =
        can_retry_load.then(|| button("retry", retry_load, text_key!("action.retry_load")));
    let retry_credential = can_retry_credential
        .then(|| button("retry", retry_credential, text_key!("action.try_again")));
    let summary = summary(SummaryProps {
        alert,
        invalid,
        summary_ref: form.summary_ref.clone(),
    });

    let mut form_element = el("form")
        .node_ref(&form.form_ref)
        .attr("class", "cf-form")
        .attr("part", "form")
        .attr("novalidate", "")
        .attr_opt("aria-labelledby", title.is_some().then(|| title_id.clone()))
        .attr_opt("aria-busy", busy.then_some("true"))
        .on(Event::Submit, onsubmit)
        .child_opt(title.map(|title| {
            el("h2")
                .attr("id", title_id)
                .attr("class", "cf-title")
                .attr("part", "title")
                .text(title)
        }))
        .child(summary);
    form_element = if blocked {
        form_element.child(
            el("div")
                .attr("class", "cf-actions")
                .child_opt(retry_load)
                .child_opt(retry_credential),
        )
    } else {
        // A form nobody can save says why at its top, where the eye starts (also beside its
        // button); "fields marked * are required" would not apply.
        let read_only_reason = notice
            .clone()
            .filter(|_| state.notice == Some(Notice::ReadOnly));
        let required_note = read_only_reason
            .or_else(|| {
                (fields.iter().any(|f| f.required) && !form.strings_pending)
                    .then(|| catalog.t(text_key!("form.required_note")))
            })
            .map(|note| {
                el("p")
                    .attr("class", "cf-note")
                    .attr("part", "note")
                    .text(note)
            });
        let meta = last_changed.map(|changed| {
            el("p")
                .attr("class", "cf-meta")
                .attr("part", "meta")
                .text(changed)
        });
        let body: Vec<Html> = if skeleton {
            vec![el("div")
                .key("skeleton")
                .attr("class", "cf-skeleton")
                .attr("part", "skeleton")
                .attr("aria-hidden", "true")
                .children(
                    fields
                        .iter()
                        .take(4)
                        .map(|_| el("div").child(el("span")).child(el("span")).into()),
                )
                .into()]
        } else {
            sections
                .into_iter()
                .map(|(section_of, specs)| {
                    section(SectionProps {
                        section: section_of,
                        id_prefix: form.id_prefix.clone(),
                        legend: catalog.t(section_of.legend()),
                        hint: section_of.hint().map(|h| catalog.t(h)),
                        fields: section_fields(
                            form,
                            ctx,
                            state,
                            (section_of, &specs),
                            anonymization_status.as_deref(),
                            read_only,
                        ),
                    })
                })
                .collect()
        };
        // A conflict's choices come right under the summary that announces it, where the eye
        // and the focus are, not past every field.
        form_element
            .child_opt(conflict)
            .child_opt(required_note)
            .child_opt(meta)
            .children(body)
            .child_opt(form.anonymization_confirm())
            .child(
                el("div")
                    // Keyed: what comes and goes above it (a notice, the conflict) must not
                    // make it, and the focused button in it, drawn anew.
                    .key("actions")
                    .attr("class", "cf-actions")
                    .child(
                        el("button")
                            .attr("type", "submit")
                            .attr("part", "submit")
                            // Not `disabled` while busy, nor once a save has left the form
                            // unable to write (a Commerce Layer guest's create): that would take
                            // the focus from it (to the page). A submit then changes nothing
                            // (`FormState`).
                            .flag("disabled", read_only && !busy && !saved_read_only)
                            .attr_opt("aria-disabled", (busy || saved_read_only).then_some("true"))
                            .text(submit_label),
                    )
                    .child_opt(retry_load)
                    .child_opt(retry_credential)
                    .child_opt(duplicate.then(|| {
                        button(
                            "use-existing",
                            use_existing,
                            text_key!("action.use_existing"),
                        )
                        .attr("id", use_existing_id)
                    }))
                    .child(beside_submit(notice, failed_note)),
            )
    };
    root(phase.as_str())
        .flag("hidden", build_hidden)
        .attr("data-provider", props.provider.as_str())
        .attr("data-theme", props.theme.resolved())
        .attr("part", "root")
        .attr("lang", catalog.locale().tag())
        .child(form_element)
        .into()
}

/// A Count update cannot change contacts: the record's are listed read-only under Contact.
fn contacts_view(
    form: &FormApp,
    provider: ProviderId,
    section_of: Section,
    state: &FormState,
) -> Option<Html> {
    let record = state.loaded.as_ref()?;
    (provider == ProviderId::Count
        && section_of == Section::Contact
        && state.operation() == Operation::Update)
        .then(|| {
            super::contact_rows::contacts_read_only(&form.catalog, &form.id_prefix, &record.raw)
        })
}

/// A section's fields, each with its editor, and what a section adds around them (the
/// anonymization status in the danger zone, Count's read-only contacts under Contact).
fn section_fields(
    form: &FormApp,
    ctx: &Context,
    state: &FormState,
    (section_of, specs): (Section, &[&FieldSpec]),
    anonymization_status: Option<&str>,
    read_only: bool,
) -> Vec<Html> {
    let mut children: Vec<Html> = Vec::new();
    if section_of == Section::DangerZone {
        children.push(form.anonymization_status_view());
    }
    for spec in specs {
        if anonymization::shows(spec.name, anonymization_status) {
            field_view(&mut children, form, ctx, state, spec, read_only);
        }
    }
    if let Some(contacts) = contacts_view(form, ctx.props().provider, section_of, state) {
        children.push(contacts);
    }
    children
}

/// One field and every editor hook it may have: choices (a provider's list or the countries),
/// tags, rows, the lock, the country tweaks, and shipping following billing (with the box that
/// says so before it), added to `children`.
fn field_view(
    children: &mut Vec<Html>,
    form: &FormApp,
    ctx: &Context,
    state: &FormState,
    spec: &FieldSpec,
    read_only: bool,
) {
    let catalog = &form.catalog;
    let name = spec.name;
    let id = field_id(&form.id_prefix, name);
    let value = state.values.get(name);
    let error = state.field_errors.get(name);
    let mut props = FieldProps {
        spec: *spec,
        id_prefix: form.id_prefix.clone(),
        label: catalog.t(spec.label).into(),
        hint: spec.hint.map(|h| AttrValue::from(catalog.t(h))),
        error: error.map(|m| AttrValue::from(field_text(catalog, m))),
        value: AttrValue::from(value.to_string()),
        choice_labels: choice_labels(catalog, spec),
        read_only,
        choices: form
            .choices_for(spec, value)
            .or_else(|| form.country_choices(ctx, spec, value)),
        locked: (!state.may_write(name)).then(|| catalog.t(text_key!("field.locked")).into()),
        tags: (spec.kind == FieldKind::Tags).then(|| form.tags_editor()),
        editor: rows::editor(
            catalog,
            spec,
            value,
            error.is_some(),
            read_only || !state.may_write(name),
            rows::EditTarget {
                id: &id,
                written: &form.rows_text,
            },
        ),
    };
    form.adjust_country(ctx, &mut props);
    if name == FIRST_SHIPPING_FIELD && ctx.props().provider == ProviderId::Count {
        children.push(form.same_address_box(props.read_only));
    }
    props.read_only |= form.follows_billing(name);
    children.push(field(props));
}

/// The words for a choice's values: `choice.{field}.{value}` when the strings have it, else the
/// value itself.
fn choice_labels(catalog: &Catalog, spec: &FieldSpec) -> Vec<AttrValue> {
    let FieldKind::Choice(choices) = spec.kind else {
        return Vec::new();
    };
    choices
        .iter()
        .map(|value| {
            let key = providers::substring::concat(&["choice.", spec.name, ".", value]);
            let text = catalog.t(&key);
            AttrValue::from(if text == key {
                (*value).to_string()
            } else {
                text
            })
        })
        .collect()
}

/// "New Prolifi customer", or "Edit customer · Jane Doe" once there is a record to name.
fn title_text(catalog: &Catalog, state: &FormState) -> String {
    let provider = [("provider", state.provider().display_name())];
    match state.operation() {
        Operation::Create => catalog.t_with(text_key!("form.title.create"), &provider),
        Operation::Update => state
            .loaded
            .as_ref()
            .and_then(|record| customer_title(state.contract(), &record.values))
            .map_or_else(
                || catalog.t_with(text_key!("form.title.update"), &provider),
                |name| catalog.t_with(text_key!("form.title.update_named"), &[("name", &name)]),
            ),
    }
}

/// "Customer created. Its ID is …", and why the form now only shows it when the credential
/// cannot edit what it created (a Commerce Layer guest).
fn created_text(catalog: &Catalog, state: &FormState) -> String {
    let mut text = match &state.loaded {
        Some(record) if !record.id.is_empty() => {
            catalog.t_with(text_key!("status.created_id"), &[("id", &record.id)])
        }
        _ => catalog.t(text_key!("status.created")),
    };
    if !state.can_write() {
        text.push(' ');
        text.push_str(&catalog.t(text_key!("status.created_cannot_edit")));
    }
    text
}
