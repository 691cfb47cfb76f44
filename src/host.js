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

/** `file`'s URL beside the page (where Trunk puts the `.wasm`). */
export function besidePage(file) {
  return new URL(file, document.baseURI).href;
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

/** 16 bytes from the CSPRNG (`getRandomValues` works in insecure contexts too). */
export function randomBytes() {
  return crypto.getRandomValues(new Uint8Array(16));
}

/**
 * One date formatter per language, made once: making one costs 20-35 ms the first time in a
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

/**
 * Makes the language's date formatter in a task of its own, soon: called when a record is asked
 * for, so the cost is paid while the request is on the network rather than when the record
 * arrives and the form is filled.
 */
export function prepareDates(tag) {
  setTimeout(() => dateFormat(tag), 0);
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
let countryCache;

/** Country names for suggestions: "English\tname in `tag`" lines, sorted by the English name.
 * Empty where the browser has no Intl.DisplayNames. */
export function countryNames(tag) {
  if (countryCache?.[0] === tag) return countryCache[1];
  let english;
  let local;
  try {
    english = new Intl.DisplayNames(['en'], { type: 'region' });
    local = new Intl.DisplayNames([tag], { type: 'region' });
  } catch {
    return '';
  }
  const rows = [];
  for (let i = 0; i < REGIONS.length; i += 2) {
    const code = REGIONS.slice(i, i + 2);
    const name = english.of(code);
    if (name && name !== code) rows.push([name, local.of(code) || name]);
  }
  rows.sort((a, b) => a[0].localeCompare(b[0], 'en'));
  countryCache = [tag, rows.map((row) => row.join('\t')).join('\n')];
  return countryCache[1];
}
