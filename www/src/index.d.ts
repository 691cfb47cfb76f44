// Types for the customer-form package: the options, the element's properties and every event's detail.

export type Provider = 'partnero' | 'prolifi' | 'count' | 'commercelayer';
export type Mode = 'create' | 'update';
export type Theme = 'light' | 'dark' | 'auto';

/** What the next token is for; passed to `tokenProvider` so your backend can scope it. */
export interface TokenRequest {
  provider: Provider;
  operation: Mode;
  customerId?: string;
  /** The `api-base` the token will be sent to, when one is set: refuse an address your backend
   * does not know. */
  apiBase?: string;
}

/** Returns a scoped token (or a Commerce Layer sales-channel token). Called before the first
 * request, when the token is within a minute of expiry, after a 401, and for another customer.
 * Replacing it keeps the form's state: the new one is called the next time a token is needed. */
export type TokenProvider = (request: TokenRequest) => string | Promise<string>;

/** CSS custom properties, by name: `colorPrimary` sets `--cf-color-primary`. */
export interface AppearanceVariables {
  colorPrimary?: string;
  colorOnPrimary?: string;
  colorText?: string;
  colorMuted?: string;
  colorBackground?: string;
  colorField?: string;
  colorBorder?: string;
  colorDanger?: string;
  colorDangerBackground?: string;
  colorSuccess?: string;
  colorFocus?: string;
  colorSkeleton?: string;
  fontFamily?: string;
  fontSize?: string;
  borderRadius?: string;
  spacing?: string;
}

export interface Appearance {
  theme?: Theme;
  variables?: AppearanceVariables;
}

/** A country the Prolifi form offers for `country_id`: Prolifi's id, the name in the page's language. */
export interface Country {
  id: string;
  name: string;
}

export interface CustomerFormOptions {
  provider: Provider;
  /** Default: `update` when `customerId` is given, else `create`. */
  mode?: Mode;
  customerId?: string;
  /** Where requests go: your gateway's `/<provider>`, or Commerce Layer's API. */
  apiBase?: string;
  /** BCP 47 tag: `en`, `de`, `fr`, `es` (others fall back to English). */
  locale?: string;
  /** Replaces any text by key, e.g. `{ "field.email": "Work email" }`. */
  strings?: Record<string, string>;
  /** Prolifi: `country_id` becomes a select of these, sorted by name (the record's own country stays selectable). */
  countries?: Country[];
  /** A token as a string; prefer `tokenProvider`, which can refresh. */
  token?: string;
  tokenProvider?: TokenProvider;
  /** Commerce Layer sales channel (public): guests create with the client ID alone. */
  clientId?: string;
  /** Commerce Layer market: a code (`europe`), or `id:…`. */
  market?: string;
  /** Commerce Layer token endpoint base. Default `https://auth.commercelayer.io`. */
  authBase?: string;
  /** Milliseconds one request may take. Default 15000. */
  timeout?: number;
  /** Ask before the page is left with unsaved changes. */
  warnUnsaved?: boolean;
  /** Keep unsaved values in sessionStorage (never a token or a password). */
  draft?: boolean;
  theme?: Theme;
  appearance?: Appearance;
  /** Where the `.wasm` is, when not next to the package's JS. */
  wasmUrl?: string | URL;
}

export interface CustomerFormHandle {
  update(options: CustomerFormOptions): void;
  destroy(): void;
}

/** The customer exactly as the provider returned it. */
export type ProviderCustomer = Record<string, unknown>;

export type ErrorKind =
  | 'validation' | 'authentication' | 'permission' | 'not_found' | 'conflict' | 'rate_limited'
  | 'server' | 'bad_request' | 'network' | 'timeout' | 'bad_reply' | 'credential_refused'
  /** No `token` or `tokenProvider` was set within a few seconds of the form starting. */
  | 'credential_missing'
  | 'invalid' | 'panic';

export interface CustomerLoadedDetail { provider: Provider; customer: ProviderCustomer }
export interface CustomerSavedDetail { provider: Provider; operation: Mode; customer: ProviderCustomer }
export interface CustomerErrorDetail {
  provider?: Provider;
  status: number | null;
  kind: ErrorKind;
  /** What the form shows, in its language. */
  message: string;
  /** The provider's own words, when it sent some. */
  providerMessage: string | null;
  /** Field name (the body path, e.g. `billingAddress.city`) → message. */
  fieldErrors: Record<string, string>;
}
export interface CustomerDirtyChangeDetail { provider: Provider; dirty: boolean }
export interface CustomerReadyDetail { provider: Provider }

export interface CustomerFormEventMap {
  'customer-loaded': CustomEvent<CustomerLoadedDetail>;
  'customer-saved': CustomEvent<CustomerSavedDetail>;
  'customer-error': CustomEvent<CustomerErrorDetail>;
  'customer-dirty-change': CustomEvent<CustomerDirtyChangeDetail>;
  'customer-ready': CustomEvent<CustomerReadyDetail>;
}

/** `<customer-form provider mode customer-id api-base locale theme client-id market auth-base
 * request-timeout warn-unsaved draft>` */
export interface CustomerFormElement extends HTMLElement {
  /** Write-only: reading it gives `undefined`. */
  token: string | undefined;
  tokenProvider: TokenProvider | undefined;
  strings: Record<string, string> | undefined;
  appearance: Appearance | undefined;
  /** Prolifi: the countries `country_id` is picked from. */
  countries: Country[] | undefined;
  addEventListener<K extends keyof CustomerFormEventMap>(
    type: K,
    listener: (this: CustomerFormElement, event: CustomerFormEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CustomerFormEventMap>(
    type: K,
    listener: (this: CustomerFormElement, event: CustomerFormEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'customer-form': CustomerFormElement;
  }
  interface HTMLElementEventMap extends CustomerFormEventMap {}
  interface DocumentEventMap extends CustomerFormEventMap {}
}

/** Fetches and starts the WebAssembly (once). Rejects where there is no DOM. */
export function load(options?: { wasmUrl?: string | URL }): Promise<void>;
/** Defines the element at once (forms show a skeleton until the WebAssembly has loaded) and
 * resolves to the tag name when forms can render. Without a DOM (server rendering) it defines
 * nothing, says so once with `console.info`, and resolves. */
export function defineCustomerForm(options?: { tagName?: string; wasmUrl?: string | URL } | string): Promise<string>;
/** Rejects where there is no DOM. */
export function mount(element: HTMLElement, options: CustomerFormOptions): Promise<CustomerFormHandle>;
