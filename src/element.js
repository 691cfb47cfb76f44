// The <customer-form> custom element: attributes and properties in, the Rust widget out.
// Kept in JS because a custom element class must extend HTMLElement, which wasm cannot do.
//
// The class is registered before the WebAssembly has loaded, so frameworks that decide between
// a property and an attribute by asking `'tokenProvider' in element` (React 19, Vue, Svelte,
// Angular) find the properties from the first render; until the widget is ready the element
// shows a skeleton of its own, once the wait has lasted PENDING_DELAY_MS, and an update form's
// record is already being read (`readEarly`, fetch.js).

import { EarlyRead } from './fetch.js';

// For `mount()` (www/src/index.js), which reads early as the element does.
export { EarlyRead };

const ATTRIBUTES = [
  'provider', 'mode', 'customer-id', 'api-base', 'locale', 'client-id', 'market', 'auth-base',
  'request-timeout', 'warn-unsaved', 'draft', 'theme',
];

const PROPERTIES = ['token', 'tokenProvider', 'strings', 'appearance', 'countries'];

// How long the WebAssembly may take before the element draws its skeleton: the form's own
// wait for its first record (`QUIET_MS`, src/ui/effects.rs) is as long.
const PENDING_DELAY_MS = 150;

// The skeleton shown while the WebAssembly loads: the same shapes and colours as the widget's
// own loading state (src/ui/style.css), under class names of its own so the two never mix.
const PENDING_CSS = ':host{display:block}'
  + '.cf-pending{--_skeleton:var(--cf-color-skeleton,#e8eaed);display:grid;gap:var(--cf-spacing,12px);max-width:40rem;padding:2px;'
  + 'font-family:var(--cf-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);font-size:var(--cf-font-size,15px);line-height:1.45;'
  + 'color:var(--cf-color-success,#116329);background:var(--cf-color-background,#fff)}'
  + '.cf-pending[data-theme=dark]{--_skeleton:var(--cf-color-skeleton,#34363b);color:var(--cf-color-success,#8bd49e);background:var(--cf-color-background,#1b1c1f)}'
  + '.cf-pending p{margin:0}'
  + '.cf-pending-rows,.cf-pending-rows div{display:grid;gap:var(--cf-spacing,12px)}'
  + '.cf-pending-rows div{gap:6px;animation:cf-pending-pulse 1.4s ease-in-out infinite}'
  + '.cf-pending-rows span{display:block;height:1em;width:30%;border-radius:var(--cf-radius,6px);background:var(--_skeleton)}'
  + '.cf-pending-rows span+span{height:2.4em;width:100%}'
  + '@keyframes cf-pending-pulse{50%{opacity:.45}}'
  + '@media (prefers-reduced-motion:reduce){.cf-pending *{animation:none!important}}';

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

const sheets = new Map();
const styledRoots = new WeakMap();

/**
 * Styles the shadow root or document `node` is in with `css`, once per root, without inline
 * CSS (which `style-src 'self'` blocks): a constructable stylesheet, shared by every root that
 * uses the same text, in `adoptedStyleSheets`; a `<style>` element where the browser has none.
 * The widget (src/style.rs) calls it on every render; a node not yet in a document or shadow
 * root is styled on a later call.
 */
export function attachStyles(node, css) {
  const root = node.getRootNode();
  const isDocument = root.nodeType === 9;
  if (!isDocument && !(root.nodeType === 11 && 'host' in root)) return;
  let done = styledRoots.get(root);
  if (!done) styledRoots.set(root, (done = new Set()));
  if (done.has(css)) return;
  done.add(css);
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    let sheet = sheets.get(css);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      sheets.set(css, sheet);
    }
    try {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    } catch {
      // A sheet made by this window cannot be adopted in another document (an iframe's).
    }
  }
  const style = (isDocument ? root : root.ownerDocument).createElement('style');
  style.textContent = css;
  (isDocument ? root.head ?? root.documentElement : root).prepend(style);
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
      const first = this.shadowRoot?.querySelector('input:not([type=radio]), textarea, select');
      if (first) first.focus(options);
      else super.focus(options);
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

    // Setting several attributes and properties in one task renders once.
    #schedule() {
      if (this.#scheduled) return;
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        if (this.isConnected) this.#render();
      });
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
        if (!root.querySelector('.cf')) return false;
        pending.remove();
        if (this.#pending === pending) this.#pending = null;
        return true;
      };
      if (drop()) return;
      const observer = new MutationObserver(() => { if (drop()) observer.disconnect(); });
      observer.observe(root, { childList: true, subtree: true });
    }

    /** The skeleton while the widget loads, or what went wrong when it could not. */
    #showPending(failed) {
      const root = this.shadowRoot;
      attachStyles(root, PENDING_CSS);
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
