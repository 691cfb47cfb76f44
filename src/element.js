// The <customer-form> custom element: attributes and properties in, the Rust widget out.
// Kept in JS because a custom element class must extend HTMLElement, which wasm cannot do.
//
// The class is registered before the WebAssembly has loaded, so frameworks that decide between
// a property and an attribute by asking `'tokenProvider' in element` (React 19, Vue, Svelte,
// Angular) find the properties from the first render; until the widget is ready the element
// shows a skeleton of its own, once the wait has lasted PENDING_DELAY_MS, and an update form's
// record is already being read (`readEarly`, fetch.js).

import { EarlyRead, setLocaleUrl } from './fetch.js';

// For the package's entry (www/src/index.js): `mount()` reads early as the element does, and
// `load()` says where the language files are.
export { EarlyRead, setLocaleUrl };

const ATTRIBUTES = [
  'provider', 'mode', 'customer-id', 'api-base', 'locale', 'client-id', 'market', 'auth-base',
  'request-timeout', 'warn-unsaved', 'draft', 'theme',
];

const PROPERTIES = ['token', 'tokenProvider', 'strings', 'appearance', 'countries'];

// How long the WebAssembly may take before the element draws its skeleton: the form's own
// wait for its first record (`QUIET_MS`, src/ui/effects.rs) is as long.
const PENDING_DELAY_MS = 150;

// The form's stylesheet and the skeleton's, one text: kept here rather than in the wasm, so
// that the skeleton (drawn before the wasm runs) and the form adopt one sheet, and the two sets
// of rules compress together with the rest of this module (−0.4 kB gzip shipped, README, Size).
// Not in a snippet module of its own that this one imports: wasm-bindgen-test-runner's server
// left the request for that fifth module pending, and the component tests hung (a clean clone,
// 2026-11-27).
// One rule per line and no comments (they would ship). After the form's own rules come the
// reference lists (customer group select, tag suggestions) and locked fields
// (reference_field.rs, field.rs); the tags' chips and combobox (tags_field.rs); the row
// editors, metadata and Count contacts (rows.rs); countries, same-as-billing and the
// anonymization danger zone (country_field.rs, anonymization.rs); last, the skeleton shown while
// the WebAssembly loads: the same shapes and colours as the form's own loading state, under
// class names of its own so the two never mix.
const STYLES = `:host{display:block}
.cf-host{display:contents}
.cf{--_font:var(--cf-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);--_text:var(--cf-color-text,#1f2328);--_muted:var(--cf-color-muted,#57606a);--_bg:var(--cf-color-background,#fff);--_field:var(--cf-color-field,#fff);--_border:var(--cf-color-border,#8c959f);--_accent:var(--cf-color-primary,#0b57d0);--_on-accent:var(--cf-color-on-primary,#fff);--_danger:var(--cf-color-danger,#b3261e);--_danger-bg:var(--cf-color-danger-background,#fdecea);--_ok:var(--cf-color-success,#116329);--_focus:var(--cf-color-focus,#0b57d0);--_skeleton:var(--cf-color-skeleton,#e8eaed);--_radius:var(--cf-radius,6px);--_space:var(--cf-spacing,12px);--_size:var(--cf-font-size,15px);
font-family:var(--_font);color:var(--_text);background:var(--_bg);font-size:var(--_size);line-height:1.45;color-scheme:light}
.cf[data-theme=dark]{--_text:var(--cf-color-text,#e3e3e3);--_muted:var(--cf-color-muted,#b4b8bd);--_bg:var(--cf-color-background,#1b1c1f);--_field:var(--cf-color-field,#26282c);--_border:var(--cf-color-border,#8e9196);--_accent:var(--cf-color-primary,#8ab4f8);--_on-accent:var(--cf-color-on-primary,#0b1a33);--_danger:var(--cf-color-danger,#f2b8b5);--_danger-bg:var(--cf-color-danger-background,#3c1f1e);--_ok:var(--cf-color-success,#8bd49e);--_focus:var(--cf-color-focus,#8ab4f8);--_skeleton:var(--cf-color-skeleton,#34363b);color-scheme:dark}
.cf-form{display:grid;gap:var(--_space);max-width:40rem;padding:2px}
.cf-field{display:grid;gap:4px}
.cf-field label{font-weight:600}
.cf{padding:var(--_space);border-radius:var(--_radius)}
.cf[hidden]{display:none!important}
.cf-title{margin:0;font-size:1.25em;line-height:1.3;overflow-wrap:anywhere}
.cf-section{display:grid;gap:var(--_space);margin:0;padding:var(--_space);border:1px solid var(--_border);border-radius:var(--_radius);min-width:0}
.cf-section legend{font-weight:700;padding:0 4px}
.cf-danger{border-color:var(--_danger)}
.cf-danger legend{color:var(--_danger)}
.cf-alert:focus{outline:2px solid var(--_focus);outline-offset:2px}
.cf-error-links{margin:4px 0 0;padding-left:1.2em}
.cf-error-links a{color:inherit;font-weight:600}
.cf-outcome{display:grid;gap:2px;align-self:center;flex:1 1 12rem}
.cf-failed{margin:0;color:var(--_danger);font-weight:600}
.cf-required{color:var(--_danger)}
.cf input,.cf textarea,.cf select{font:inherit;color:var(--_text);background:var(--_field);border:1px solid var(--_border);border-radius:var(--_radius);padding:8px 10px;box-sizing:border-box;width:100%}
.cf textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;resize:vertical}
.cf input:focus-visible,.cf textarea:focus-visible,.cf select:focus-visible,.cf button:focus-visible{outline:2px solid var(--_focus);outline-offset:2px}
.cf [aria-invalid=true]{border-color:var(--_danger);border-width:2px}
.cf input[readonly],.cf textarea[readonly]{background:transparent;border-style:dashed}
.cf-hint,.cf-note,.cf-meta{margin:0;color:var(--_muted);font-size:.9em}
.cf-field-error{margin:0;color:var(--_danger);font-weight:600;font-size:.9em}
.cf-alert:not(:empty){border-left:4px solid var(--_danger);background:var(--_danger-bg);color:var(--_danger);padding:8px 12px;border-radius:var(--_radius)}
.cf-status:not(:empty){color:var(--_ok)}
.cf-alert p,.cf-status p{margin:0}
.cf-alert-detail{font-size:.9em;margin-top:4px}
.cf-actions{display:flex;gap:8px;flex-wrap:wrap}
.cf button{font:inherit;font-weight:600;border-radius:var(--_radius);padding:8px 16px;border:1px solid var(--_accent);background:var(--_accent);color:var(--_on-accent);cursor:pointer}
.cf button[type=button]{background:transparent;color:var(--_accent)}
.cf button:disabled,.cf [aria-disabled=true]{opacity:.6;cursor:not-allowed}
.cf-merge-field{border:1px solid var(--_border);border-radius:var(--_radius);margin:0 0 8px;padding:8px 12px}
.cf-merge-field legend{font-weight:600}
.cf-choice{display:flex;gap:8px;align-items:baseline}
.cf-choice input{width:auto}
.cf-value{white-space:pre-wrap;word-break:break-word}
.cf-skeleton{display:grid;gap:var(--_space);max-width:40rem}
.cf-skeleton span{display:block;height:1em;width:30%;border-radius:var(--_radius);background:var(--_skeleton)}
.cf-skeleton span+span{height:2.4em;width:100%}
.cf-skeleton div{display:grid;gap:6px;animation:cf-pulse 1.4s ease-in-out infinite}
@keyframes cf-pulse{50%{opacity:.45}}
@media (prefers-reduced-motion:reduce){.cf *,.cf-pending *{animation:none!important}}
.cf-list-status button{padding:2px 10px;margin-left:4px;font-size:.95em}
.cf-locked{font-style:italic}
.cf select[aria-busy=true]{cursor:progress}
.cf-tags{display:grid;gap:6px}
.cf-chips{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.cf-chip{display:inline-flex;align-items:center;gap:2px;max-width:100%;padding:2px 2px 2px 10px;border:1px solid var(--_border);border-radius:999px;background:var(--_field);overflow-wrap:anywhere}
.cf .cf-chip-remove{padding:0 8px;border:0;border-radius:999px;line-height:1.6}
.cf-combo{position:relative}
.cf-listbox{position:absolute;z-index:10;left:0;right:0;top:100%;margin:2px 0 0;padding:4px 0;list-style:none;max-height:14em;overflow-y:auto;background:var(--_field);color:var(--_text);border:1px solid var(--_border);border-radius:var(--_radius)}
.cf-listbox[hidden]{display:none}
.cf-option{padding:6px 10px;cursor:pointer}
.cf-option[aria-selected=true]{background:var(--_accent);color:var(--_on-accent)}
.cf-rows{display:grid;gap:6px;min-width:0;grid-template-columns:minmax(0,1fr) minmax(0,2fr) auto auto}
.cf-rows:has(>.cf-contact){grid-template-columns:repeat(4,minmax(0,1fr)) auto auto}
.cf-rows>*{grid-column:1/-1}
.cf-row{display:grid;grid-template-columns:inherit;grid-template-columns:subgrid;gap:6px;align-items:center}
.cf-row-head{font-size:.85em;color:var(--_muted)}
.cf-row-error{grid-column:1/-1}
.cf .cf-row-json{display:flex;gap:4px;align-items:center;font-weight:400}
.cf-row-json input{width:auto;margin:0}
.cf .cf-mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.cf .cf-row button{padding:6px 10px}
.cf-row-add{justify-self:start}
.cf-label{margin:0;font-weight:600}
.cf-contacts-list{margin:0;padding-left:1.2em;overflow-wrap:anywhere}
@media (max-width:560px){.cf-rows,.cf-rows:has(>.cf-contact){grid-template-columns:minmax(0,1fr) minmax(0,1fr)}.cf-row-head{display:none}}
.cf-field:has(>.cf-checkbox){display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.cf .cf-checkbox{width:auto;margin:0;order:-1;accent-color:var(--_accent)}
.cf-field:has(>.cf-checkbox)>p{flex-basis:100%}
.cf-anonymization-status{margin:0;font-weight:600}
.cf-confirm{display:grid;gap:8px;padding:var(--_space);border:2px solid var(--_danger);border-radius:var(--_radius);background:var(--_danger-bg)}
.cf-confirm p{margin:0}
.cf-confirm-title{font-weight:700;color:var(--_danger)}
.cf button.cf-danger-button{background:var(--_danger);border-color:var(--_danger);color:var(--_bg)}
.cf-pending{--_skeleton:var(--cf-color-skeleton,#e8eaed);display:grid;gap:var(--cf-spacing,12px);max-width:40rem;padding:2px;font-family:var(--cf-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);font-size:var(--cf-font-size,15px);line-height:1.45;color:var(--cf-color-success,#116329);background:var(--cf-color-background,#fff)}
.cf-pending[data-theme=dark]{--_skeleton:var(--cf-color-skeleton,#34363b);color:var(--cf-color-success,#8bd49e);background:var(--cf-color-background,#1b1c1f)}
.cf-pending p{margin:0}
.cf-pending-rows,.cf-pending-rows div{display:grid;gap:var(--cf-spacing,12px)}
.cf-pending-rows div{gap:6px;animation:cf-pulse 1.4s ease-in-out infinite}
.cf-pending-rows span{display:block;height:1em;width:30%;border-radius:var(--cf-radius,6px);background:var(--_skeleton)}
.cf-pending-rows span+span{height:2.4em;width:100%}`;

// The widget's own "loading" words (src/i18n), for the few hundred milliseconds before it runs.
const LOADING = {
  en: 'Loading the customer…', de: 'Kunde wird geladen…', fr: 'Chargement du client…', es: 'Cargando el cliente…',
};
const LOAD_FAILED = {
  en: 'The form could not be loaded. Check the connection and reload the page.',
  de: 'Das Formular konnte nicht geladen werden. Prüfen Sie die Verbindung und laden Sie die Seite neu.',
  fr: 'Le formulaire n’a pas pu être chargé. Vérifiez la connexion et rechargez la page.',
  es: 'No se pudo cargar el formulario. Compruebe la conexión y vuelva a cargar la página.',
};

let sheet = null;
const styledRoots = new WeakSet();

/**
 * Styles the shadow root or document `node` is in, once per root, without inline CSS (which
 * `style-src 'self'` blocks): one constructable stylesheet, shared by every root, in
 * `adoptedStyleSheets`; a `<style>` element where the browser has none. The element calls it
 * as it starts waiting for the wasm, the skeleton when it is drawn, the widget (src/style.rs)
 * on every render; a node not yet in a document or shadow root is styled on a later call.
 */
export function attachStyles(node) {
  const root = node.getRootNode();
  const isDocument = root.nodeType === 9;
  if (!isDocument && !(root.nodeType === 11 && 'host' in root)) return;
  if (styledRoots.has(root)) return;
  styledRoots.add(root);
  root.addEventListener('paste', pasteList);
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    }
    try {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    } catch {
      // A sheet made by this window cannot be adopted in another document (an iframe's).
    }
  }
  const style = (isDocument ? root : root.ownerDocument).createElement('style');
  style.textContent = STYLES;
  (isDocument ? root.head ?? root.documentElement : root).prepend(style);
}

/**
 * A browser joins the lines of text pasted into a single-line input with spaces, so a column of
 * cells copied from a spreadsheet would become one tag. Pasted into the tags' entry (the root's
 * listener, set with its styles), text with line breaks or tabs goes in one tag a line,
 * comma-separated, where the caret is, and an `input` event tells the widget.
 */
function pasteList(event) {
  const input = event.target;
  const tags = (event.clipboardData?.getData('text') ?? '').trim().split(/\s*[\r\n\t]\s*/);
  if (tags.length > 1 && input.closest?.('.cf-tags')) {
    event.preventDefault();
    input.setRangeText(tags.join(', '), input.selectionStart, input.selectionEnd, 'end');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

/** Says what is wrong with the options in place of the form (src/element/mod.rs). */
export function showProblem(container, problem) {
  const root = container.ownerDocument.createElement('div');
  root.className = 'cf';
  root.dataset.state = 'error';
  root.setAttribute('part', 'root');
  const alert = root.appendChild(container.ownerDocument.createElement('div'));
  alert.setAttribute('role', 'alert');
  alert.setAttribute('part', 'alert');
  alert.textContent = problem;
  container.replaceChildren(root);
}

function language(locale) {
  const primary = String(locale || 'en').toLowerCase().split(/[-_]/)[0];
  return primary in LOADING ? primary : 'en';
}

/**
 * Registers `tagName`. `mount(element, options)` renders the widget and returns its handle.
 * `load` (optional) returns a promise that settles when `mount` can be called: until then a
 * connected element shows a skeleton (once PENDING_DELAY_MS have passed); if it rejects, the
 * element shows a load failure and sends `customer-error`, and the next element connected asks
 * `load` again.
 * Returns false when there is no DOM or the tag is already taken (a second copy of the package
 * keeps the first definition instead of throwing).
 */
export function defineElement(tagName, mount, load) {
  const registry = globalThis.customElements;
  if (!registry || typeof HTMLElement === 'undefined') return false;
  if (registry.get(tagName)) return false;

  let loaded = !load;

  class CustomerFormElement extends HTMLElement {
    static get observedAttributes() { return ATTRIBUTES; }

    #token = undefined;
    // The token goes only to the `api-base` it was given with (`#pairToken`).
    #tokenNew = false;
    #tokenBase = undefined;
    #tokenProvider = undefined;
    #strings = undefined;
    #appearance = undefined;
    #countries = undefined;
    #handle = null;
    #pending = null;
    #scheduled = false;
    #waiting = false;
    // The wasm has been loading for PENDING_DELAY_MS: the skeleton is due.
    #waitedLong = false;
    // The record's read sent while the wasm loads, until the form is mounted (fetch.js).
    #early = new EarlyRead();
    // One function for the element's lifetime that calls whichever `tokenProvider` is current:
    // replacing the provider (React passes a new arrow function on every render) keeps the
    // form's state and values, and the new provider is asked the next time a token is needed.
    #askProvider = (request) => {
      const provider = this.#tokenProvider;
      if (!provider) throw new Error('customer-form: tokenProvider was removed');
      return this.#early.tokenFor(request) ?? provider(request);
    };

    constructor() {
      super();
      if (!this.shadowRoot) this.attachShadow({ mode: 'open' });
    }

    // Write-only: a token set on the element is never readable back from the DOM.
    get token() { return undefined; }
    set token(value) {
      this.#token = value == null || value === '' ? undefined : String(value);
      this.#tokenNew = true;
      this.#schedule();
    }

    get tokenProvider() { return this.#tokenProvider; }
    set tokenProvider(fn) {
      this.#tokenProvider = typeof fn === 'function' ? fn : undefined;
      this.#schedule();
    }

    get strings() { return this.#strings; }
    set strings(value) {
      this.#strings = value && typeof value === 'object' ? { ...value } : undefined;
      this.#schedule();
    }

    /** `{theme: 'light'|'dark'|'auto', variables: {colorPrimary: '#…', borderRadius: '8px', …}}` */
    get appearance() { return this.#appearance; }
    set appearance(value) {
      this.#appearance = value && typeof value === 'object' ? { ...value } : undefined;
      this.#schedule();
    }

    /** Prolifi's countries to pick `country_id` from: `[{id, name}]`, names in the page's language. */
    get countries() { return this.#countries; }
    set countries(value) {
      this.#countries = Array.isArray(value) ? value.slice() : undefined;
      this.#schedule();
    }

    /** Focuses the first field (once `customer-ready` has fired). */
    focus(options) {
      const first = () => this.shadowRoot?.querySelector(
        '.cf:not([hidden]) :is(input:not([type=radio]), textarea, select)');
      const now = first();
      if (now) {
        now.focus(options);
        return;
      }
      // `customer-ready` goes out as the form's state becomes ready, before that state is drawn
      // (in the same task): a listener's focus lands once it is.
      queueMicrotask(() => {
        const drawn = first();
        if (drawn) drawn.focus(options);
        else super.focus(options);
      });
    }

    connectedCallback() {
      // Properties set before the element was defined shadow the accessors: move them over.
      for (const name of PROPERTIES) {
        if (Object.prototype.hasOwnProperty.call(this, name)) {
          const value = this[name];
          delete this[name];
          this[name] = value;
        }
      }
      this.#schedule();
    }

    disconnectedCallback() {
      // Moving the element within the page disconnects then reconnects it at once; only a real
      // removal tears the form down.
      queueMicrotask(() => {
        if (this.isConnected) return;
        this.#early.pause();
        if (this.#handle) {
          this.#handle.destroy();
          this.#handle = null;
        }
      });
    }

    attributeChangedCallback() { this.#schedule(); }

    // Setting several attributes and properties in one task renders once. The token is paired
    // with `api-base` at the end of that task in the page or out of it: out of it, no render
    // comes, and pairing at the next one would take an address set in a later task.
    #schedule() {
      if (this.#scheduled) return;
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#pairToken();
        if (this.isConnected) this.#render();
      });
    }

    // A token is bound to `api-base` after the task that set it (so the two may be set in
    // either order in one task), and dropped when `api-base` later changes alone: a binding fed
    // from data, or a script that can only set attributes, must not carry it to another origin.
    #pairToken() {
      const base = this.getAttribute('api-base');
      if (this.#tokenNew) [this.#tokenNew, this.#tokenBase] = [false, base];
      else if (base !== this.#tokenBase) this.#token = undefined;
    }

    #options() {
      return {
        provider: this.getAttribute('provider'),
        mode: this.getAttribute('mode'),
        customerId: this.getAttribute('customer-id'),
        apiBase: this.getAttribute('api-base'),
        locale: this.#locale(),
        clientId: this.getAttribute('client-id'),
        market: this.getAttribute('market'),
        authBase: this.getAttribute('auth-base'),
        timeout: Number(this.getAttribute('request-timeout')) || undefined,
        warnUnsaved: this.hasAttribute('warn-unsaved'),
        draft: this.hasAttribute('draft'),
        theme: this.getAttribute('theme') || undefined,
        appearance: this.#appearance,
        strings: this.#strings,
        countries: this.#countries,
        token: this.#token,
        tokenProvider: this.#tokenProvider ? this.#askProvider : undefined,
      };
    }

    #locale() {
      return this.getAttribute('locale') || this.closest('[lang]')?.getAttribute('lang') || undefined;
    }

    #render() {
      if (!loaded) {
        // The read for the options as they are now: a token or attribute set later in the
        // wait replaces the read of the old ones.
        this.#early.follow(this.#options(), this.#tokenProvider);
        if (this.#waiting) {
          // Back in the document (moved by a framework) after the delay ran out while it was
          // out: the skeleton now, in the language of where it is.
          if (this.#waitedLong) this.#showPending(false);
          return;
        }
        this.#waiting = true;
        // The skeleton only for a wasm that is slow to come (PENDING_DELAY_MS): one that comes
        // sooner is drawn once, with no skeleton styled, laid out and painted before it on the
        // main thread it is waiting for (ready 0.83-1.00x of the skeleton drawn at once in two
        // bench runs, README "Speed").
        const slow = setTimeout(() => {
          this.#waitedLong = true;
          if (!loaded && this.isConnected) this.#showPending(false);
        }, PENDING_DELAY_MS);
        Promise.resolve()
          .then(load)
          .then(
            () => { loaded = true; this.#schedule(); },
            () => {
              this.#early.drop();
              if (this.isConnected) this.#showPending(true);
            },
          )
          .finally(() => {
            clearTimeout(slow);
            this.#waiting = false;
            this.#waitedLong = false;
          });
        // The stylesheet parsed now, while the wasm compiles and the main thread waits, rather
        // than when the form first draws, on the way to its first paint (1–7 ms in the bench's
        // profiles; README, Speed).
        attachStyles(this.shadowRoot);
        return;
      }
      const options = this.#options();
      if (this.#handle) {
        this.#handle.update(options);
        return;
      }
      // The options as the form is mounted with them: an early read of others is dropped.
      this.#early.follow(options, this.#tokenProvider);
      try {
        this.#handle = mount(this, options) ?? null;
      } finally {
        // The form has asked for its first token by now (src/ui/effects.rs), or failed to
        // start; an early read it will not take is dropped.
        this.#early.formMounted();
      }
      if (this.#handle) this.#dropPendingWhenDrawn();
    }

    /** The skeleton stays until the widget draws: at once, or, while a record that was asked
     * for at once is on its way, when it arrives (src/ui/effects.rs, `start_quiet`). */
    #dropPendingWhenDrawn() {
      const root = this.shadowRoot;
      const pending = this.#pending;
      if (!pending) return;
      const drop = () => {
        // Not the form built hidden while its record is on its way (src/ui/view.rs).
        if (!root.querySelector('.cf:not([hidden])')) return false;
        pending.remove();
        if (this.#pending === pending) this.#pending = null;
        return true;
      };
      if (drop()) return;
      const observer = new MutationObserver(() => { if (drop()) observer.disconnect(); });
      observer.observe(root, { childList: true, subtree: true, attributeFilter: ['hidden'] });
    }

    /** The skeleton while the widget loads, or what went wrong when it could not. */
    #showPending(failed) {
      const root = this.shadowRoot;
      attachStyles(root);
      const lang = language(this.#locale());
      const theme = this.#appearance?.theme || this.getAttribute('theme');
      const dark = theme === 'dark'
        || (theme === 'auto' && globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches);
      if (this.#pending?.dataset.state !== (failed ? 'error' : 'loading')) {
        this.#drawPending(root, failed, lang, dark);
      }
      if (failed) {
        // Every failed attempt is told, also one that failed again before its skeleton was due
        // (the error of the attempt before still on screen).
        this.dispatchEvent(new CustomEvent('customer-error', {
          bubbles: true,
          composed: true,
          detail: {
            provider: this.getAttribute('provider') ?? undefined,
            status: null,
            kind: 'network',
            message: this.#pending.textContent,
            providerMessage: null,
            fieldErrors: {},
          },
        }));
      }
    }

    /** Draws the skeleton or the load failure in place of what the element shows now. */
    #drawPending(root, failed, lang, dark) {
      const pending = document.createElement('div');
      pending.className = 'cf-pending';
      pending.dataset.state = failed ? 'error' : 'loading';
      pending.dataset.theme = dark ? 'dark' : 'light';
      pending.lang = lang;
      pending.setAttribute('part', 'root');
      if (failed) {
        const alert = document.createElement('p');
        alert.setAttribute('role', 'alert');
        alert.setAttribute('part', 'alert');
        alert.textContent = LOAD_FAILED[lang];
        pending.append(alert);
      } else {
        pending.setAttribute('aria-busy', 'true');
        const rows = document.createElement('div');
        rows.className = 'cf-pending-rows';
        rows.setAttribute('part', 'skeleton');
        rows.setAttribute('aria-hidden', 'true');
        for (let i = 0; i < 4; i += 1) {
          const row = document.createElement('div');
          row.append(document.createElement('span'), document.createElement('span'));
          rows.append(row);
        }
        const status = document.createElement('p');
        status.setAttribute('role', 'status');
        status.setAttribute('part', 'status');
        status.textContent = this.#strings?.['status.loading'] ?? LOADING[lang];
        pending.append(rows, status);
      }
      if (this.#pending) this.#pending.replaceWith(pending);
      else root.append(pending);
      this.#pending = pending;
    }
  }

  registry.define(tagName, CustomerFormElement);
  return true;
}

/** For `mount()`: the same stable token-provider indirection the element uses, handing the
 * form `early`'s token first (an `EarlyRead`, fetch.js) when there is one. */
export function stableTokenProvider(early) {
  let current;
  const ask = (request) => {
    if (!current) throw new Error('customer-form: tokenProvider was removed');
    return early?.tokenFor(request) ?? current(request);
  };
  return (options) => {
    if (!options || typeof options !== 'object') return options;
    current = typeof options.tokenProvider === 'function' ? options.tokenProvider : undefined;
    return { ...options, tokenProvider: current ? ask : undefined };
  };
}
