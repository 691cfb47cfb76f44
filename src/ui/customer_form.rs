//! The `CustomerForm` component: renders the state, dispatches messages, runs the effects.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use providers::contract::interpret_reply;
use providers::{
    ApiError, CredentialUse, ErrorKind, FieldError, FormValues, HttpReply, HttpRequest, Json,
    Operation, ProviderId, Record, RefusalReason,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::{AbortController, HtmlElement};
use yew::prelude::*;

use crate::browser::{partnero_partner_cookie, DraftStore, Timer, UnloadGuard};
use crate::credential_wait::wait_for_credential;
use crate::form::retry::delay_ms;
use crate::form::{Effect, Event as FormEvent, Failure, FormState, Msg, Phase, Saved, Step};
use crate::form::{Resolution, Side};
use crate::i18n::{Catalog, Locale};
use crate::messages::{alert_text, failure_kind, field_text, notice_text};
use crate::random::uuid_v4;
use crate::token::{TokenCache, TokenError, TokenSource};
use crate::transport::{FetchTransport, Transport};
use crate::ui::conflict::{conflict_choice, ConflictChoiceProps, ConflictTexts, ConflictingField};
use crate::ui::field::{field, FieldProps};

/// A transport shared by reference; compared by identity.
#[derive(Clone)]
pub struct TransportRef(pub Rc<dyn Transport>);

impl PartialEq for TransportRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// `customer-saved`: which operation succeeded and the customer as the provider returned it.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedCustomer {
    pub operation: Operation,
    pub customer: Json,
}

/// `customer-error`: everything a host needs to react, nothing secret.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorReport {
    pub status: Option<u16>,
    /// `validation`, `network`, `credential_refused`… (see `providers::ErrorKind::as_str`).
    pub kind: &'static str,
    /// What the form shows, in the form's language.
    pub message: String,
    /// The provider's own message, when it sent one.
    pub provider_message: Option<String>,
    pub field_errors: Vec<FieldError>,
}

#[derive(Properties, Clone, PartialEq)]
pub struct CustomerFormProps {
    pub provider: ProviderId,
    pub mode: Operation,
    /// The customer to edit (update mode): the provider's id or an alias it accepts.
    #[prop_or_default]
    pub customer_id: AttrValue,
    /// Where requests go; the provider's public API base when absent.
    #[prop_or_default]
    pub api_base: Option<AttrValue>,
    /// BCP 47 language tag.
    #[prop_or_default]
    pub locale: AttrValue,
    /// Overrides for any text, by key.
    #[prop_or_default]
    pub strings: Rc<Vec<(String, String)>>,
    #[prop_or_default]
    pub token: TokenSource,
    #[prop_or_default]
    pub on_loaded: Callback<Json>,
    #[prop_or_default]
    pub on_saved: Callback<SavedCustomer>,
    #[prop_or_default]
    pub on_error: Callback<ErrorReport>,
    /// `customer-dirty-change`: whether the form now holds unsaved changes.
    #[prop_or_default]
    pub on_dirty_change: Callback<bool>,
    /// `customer-ready`: the form can take focus.
    #[prop_or_default]
    pub on_ready: Callback<()>,
    #[prop_or_default]
    pub theme: Theme,
    /// How long one request may take (ms) before the form gives up on it.
    #[prop_or_default]
    pub timeout_ms: Option<u32>,
    /// Ask the browser to confirm leaving the page while there are unsaved changes.
    #[prop_or_default]
    pub warn_unsaved: bool,
    /// Keep unsaved values in `sessionStorage` (this tab only) and restore them after a reload.
    #[prop_or_default]
    pub keep_draft: bool,
    /// Replaces `fetch` (tests).
    #[prop_or_default]
    pub transport: Option<TransportRef>,
}

pub enum Message {
    /// A state message tagged with the generation it belongs to; stale ones are dropped.
    Form(u32, Msg),
    /// Show the field-by-field choices of a conflict.
    ShowMerge,
}

pub struct CustomerForm {
    state: Option<FormState>,
    catalog: Catalog,
    tokens: Rc<TokenCache>,
    transport: Rc<dyn Transport>,
    id_prefix: AttrValue,
    /// Bumped whenever the form is re-initialised, so replies for an old customer are ignored.
    generation: u32,
    in_flight: Rc<RefCell<Vec<AbortController>>>,
    focus_first_error: bool,
    form_ref: NodeRef,
    /// The form's outermost element, whose shadow root or document gets the stylesheet.
    root_ref: NodeRef,
    /// Running while the form has no credential yet (see `credential_wait`).
    credential_wait: Option<Timer>,
    /// The wait before an automatic retry; dropping it cancels the retry.
    retry_timer: Option<Timer>,
    dirty: bool,
    unload_guard: UnloadGuard,
    draft: Option<DraftStore>,
    /// A draft is restored once, when the form first becomes editable.
    draft_checked: bool,
    merging: bool,
    /// `customer-ready` goes out once per customer, when the form first takes input.
    ready_sent: bool,
}

fn transport_for(props: &CustomerFormProps) -> Rc<dyn Transport> {
    match &props.transport {
        Some(t) => t.0.clone(),
        None => Rc::new(FetchTransport {
            timeout_ms: props
                .timeout_ms
                .map_or(crate::transport::DEFAULT_TIMEOUT_MS, |ms| {
                    ms.clamp(100, 600_000) as i32
                }),
        }),
    }
}

thread_local! {
    static INSTANCES: Cell<u32> = const { Cell::new(0) };
}

fn catalog_for(props: &CustomerFormProps) -> Catalog {
    Catalog::new(Locale::negotiate(&props.locale), (*props.strings).clone())
        .with_numbers(crate::format::integer)
}

/// Light or dark colours (`auto` follows the visitor's system setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    Auto,
}

impl Theme {
    pub fn parse(name: &str) -> Theme {
        match name.trim().to_ascii_lowercase().as_str() {
            "dark" => Theme::Dark,
            "auto" => Theme::Auto,
            _ => Theme::Light,
        }
    }

    fn resolved(self) -> &'static str {
        let prefers_dark = || {
            web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|query| query.matches())
        };
        match self {
            Theme::Dark => "dark",
            Theme::Auto if prefers_dark() => "dark",
            _ => "light",
        }
    }
}

impl CustomerForm {
    fn init(&mut self, ctx: &Context<Self>) {
        self.abort_all();
        self.retry_timer = None;
        self.merging = false;
        self.generation = self.generation.wrapping_add(1);
        let props = ctx.props();
        self.draft = props.keep_draft.then(|| {
            DraftStore::new(
                props.provider.as_str(),
                props.mode.as_str(),
                &props.customer_id,
            )
        });
        self.draft_checked = false;
        self.ready_sent = false;
        self.state = FormState::new(
            props.provider,
            props.mode,
            &props.customer_id,
            props.api_base.as_deref(),
        );
        if let (Some(state), ProviderId::Partnero, Operation::Create) =
            (self.state.as_mut(), props.provider, props.mode)
        {
            if let Some(partner) = partnero_partner_cookie() {
                state.update(Msg::Seed(FormValues::new().with("partner.key", &partner)));
            }
        }
        self.obtain_credential(ctx);
    }

    fn abort_all(&self) {
        for controller in self.in_flight.borrow_mut().drain(..) {
            controller.abort();
        }
    }

    /// Tells the token provider what the form is about to do, for scoping the next token.
    fn set_token_context(&self) {
        if let Some(state) = &self.state {
            self.tokens.set_context(
                state.provider().as_str(),
                state.operation().as_str(),
                state.customer_id(),
            );
        }
    }

    fn obtain_credential(&mut self, ctx: &Context<Self>) {
        self.set_token_context();
        let link = ctx.link().clone();
        let generation = self.generation;
        self.credential_wait = None;
        if ctx.props().token == TokenSource::None && self.state.is_some() {
            self.credential_wait = wait_for_credential(move || {
                let missing = CredentialUse::Refused(RefusalReason::Missing);
                link.send_message(Message::Form(generation, Msg::Credential(Some(missing))));
            });
            return;
        }
        let Some(state) = &self.state else { return };
        let contract = state.contract();
        let base = state.base().to_string();
        let tokens = self.tokens.clone();
        spawn_local(async move {
            let credential = match tokens.token().await {
                Ok(token) => Some(contract.classify(&token, &base)),
                Err(TokenError::Missing) => Some(CredentialUse::Refused(RefusalReason::Missing)),
                Err(TokenError::ProviderFailed) => None,
            };
            link.send_message(Message::Form(generation, Msg::Credential(credential)));
        });
    }

    fn run(&mut self, ctx: &Context<Self>, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Load(request) => self.send(ctx, request, |result| {
                    Msg::Loaded(result.map(|(_, record)| record))
                }),
                Effect::Lookup(request) => self.send(ctx, request, |result| {
                    Msg::LookedUp(match result {
                        Ok((_, record)) => Ok(Some(record)),
                        // The lookup's 404 is the good news: nobody has this email yet.
                        Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
                        Err(error) => Err(error),
                    })
                }),
                Effect::Save { request, .. } => self.send(ctx, request, |result| {
                    Msg::Saved(result.map(|(reply, record)| Saved {
                        record,
                        replayed: reply.header("idempotent-replayed") == Some("true"),
                    }))
                }),
                Effect::Check(request) => self.send(ctx, request, |result| {
                    Msg::Checked(result.map(|(_, record)| record))
                }),
                Effect::Retry {
                    attempt,
                    retry_after_secs,
                } => {
                    let link = ctx.link().clone();
                    let generation = self.generation;
                    let wait = delay_ms(attempt, retry_after_secs, js_sys::Math::random());
                    self.retry_timer = Timer::start(wait, move || {
                        link.send_message(Message::Form(generation, Msg::RetryNow));
                    });
                }
                Effect::RefreshToken => {
                    self.set_token_context();
                    let tokens = self.tokens.clone();
                    spawn_local(async move {
                        // The load that follows awaits this same refresh.
                        let _ = tokens.refresh().await;
                    });
                }
                Effect::Emit(event) => self.emit(ctx, event),
            }
        }
    }

    /// Sends `request` with the current token (refreshing once on a 401 when the host can give a
    /// new one), reads the reply with the provider's contract, and reports back as `wrap(..)`.
    fn send(
        &self,
        ctx: &Context<Self>,
        request: HttpRequest,
        wrap: fn(Result<(HttpReply, Record), ApiError>) -> Msg,
    ) {
        let Some(state) = &self.state else { return };
        let contract = state.contract();
        let base = state.base().to_string();
        let tokens = self.tokens.clone();
        let transport = self.transport.clone();
        let link = ctx.link().clone();
        let generation = self.generation;
        let in_flight = self.in_flight.clone();
        spawn_local(async move {
            // Every token the host hands over is checked before use, not only the first: a
            // refresh could return a secret key just as well.
            let refused = |token: &str| match contract.classify(token, &base) {
                refusal @ CredentialUse::Refused(_) => Some(refusal),
                CredentialUse::Allowed(_) => None,
            };
            let outcome = async {
                let mut token = tokens.token().await.map_err(token_failure)?;
                if let Some(refusal) = refused(&token) {
                    return Err(Err(refusal));
                }
                let mut refreshed = false;
                loop {
                    let Ok(controller) = AbortController::new() else {
                        return Err(Ok(ApiError::new(None, ErrorKind::Network, "")));
                    };
                    in_flight.borrow_mut().push(controller.clone());
                    let reply = transport
                        .send(request.clone(), Some(token.clone()), controller.clone())
                        .await;
                    in_flight
                        .borrow_mut()
                        .retain(|c| !js_sys::Object::is(c.as_ref(), controller.as_ref()));
                    let reply = reply.map_err(Ok)?;
                    if reply.status == 401 && tokens.can_refresh() && !refreshed {
                        refreshed = true;
                        token = tokens.refresh().await.map_err(token_failure)?;
                        if let Some(refusal) = refused(&token) {
                            return Err(Err(refusal));
                        }
                        continue;
                    }
                    let record = interpret_reply(contract, &reply).map_err(Ok)?;
                    return Ok((reply, record));
                }
            }
            .await;
            let msg = match outcome {
                Ok(done) => wrap(Ok(done)),
                Err(Ok(error)) => wrap(Err(error)),
                Err(Err(refusal)) => Msg::Credential(Some(refusal)),
            };
            link.send_message(Message::Form(generation, msg));
        });
    }

    fn emit(&self, ctx: &Context<Self>, event: FormEvent) {
        let props = ctx.props();
        match event {
            FormEvent::Loaded(customer) => props.on_loaded.emit(customer),
            FormEvent::Saved {
                operation,
                customer,
            } => {
                if let Some(draft) = &self.draft {
                    draft.clear();
                }
                props.on_saved.emit(SavedCustomer {
                    operation,
                    customer,
                })
            }
            FormEvent::Error(failure) => {
                let (kind, status) = failure_kind(&failure);
                let text = alert_text(
                    &self.catalog,
                    props.provider,
                    &failure,
                    &[],
                    &|name: &str| name.to_string(),
                );
                let (provider_message, field_errors) = match &failure {
                    Failure::Api { error, .. } => (
                        (!error.message.is_empty()).then(|| error.message.clone()),
                        error.field_errors.clone(),
                    ),
                    _ => (None, Vec::new()),
                };
                let field_errors = match (&failure, &self.state) {
                    (Failure::Invalid, Some(state)) => state
                        .field_errors
                        .iter()
                        .map(|(field, message)| {
                            FieldError::new(field.clone(), field_text(&self.catalog, message))
                        })
                        .collect(),
                    _ => field_errors,
                };
                props.on_error.emit(ErrorReport {
                    status,
                    kind,
                    message: text.summary,
                    provider_message,
                    field_errors,
                });
            }
        }
    }
}

impl CustomerForm {
    /// After every change of state: the dirty flag and its event, the unload guard, the draft.
    fn follow_up(&mut self, ctx: &Context<Self>, edited: bool) {
        let Some(state) = &self.state else { return };
        let props = ctx.props();
        if !self.draft_checked && state.editable() && state.can_write() {
            self.draft_checked = true;
            if let Some(values) = self.draft.as_ref().and_then(DraftStore::load) {
                let effects = self
                    .state
                    .as_mut()
                    .map(|s| s.update(Msg::Restore(values)))
                    .unwrap_or_default();
                self.run(ctx, effects);
            }
        }
        let Some(state) = &self.state else { return };
        if !self.ready_sent && matches!(state.phase, Phase::Ready | Phase::ReadOnly) {
            self.ready_sent = true;
            props.on_ready.emit(());
        }
        let dirty = state.is_dirty();
        if edited {
            if let Some(draft) = &self.draft {
                if dirty {
                    draft.save(&state.draft());
                } else {
                    draft.clear();
                }
            }
        }
        if dirty != self.dirty {
            self.dirty = dirty;
            props.on_dirty_change.emit(dirty);
        }
        self.unload_guard.set(props.warn_unsaved && dirty);
    }
}

/// A failure to get a token, as a request's error (`Ok`: a reply-like failure; the form's
/// credential refusals travel as `Err`).
fn token_failure(error: TokenError) -> Result<ApiError, CredentialUse> {
    let kind = match error {
        TokenError::Missing => ErrorKind::CredentialRefused,
        TokenError::ProviderFailed => ErrorKind::Authentication,
    };
    Ok(ApiError::new(None, kind, ""))
}

impl Component for CustomerForm {
    type Message = Message;
    type Properties = CustomerFormProps;

    fn create(ctx: &Context<Self>) -> Self {
        let props = ctx.props();
        let instance = INSTANCES.with(|n| {
            n.set(n.get().wrapping_add(1));
            n.get()
        });
        let mut form = CustomerForm {
            state: None,
            catalog: catalog_for(props),
            tokens: Rc::new(TokenCache::new(props.token.clone())),
            transport: transport_for(props),
            id_prefix: AttrValue::from(format!("cf{instance}")),
            generation: 0,
            in_flight: Rc::default(),
            focus_first_error: false,
            form_ref: NodeRef::default(),
            root_ref: NodeRef::default(),
            credential_wait: None,
            retry_timer: None,
            dirty: false,
            unload_guard: UnloadGuard::default(),
            draft: None,
            draft_checked: false,
            merging: false,
            ready_sent: false,
        };
        form.init(ctx);
        form
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        let (generation, msg) = match msg {
            Message::Form(generation, msg) => (generation, msg),
            Message::ShowMerge => {
                self.merging = true;
                return true;
            }
        };
        if generation != self.generation {
            return false;
        }
        let Some(state) = self.state.as_mut() else {
            return false;
        };
        let submitting = matches!(msg, Msg::Submit { .. } | Msg::Saved(Err(_)));
        let edited = matches!(msg, Msg::Edit { .. });
        if matches!(msg, Msg::Resolve(_)) {
            self.merging = false;
        }
        let effects = state.update(msg);
        if submitting && !state.field_errors.is_empty() {
            self.focus_first_error = true;
        }
        self.run(ctx, effects);
        self.follow_up(ctx, edited);
        true
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        let props = ctx.props();
        if props.locale != old.locale || props.strings != old.strings {
            self.catalog = catalog_for(props);
        }
        if props.transport != old.transport || props.timeout_ms != old.timeout_ms {
            self.transport = transport_for(props);
        }
        let same_record = props.provider == old.provider
            && props.mode == old.mode
            && props.customer_id == old.customer_id
            && props.api_base == old.api_base
            && props.keep_draft == old.keep_draft;
        // A token scoped to one record is no use for another: a new record starts a new cache.
        if props.token != old.token || !same_record {
            self.tokens = Rc::new(TokenCache::new(props.token.clone()));
            if same_record {
                // Keep what was typed: only re-check what the new credential allows.
                self.obtain_credential(ctx);
            }
        }
        if !same_record {
            self.init(ctx);
        }
        self.follow_up(ctx, false);
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        if let Some(root) = self.root_ref.get() {
            crate::style::attach(&root);
        }
        if std::mem::take(&mut self.focus_first_error) {
            let first_invalid = self
                .form_ref
                .cast::<web_sys::Element>()
                .and_then(|form| form.query_selector("[aria-invalid=true]").ok().flatten())
                .and_then(|el| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(el).ok());
            if let Some(input) = first_invalid {
                let _ = input.focus();
            }
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        self.abort_all();
        self.retry_timer = None;
        self.credential_wait = None;
        self.unload_guard.set(false);
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let props = ctx.props();
        let catalog = &self.catalog;
        let Some(state) = &self.state else {
            let text = catalog.t_with(
                "alert.api_base_required",
                &[("provider", props.provider.display_name())],
            );
            return html! {
                <div ref={self.root_ref.clone()} class="cf" data-state="error" data-theme={props.theme.resolved()} part="root" lang={catalog.locale().tag()}>
                    <div class="cf-alert" role="alert" part="alert"><p>{text}</p></div>
                </div>
            };
        };
        let generation = self.generation;
        let operation = state.operation();
        let fields = state.contract().fields(operation);
        let shown: Vec<&str> = fields.iter().map(|f| f.name).collect();
        let read_only = !state.editable() || !state.can_write();
        let on_edit = ctx
            .link()
            .callback(move |(field, text): (&'static str, String)| {
                Message::Form(
                    generation,
                    Msg::Edit {
                        field: field.to_string(),
                        text,
                    },
                )
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
        let busy = matches!(state.phase, Phase::Loading | Phase::Saving);
        // Until the first record arrives there is nothing to show but the shape of the form.
        let skeleton = state.phase == Phase::Loading
            && state.loaded.is_none()
            && (operation == Operation::Update || self.credential_wait.is_some());
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
        let submit_label = match (state.phase, operation) {
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
        let conflict = state.conflict.as_ref().map(|conflict| {
            let resolve = |resolution: Resolution| {
                ctx.link().callback(move |_: MouseEvent| {
                    Message::Form(generation, Msg::Resolve(resolution))
                })
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
                    chosen: conflict
                        .choices
                        .iter()
                        .find(|(f, _)| f == name)
                        .map_or(Side::Mine, |(_, side)| *side),
                })
                .collect::<Vec<_>>();
            let texts = ConflictTexts {
                keep_mine: catalog.t("conflict.keep_mine").into(),
                take_theirs: catalog.t("conflict.take_theirs").into(),
                merge: catalog.t("conflict.merge").into(),
                apply_merge: catalog.t("conflict.apply_merge").into(),
                mine: catalog
                    .t_with("conflict.option", &[("side", &catalog.t("conflict.mine"))])
                    .into(),
                theirs: catalog
                    .t_with(
                        "conflict.option",
                        &[("side", &catalog.t("conflict.theirs"))],
                    )
                    .into(),
                empty: catalog.t("conflict.empty").into(),
            };
            conflict_choice(ConflictChoiceProps {
                fields,
                merging: self.merging,
                texts,
                id_prefix: self.id_prefix.clone(),
                on_keep_mine: resolve(Resolution::KeepMine),
                on_take_theirs: resolve(Resolution::TakeTheirs),
                on_show_merge: ctx.link().callback(|_: MouseEvent| Message::ShowMerge),
                on_choose: ctx
                    .link()
                    .callback(move |(field, side): (&'static str, Side)| {
                        Message::Form(
                            generation,
                            Msg::Choose {
                                field: field.to_string(),
                                side,
                            },
                        )
                    }),
                on_apply_merge: resolve(Resolution::Merge),
            })
        });
        let alert = state
            .failure
            .as_ref()
            .map(|f| alert_text(catalog, props.provider, f, &shown, &label_of));
        let can_retry_load = matches!(
            &state.failure,
            Some(Failure::Api { step: Step::Load, error }) if error.kind.is_transient() || error.kind == ErrorKind::BadReply
        );

        html! {
            <div ref={self.root_ref.clone()} class="cf" data-state={state.phase.as_str()} data-provider={props.provider.as_str()}
                data-theme={props.theme.resolved()} part="root" lang={catalog.locale().tag()}>
                <form ref={self.form_ref.clone()} class="cf-form" part="form" novalidate=true
                    aria-busy={busy.then_some("true")} {onsubmit}>
                    if fields.iter().any(|f| f.required) {
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
                        id_prefix: self.id_prefix.clone(),
                        label: catalog.t(spec.label).into(),
                        hint: spec.hint.map(|h| AttrValue::from(catalog.t(h))),
                        error: state.field_errors.get(spec.name).map(|m| AttrValue::from(field_text(catalog, m))),
                        value: AttrValue::from(state.values.get(spec.name).to_string()),
                        read_only,
                        on_edit: on_edit.clone(),
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
                        if state.phase == Phase::Loading {
                            <p>{catalog.t("status.loading")}</p>
                        } else if let Some(notice) = &state.notice {
                            <p>{notice_text(catalog, props.provider, notice, &label_of)}</p>
                        }
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
}
