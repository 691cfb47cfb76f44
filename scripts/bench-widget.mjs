// The widget against a plain-JS form with the same fields and the same requests, in one
// headless Chromium run: cold loads (a fresh browser context each), interleaved, against a local
// fake API on another origin (so every write goes through a CORS preflight, as in production).
// Prints medians of
//   ready:   navigation start → the prefilled email is in its input;
//   per key: a keydown's timestamp → its `input` event reaching `window` (bubble phase),
// for the Prolifi update form (8 fields + metadata) and the Count update form (16 fields),
// then the same ratios taken round by round (each round loads both pages back to back), as
// median and quartiles: how far one run can be trusted on a busy machine.
// A report, not a test. Usage: node scripts/bench-widget.mjs [--loads N] [--keys N] [--package DIR]
//   [--against DIR]: another widget package in the plain-JS form's place (a before/after of two
//   builds in one run, interleaved; the 'plain' columns are then that package).
//   [--no-preload]: the wasm apps' pages without the README's preload hints (Embedding);
//   [--preload-widget-only]: only the --package widget's page with them.
//   [--compare DIR]: the framework apps bundled by scripts/compare.sh (bench/compare/README.md),
//   loaded and typed into in the same rounds; their figures are printed against the plain form's.
//   [--floor DIR]: the floor apps packed by scripts/floor.sh (bench/floor/README.md), loaded in
//   the same rounds with the same GET; their ready time is printed against the plain form's.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, extname, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchQuietChromium } from './lib/quiet-chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'tools', 'package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const LOADS = Number(option('loads', 15));
const KEYS = Number(option('keys', 20));
const PACKAGE = resolve(option('package', join(ROOT, 'www', 'package')));
const AGAINST = option('against', undefined);
// The pages of wasm apps carry the README's hints (Embedding, "Loading it sooner"), as an
// embedder is told to write them, unless --no-preload; with --preload-widget-only, only the
// widget's page of --package does (beside --against the same package: what the hints change).
const PRELOAD = args.includes('--no-preload') ? 'none' : args.includes('--preload-widget-only') ? 'widget' : 'all';
/** The `<head>` hints that fetch a wasm app's module and its `.wasm` while the page is parsed. */
const preloadHints = (module, wasm, widget = false) => (PRELOAD === 'all' || (PRELOAD === 'widget' && widget)
  ? `<link rel="modulepreload" href="${module}"><link rel="preload" href="${wasm}" as="fetch" type="application/wasm" crossorigin>`
  : '');
const AGAINST_PACKAGE = AGAINST && resolve(AGAINST);
// The floor apps (bench/floor/README.md, packed by scripts/floor.sh): one input each, a Yew app,
// an app on the widget's own virtual DOM (dom/) and a framework-free wasm app, loaded in the
// same rounds and making the same GET.
const FLOOR = option('floor', undefined) && resolve(option('floor'));
if (FLOOR) {
  for (const file of ['yew', 'dom', 'wasm'].flatMap((app) => [`${app}/app.js`, `${app}/app_bg.wasm`])) {
    if (!existsSync(join(FLOOR, file))) throw new Error(`--floor ${FLOOR}: ${file} is missing (scripts/floor.sh builds it)`);
  }
}
if (FLOOR && AGAINST_PACKAGE) throw new Error('--floor is read against the plain-JS form: leave it out with --against');
// The framework apps (bench/compare/README.md, bundled by scripts/compare.sh): the same form
// in React with react-hook-form and zod, and in Preact, loaded in the same rounds, typed into
// the same way: where the widget stands among the forms a dashboard would otherwise write.
const COMPARE = option('compare', undefined) && resolve(option('compare'));
if (COMPARE) {
  for (const app of ['react', 'preact']) {
    if (!existsSync(join(COMPARE, app, 'app.js'))) throw new Error(`--compare ${COMPARE}: ${app}/app.js is missing (scripts/compare.sh builds it)`);
  }
}
if (COMPARE && AGAINST_PACKAGE) throw new Error('--compare is read against the plain-JS form: leave it out with --against');
const COMPARE_APPS = COMPARE ? {
  'compare-react': 'React 19 + react-hook-form + zod',
  'compare-preact': 'Preact with hooks',
} : {};
const FLOOR_APPS = FLOOR ? {
  'floor-yew': 'a Yew app with one input',
  'floor-dom': 'an app on dom/ with one input',
  'floor-wasm': 'a wasm app with one input, no framework',
} : {};

// ---- the fake API (another origin): one Prolifi and one Count customer ----

const PROLIFI = {
  id: '0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10', external_id: 'cus_1001', email: 'jane@example.com',
  first_name: 'Jane', last_name: 'Doe', name: 'Jane Doe', company_name: 'Blue Harbour Ltd',
  phone: '+44 20 7946 0958', country_id: '9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61', country: 'United Kingdom',
  metadata: { plan: 'pro' }, status: 'active', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z',
};
const COUNT = {
  uuid: '5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d', customer: 'Blue Harbour Ltd', email: 'accounts@blueharbour.test',
  mainPhone: '+44 20 7946 0000', website: 'https://blueharbour.test', status: 'active',
  billingAddress: { street: '1 Quay St', city: 'Bristol', state: 'Avon', zipCode: 'BS1 4XE', country: 'United Kingdom' },
  shippingAddress: { street: '2 Dock Rd', city: 'Bristol', state: 'Avon', zipCode: 'BS1 5AB', country: 'United Kingdom' },
};

// BENCH_API_DELAY_MS: each API reply (preflights too) held back that long, as a network's round
// trip would; 0 (the default) is loopback as it is.
const API_DELAY_MS = Number(process.env.BENCH_API_DELAY_MS ?? 0);

function startApi() {
  return listen((req, res) => {
    if (API_DELAY_MS > 0) setTimeout(() => answerApi(req, res), API_DELAY_MS);
    else answerApi(req, res);
  });
}

function answerApi(req, res) {
  const cors = {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-methods': 'GET, PATCH, PUT, POST',
    'access-control-allow-headers': 'authorization, content-type, accept, idempotency-key',
    'access-control-expose-headers': 'idempotent-replayed, retry-after',
  };
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors).end();
    return;
  }
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const reply = (status, json) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    if (!req.headers.authorization?.startsWith('Bearer ')) return reply(401, { error: { type: 'authentication_error' } });
    const update = body ? JSON.parse(body) : {};
    if (req.url === '/prolifi/customers/cus_1001' || req.url === `/prolifi/customers/${PROLIFI.id}`) {
      return reply(200, { data: { ...PROLIFI, ...update } });
    }
    if (req.url === `/count/customers/${COUNT.uuid}`) {
      return reply(200, { status: 'success', data: { ...COUNT, ...update } });
    }
    return reply(404, { error: { type: 'not_found' } });
  });
}

// ---- the pages (this origin): the packed widget, and a plain-JS form doing the same ----

const FORMS = {
  prolifi: {
    label: 'Prolifi update (8 fields + metadata)',
    path: '/prolifi/customers/cus_1001',
    method: 'PATCH',
    typeInto: 'first_name',
    fields: ['email', 'first_name', 'last_name', 'name', 'company_name', 'external_id', 'phone', 'country_id', 'metadata'],
    // A secret test key is accepted against a loopback API (the sandbox rule), as in the demo.
    token: 'sk_test_bench',
  },
  count: {
    label: 'Count update (16 fields)',
    path: `/count/customers/${COUNT.uuid}`,
    method: 'PUT',
    typeInto: 'customer',
    fields: ['customer', 'email', 'mainPhone', 'website', 'status',
      ...['billingAddress', 'shippingAddress'].flatMap((a) => ['street', 'city', 'state', 'zipCode', 'country'].map((p) => `${a}.${p}`))],
    // A gateway-shaped scoped token (the fake API does not verify it; the widget reads its claims).
    token: `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ provider: 'count', ops: ['read', 'update'], customer: COUNT.uuid, exp: 4102444800 })).toString('base64url')}.sig`,
  },
};

// Both pages record the same marks: `ready` and one duration per key, measured the same way.
// Ready is also said on the console, where the harness waits for it: waiting by evaluating in
// the page (`waitForFunction`) had Playwright inject its own script (330 kB, 9-17 ms of the
// page's main thread in traces) in the middle of the load being measured.
const MEASURE = `
  window.bench = { keys: [] };
  window.benchReady = () => { window.bench.ready = performance.now(); console.debug('bench:ready'); };
  let down = null;
  addEventListener('keydown', (e) => { down = e.timeStamp; }, true);
  addEventListener('input', () => { if (down !== null) { window.bench.keys.push(performance.now() - down); down = null; } });
`;

function widgetPage(name, api, pkg = '/package/') {
  const form = FORMS[name];
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>widget</title>
${preloadHints(`${pkg}index.js`, `${pkg}customer_form_bg.wasm`, pkg === '/package/')}</head><body>
<customer-form provider="${name}" mode="update" customer-id="${name === 'prolifi' ? 'cus_1001' : COUNT.uuid}"
  api-base="${api}/${name}"></customer-form>
<script type="module">
${MEASURE}
import { defineCustomerForm } from '${pkg}index.js';
const element = document.querySelector('customer-form');
element.token = ${JSON.stringify(form.token)};
const email = ${JSON.stringify(name === 'prolifi' ? PROLIFI.email : COUNT.email)};
const check = () => {
  const input = element.shadowRoot?.querySelector('[name=email]');
  if (input && input.value === email && window.bench.ready === undefined) window.benchReady();
};
window.bench.start = performance.now();
await defineCustomerForm();
window.bench.defined = performance.now();
// The shadow root exists once the element is defined; the form renders into it after that.
new MutationObserver(check).observe(element.shadowRoot, { subtree: true, childList: true, attributes: true, characterData: true });
check();
</script></body></html>`;
}

/** A floor app (bench/floor) drawn, then the same GET as the plain form, its email put in the input. */
function floorPage(kind, name, api) {
  const form = FORMS[name];
  const app = `/floor/${kind.slice('floor-'.length)}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${kind}</title>
${preloadHints(`${app}/app.js`, `${app}/app_bg.wasm`)}</head><body>
<script type="module">
${MEASURE}
import init from '${app}/app.js';
await init({ module_or_path: '${app}/app_bg.wasm' });
const reply = await (await fetch(${JSON.stringify(api + form.path)}, { headers: { authorization: ${JSON.stringify(`Bearer ${form.token}`)}, accept: 'application/json' } })).json();
document.querySelector('[name=email]').value = reply.data.email;
window.benchReady();
</script></body></html>`;
}

/** A framework app (bench/compare) given the form to draw: its fields, the record's URL and headers. */
function comparePage(kind, name, api) {
  const form = FORMS[name];
  const config = {
    fields: form.fields,
    url: api + form.path,
    headers: { authorization: `Bearer ${form.token}`, accept: 'application/json' },
    method: form.method,
    email: name === 'prolifi' ? PROLIFI.email : COUNT.email,
  };
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${kind}</title>
<script type="module">
${MEASURE}
window.benchForm = ${JSON.stringify(config)};
</script>
<script type="module" src="/compare/${kind.slice('compare-'.length)}/app.js"></script></head><body>
<div id="app"></div></body></html>`;
}

function plainPage(name, api) {
  const form = FORMS[name];
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>plain</title></head><body>
<form id="form" novalidate></form>
<script type="module">
${MEASURE}
const fields = ${JSON.stringify(form.fields)};
const form = document.getElementById('form');
const values = {};
for (const name of fields) {
  const label = document.createElement('label');
  label.textContent = name;
  const input = document.createElement(name === 'metadata' ? 'textarea' : 'input');
  input.name = name;
  input.addEventListener('input', () => { values[name] = input.value; });
  label.append(input);
  form.append(label);
}
const button = document.createElement('button');
button.textContent = 'Save';
form.append(button);
const url = ${JSON.stringify(api + form.path)};
const headers = { authorization: ${JSON.stringify(`Bearer ${form.token}`)}, accept: 'application/json' };
const read = (data, path) => path.split('.').reduce((v, k) => v?.[k], data);
let loaded = {};
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== loaded[k]));
  await fetch(url, { method: ${JSON.stringify(form.method)}, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(changed) });
});
const reply = await (await fetch(url, { headers })).json();
for (const name of fields) {
  const value = read(reply.data, name);
  loaded[name] = typeof value === 'object' && value !== null ? JSON.stringify(value) : value ?? '';
  form.elements[name].value = loaded[name];
}
window.benchReady();
</script></body></html>`;
}

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

function startPages(api) {
  return listen(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const against = AGAINST_PACKAGE && url.pathname.startsWith('/against/');
    const floor = FLOOR && url.pathname.startsWith('/floor/');
    const compare = COMPARE && url.pathname.startsWith('/compare/');
    if (url.pathname.startsWith('/package/') || against || floor || compare) {
      try {
        const file = against
          ? join(AGAINST_PACKAGE, url.pathname.slice('/against/'.length))
          : floor ? join(FLOOR, url.pathname.slice('/floor/'.length))
          : compare ? join(COMPARE, url.pathname.slice('/compare/'.length))
          : join(PACKAGE, url.pathname.slice('/package/'.length));
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
    const [, kind, name] = url.pathname.match(/^\/(widget|plain|floor-yew|floor-dom|floor-wasm|compare-react|compare-preact)\/(prolifi|count)$/) ?? [];
    if (!kind || (kind.startsWith('floor-') && !FLOOR) || (kind.startsWith('compare-') && !COMPARE)) return res.writeHead(404).end();
    const html = kind === 'widget'
      ? widgetPage(name, api)
      : kind.startsWith('floor-') ? floorPage(kind, name, api)
      : kind.startsWith('compare-') ? comparePage(kind, name, api)
      : AGAINST_PACKAGE ? widgetPage(name, api, '/against/') : plainPage(name, api);
    res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(html);
  });
}

function listen(handler) {
  return new Promise((resolveServer) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 1;
    server.listen(0, '127.0.0.1', () => resolveServer({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** The functions with the most self time in a CPU profile (ms, or µs per key with `keys`),
 * idle and program time left out. */
function printProfile(kind, name, profile, keys = 0) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id).callFrame;
    // With the column: the packed module is one minified line.
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber}:${frame.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  });
  const top = [...self].filter(([key]) => !/^\((idle|program)\)/.test(key)).sort((a, b) => b[1] - a[1]).slice(0, 12);
  const figure = (ms) => (keys ? `${((ms * 1000) / keys).toFixed(0)} µs/key` : ms.toFixed(1));
  console.log(`${kind} ${name} ${keys ? 'typing ' : ''}profile:`, top.map(([key, ms]) => `${figure(ms)} ${key}`).join(' | '));
}

/** Chromium's sampling profiler started on `page`, sampling every `interval` µs. */
async function startProfiler(context, page, interval) {
  const session = await context.newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval });
  await session.send('Profiler.start');
  return session;
}

// ---- one cold load: fresh context, navigate, wait until ready, type ----

async function coldLoad(browser, pages, kind, name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // BENCH_PROFILE=1: where the main thread's time goes until ready (Chromium's sampling
  // profiler, self time by function), printed per load; BENCH_PROFILE=keys: while the keys are
  // typed, per key.
  const profiler = process.env.BENCH_PROFILE === '1' ? await startProfiler(context, page, 100) : null;
  let timer;
  const ready = new Promise((resolve, reject) => {
    page.on('console', (m) => m.text() === 'bench:ready' && resolve());
    timer = setTimeout(() => reject(new Error(`${kind}/${name} never became ready: ${errors.join('; ') || 'no sign in 30 s'}`)), 30_000);
  });
  // Awaited below; handled now, so a timeout during `goto` is that error, not an unhandled one.
  ready.catch(() => {});
  try {
    await page.goto(`${pages}/${kind}/${name}`);
    await ready;
  } finally {
    clearTimeout(timer);
  }
  if (profiler) printProfile(kind, name, (await profiler.send('Profiler.stop')).profile);
  if (kind.startsWith('floor-')) {
    // A floor app is there for its ready time only: nothing of it is typed into.
    const ready = await page.evaluate(() => window.bench.ready);
    await context.close();
    if (errors.length) throw new Error(`${kind}/${name}: ${errors.join('; ')}`);
    return { ready, keys: [] };
  }
  const field = kind === 'widget' || AGAINST_PACKAGE
    ? page.locator(`customer-form [name="${FORMS[name].typeInto}"]`)
    : page.locator(`[name="${FORMS[name].typeInto}"]`);
  await field.click();
  await field.press('End');
  const keyProfiler = process.env.BENCH_PROFILE === 'keys' ? await startProfiler(context, page, 50) : null;
  // One key at a time, each let settle, so no key waits behind the previous one.
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  }
  if (keyProfiler) printProfile(kind, name, (await keyProfiler.send('Profiler.stop')).profile, KEYS);
  const result = await page.evaluate(() => ({ ready: window.bench.ready, keys: window.bench.keys }));
  if (process.env.BENCH_TRACE) {
    const entries = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => [e.name.replace(/^http:\/\/[^/]+/, ''), e.initiatorType, Math.round(e.startTime), Math.round(e.responseEnd)]));
    const marks = await page.evaluate(() => [window.bench.start, window.bench.defined].map(Math.round)
      .concat(performance.getEntriesByType('mark').map((m) => `${m.name}@${Math.round(m.startTime)}`)));
    console.log(kind, name, 'ready', Math.round(result.ready), 'script start, defined', JSON.stringify(marks), JSON.stringify(entries));
  }
  await context.close();
  if (errors.length) throw new Error(`${kind}/${name}: ${errors.join('; ')}`);
  if (result.keys.length !== KEYS) throw new Error(`${kind}/${name}: ${result.keys.length} of ${KEYS} keys measured`);
  return result;
}

const median = (xs) => quantile(xs, 0.5);

/** The `q` quantile of `xs`, by linear interpolation between the closest ranks. */
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const low = Math.floor(at);
  return s[low] + (s[Math.min(low + 1, s.length - 1)] - s[low]) * (at - low);
};

/** Each load's figure over the other page's load of the same round (the two ran back to back). */
const pairedRatios = (widget, plain) => widget.map((w, i) => w / plain[i]);

const LAUNCH = {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
};

// Without Chromium's omnibox popup (scripts/lib/quiet-chromium.mjs says why): off, both pages
// load 20-25 ms sooner and the rounds' quartiles narrow (README, Speed). BENCH_OMNIBOX=1 leaves
// it on, as runs before 2026-11-28 had it.
async function launchBrowser() {
  if (process.env.BENCH_OMNIBOX === '1') return chromium.launch(LAUNCH);
  return launchQuietChromium(chromium, LAUNCH);
}

async function main() {
  const api = await startApi();
  const pages = await startPages(api.url);
  const browser = await launchBrowser();
  const results = {};
  try {
    for (const name of Object.keys(FORMS)) {
      results[name] = { widget: { ready: [], keys: [] }, plain: { ready: [], keys: [] } };
      for (const kind of [...Object.keys(COMPARE_APPS), ...Object.keys(FLOOR_APPS)]) results[name][kind] = { ready: [], keys: [] };
      // One warm-up of each, not counted (the first Chromium page pays for process start-up).
      for (const kind of Object.keys(results[name])) await coldLoad(browser, pages.url, kind, name);
      for (let i = 0; i < LOADS; i++) {
        const order = i % 2 ? ['plain', 'widget'] : ['widget', 'plain'];
        // The other apps after both, so the widget and the plain form still run back to back;
        // in an order turned by one each round, so that none always follows the same page.
        const others = [...Object.keys(COMPARE_APPS), ...Object.keys(FLOOR_APPS)];
        const turned = others.map((_, at) => others[(at + i) % others.length]);
        for (const kind of [...order, ...turned]) {
          const { ready, keys } = await coldLoad(browser, pages.url, kind, name);
          results[name][kind].ready.push(ready);
          // The median key of this load; the report's figure is the median over loads.
          if (keys.length) results[name][kind].keys.push(median(keys));
        }
      }
    }
  } finally {
    await browser.close();
    api.server.close();
    pages.server.close();
  }
  const other = AGAINST_PACKAGE ? `the widget of ${AGAINST_PACKAGE} (in the 'plain' columns)` : 'plain JS';
  console.log(`widget (${PACKAGE}) vs ${other}: ${LOADS} cold loads each, interleaved, ${KEYS} keys per load, preload hints: ${{ all: 'on every wasm page', none: 'none', widget: "on the widget's page only" }[PRELOAD]}`);
  console.log(`${'form'.padEnd(40)} ${'ready widget'.padStart(13)} ${'plain'.padStart(8)} ${'ratio'.padStart(6)}  ${'per key widget'.padStart(15)} ${'plain'.padStart(8)} ${'ratio'.padStart(6)}`);
  for (const [name, r] of Object.entries(results)) {
    const [rw, rp, kw, kp] = [median(r.widget.ready), median(r.plain.ready), median(r.widget.keys), median(r.plain.keys)];
    console.log(`${FORMS[name].label.padEnd(40)} ${rw.toFixed(1).padStart(10)} ms ${rp.toFixed(1).padStart(5)} ms ${(rw / rp).toFixed(2).padStart(5)}×  ${kw.toFixed(3).padStart(12)} ms ${kp.toFixed(3).padStart(5)} ms ${(kw / kp).toFixed(2).padStart(5)}×`);
  }
  // How far one run can be trusted: the same ratios taken per round (the two pages' loads ran
  // back to back, so a busy moment of the machine weighs on both), as median and quartiles.
  console.log('per round (median, 25th-75th percentile):');
  for (const [name, r] of Object.entries(results)) {
    const spread = (xs) => `${median(xs).toFixed(2)}× (${quantile(xs, 0.25).toFixed(2)}-${quantile(xs, 0.75).toFixed(2)})`;
    const ready = pairedRatios(r.widget.ready, r.plain.ready);
    const keys = pairedRatios(r.widget.keys, r.plain.keys);
    console.log(`${FORMS[name].label.padEnd(40)} ready ${spread(ready)}   per key ${spread(keys)}`);
  }
  if (COMPARE) {
    // The forms a dashboard would otherwise write, against the same round's plain form.
    console.log('the frameworks (bench/compare): medians over loads, and per round against the plain form:');
    for (const [name, r] of Object.entries(results)) {
      for (const [kind, what] of Object.entries(COMPARE_APPS)) {
        const spread = (xs) => `${median(xs).toFixed(2)}× (${quantile(xs, 0.25).toFixed(2)}-${quantile(xs, 0.75).toFixed(2)})`;
        console.log(`${FORMS[name].label.padEnd(40)} ${what.padEnd(34)} ready ${median(r[kind].ready).toFixed(1).padStart(6)} ms, per round ${spread(pairedRatios(r[kind].ready, r.plain.ready))}; per key ${median(r[kind].keys).toFixed(3)} ms, per round ${spread(pairedRatios(r[kind].keys, r.plain.keys))}`);
      }
    }
  }
  if (!FLOOR) return;
  // What any widget on the same stack pays before drawing a field of its own: the floor apps'
  // ready time against the same round's plain form (one or two loads apart, not back to back).
  console.log('the floor (bench/floor): ready, median over loads, and per round against the plain form:');
  for (const [name, r] of Object.entries(results)) {
    for (const [kind, what] of Object.entries(FLOOR_APPS)) {
      const ready = pairedRatios(r[kind].ready, r.plain.ready);
      const spread = `${median(ready).toFixed(2)}× (${quantile(ready, 0.25).toFixed(2)}-${quantile(ready, 0.75).toFixed(2)})`;
      console.log(`${FORMS[name].label.padEnd(40)} ${what.padEnd(40)} ${median(r[kind].ready).toFixed(1).padStart(6)} ms, per round ${spread}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
