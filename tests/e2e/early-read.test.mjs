// The record's read sent before the WebAssembly has loaded (src/fetch.js `readEarly`, asked by
// the element): it leaves while the wasm is still on its way, the wasm takes its reply instead
// of reading again, and nothing leaves early that the wasm would not have sent itself.
// The packed package (www/package, built by scripts/pack.sh) against the gateway and the sandbox.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  startSandbox, startGateway, serveStatic, launchBrowser, sandboxClient, ROOT,
} from './harness.mjs';
import { mintCustomerFormToken } from '../../examples/mint-token.mjs';

let sandbox, gateway, app, browser;

// The test pages, by path, served beside the package (a page fulfilled by the browser's own
// routing would have no address space, and Chromium then refuses it loopback requests).
const PAGES = new Map();

before(async () => {
  sandbox = await startSandbox();
  await sandboxClient(sandbox.url).reset();
  app = await serveStatic(join(ROOT, 'www', 'package'), { pages: PAGES });
  gateway = await startGateway(sandbox.url, app.url);
  await gateway.connectCount();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([gateway?.stop(), app?.stop(), sandbox?.stop()]);
});

const CUSTOMERS = {
  prolifi: 'cus_1001',
  partnero: 'customer_123',
  count: '5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d',
  commercelayer: 'XAyRWNUzyN',
};

const scoped = (provider, { ops = ['read', 'update'], ttl = 300 } = {}) => mintCustomerFormToken(
  { sub: 'early-read-e2e', provider, ops, customer: CUSTOMERS[provider], ttl },
  { hs256Key: gateway.tokenKey },
);

/**
 * Opens a page with one `<customer-form>` given `attributes`, then `setup` run in the page (the
 * token set as a property, as hosts do), with the wasm held back `holdMs`. Resolves to what
 * happened: every request the page sent for a customer record (`{at, method, url,
 * authorization}`), when the wasm was served, and the form's email once it shows one (or
 * `null` after `waitMs`).
 */
async function load(attributes, setup, { holdMs = 600, waitMs = 10_000, inspect = () => null, script = null, head = '' } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  const reads = [];
  const fetched = [];
  // What the network saw, in order: `request <path>` and `finished <path>`.
  const traffic = [];
  page.on('requestfinished', (request) => traffic.push(`finished ${new URL(request.url()).pathname}`));
  const warnings = [];
  page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
  let wasmServedAt = null;
  page.on('request', (request) => {
    fetched.push(new URL(request.url()).pathname);
    traffic.push(`request ${new URL(request.url()).pathname}`);
    if (/\/customers\//.test(request.url())) {
      reads.push({ at: Date.now(), method: request.method(), url: request.url(), authorization: request.headers().authorization });
    }
  });
  await page.route('**/*.wasm', async (route) => {
    await new Promise((ok) => setTimeout(ok, holdMs));
    wasmServedAt = Date.now();
    await route.continue();
  });
  // Any other host stands for an address off this machine: recorded above, never reached.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  const attrs = Object.entries(attributes).map(([name, value]) => `${name}="${value}"`).join(' ');
  const path = `/early-${PAGES.size}.html`;
  PAGES.set(path, script
    ? `<!DOCTYPE html><html lang="en"><body><div id="host"></div><script type="module">${script}</script></body></html>`
    : `<!DOCTYPE html><html lang="en"><head>${head}</head><body><customer-form ${attrs}></customer-form>
<script type="module">
import { defineCustomerForm } from './index.js';
const element = document.querySelector('customer-form');
const ready = defineCustomerForm();
${setup}
</script></body></html>`);
  try {
    await page.goto(`${app.url}${path}`);
    const email = await page.waitForFunction(
      () => (document.querySelector('customer-form') ?? document.getElementById('host'))
        ?.shadowRoot?.querySelector('[name=email]')?.value || null,
      null,
      { timeout: waitMs },
    ).then((handle) => handle.jsonValue(), () => null);
    return { reads, fetched, traffic, warnings, wasmServedAt, email, problems, inspected: await page.evaluate(inspect) };
  } finally {
    await context.close();
  }
}

for (const provider of Object.keys(CUSTOMERS)) {
  test(`${provider} through the gateway: the record is read once, before the wasm has come`, async () => {
    const token = scoped(provider);
    const { reads, wasmServedAt, email, problems } = await load(
      { provider, mode: 'update', 'customer-id': CUSTOMERS[provider], 'api-base': `${gateway.url}/${provider}` },
      `element.token = ${JSON.stringify(token)};`,
    );
    assert.deepEqual(problems, []);
    assert.ok(email, 'the form shows the record');
    const record = reads.filter((r) => r.method === 'GET' && new URL(r.url).pathname.endsWith(`/customers/${CUSTOMERS[provider]}`));
    assert.equal(record.length, 1, `one read of the record: ${JSON.stringify(record.map((r) => r.url))}`);
    assert.ok(record[0].at < wasmServedAt, 'the read left before the wasm was served');
    assert.equal(record[0].authorization, `Bearer ${token}`);
  });
}

for (const [how, credential] of [
  ['a token', (token) => `token: ${JSON.stringify(token)}`],
  ['a tokenProvider', (token) => `tokenProvider: async (purpose) => { window.asked.push(purpose); return ${JSON.stringify(token)}; }`],
]) {
  test(`mount() with ${how} reads the record early too, once`, async () => {
    const token = scoped('prolifi');
    const { reads, wasmServedAt, email, inspected } = await load({}, '', {
      script: `import { mount } from './index.js';
window.asked = [];
mount(document.getElementById('host'), { provider: 'prolifi', customerId: 'cus_1001', apiBase: ${JSON.stringify(`${gateway.url}/prolifi`)}, ${credential(token)} });`,
      inspect: () => window.asked,
    });
    assert.equal(email, 'jane@example.com');
    assert.equal(reads.length, 1);
    assert.ok(reads[0].at < wasmServedAt, 'the read left before the wasm was served');
    assert.deepEqual(inspected, how === 'a token' ? [] : [{ provider: 'prolifi', operation: 'update', customerId: 'cus_1001', apiBase: `${gateway.url}/prolifi` }]);
  });
}

// The hints the README gives a plain page, taken from it: the `.wasm` asked for before the module
// has even come (without the hint, only the module asks for it, once it runs), each file fetched
// once (a hint whose request differs from the module's, in mode or credentials, has Chromium
// fetch the file again and warn that the preload went unused), and the record still read early.
test('the README\'s preload hints: the module and the wasm fetched once each, the record read early', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const hints = readme.match(/\*\*Loading it sooner\.\*\*[^]*?```html\n([^]*?)```/)?.[1];
  assert.ok(hints?.includes('rel="preload"') && hints.includes('rel="modulepreload"'), 'the README gives both hints');
  assert.ok((await readFile(join(ROOT, 'www', 'README.md'), 'utf8')).includes(hints), 'the package\'s README gives the same');
  const token = scoped('prolifi');
  const { reads, fetched, traffic, warnings, wasmServedAt, email, problems } = await load(
    { provider: 'prolifi', mode: 'update', 'customer-id': CUSTOMERS.prolifi, 'api-base': `${gateway.url}/prolifi` },
    `element.token = ${JSON.stringify(token)};`,
    { head: hints.replaceAll('/customer-form/', './'), holdMs: 300 },
  );
  assert.deepEqual(problems, []);
  assert.equal(email, 'jane@example.com');
  assert.deepEqual(fetched.filter((path) => /\.(wasm|js)$/.test(path)).sort(), ['/customer_form_bg.wasm', '/index.js']);
  assert.ok(traffic.indexOf('request /customer_form_bg.wasm') < traffic.indexOf('finished /index.js'),
    `the .wasm asked for while the module was still coming: ${traffic.join(', ')}`);
  assert.deepEqual(warnings.filter((text) => /preload/i.test(text)), []);
  assert.equal(reads.length, 1);
  assert.ok(reads[0].at < wasmServedAt, 'the read left before the wasm was served');
});

test('a Prolifi secret test key is read early from this machine\'s sandbox', async () => {
  const { reads, wasmServedAt, email } = await load(
    { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': `${sandbox.url}/prolifi/api/v1/public` },
    'element.token = "sk_test_sandbox";',
  );
  assert.equal(email, 'jane@example.com');
  assert.equal(reads.length, 1);
  assert.ok(reads[0].at < wasmServedAt);
});

test('a token set again while the wasm loads: the old read is dropped, the new one taken', async () => {
  const [first, second] = [scoped('prolifi'), scoped('prolifi', { ops: ['read'] })];
  const { reads, wasmServedAt, email } = await load(
    { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': `${gateway.url}/prolifi` },
    `element.token = ${JSON.stringify(first)};
setTimeout(() => { element.token = ${JSON.stringify(second)}; }, 100);`,
  );
  assert.equal(email, 'jane@example.com');
  assert.deepEqual(reads.map((r) => r.authorization), [`Bearer ${first}`, `Bearer ${second}`]);
  assert.ok(reads.every((r) => r.at < wasmServedAt));
});

// The attacks: each would put a credential on the wire before the wasm could refuse it, or
// send one where the wasm would not. Nothing may leave early; the wasm then decides as before.
const ELSEWHERE = 'https://api.attacker.test/prolifi';
for (const [name, attributes, setup] of [
  ['a live secret key', { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': () => `${sandbox.url}/prolifi/api/v1/public` }, 'element.token = "sk_live_secret";'],
  ['a secret test key aimed off this machine', { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': ELSEWHERE }, 'element.token = "sk_test_secret";'],
  ['a secret test key aimed at a host that only starts like a loopback one', { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': 'http://127.0.0.1.attacker.test/p' }, 'element.token = "sk_test_secret";'],
  ['a gateway token for another provider', { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': () => `${gateway.url}/prolifi` }, () => `element.token = ${JSON.stringify(scoped('count'))};`],
  ['a gateway token that may not read', { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': () => `${gateway.url}/prolifi` }, () => `element.token = ${JSON.stringify(scoped('prolifi', { ops: ['update'] }))};`],
  ['an id that climbs out of the customer path', { provider: 'prolifi', 'customer-id': '../admin', 'api-base': () => `${gateway.url}/prolifi` }, () => `element.token = ${JSON.stringify(scoped('prolifi'))};`],
  ['a create form', { provider: 'prolifi', mode: 'create', 'customer-id': 'cus_1001', 'api-base': () => `${gateway.url}/prolifi` }, () => `element.token = ${JSON.stringify(scoped('prolifi'))};`],
]) {
  test(`nothing is read early with ${name}`, async () => {
    const resolved = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, typeof v === 'function' ? v() : v]));
    const { reads, wasmServedAt } = await load(resolved, typeof setup === 'function' ? setup() : setup, { waitMs: 1500 });
    assert.ok(wasmServedAt !== null, 'the wasm was served');
    assert.deepEqual(reads.filter((r) => r.at < wasmServedAt), []);
    assert.ok(!reads.some((r) => r.url.startsWith('https://api.attacker.test') || r.url.includes('attacker.test')), 'no request off this machine');
  });
}

// When the page sets `api-base` to another address on its own: while the wasm loads, or once
// the form has drawn its record (page scripts for `load`, which define `element` and `ready`).
const API_BASE_CHANGES = [
  ['while the wasm loads', 'setTimeout(() => element.setAttribute("api-base", ELSEWHERE), 200);'],
  ['after the form has drawn', `ready.then(() => new Promise((shown) => {
  const drawn = () => element.shadowRoot?.querySelector('[name=email]')?.value;
  const wait = () => (drawn() ? shown() : setTimeout(wait, 20));
  wait();
})).then(() => element.setAttribute("api-base", ELSEWHERE));`],
];

// A token is a credential for the address it was given with: an `api-base` changed later on
// its own (a framework binding fed from data, a script that can only set attributes) must not
// carry it to another origin, before the wasm has loaded or after.
for (const [when, change] of API_BASE_CHANGES) {
  test(`a token set with one api-base is not sent to another set later alone, ${when}`, async () => {
    const token = scoped('prolifi');
    const { reads, inspected } = await load(
      { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': `${gateway.url}/prolifi` },
      `const ELSEWHERE = ${JSON.stringify(ELSEWHERE)};
element.token = ${JSON.stringify(token)};
${change}
window.settled = new Promise((done) => setTimeout(done, 1500));`,
      { waitMs: 1500, inspect: async () => { await window.settled; return document.querySelector('customer-form').dataset.state ?? null; } },
    );
    const carried = reads.filter((r) => r.url.startsWith(ELSEWHERE));
    assert.deepEqual(carried.filter((r) => r.authorization === `Bearer ${token}`), [], 'the token did not go to the new address');
    assert.ok(inspected !== 'saving');
  });
}

// The same out of the page: a token set while the element is not in the document, an
// `api-base` changed in a later task, then the element put in. The token was given with the
// first address; being out of the page must not postpone that pairing until it is back.
test('a token set out of the page is not sent to an api-base set later alone, once in the page', async () => {
  const token = scoped('prolifi');
  const { reads, inspected } = await load(
    { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': `${gateway.url}/prolifi` },
    `const ELSEWHERE = ${JSON.stringify(ELSEWHERE)};
element.remove();
element.token = ${JSON.stringify(token)};
window.settled = new Promise((done) => setTimeout(() => {
  element.setAttribute('api-base', ELSEWHERE);
  setTimeout(() => { document.body.append(element); setTimeout(done, 1500); }, 50);
}, 50));`,
    { waitMs: 2000, inspect: async () => { await window.settled; return document.querySelector('customer-form')?.isConnected ?? false; } },
  );
  assert.equal(inspected, true, 'the element is back in the page');
  assert.deepEqual(reads.filter((r) => r.authorization === `Bearer ${token}`), [], 'the token went nowhere');
});

// With a tokenProvider, each token is asked for the address it will go to (`apiBase`), so the
// host's backend can refuse one it does not know, before the wasm has loaded and after.
for (const [when, change] of API_BASE_CHANGES) {
  test(`a tokenProvider is told the api-base, and can refuse one set later, ${when}`, async () => {
    const token = scoped('prolifi');
    const { reads, inspected } = await load(
      { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': `${gateway.url}/prolifi` },
      `const ELSEWHERE = ${JSON.stringify(ELSEWHERE)};
window.asked = [];
element.tokenProvider = async (context) => {
  window.asked.push(context.apiBase);
  return context.apiBase === ${JSON.stringify(`${gateway.url}/prolifi`)} ? ${JSON.stringify(token)} : null;
};
${change}
window.settled = new Promise((done) => setTimeout(done, 1500));`,
      { waitMs: 1500, inspect: async () => { await window.settled; return window.asked; } },
    );
    assert.ok(inspected.includes(ELSEWHERE), `asked for the new address: ${JSON.stringify(inspected)}`);
    assert.ok(inspected.every((base) => base === ELSEWHERE || base === `${gateway.url}/prolifi`), JSON.stringify(inspected));
    assert.deepEqual(reads.filter((r) => r.url.startsWith(ELSEWHERE) && r.authorization === `Bearer ${token}`), []);
  });
}

test('with a tokenProvider: asked once, early, and its token reads the record before the wasm has come', async () => {
  const token = scoped('prolifi');
  const { reads, wasmServedAt, email, inspected } = await load(
    { provider: 'prolifi', 'customer-id': ' cus_1001 ', 'api-base': `${gateway.url}/prolifi` },
    `window.asked = [];
element.tokenProvider = async (purpose) => { window.asked.push(purpose); return ${JSON.stringify(token)}; };`,
    { inspect: () => window.asked },
  );
  assert.equal(email, 'jane@example.com');
  assert.deepEqual(inspected, [{ provider: 'prolifi', operation: 'update', customerId: 'cus_1001', apiBase: `${gateway.url}/prolifi` }]);
  assert.equal(reads.length, 1);
  assert.ok(reads[0].at < wasmServedAt, 'the read left before the wasm was served');
});

test('a tokenProvider whose token the wasm would refuse: nothing read early, the form refuses it', async () => {
  const { reads, wasmServedAt, inspected } = await load(
    { provider: 'prolifi', 'customer-id': 'cus_1001', 'api-base': `${gateway.url}/prolifi` },
    `window.asked = [];
element.tokenProvider = async (purpose) => { window.asked.push(purpose); return ${JSON.stringify(scoped('count'))}; };`,
    { waitMs: 1500, inspect: () => window.asked },
  );
  assert.deepEqual(reads, []);
  assert.ok(wasmServedAt !== null);
  assert.equal(inspected.length, 1, 'the host was asked once');
});

// The glue's fallback when a server sends the `.wasm` as something else: the form still loads,
// and the console says, in the package's own shorter words (scripts/shorten-glue-warning.mjs),
// how to serve it.
test('a .wasm served without application/wasm still loads, and the console says how to serve it', async () => {
  const pages = new Map([['/wrong-type.html', `<!DOCTYPE html><html lang="en"><body>
<customer-form provider="prolifi" mode="create" api-base="${gateway.url}/prolifi"></customer-form>
<script type="module">
import { defineCustomerForm } from './index.js';
defineCustomerForm();
document.querySelector('customer-form').token = ${JSON.stringify(scoped('prolifi', { ops: ['create'] }))};
</script></body></html>`]]);
  const wrong = await serveStatic(join(ROOT, 'www', 'package'), {
    pages,
    headers: (path) => (path.endsWith('.wasm') ? { 'content-type': 'application/octet-stream' } : {}),
  });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const warnings = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    await page.goto(`${wrong.url}/wrong-type.html`);
    await page.locator('customer-form [name=email]').waitFor();
    assert.ok(
      warnings.some((w) => w.startsWith('customer-form: serve .wasm as application/wasm')),
      JSON.stringify(warnings),
    );
  } finally {
    await context.close();
    wrong.stop();
  }
});
