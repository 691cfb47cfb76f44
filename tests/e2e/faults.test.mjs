// Faults: each one injected by the sandbox, in headless Chromium. For each, the typed values stay
// in the form, the message says what happened and what to do, and a retry (automatic where safe,
// otherwise a button) succeeds once the fault clears. Creates are never duplicated.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage, openDemo, waitForState, formState, startStack, stopStack,
} from './harness.mjs';

const JANE_ID = '0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10';
const PROLIFI = '/prolifi/api/v1/public/customers';

let sandbox, gateway, demo, browser, api, page;
/** Every create the sandbox committed, over the whole file. */
const committedCreates = [];

before(async () => ({ sandbox, gateway, demo, browser, api } = await startStack()));
after(() => stopStack({ sandbox, gateway, demo, browser }));

beforeEach(async () => {
  await api.reset();
  await gateway.connectCount();
  page = await newPage(browser);
});

async function open(query) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, ...query });
}

const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();
const alertText = () => page.locator('customer-form [role=alert]').textContent();
const statusText = () => page.locator('customer-form [role=status]').textContent();

/** Creates the sandbox carried out: 2xx answers that were not replays, and committed drops. */
async function creates(path) {
  const log = await api.log();
  const committed = log.filter((e) => e.method === 'POST' && e.path === path
    && ((e.status >= 200 && e.status < 300 && !e.replayed) || e.fault === 'drop_after_commit'));
  committedCreates.push(committed.length);
  return committed;
}

async function openJaneAndEdit() {
  await open({ provider: 'prolifi', credential: 'secret' });
  await waitForState(page, 'ready');
  await field('last_name').fill('Fault-Tolerant');
}

/** Waits for a status or alert text matching `pattern`, as it is shown. Checked on every
 * animation frame: a retry's message may be up for only a quarter of a second, shorter than a
 * locator's polling interval. */
async function shows(pattern) {
  await page.waitForFunction(({ source, flags }) => {
    const root = document.querySelector('customer-form')?.shadowRoot;
    const wanted = new RegExp(source, flags);
    return [...(root?.querySelectorAll('[role=status], [role=alert]') ?? [])].some((el) => wanted.test(el.textContent));
  }, { source: pattern.source, flags: pattern.flags }, { polling: 'raf', timeout: 10_000 });
}

describe('faults on an update (Prolifi): retried automatically, values kept', () => {
  const cases = [
    ['connection dropped', { kind: 'drop' }, /did not answer properly; trying again/],
    ['500', { kind: 'status', status: 500, body: '{"error":{"type":"api_error","message":"Internal error."}}' }, /trying again/],
    ['502 with an HTML body', { kind: 'html502' }, /trying again/],
    ['429 with Retry-After', { kind: 'rate_limit', retry_after: 1 }, /asked to wait; trying again in 1 s/],
    ['429 without Retry-After', { kind: 'rate_limit', retry_after: null }, /trying again/],
    ['malformed JSON', { kind: 'malformed_json' }, /trying again/],
    ['a huge body', { kind: 'huge_body', bytes: 3 * 1024 * 1024 }, /trying again/],
  ];
  for (const [name, action, message] of cases) {
    test(name, async () => {
      await openJaneAndEdit();
      // The first answer after this is the fault: slow the retry down enough to see the message.
      await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action }]);
      await submit();
      await shows(message);
      assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant', 'typed values stay');
      await waitForState(page, 'saved');
      const patches = (await api.log()).filter((e) => e.method === 'PATCH');
      assert.equal(patches.length, 2, 'one failed attempt, one retry');
      assert.ok(patches[0].fault, 'the first met the fault');
      assert.equal(patches[1].status, 200);
      assert.equal(patches[1].body, '{"last_name":"Fault-Tolerant"}');
      assert.equal(patches[1].headers['idempotency-key'], patches[0].headers['idempotency-key'], 'the same request, the same key');
    });
  }

  test('a redirect is not followed: what was typed and the credential go nowhere else', async () => {
    await openJaneAndEdit();
    // Another origin on the same machine (the sandbox answers CORS for any origin), so that
    // following it would show in the sandbox's log.
    const elsewhere = sandbox.url.replace('127.0.0.1', 'localhost');
    await api.faults([{
      provider: 'prolifi', method: 'PATCH', times: 1,
      action: { kind: 'status', status: 307, body: '', headers: { location: `${elsewhere}/prolifi/stolen` } },
    }]);
    await submit();
    await waitForState(page, 'saved');
    const log = await api.log();
    const followed = log.filter((e) => e.path.includes('stolen') || (e.headers.host ?? '').startsWith('localhost'));
    assert.deepEqual(followed.map((e) => `${e.method} ${e.path}`), [], 'nothing reached the redirect\'s target');
    const patches = log.filter((e) => e.method === 'PATCH');
    assert.equal(patches.length, 2, 'the redirect, then the retry');
    assert.equal(patches[1].status, 200);
  });

  test('429 with a longer wait than the form waits out: Save pressed early waits the rest, then saves once', async () => {
    // The page's clock, moved on by the test: the wait is 40 s.
    await page.clock.install();
    await openJaneAndEdit();
    await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: { kind: 'rate_limit', retry_after: 40 } }]);
    const patches = async () => (await api.log()).filter((e) => e.method === 'PATCH');
    await submit();
    await waitForState(page, 'error');
    assert.match(await alertText(), /Try again in 40 s/);
    // At once: more is left than the form waits out by itself, so nothing goes; it says so.
    await submit();
    await shows(/Try again in (39|40) s/);
    assert.equal(await formState(page), 'error');
    await page.clock.fastForward(15_000);
    // 25 s left: the save waits them out instead of being refused again.
    await submit();
    await waitForState(page, 'saving');
    await shows(/asked to wait; trying again in 2[45] s/);
    assert.equal((await patches()).length, 1, 'nothing sent before the wait is over');
    await page.clock.fastForward(26_000);
    await waitForState(page, 'saved');
    const sent = await patches();
    assert.equal(sent.length, 2, 'the refused one, then one save');
    assert.equal(sent[1].status, 200);
    assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant');
  });

  test('a reply sent in chunks that never ends: given up once past the size limit, not read to its end', async () => {
    // The page's clock stands still, so the request's timeout cannot end the wait, and the
    // sandbox keeps the stream open, so no network error does: only counting what arrives can.
    // Read to its end, the reply would hold the form for ten minutes.
    await page.clock.install();
    await openJaneAndEdit();
    await api.faults([{
      provider: 'prolifi', method: 'PATCH', times: 1,
      action: { kind: 'huge_body', bytes: 2 * 1024 * 1024, chunked: true, hold_ms: 600_000 },
    }]);
    await submit();
    await shows(/trying again/);
    assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant');
    // The retry waits on the page's clock.
    await page.clock.fastForward(5_000);
    await waitForState(page, 'saved');
    const patches = (await api.log()).filter((e) => e.method === 'PATCH');
    assert.equal(patches.length, 2, 'the endless reply, then the retry');
    assert.equal(patches[0].fault, 'huge_body');
    assert.equal(patches[1].status, 200);
  });

  test('a reply slower than the timeout', async () => {
    await openJaneAndEdit();
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('request-timeout', '1000'));
    await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: { kind: 'delay', ms: 2500 } }]);
    await submit();
    await shows(/trying again/);
    assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant');
    await waitForState(page, 'saved');
  });

  test('a fault that outlasts the retries: a clear message, then the button retries', async () => {
    await openJaneAndEdit();
    await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 4, action: { kind: 'status', status: 503, body: '' } }]);
    await submit();
    await waitForState(page, 'error');
    assert.match(await alertText(), /Prolifi had a problem \(503\)\. Your entries are kept; try again in a moment\./);
    assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant');
    const button = page.locator('customer-form button[type=submit]');
    assert.equal(await button.textContent(), 'Try again');
    await button.click();
    await waitForState(page, 'saved');
    const patches = (await api.log()).filter((e) => e.method === 'PATCH');
    assert.equal(patches.length, 5);
    assert.equal(new Set(patches.map((e) => e.headers['idempotency-key'])).size, 1, 'every attempt is the same request');
  });

  test('404: the customer is gone; the message says so and nothing is lost', async () => {
    await openJaneAndEdit();
    await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: { kind: 'status', status: 404, body: '{"error":{"type":"not_found","message":"Customer not found."}}' } }]);
    await submit();
    await waitForState(page, 'error');
    assert.match(await alertText(), /not found \(404\)\. It may have been deleted/);
    assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant');
    assert.equal((await api.log()).filter((e) => e.method === 'PATCH').length, 1, 'a 404 is not retried blindly');
    await submit();
    await waitForState(page, 'saved');
  });

  test('409: a conflict with another record is explained, then a retry goes through', async () => {
    await openJaneAndEdit();
    await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: { kind: 'status', status: 409, body: '{"error":{"type":"conflict","message":"Another request is using this key."}}' } }]);
    await submit();
    await waitForState(page, 'error');
    assert.match(await alertText(), /conflicts with another customer \(409\)/);
    assert.match(await alertText(), /Prolifi said: Another request is using this key\./);
    assert.equal(await field('last_name').inputValue(), 'Fault-Tolerant');
    await submit();
    await waitForState(page, 'saved');
  });
});

describe('faults on a create: never a duplicate', () => {
  test('Prolifi: the connection drops after the create was stored; the retry replays it', async () => {
    await open({ provider: 'prolifi', mode: 'create', credential: 'secret' });
    await waitForState(page, 'ready');
    await field('email').fill('once@example.com');
    await field('first_name').fill('Once');
    await api.faults([{ provider: 'prolifi', method: 'POST', times: 1, action: { kind: 'drop_after_commit' } }]);
    await submit();
    await waitForState(page, 'saved');
    assert.match(await statusText(), /already received this request; nothing was saved twice/);
    const posts = (await api.log()).filter((e) => e.method === 'POST' && e.path === PROLIFI);
    assert.equal(posts.length, 2, JSON.stringify(posts.map((e) => [e.status, e.fault, e.replayed, e.headers['idempotency-key']])));
    assert.equal(posts[1].replayed, true);
    assert.equal((await creates(PROLIFI)).length, 1);
  });

  test('Prolifi: a create timing out while stored is retried with its key', async () => {
    await open({ provider: 'prolifi', mode: 'create', credential: 'secret' });
    await waitForState(page, 'ready');
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('request-timeout', '1000'));
    await field('email').fill('slow@example.com');
    await api.faults([{ provider: 'prolifi', method: 'POST', times: 1, action: { kind: 'delay', ms: 2000 } }]);
    await submit();
    await waitForState(page, 'saved');
    await page.waitForTimeout(1500);
    assert.equal((await creates(PROLIFI)).length, 1);
  });

  test('Count: after a dropped create, the email lookup finds it instead of creating again', async () => {
    await open({ provider: 'count', mode: 'create', credential: 'scoped' });
    await waitForState(page, 'ready');
    await field('customer').fill('Hooli');
    await field('email').fill('ap@hooli.test');
    await api.faults([{ provider: 'count', method: 'POST', path_contains: '/customers', times: 1, action: { kind: 'drop_after_commit' } }]);
    await submit();
    await waitForState(page, 'saved');
    const requests = (await api.log()).filter((e) => e.path.startsWith('/count/partners/customers'));
    assert.deepEqual(requests.map((e) => `${e.method} ${e.path.replace('/count/partners', '')}`).slice(0, 4), [
      'GET /customers/find-by-email',
      'POST /customers',
      'GET /customers/find-by-email',
      `GET ${requests[3].path.replace('/count/partners', '')}`,
    ]);
    assert.equal((await creates('/count/partners/customers')).length, 1);
    assert.equal(await field('customer').inputValue(), 'Hooli');
  });

  test('Partnero: after a dropped create, reading the key back finds it', async () => {
    await open({ provider: 'partnero', mode: 'create', credential: 'scoped' });
    await waitForState(page, 'ready');
    await field('key').fill('customer_once');
    await field('partner.key').fill('ref_123');
    await api.faults([{ provider: 'partnero', method: 'POST', times: 1, action: { kind: 'drop_after_commit' } }]);
    await submit();
    await waitForState(page, 'saved');
    assert.equal((await creates('/partnero/v1/customers')).length, 1);
  });

  test('Commerce Layer guest: no automatic retry without a guard; the retry button is safe', async () => {
    await open({ provider: 'commercelayer', mode: 'create', credential: 'sales-channel' });
    await waitForState(page, 'ready');
    await field('email').fill('guest@example.com');
    await api.faults([{ provider: 'commercelayer', method: 'POST', path_contains: '/api/customers', times: 1, action: { kind: 'status', status: 500, body: '{"errors":[{"title":"Internal error","detail":"Internal error","code":"INTERNAL_SERVER_ERROR","status":"500"}]}' } }]);
    await submit();
    await waitForState(page, 'error');
    assert.match(await alertText(), /Commerce Layer had a problem \(500\)/);
    assert.equal(await field('email').inputValue(), 'guest@example.com');
    await submit();
    await waitForState(page, 'saved');
    assert.equal((await creates('/commercelayer/api/customers')).length, 1);
  });
});

test('401 with an expired token: a new token and one retry, through the gateway', async () => {
  await open({ provider: 'prolifi', credential: 'scoped' });
  await waitForState(page, 'ready');
  await field('last_name').fill('Refreshed');
  await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: { kind: 'status', status: 401, body: '{"error":{"type":"authentication_error","message":"Token expired."}}' } }]);
  await submit();
  await waitForState(page, 'saved');
  const patches = (await api.log()).filter((e) => e.method === 'PATCH');
  assert.deepEqual(patches.map((e) => e.status), [401, 200]);
});

test('the sandbox recorded no duplicate create in any fault test', () => {
  assert.ok(committedCreates.length >= 5);
  assert.ok(committedCreates.every((n) => n === 1), `creates per test: ${committedCreates}`);
});
