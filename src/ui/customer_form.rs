//! The form app (`FormApp`, a `dom::App`): it holds the form state, feeds it messages and
//! renders it. A message for the state is handled in `form_message.rs`, the effects it asks
//! for run in `effects.rs`, what the page hears in `host_events.rs`, and the markup is
//! `view.rs`; `component.rs` wraps it for Yew apps.

use std::cell::Cell;
use std::rc::Rc;

use dom::NodeRef;
use providers::Operation;
use wasm_bindgen::JsCast;
use yew::AttrValue;

use super::country_field::ShippingAddress;
use super::first_record::Quiet;
use super::focus_after::FocusAfter;
use super::host_events::HostEvents;
use super::shell::{Context, Html, Link, On, Signal};
use super::tags_field::{Combo, TagsChange};
use super::view;
use crate::browser::Timer;
use crate::client::abort::Abort;
use crate::client::tokens::{TokenCache, TokenPurpose};
use crate::client::Client;
use crate::form::{FormState, Msg, Phase};
use crate::i18n::{remote, Catalog, Locale};
use crate::reference::{ReferenceData, References};
use crate::token::{now_secs, HostTokens};
use crate::transport::{FetchTransport, Transport};
use providers::reference::ReferenceList;

pub use super::props::{CustomerFormProps, ErrorReport, SavedCustomer, Theme, TransportRef};

pub enum Message {
    /// The host gave new props (an attribute, a property, a Yew parent's render).
    Props(Rc<CustomerFormProps>),
    /// A state message tagged with the generation it belongs to; stale ones are dropped.
    Form(u32, Msg),
    /// Show the field-by-field choices of a conflict.
    ShowMerge,
    /// A locale's table arrived (or could not be had: the form stays in English).
    StringsLoaded(Locale),
    /// The page is being hidden or left: the moment to keep a draft.
    PageHidden,
    /// Ask the host for a token again, after a failure to obtain one.
    RetryCredential,
    /// A list of choices (customer groups, tags) arrived or failed.
    Reference(u32, ReferenceList, ReferenceData),
    /// Load a list that failed again.
    ReloadReference(u32, ReferenceList, &'static str),
    /// The tags editor's chips or combobox (`tags_field.rs`).
    Tags(u32, TagsChange),
    /// "Shipping address same as billing" ticked or cleared.
    SameAddress(bool),
    /// The anonymization confirmation answered: `true` saves, `false` sends nothing.
    ConfirmAnonymization(bool),
    /// The first record is slow to come: time to draw the loading state (see `quiet`).
    ShowLoading,
    /// The first record is not here yet: time to build the form, hidden (see `Quiet`).
    BuildHidden,
    /// The form with its record is on screen: time for the "last changed" line (`DateLine`).
    ShowDate,
}

/// When the "last changed" line under the form is drawn. Its date is formatted by the
/// browser's `Intl`, whose first formatter on a page costs 20-50 ms of the main thread; so a
/// record is drawn without the line, and the line follows once that frame is painted
/// (README, Speed).
pub(super) enum DateLine {
    /// No record drawn yet.
    Waiting,
    /// A record is drawn; the line comes after the paint (held here: dropped, it never comes).
    AfterPaint {
        _timer: Timer,
    },
    Shown,
}

pub struct FormApp {
    link: Link,
    props: Rc<CustomerFormProps>,
    pub(super) state: Option<FormState>,
    pub(super) catalog: Catalog,
    /// A locale's table is being fetched: the form shows its loading state until it arrives.
    pub(super) strings_pending: bool,
    pub(super) client: Client,
    /// Raised when the form is re-initialised or destroyed: everything in flight stops.
    pub(super) abort: Abort,
    pub(super) id_prefix: AttrValue,
    /// Bumped whenever the form is re-initialised, so replies for an old customer are ignored.
    pub(super) generation: u32,
    /// A save has just failed: the summary at the top takes the focus once rendered.
    pub(super) focus_summary: bool,
    pub(super) form_ref: NodeRef,
    /// The failure summary (`role="alert"`).
    pub(super) summary_ref: NodeRef,
    /// The form's outermost element, whose shadow root or document gets the stylesheet.
    pub(super) root_ref: NodeRef,
    /// Nothing shown yet while the first record is on its way, until `QUIET_MS` have passed:
    /// see `first_record.rs`, where it starts.
    pub(super) quiet: Option<Quiet>,
    /// The form has been shown once (built hidden does not count).
    pub(super) drawn: bool,
    pub(super) date_line: DateLine,
    /// The row-drawn fields' text as their rows last wrote it (`rows.rs`).
    pub(super) rows_text: super::rows::RowsText,
    /// Running while the form has no credential yet (see `credential_wait`).
    pub(super) credential_wait: Option<Timer>,
    /// The wait before an automatic retry; dropping it cancels the retry.
    pub(super) retry_timer: Option<Timer>,
    /// Until when (`Date.now()` ms) the provider asked the form to wait (its `Retry-After`).
    pub(super) wait_until: f64,
    pub(super) host: HostEvents,
    pub(super) merging: bool,
    /// The provider's lists the fields offer (see `reference_field.rs`).
    pub(super) references: References,
    /// The tags combobox's popup, and what to focus or reveal after the next render.
    pub(super) tags_combo: Combo,
    pub(super) tags_focus: Option<String>,
    pub(super) tags_reveal: Option<String>,
    /// Count: the language the country suggestions were last filled in ("" before).
    pub(super) country_list_lang: &'static str,
    /// Count: whether shipping follows billing.
    pub(super) shipping: ShippingAddress,
    /// A save that asks for anonymization waits for this confirmation (`anonymization.rs`).
    pub(super) confirming_anonymization: bool,
    /// The person confirmed: the next submit goes out.
    pub(super) anonymization_confirmed: bool,
    pub(super) focus_after: Option<FocusAfter>,
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

fn client_for(props: &CustomerFormProps) -> Client {
    let transport = transport_for(props);
    let source = HostTokens {
        source: props.token.clone(),
        transport: transport.clone(),
        api_base: props.api_base.clone(),
    };
    Client::new(transport, Rc::new(TokenCache::new(source, now_secs)))
}

thread_local! {
    static INSTANCES: Cell<u32> = const { Cell::new(0) };
}

impl FormApp {
    fn init(&mut self, ctx: &Context) {
        self.abort.abort();
        self.abort = Abort::new();
        self.retry_timer = None;
        self.wait_until = 0.0;
        self.merging = false;
        self.references = References::default();
        self.tags_combo = Combo::default();
        self.shipping = ShippingAddress::Own;
        self.confirming_anonymization = false;
        self.anonymization_confirmed = false;
        self.generation = self.generation.wrapping_add(1);
        let props = ctx.props();
        self.host.start(ctx, props);
        self.state = FormState::new(
            props.provider,
            props.mode,
            &props.customer_id,
            props.api_base.as_deref(),
        );
        if let Some(state) = self.state.as_mut() {
            if props.mode == Operation::Create {
                let defaults = crate::browser::create_defaults(state.contract());
                if defaults.iter().next().is_some() {
                    state.update(Msg::Seed(defaults));
                }
            }
        }
        let first_record = self
            .state
            .as_ref()
            .is_some_and(|s| s.operation() == Operation::Update);
        if first_record && !self.drawn {
            self.start_quiet(ctx);
        }
        self.obtain_credential(ctx);
    }

    /// The catalog for the props' language; a language whose table is not here yet is fetched,
    /// and the form shows its loading state until it arrives.
    fn load_strings(&mut self, ctx: &Context) {
        let props = ctx.props();
        let locale = Locale::negotiate(&props.locale);
        self.catalog =
            Catalog::new(locale, (*props.strings).clone()).with_numbers(crate::format::integer);
        self.strings_pending = self.catalog.locale() != locale;
        if self.strings_pending {
            let link = ctx.link().clone();
            crate::spawn::spawn_soon(async move {
                remote::load(locale).await;
                link.send_message(Message::StringsLoaded(locale));
            });
        }
    }

    /// Tells the token source what the form is about to do, for scoping the next token.
    pub(super) fn set_token_purpose(&self) {
        if let Some(state) = &self.state {
            self.client.tokens.set_purpose(TokenPurpose {
                provider: state.provider().as_str(),
                operation: state.operation().as_str(),
                customer_id: state.customer_id().to_string(),
            });
        }
    }
}

impl FormApp {
    pub fn create(scope: &dom::Scope<FormApp>, shared: Rc<CustomerFormProps>) -> FormApp {
        let link = Link(scope.clone());
        let ctx = Context::new(link.clone(), shared.clone());
        let props = ctx.props();
        let instance = INSTANCES.with(|n| {
            n.set(n.get().wrapping_add(1));
            n.get()
        });
        let mut form = FormApp {
            link,
            props: shared,
            state: None,
            catalog: Catalog::default(),
            strings_pending: false,
            client: client_for(props),
            abort: Abort::new(),
            id_prefix: AttrValue::from(providers::substring::concat(&[
                "cf",
                &providers::digits::text(u64::from(instance)),
            ])),
            generation: 0,
            focus_summary: false,
            form_ref: NodeRef::default(),
            summary_ref: NodeRef::default(),
            root_ref: NodeRef::default(),
            credential_wait: None,
            retry_timer: None,
            wait_until: 0.0,
            host: HostEvents::default(),
            merging: false,
            references: References::default(),
            tags_combo: Combo::default(),
            tags_focus: None,
            tags_reveal: None,
            country_list_lang: "",
            shipping: ShippingAddress::Own,
            confirming_anonymization: false,
            quiet: None,
            date_line: DateLine::Waiting,
            drawn: false,
            rows_text: Default::default(),
            anonymization_confirmed: false,
            focus_after: None,
        };
        form.load_strings(&ctx);
        form.init(&ctx);
        form
    }

    fn ctx(&self) -> Context {
        Context::new(self.link.clone(), self.props.clone())
    }

    fn handle(&mut self, ctx: &Context, msg: Message) -> bool {
        let (generation, msg) = match msg {
            Message::Props(props) => {
                // As Yew did: props equal to the last ones change nothing.
                if props == self.props {
                    return false;
                }
                let old = std::mem::replace(&mut self.props, props);
                return self.changed(&self.ctx(), &old);
            }
            Message::Form(generation, msg) => (generation, msg),
            Message::ShowMerge => {
                self.merging = true;
                self.focus_after = Some(FocusAfter::MergeChoice);
                return true;
            }
            Message::StringsLoaded(locale) => {
                if locale != Locale::negotiate(&ctx.props().locale) {
                    return false;
                }
                let props = ctx.props();
                self.catalog = Catalog::new(locale, (*props.strings).clone())
                    .with_numbers(crate::format::integer);
                self.strings_pending = false;
                self.follow_up(ctx);
                return true;
            }
            Message::SameAddress(same) => {
                self.set_same_address(ctx, same);
                return true;
            }
            Message::ShowLoading => return self.quiet.take().is_some(),
            Message::BuildHidden => return self.build_hidden(),
            Message::ShowDate => {
                self.date_line = DateLine::Shown;
                return true;
            }
            Message::ConfirmAnonymization(confirmed) => {
                self.confirming_anonymization = false;
                self.anonymization_confirmed = confirmed;
                self.focus_after = Some(if confirmed {
                    FocusAfter::Submit
                } else {
                    FocusAfter::RequestBox
                });
                if confirmed {
                    let fresh_key = crate::random::uuid_v4();
                    ctx.link()
                        .send_message(Message::Form(self.generation, Msg::Submit { fresh_key }));
                }
                return true;
            }
            Message::RetryCredential => {
                self.obtain_credential(ctx);
                return false;
            }
            Message::PageHidden => {
                if let Some(state) = &self.state {
                    self.host.keep_draft(state);
                }
                return false;
            }
            Message::Reference(generation, list, data) => {
                if generation != self.generation {
                    return false;
                }
                self.references.set(list, data);
                return true;
            }
            Message::ReloadReference(generation, list, field) => {
                if generation == self.generation {
                    self.fetch_reference(ctx, list);
                    // Its button goes while the list loads: the focus goes to the field.
                    self.focus_after = Some(FocusAfter::Field(field));
                }
                return true;
            }
            Message::Tags(generation, change) => {
                if generation != self.generation {
                    return false;
                }
                if let Some((field, text)) = change.text {
                    self.handle(ctx, Message::Form(generation, Msg::Edit { field, text }));
                }
                self.tags_combo = change.combo;
                self.tags_focus = change.focus;
                self.tags_reveal = change.reveal;
                return true;
            }
        };
        self.on_form(ctx, generation, msg)
    }

    fn changed(&mut self, ctx: &Context, old: &CustomerFormProps) -> bool {
        let props = ctx.props();
        if props.locale != old.locale || props.strings != old.strings {
            self.load_strings(ctx);
        }
        let same_record = props.provider == old.provider
            && props.mode == old.mode
            && props.customer_id == old.customer_id
            && props.api_base == old.api_base
            && props.keep_draft == old.keep_draft;
        // A token scoped to one record is no use for another: a new record starts a new cache.
        if props.token != old.token || !same_record {
            self.client = client_for(props);
            if same_record {
                // Keep what was typed: only re-check what the new credential allows.
                self.obtain_credential(ctx);
            }
        } else if props.transport != old.transport || props.timeout_ms != old.timeout_ms {
            // Another way to send; the token in hand stays good.
            self.client = Client::new(transport_for(props), self.client.tokens.clone());
        }
        if !same_record {
            self.init(ctx);
        }
        self.follow_up(ctx);
        true
    }
}

impl dom::App for FormApp {
    type Message = Message;
    type Action = On;

    fn view(&self) -> Html {
        view::render(self, &self.ctx())
    }

    fn update(&mut self, _: &dom::Scope<Self>, message: Message) -> bool {
        let ctx = self.ctx();
        self.handle(&ctx, message)
    }

    fn act(&mut self, _: &dom::Scope<Self>, action: On, event: &web_sys::Event) -> bool {
        let signal = match action {
            On::Send(signal) => signal,
            On::Escape(signal) => {
                let escape = event
                    .dyn_ref::<web_sys::KeyboardEvent>()
                    .is_some_and(|keys| keys.key() == "Escape");
                if !escape {
                    return false;
                }
                event.prevent_default();
                signal
            }
            On::Edit(field, read) => {
                let ctx = self.ctx();
                let text = read.text(event);
                return self.handle(
                    &ctx,
                    Message::Form(self.generation, Msg::Edit { field, text }),
                );
            }
            On::Checked(message) => {
                let ctx = self.ctx();
                return self.handle(&ctx, message(super::shell::target_checked(event)));
            }
            On::Focus(id) => {
                event.prevent_default();
                super::outcome::focus_field(&self.form_ref, &id);
                return false;
            }
            On::Row(edit) => {
                let Some((field, text)) = edit.apply(event) else {
                    return false;
                };
                let ctx = self.ctx();
                return self.handle(
                    &ctx,
                    Message::Form(self.generation, Msg::Edit { field, text }),
                );
            }
            On::Tags(action) => {
                let Some(change) = action.apply(event) else {
                    return false;
                };
                let ctx = self.ctx();
                return self.handle(&ctx, Message::Tags(self.generation, change));
            }
        };
        if let Signal::Submit = signal {
            event.prevent_default();
        }
        let ctx = self.ctx();
        self.handle(&ctx, signal.message(self.generation))
    }

    fn rendered(&mut self, _: &dom::Scope<Self>) {
        let ctx = self.ctx();
        let ctx = &ctx;
        if let Some(root) = self.root_ref.get() {
            crate::style::attach(&root);
            // Built hidden while the first record is on its way (view.rs) is not drawn.
            self.drawn = self.drawn || self.quiet.is_none();
        }
        if std::mem::take(&mut self.focus_summary) {
            super::outcome::focus_summary(&self.summary_ref);
            self.focus_after = None;
        }
        self.tags_rendered();
        self.fill_country_list(ctx);
        self.date_after_paint(ctx);
        self.rows_text.focus_drawn_row();
        self.apply_focus();
    }

    fn destroy(&mut self) {
        self.abort.abort();
        self.retry_timer = None;
        self.credential_wait = None;
        if let Some(state) = &self.state {
            self.host.keep_draft(state);
        }
        self.host.stop();
    }
}

impl FormApp {
    /// After every change of state: the dirty flag and its event, `customer-ready`, the unload
    /// guard, and a draft to restore once the form first takes input.
    pub(super) fn follow_up(&mut self, ctx: &Context) {
        self.load_references(ctx);
        let Some(state) = &self.state else { return };
        if let Some(draft) = self.host.draft_to_restore(state) {
            let effects = self
                .state
                .as_mut()
                .map(|s| s.update(Msg::Restore(draft)))
                .unwrap_or_default();
            self.run(ctx, effects);
            // A draft whose shipping address is its billing address had "same as billing"
            // ticked (or said the same twice): shipping follows billing again.
            if self.addresses_match() {
                self.shipping = ShippingAddress::SameAsBilling { set_aside: None };
            }
        }
        let Some(state) = &self.state else { return };
        let ready =
            !self.strings_pending && matches!(state.phase(), Phase::Ready | Phase::ReadOnly);
        self.host.follow(ctx.props(), state, ready);
    }
}
