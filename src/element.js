// The <customer-form> custom element: attributes and properties in, the Rust widget out.
// Kept in JS because a custom element class must extend HTMLElement, which wasm cannot do.
//
// The class is registered before the WebAssembly has loaded, so frameworks that decide between
// a property and an attribute by asking `'tokenProvider' in element` (React 19, Vue, Svelte,
// Angular) find the properties from the first render; until the widget is ready the element
// shows a skeleton of its own, once the wait has lasted PENDING_DELAY_MS, and an update form's
// record is already being read (`readEarly`, fetch.js).

import { EarlyRead, setLocaleUrl } from './fetch.js';
import { attachStyles } from './styles.js';

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
