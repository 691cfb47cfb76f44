// The <customer-form> custom element: attributes and token properties in, the Rust widget out.
// Kept in JS because a custom element class must extend HTMLElement, which wasm cannot do.

const ATTRIBUTES = [
  'provider', 'mode', 'customer-id', 'api-base', 'locale', 'client-id', 'market', 'auth-base',
  'request-timeout', 'warn-unsaved', 'draft', 'theme',
];

const PROPERTIES = ['token', 'tokenProvider', 'strings', 'appearance'];

export function defineElement(tagName, mount) {
  const registry = globalThis.customElements;
  if (!registry) return false;
  // A second copy of the package on the page keeps the first definition instead of throwing.
  if (registry.get(tagName)) return false;

  class CustomerFormElement extends HTMLElement {
    static get observedAttributes() { return ATTRIBUTES; }

    #token = undefined;
    #tokenProvider = undefined;
    #strings = undefined;
    #appearance = undefined;
    #handle = null;
    #scheduled = false;

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
        if (!this.isConnected && this.#handle) {
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
        if (!this.isConnected) return;
        const options = {
          provider: this.getAttribute('provider'),
          mode: this.getAttribute('mode'),
          customerId: this.getAttribute('customer-id'),
          apiBase: this.getAttribute('api-base'),
          locale: this.getAttribute('locale') || this.closest('[lang]')?.getAttribute('lang') || undefined,
          clientId: this.getAttribute('client-id'),
          market: this.getAttribute('market'),
          authBase: this.getAttribute('auth-base'),
          timeout: Number(this.getAttribute('request-timeout')) || undefined,
          warnUnsaved: this.hasAttribute('warn-unsaved'),
          draft: this.hasAttribute('draft'),
          theme: this.getAttribute('theme') || undefined,
          appearance: this.#appearance,
          strings: this.#strings,
          token: this.#token,
          tokenProvider: this.#tokenProvider,
        };
        if (this.#handle) this.#handle.update(options);
        else this.#handle = mount(this, options);
      });
    }
  }

  registry.define(tagName, CustomerFormElement);
  return true;
}
