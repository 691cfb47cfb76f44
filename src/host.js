// The page around the form, as the widget needs it: cookies, session storage, page hiding, the
// unload prompt, timers, random bytes, the locale's dates and numbers, the colour scheme. In JS
// because each web-sys binding the same would take costs the package more than these lines
// (see README, Size). Nothing here holds a token.

/** A first-party cookie's value, or undefined. */
export function cookie(name) {
  let cookies = '';
  try {
    cookies = document.cookie;
  } catch {
    // A sandboxed frame: no cookies.
  }
  for (const pair of cookies.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name && at < pair.length - 1) return pair.slice(at + 1);
  }
  return undefined;
}

/** Session storage: reads `key`; with `value`, writes it; with `null`, removes it. Never throws
 * (a full quota or blocked storage only loses the draft). */
export function session(key, value) {
  try {
    if (value === undefined) return sessionStorage.getItem(key) ?? undefined;
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage unavailable: no draft.
  }
  return undefined;
}

/** Where the page is (drafts are kept per page). */
export function pagePath() {
  return location.pathname;
}

/** Calls `callback` when the page is hidden or left; returns the function that stops it. */
export function onPageHide(callback) {
  const listener = (event) => {
    if (event.type === 'pagehide' || document.visibilityState === 'hidden') callback();
  };
  addEventListener('pagehide', listener);
  addEventListener('visibilitychange', listener);
  return () => {
    removeEventListener('pagehide', listener);
    removeEventListener('visibilitychange', listener);
  };
}

/** Asks the browser to confirm leaving the page; returns the function that stops asking. */
export function guardUnload() {
  const listener = (event) => {
    event.preventDefault();
    event.returnValue = '';
  };
  addEventListener('beforeunload', listener);
  return () => removeEventListener('beforeunload', listener);
}

/** Calls `callback` once after `ms`; returns the function that cancels it. */
export function after(ms, callback) {
  const id = setTimeout(callback, ms);
  return () => clearTimeout(id);
}

/**
 * Calls `callback` once, in a task after the next frame is painted (or soon, where there are no
 * frames); returns the function that cancels it. For work a person need not wait for before
 * seeing the form.
 */
export function afterPaint(callback) {
  let id;
  let frame;
  const task = () => { id = setTimeout(callback, 0); };
  if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(task);
  else task();
  return () => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(id);
  };
}

/** 16 bytes from the CSPRNG (`getRandomValues` works in insecure contexts too). */
export function randomBytes() {
  return crypto.getRandomValues(new Uint8Array(16));
}

/**
 * One date formatter per language, made once: making one costs 20-50 ms the first time in a
 * fresh page (Chromium, `BENCH_PROFILE=1 scripts/bench-widget.sh`), and the form's "last changed"
 * line is drawn on every render.
 */
const dateFormats = new Map();
function dateFormat(tag) {
  let format = dateFormats.get(tag);
  if (!format) {
    format = new Intl.DateTimeFormat([tag], { dateStyle: 'medium', timeStyle: 'short' });
    dateFormats.set(tag, format);
  }
  return format;
}

/** An ISO 8601 timestamp as a medium date and short time in the language, or undefined. */
export function formatDate(tag, iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  return dateFormat(tag).format(date);
}

/** An integer with the language's grouping (`10,000`, `10.000`, `10 000`). */
export function formatInteger(tag, n) {
  return new Intl.NumberFormat([tag]).format(n);
}

/** Whether the visitor's system asks for dark colours. */
export function prefersDark() {
  return matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Dispatches a bubbling, composed `CustomEvent` with `detail` given as JSON text. */
export function dispatch(target, name, json) {
  target.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail: JSON.parse(json) }));
}

// ISO 3166-1 region codes (and XK), two letters each: the names come from the browser's own
// Intl.DisplayNames, so the package carries 500 bytes rather than 250 names in four languages.
const REGIONS = 'ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSXKYEYTZAZMZW';
const countryCache = new Map();

/** `[English name, name in tag]` per country, sorted by the English name; empty where the
 * browser has no Intl.DisplayNames. */
function countryRows(tag) {
  let rows = countryCache.get(tag);
  if (rows) return rows;
  rows = [];
  try {
    const english = new Intl.DisplayNames(['en'], { type: 'region' });
    const local = new Intl.DisplayNames([tag], { type: 'region' });
    for (let i = 0; i < REGIONS.length; i += 2) {
      const code = REGIONS.slice(i, i + 2);
      const name = english.of(code);
      if (name && name !== code) rows.push([name, local.of(code) || name]);
    }
    // One collator for the whole sort: `localeCompare(b, 'en')` makes one per comparison.
    const order = new Intl.Collator('en');
    rows.sort((a, b) => order.compare(a[0], b[0]));
  } catch {
    rows = [];
  }
  countryCache.set(tag, rows);
  return rows;
}

/**
 * Count's country suggestions: makes sure the `<datalist id=id>` beside `node` (in its shadow
 * root or document) holds the country names in English, the language's name as each option's
 * label. Built here rather than by the widget's virtual DOM: 250 options diffed on every
 * render and key, twice (one list per address), made the Count form's first render and each
 * keystroke slower (README, Speed). Both address countries share the list. Filled after the
 * next paint: the names come from `Intl.DisplayNames`, whose first use on a page costs tens of
 * milliseconds, and suggestions can follow the fields a frame later.
 */
export function countryList(node, id, tag) {
  const root = node.getRootNode();
  const owner = root.nodeType === 9 ? root.body : root;
  if (!owner || typeof root.getElementById !== 'function') return;
  let list = root.getElementById(id);
  if (list?.dataset.lang === tag) return;
  if (!list) {
    list = (root.ownerDocument ?? root).createElement('datalist');
    list.id = id;
    owner.append(list);
  }
  list.dataset.lang = tag;
  afterPaint(() => {
    // A later call for another language has taken the list over.
    if (list.dataset.lang !== tag) return;
    const options = countryRows(tag).map(([english, local]) => {
      const option = new Option();
      option.value = english;
      if (local !== english) option.label = local;
      return option;
    });
    list.replaceChildren(...options);
  });
}

/** Calls `then` with what `value` settles to (it is resolved first), or with null when it is
 * rejected (src/spawn.rs). */
export function settle(value, then) {
  Promise.resolve(value).then(then, () => then(null));
}
