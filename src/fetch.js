// The network edge in the browser: one `fetch` with a timeout, the form's abort signal and a
// size limit, its reply handed back as plain data. In JS because the same in Rust through
// web-sys costs the package several kilobytes of bindings (see README, Size).
//
// Also the record's read sent before the WebAssembly has loaded (`readEarly`, asked by the
// element), so that a form's first record is on its way while the wasm compiles; the wasm's
// own request for it takes that reply only if it is the same request, byte for byte.

/** transport.rs `MAX_REPLY_BYTES`: part of an early read's key, so a change there only stops
 * early reads from being taken. */
const MAX_REPLY_BYTES = 1 << 20;

// Reads sent early and not yet taken, by key (`keyOf`): `{reply, controller}`. Each is taken by
// the first `send` of the same request, or dropped by the element that started it.
const unclaimedReads = new Map();

const keyOf = (method, url, headers, maxBytes) => JSON.stringify([method, url, maxBytes, headers]);

/**
 * Resolves to `[status, headers, body]` (`headers` flat: name, value, name, value…; names in
 * lower case) or to `"timeout"` / `"network"` / `"too-large:<status>"`; never rejects.
 */
export async function send(method, url, headers, body, signal, timeoutMs, maxBytes) {
  const key = body === undefined ? keyOf(method, url, headers, maxBytes) : null;
  const taken = key !== null ? unclaimedReads.get(key) : undefined;
  if (taken) unclaimedReads.delete(key);
  const controller = taken ? taken.controller : new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    // An early reply that came before the form was aborted is still its reply; one still on
    // its way is aborted with it, as its own request would have been.
    if (signal.aborted) controller.abort();
    return await (taken ? taken.reply : exchange(method, url, headers, body, controller, maxBytes));
  } catch {
    return timedOut ? 'timeout' : 'network';
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

/** The request and its reply; rejects when the network fails or `controller` aborts it. */
async function exchange(method, url, headers, body, controller, maxBytes) {
  const init = { method, headers: new Headers(), signal: controller.signal };
  for (let i = 0; i < headers.length; i += 2) init.headers.append(headers[i], headers[i + 1]);
  if (body !== undefined) init.body = body;
  // A request carrying a credential or what was typed follows no redirect: it goes to the
  // address the host gave, and nowhere else that address may point. (A language file may.)
  if (body !== undefined || init.headers.has('authorization')) init.redirect = 'error';
  const response = await fetch(url, init);
  const announced = Number(response.headers.get('content-length'));
  if (announced > maxBytes) {
    controller.abort();
    return `too-large:${response.status}`;
  }
  // Read as it comes and counted in bytes: a reply sent in chunks announces no length, and one
  // that goes on (or stops without ending) is given up once past the limit, not held whole or
  // waited out. Decoded as `response.text()` would (UTF-8, a leading BOM dropped).
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (let part; reader && !(part = await reader.read()).done; ) {
    size += part.value.length;
    if (size > maxBytes) {
      controller.abort();
      return `too-large:${response.status}`;
    }
    text += decoder.decode(part.value, { stream: true });
  }
  text += decoder.decode();
  const names = [];
  response.headers.forEach((value, name) => names.push(name.toLowerCase(), value));
  return [response.status, names, text];
}

// Where each language's file is (`customer-form.<tag>.json`), as the package's entry found it
// (resolved like the `.wasm`, so bundlers that rename assets still lead the form to it).
const localeUrls = new Map();

/** Tells the widget where a language's file is: `tag` as the wasm names it (`de`, `fr`, `es`;
 * src/i18n/mod.rs `Locale::tag`), by the package's entry for each language, or by a Rust app
 * (src/i18n/remote.rs `set_locale_url`). */
export function setLocaleUrl(tag, url) {
  localeUrls.set(tag, String(url));
}

/** The text of `tag`'s file (src/i18n/remote.rs), or `null` when it cannot be had: a failed
 * request, a status other than 2xx, no reply in `timeoutMs`, or more than MAX_REPLY_BYTES.
 * Without a URL from the entry (Trunk's demo, a Yew app), it is looked for beside the page. */
export async function fetchLocale(tag, timeoutMs) {
  const url = localeUrls.get(tag) ?? new URL(`customer-form.${tag}.json`, document.baseURI).href;
  const reply = await send('GET', url, ['Accept', 'application/json'], undefined, new AbortController().signal,
    timeoutMs, MAX_REPLY_BYTES);
  return Array.isArray(reply) && reply[0] >= 200 && reply[0] < 300 ? reply[2] : null;
}

/**
 * Sends the record's read for an update form's options now, when the credential and the
 * address are ones the wasm would send it with (`earlyRead`). Returns a handle whose `drop()`
 * aborts the read unless the wasm has taken it, or `null` when nothing was sent. Given the
 * handle of an earlier call, keeps it while the read is the same, and drops it otherwise.
 */
export function readEarly(options, previous = null, nowSecs = Date.now() / 1000) {
  const request = earlyRead(options, nowSecs);
  const key = request && keyOf('GET', request.url, request.headers, MAX_REPLY_BYTES);
  if (previous && previous.key === key) return previous;
  previous?.drop();
  if (!request || unclaimedReads.has(key)) return null;
  const controller = new AbortController();
  const reply = exchange('GET', request.url, request.headers, undefined, controller, MAX_REPLY_BYTES);
  // Handled here too: a read nobody takes must not end as an unhandled rejection.
  reply.catch(() => {});
  const entry = { reply, controller };
  unclaimedReads.set(key, entry);
  return {
    key,
    drop() {
      if (unclaimedReads.get(key) !== entry) return;
      unclaimedReads.delete(key);
      controller.abort();
    },
  };
}

// What the record's read looks like for each provider that can be read early: the contract's
// `read_request` (providers/src/<provider>.rs) through the gateway. A provider missing here is
// read by the wasm as before.
const READS = {
  partnero: { accept: 'application/json', query: '' },
  prolifi: { accept: 'application/json', query: '' },
  count: { accept: 'application/json', query: '' },
  commercelayer: { accept: 'application/vnd.api+json', query: '?include=customer_group,tags' },
};

// An id that is its own path segment (providers/src/url.rs `encode_segment` leaves it as it is).
const PLAIN_ID = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,254}$/;

/**
 * The read the wasm will send first for these element options, or `null`, decided the way the
 * wasm decides and never more widely: only a token string (`tokenProvider` forms: see
 * `earlyPurpose`), only an update form with an `api-base` and a plain id, and only a credential
 * the provider's contract allows to read at that address (providers/src/credential.rs,
 * `classify`): a gateway token issued for this provider with `read` among its ops and more than
 * a minute to live, or, for Prolifi, a public key, or a secret test key aimed at this machine.
 * Anything else (a live secret key, a token for another provider, a Commerce Layer token of its
 * own, a relative or non-HTTP address) sends nothing early.
 * Returns `{url, headers}`, the headers as `send` takes them.
 */
export function earlyRead(options, nowSecs) {
  const { token, tokenProvider } = options ?? {};
  if (tokenProvider || typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) return null;
  const target = readTarget(options);
  if (!target || !mayRead(target.provider, token, target.base, nowSecs)) return null;
  return {
    url: target.url,
    headers: ['Accept', READS[target.provider].accept, 'Authorization', `Bearer ${token}`],
  };
}

/**
 * What a `tokenProvider` form's first token is for (`{provider, operation, customerId}`, as the
 * wasm asks for it, src/token.rs) when its record could be read early once the token is known;
 * otherwise `null`. The token itself is then vetted by `earlyRead`.
 */
export function earlyPurpose(options) {
  const target = typeof options?.tokenProvider === 'function' ? readTarget(options) : null;
  return target && { provider: target.provider, operation: 'update', customerId: target.id, apiBase: target.base };
}

// Printable ASCII only, so that JS's `trim` and Rust's `str::trim` (which differ on U+FEFF
// and U+0085) read the same text.
const PLAIN_TEXT = /^[\x20-\x7e]*$/;
const plain = (value) => (typeof value === 'string' && PLAIN_TEXT.test(value) ? value.trim() : null);

/** The record's address for an update form with an `http(s)://` `api-base` and a plain id, or
 * `null`. */
function readTarget({ provider, mode, customerId, apiBase } = {}) {
  const name = plain(provider)?.toLowerCase() ?? '';
  if (!Object.hasOwn(READS, name)) return null;
  const id = plain(customerId) ?? '';
  if (!PLAIN_ID.test(id)) return null;
  // As the wasm reads it (src/element/mod.rs): no mode, or an empty one, edits the given
  // customer; anything else is trimmed and must say `update` (`" "` is an error there).
  const operation = mode == null || mode === '' ? 'update' : plain(mode)?.toLowerCase();
  if (operation !== 'update') return null;
  // Absolute, as the wasm requires (providers/src/url.rs `host`): `https:host/p` would be read
  // by the browser relative to the page.
  const base = plain(apiBase) ?? '';
  if (!/^https?:\/\/[^/?#\\]/i.test(base)) return null;
  return { provider: name, id, base, url: `${base.replace(/\/+$/, '')}/customers/${id}${READS[name].query}` };
}

function mayRead(provider, token, base, nowSecs) {
  const parts = token.split('.');
  if (parts.length === 3) {
    const claims = payloadOf(parts[1]);
    return !!claims
      && claims.provider === provider
      && (claims.ops === undefined || (Array.isArray(claims.ops) && claims.ops.includes('read')))
      && Number.isInteger(claims.exp) && claims.exp > nowSecs + 60;
  }
  if (provider !== 'prolifi' || token.includes('.')) return false;
  if (token.startsWith('pk_test_') || token.startsWith('pk_live_')) return true;
  return token.startsWith('sk_test_') && isLoopback(base);
}

/** A JWT's payload as an object, or `null`; also `null` for what JS reads and Rust's parser
 * (providers/src/json.rs) refuses: a byte-order mark, an escaped surrogate, deep nesting. */
function payloadOf(segment) {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(segment)) return null;
    const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    if (/\\u[dD][89a-fA-F]|\ufeff/.test(text) || (text.match(/[[{]/g)?.length ?? 0) > 64) return null;
    const claims = JSON.parse(text);
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

/** providers/src/url.rs `is_loopback`, narrowed: the authority as written (no user info, no
 * other spelling of the address) must be the host the browser's URL parser finds. */
function isLoopback(base) {
  const authority = /^https?:\/\/([^/?#\\]*)/i.exec(base)?.[1].toLowerCase() ?? '';
  const host = authority.replace(/:\d*$/, '');
  let parsed;
  try {
    parsed = new URL(base).hostname;
  } catch {
    return false;
  }
  return parsed === host && (host === 'localhost' || /^[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost$/.test(host)
    || host === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host));
}

/**
 * One element's early read while its wasm loads: kept in step with its options, handed to the
 * form when it is mounted, dropped otherwise. With a `tokenProvider`, the host is asked for the
 * form's first token now, with the purpose the form would ask it for; the form, once mounted,
 * is handed that same token when it asks (`tokenFor`), so it sends the same read and the host
 * is asked once. The token is kept across option changes that keep the purpose (the element
 * moved out and back, other attributes): only the read is sent again. A new `api-base` is a
 * new purpose, and the host is asked again.
 */
export class EarlyRead {
  // readEarly's handle.
  #read = null;
  // The first token asked of a `tokenProvider`, until the form takes it:
  // `{purpose, key, promise, token, arrived, failed, live, options}`.
  #token = null;
  // The token the form took, until its read has gone out.
  #taken = null;
  // The element is out of the page: a token that comes now waits for its return to be read
  // with, so that no read is sent that no element follows.
  #paused = false;

  /** The element's options as they are now (before the wasm has loaded); `ask` is the host's
   * `tokenProvider`, if any. */
  follow(options, ask) {
    this.#paused = false;
    if (typeof ask !== 'function') {
      this.#forgetToken();
      this.#read = readEarly(options, this.#read);
      return;
    }
    const purpose = earlyPurpose(options);
    const key = purpose && `${purpose.provider}\n${purpose.customerId}\n${purpose.apiBase}`;
    const entry = this.#token;
    if (key !== null && entry?.key === key) {
      entry.options = options;
      this.#readWith(entry);
      return;
    }
    this.drop();
    if (!purpose) return;
    let promise;
    try {
      promise = Promise.resolve(ask({ ...purpose }));
    } catch (error) {
      promise = Promise.reject(error);
    }
    const asked = { purpose, key, promise, token: null, arrived: false, failed: false, live: true, options };
    this.#token = asked;
    promise.then((token) => {
      asked.arrived = true;
      asked.token = token;
      this.#readWith(asked);
    }, () => {
      asked.failed = true;
    });
  }

  #readWith(entry) {
    if (entry.live && entry.arrived && !this.#paused) {
      this.#read = readEarly({ ...entry.options, tokenProvider: undefined, token: entry.token }, this.#read);
    }
  }

  /** The form asks for a token: the early one, once, if it is for the same purpose and has not
   * failed (a host not ready as early as this is asked again, as it was before). */
  tokenFor(request) {
    const entry = this.#token;
    const purpose = entry?.purpose;
    if (!entry || !entry.live || entry.failed || request?.provider !== purpose.provider
      || request?.operation !== purpose.operation || request?.customerId !== purpose.customerId) return undefined;
    this.#token = null;
    // A token still on its way when the form takes it is read with by the form alone.
    if (!entry.arrived) entry.live = false;
    this.#taken = entry;
    return entry.promise;
  }

  /** The form is mounted and has asked for what it needs first; what it did not take is
   * dropped, once the read with the token it took has gone out. */
  formMounted() {
    const taken = this.#taken;
    this.#forgetToken();
    if (!taken) {
      this.drop();
      return;
    }
    // The form sends its read in the microtasks after the token comes: drop after them.
    const later = () => setTimeout(() => this.drop(), 0);
    taken.promise.then(later, later);
  }

  /** The element left the page: its read is aborted, and none is sent until it is back; a
   * token is kept for its return. */
  pause() {
    this.#paused = true;
    this.#abortRead();
  }

  drop() {
    this.#forgetToken();
    if (this.#taken) this.#taken.live = false;
    this.#taken = null;
    this.#abortRead();
  }

  #abortRead() {
    this.#read?.drop();
    this.#read = null;
  }

  #forgetToken() {
    if (this.#token) this.#token.live = false;
    this.#token = null;
  }
}
