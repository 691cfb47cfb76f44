// Prolifi end to end: the trunk-built demo in headless Chromium against the sandbox, asserting
// the exact requests the sandbox received.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage, openDemo, waitForState, UUID, startStack, stopStack,
} from './harness.mjs';

const JANE_ID = '0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10';
const PREFIX = '/prolifi/api/v1/public';

let sandbox, demo, browser, api, page;

before(async () => ({ sandbox, demo, browser, api } = await startStack({ gateway: false })));
after(() => stopStack({ sandbox, demo, browser }));

beforeEach(async () => {
  await api.reset();
  page = await newPage(browser);
});

async function open({ mode = 'update', credential = 'secret' } = {}) {
  // Without a countries list: `country_id` is the id typed in, as these wire tests need (the
  // picker a list gives is tested in editors-countries.test.mjs).
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', mode, credential, countries: 'off' });
}

const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();

function assertHeaders(entry, expected) {
  for (const [name, value] of Object.entries(expected)) {
    if (value instanceof RegExp) assert.match(entry.headers[name] ?? '', value, name);
    else assert.equal(entry.headers[name], value, name);
  }
}

test('update sends only the changed field, to the customer loaded by external_id', async () => {
  await open();
  await waitForState(page, 'ready');
  assert.equal(await field('last_name').inputValue(), 'Doe');
  const saved = page.evaluate(() => new Promise((resolve) => {
    document.querySelector('customer-form').addEventListener('customer-saved', (e) => resolve(e.detail), { once: true });
  }));
  await field('last_name').fill('Smith');
  await submit();
  await waitForState(page, 'saved');
  assert.equal(await page.locator('customer-form [role=status]').textContent(), 'Changes saved.');

  const log = await api.log();
  assert.deepEqual(log.map((e) => `${e.method} ${e.path}`), [
    `GET ${PREFIX}/customers/cus_1001`,
    // Before writing, the form reads the record again: has anyone changed it meanwhile?
    `GET ${PREFIX}/customers/${JANE_ID}`,
    `PATCH ${PREFIX}/customers/${JANE_ID}`,
  ]);
  const patch = log[2];
  assert.equal(patch.body, '{"last_name":"Smith"}');
  assert.equal(patch.query, null);
  assertHeaders(patch, {
    authorization: 'Bearer sk_test_demo',
    'content-type': 'application/json',
    accept: 'application/json',
    'idempotency-key': UUID,
  });
  assert.equal(patch.status, 200);
  const detail = await saved;
  assert.equal(detail.operation, 'update');
  assert.equal(detail.customer.last_name, 'Smith');
  assert.equal(detail.customer.name, 'Jane Smith');
});

test('clearing a field sends null, and nothing else', async () => {
  await open();
  await waitForState(page, 'ready');
  await field('phone').fill('');
  await submit();
  await waitForState(page, 'saved');
  const patch = (await api.log()).find((e) => e.method === 'PATCH');
  assert.equal(patch.body, '{"phone":null}');
  assert.equal(await field('phone').inputValue(), '');
});

test('submitting without a change sends nothing', async () => {
  await open();
  await waitForState(page, 'ready');
  await field('first_name').fill(' Jane ');
  await submit();
  await page.locator('customer-form [role=status]', { hasText: 'Nothing to save' }).waitFor();
  assert.deepEqual((await api.log()).map((e) => e.method), ['GET']);
});

test('create posts the typed fields with an idempotency key, then edits the new customer', async () => {
  await open({ mode: 'create' });
  await waitForState(page, 'ready');
  await field('email').fill('ada@example.com');
  await field('first_name').fill('Ada');
  await field('last_name').fill('Lovelace');
  await field('company_name').fill('Analytical Engines Ltd');
  await field('metadata').fill('{ "plan": "pro", "seats": 5 }');
  await submit();
  await waitForState(page, 'saved');
  // Issue 12: the new customer's id is said beside the button.
  assert.match(await page.locator('customer-form [role=status]').textContent(), /^Customer created\. Its ID is [0-9a-f-]{36}\.$/);
  const log = await api.log();
  assert.equal(log.length, 1);
  const post = log[0];
  assert.equal(`${post.method} ${post.path}`, `POST ${PREFIX}/customers`);
  assert.equal(
    post.body,
    '{"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","company_name":"Analytical Engines Ltd","metadata":{"plan":"pro","seats":5}}',
  );
  assertHeaders(post, {
    authorization: 'Bearer sk_test_demo',
    'content-type': 'application/json',
    'idempotency-key': UUID,
  });
  assert.equal(post.status, 201);

  // A second save updates the customer just created instead of creating another one.
  await field('phone').fill('+33 1 23 45 67 89');
  await submit();
  await waitForState(page, 'saved');
  const second = (await api.log()).find((e) => e.method === 'PATCH');
  assert.equal(second.method, 'PATCH');
  assert.match(second.path, new RegExp(`^${PREFIX}/customers/[0-9a-f-]{36}$`));
  assert.equal(second.body, '{"phone":"+33 1 23 45 67 89"}');
  assert.notEqual(second.headers['idempotency-key'], post.headers['idempotency-key']);
});

test('a 422 from Prolifi is shown beside the field it names, and typed values stay', async () => {
  await open({ mode: 'create' });
  await waitForState(page, 'ready');
  await field('email').fill('ada@example.com');
  await field('first_name').fill('Ada');
  // A well-formed UUID that is not a Prolifi country: only the server can refuse it.
  await field('country_id').fill('00000000-0000-4000-8000-000000000000');
  await submit();
  await waitForState(page, 'error');

  const input = field('country_id');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  const describedBy = (await input.getAttribute('aria-describedby')).split(' ');
  const errorText = await page.locator(`customer-form #${describedBy[0]}`).textContent();
  const post = (await api.log())[0];
  assert.equal(post.status, 422);
  assert.match(errorText, /country/i);
  assert.match(await page.locator('customer-form [role=alert]').textContent(), /did not accept some values/);
  assert.equal(await field('email').inputValue(), 'ada@example.com');
  assert.equal(await field('first_name').inputValue(), 'Ada');

  // Fixing the field clears its error; the retry goes through.
  await input.fill('');
  assert.equal(await input.getAttribute('aria-invalid'), null);
  await submit();
  await waitForState(page, 'saved');
});

test('a public key makes the form read-only and no write is ever sent', async () => {
  await open({ credential: 'public' });
  await waitForState(page, 'read-only');
  assert.equal(await field('last_name').inputValue(), 'Doe');
  assert.notEqual(await field('last_name').getAttribute('readonly'), null);
  assert.equal(await page.locator('customer-form button[type=submit]').isDisabled(), true);
  assert.match(await page.locator('customer-form [role=status]').textContent(), /read-only/);
  // Said at the top too, where the eye starts, not only beside the button three screens down.
  assert.match(await page.locator('customer-form [part=note]').textContent(), /can only read, so the form is read-only/);
  await page.locator('customer-form form').evaluate((form) => form.requestSubmit());
  await page.waitForTimeout(200);
  const log = await api.log();
  assert.ok(log.length >= 1);
  for (const entry of log) {
    assert.equal(entry.method, 'GET');
    assert.equal(entry.headers.authorization, 'Bearer pk_test_demo');
  }
});

test('a live secret key is refused in the browser: no request at all, a clear message', async () => {
  await open({ credential: 'live' });
  await waitForState(page, 'error');
  const alert = await page.locator('customer-form [role=alert]').textContent();
  assert.match(alert, /secret live key/i);
  assert.match(alert, /nothing was sent/i);
  assert.deepEqual(await api.log(), []);
  const html = await page.evaluate(() => document.documentElement.outerHTML
    + document.querySelector('customer-form').shadowRoot.innerHTML);
  assert.ok(!html.includes('sk_live_demo'), 'the key is not in the DOM');
  assert.equal(await page.locator('customer-form').getAttribute('token'), null);
});
