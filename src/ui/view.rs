//! The form's markup, drawn from its state: the fields, the alert and status regions, the
//! conflict choice and the buttons.

use providers::{ErrorKind, Operation};
use yew::prelude::*;

use super::conflict::{conflict_choice, ConflictChoiceProps, ConflictTexts, ConflictingField};
use super::customer_form::{CustomerForm, Message};
use super::field::{field, FieldProps};
use crate::form::{Failure, FormState, Msg, Phase, Resolution, Side, Step};
use crate::messages::{alert_text, field_text, notice_text};
use crate::random::uuid_v4;

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

/// Puts the focus on the first field with an error (after a failed submit).
pub fn focus_first_invalid(form: &NodeRef) {
    let first_invalid = form
        .cast::<web_sys::Element>()
        .and_then(|form| form.query_selector("[aria-invalid=true]").ok().flatten())
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
    if let Some(input) = first_invalid {
        let _ = input.focus();
    }
}

pub fn render(form: &CustomerForm, ctx: &Context<CustomerForm>) -> Html {
    let props = ctx.props();
    let catalog = &form.catalog;
    let Some(state) = &form.state else {
        let text = catalog.t_with(
            "alert.api_base_required",
            &[("provider", props.provider.display_name())],
        );
        return html! {
            <div ref={form.root_ref.clone()} class="cf" data-state="error" data-theme={props.theme.resolved()} part="root" lang={catalog.locale().tag()}>
                                <div class="cf-alert" role="alert" part="alert"><p>{text}</p></div>
            </div>
        };
    };
    let generation = form.generation;
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
    let on_edit = ctx
        .link()
        .callback(move |(field, text): (&'static str, String)| {
            Message::Form(generation, Msg::Edit { field, text })
        });
    let onsubmit = ctx.link().callback(move |e: SubmitEvent| {
        e.prevent_default();
        Message::Form(
            generation,
            Msg::Submit {
                fresh_key: uuid_v4(),
            },
        )
    });
    let retry_load = ctx
        .link()
        .callback(move |_: MouseEvent| Message::Form(generation, Msg::RetryLoad));
    let use_existing = ctx
        .link()
        .callback(move |_: MouseEvent| Message::Form(generation, Msg::UseExisting));
    let duplicate = matches!(state.failure, Some(Failure::Duplicate { .. }));
    let busy = matches!(phase, Phase::Loading | Phase::Saving);
    // Until the first record arrives there is nothing to show but the shape of the form.
    let skeleton = phase == Phase::Loading
        && (form.strings_pending
            || (state.loaded.is_none()
                && (operation == Operation::Update || form.credential_wait.is_some())));
    let last_changed = state
        .loaded
        .as_ref()
        .and_then(|record| record.updated_at.as_deref())
        .and_then(|iso| crate::format::date_time(catalog.locale().tag(), iso))
        .map(|date| catalog.t_with("form.last_changed", &[("date", &date)]));
    let try_again = matches!(
        &state.failure,
        Some(Failure::Api { step: Step::Save, error }) if error.kind.is_transient()
    );
    let submit_label = match (phase, operation) {
        (Phase::Saving, _) => catalog.t("action.saving"),
        _ if try_again => catalog.t("action.try_again"),
        (_, Operation::Create) => catalog.t("action.create"),
        (_, Operation::Update) => catalog.t("action.update"),
    };
    let label_of = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map_or_else(|| name.to_string(), |f| catalog.t(f.label))
    };
    let conflict = conflict_view(form, ctx, state, &label_of);
    let alert = state
        .failure
        .as_ref()
        .map(|f| alert_text(catalog, props.provider, f, &shown, &label_of));
    let can_retry_load = matches!(
        &state.failure,
        Some(Failure::Api { step: Step::Load, error }) if error.kind.is_transient() || error.kind == ErrorKind::BadReply
    );
    let notice = match (phase, &state.notice) {
        (Phase::Loading, _) => Some(catalog.t("status.loading")),
        (_, Some(notice)) => Some(notice_text(catalog, props.provider, notice, &label_of)),
        _ => None,
    };

    html! {
        <div ref={form.root_ref.clone()} class="cf" data-state={phase.as_str()} data-provider={props.provider.as_str()}
            data-theme={props.theme.resolved()} part="root" lang={catalog.locale().tag()}>
                        <form ref={form.form_ref.clone()} class="cf-form" part="form" novalidate=true
                aria-busy={busy.then_some("true")} {onsubmit}>
                if fields.iter().any(|f| f.required) && !form.strings_pending {
                    <p class="cf-note" part="note">{catalog.t("form.required_note")}</p>
                }
                if let Some(changed) = last_changed {
                    <p class="cf-meta" part="meta">{changed}</p>
                }
                if skeleton {
                    <div class="cf-skeleton" part="skeleton" aria-hidden="true">
                        { for fields.iter().take(4).map(|_| html! { <div><span></span><span></span></div> }) }
                    </div>
                }
                { for fields.iter().filter(|_| !skeleton).map(|spec| field(FieldProps {
                    spec: *spec,
                    id_prefix: form.id_prefix.clone(),
                    label: catalog.t(spec.label).into(),
                    hint: spec.hint.map(|h| AttrValue::from(catalog.t(h))),
                    error: state.field_errors.get(spec.name).map(|m| AttrValue::from(field_text(catalog, m))),
                    value: AttrValue::from(state.values.get(spec.name).to_string()),
                    read_only,
                    on_edit: on_edit.clone(),
                    choices: form.choices_for(ctx, spec, state.values.get(spec.name)),
                    locked: (!state.may_write(spec.name)).then(|| catalog.t("field.locked").into()),
                })) }
                <div class="cf-alert" role="alert" part="alert">
                    if let Some(alert) = alert {
                        <p class="cf-alert-summary">{alert.summary}</p>
                        if let Some(detail) = alert.detail { <p class="cf-alert-detail">{detail}</p> }
                        if let Some(other) = alert.other_fields { <p class="cf-alert-detail">{other}</p> }
                    }
                </div>
                if let Some(conflict) = conflict { {conflict} }
                <div class="cf-status" role="status" part="status">
                    if let Some(notice) = notice { <p>{notice}</p> }
                </div>
                <div class="cf-actions">
                    <button type="submit" part="submit" disabled={read_only || busy}>{submit_label}</button>
                    if can_retry_load {
                        <button type="button" part="retry" onclick={retry_load}>{catalog.t("action.retry_load")}</button>
                    }
                    if duplicate {
                        <button type="button" part="use-existing" onclick={use_existing}>{catalog.t("action.use_existing")}</button>
                    }
                </div>
            </form>
        </div>
    }
}

/// The choice between the person's version and the server's, while a conflict waits for it.
fn conflict_view(
    form: &CustomerForm,
    ctx: &Context<CustomerForm>,
    state: &FormState,
    label_of: &dyn Fn(&str) -> String,
) -> Option<Html> {
    let conflict = state.conflict()?;
    let catalog = &form.catalog;
    let generation = form.generation;
    let resolve = |resolution: Resolution| {
        ctx.link()
            .callback(move |_: MouseEvent| Message::Form(generation, Msg::Resolve(resolution)))
    };
    let fields = conflict
        .merged
        .conflicts
        .iter()
        .map(|name| ConflictingField {
            name,
            label: label_of(name).into(),
            mine: state.values.get(name).to_string().into(),
            theirs: conflict.theirs.values.get(name).to_string().into(),
            chosen: conflict.choice(name),
        })
        .collect::<Vec<_>>();
    let option = |side: &str| catalog.t_with("conflict.option", &[("side", &catalog.t(side))]);
    let texts = ConflictTexts {
        keep_mine: catalog.t("conflict.keep_mine").into(),
        take_theirs: catalog.t("conflict.take_theirs").into(),
        merge: catalog.t("conflict.merge").into(),
        apply_merge: catalog.t("conflict.apply_merge").into(),
        mine: option("conflict.mine").into(),
        theirs: option("conflict.theirs").into(),
        empty: catalog.t("conflict.empty").into(),
    };
    Some(conflict_choice(ConflictChoiceProps {
        fields,
        merging: form.merging,
        texts,
        id_prefix: form.id_prefix.clone(),
        on_keep_mine: resolve(Resolution::KeepMine),
        on_take_theirs: resolve(Resolution::TakeTheirs),
        on_show_merge: ctx.link().callback(|_: MouseEvent| Message::ShowMerge),
        on_choose: ctx
            .link()
            .callback(move |(field, side): (&'static str, Side)| {
                Message::Form(generation, Msg::Choose { field, side })
            }),
        on_apply_merge: resolve(Resolution::Merge),
    }))
}
