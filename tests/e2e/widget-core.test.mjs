// The widget's core as a person meets it: a draft written when the page is hidden or left (not
// on every key) that still survives a reload right after typing; language files fetched only
// when needed, and English when one cannot be had.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage, openDemo, waitForState, startStack, stopStack,
} from './harness.mjs';

let sandbox, demo, browser, api, page;

before(async () => ({ sandbox, demo, browser, api } = await startStack({ gateway: false })));
after(() => stopStack({ sandbox, demo, browser }));

beforeEach(async () => {
  await api.reset();
  page = await newPage(browser);
});

const field = (name) => page.locator(`customer-form [name="${name}"]`);

async function openJaneWithDrafts() {
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret' });
  await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
  await waitForState(page, 'ready');
}

test('a reload right after typing still restores what was typed', async () => {
  await openJaneWithDrafts();
  await field('company_name').click();
  await page.keyboard.type('Quick Ltd');
  await page.reload();
  await page.waitForSelector('body[data-demo-ready=true]');
  await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
  await waitForState(page, 'ready');
  await page.locator('customer-form [role=status]', { hasText: 'restored' }).waitFor();
  assert.equal(await field('company_name').inputValue(), 'Quick Ltd');
});

// A tab pane that detaches its content, or Vue's <KeepAlive>: the element out of the page past
// its task ends its form, and `draft` brings what was typed back when it returns (README, "The
// public contract").
test('an element taken out of the page and put back later restores what was typed, with draft', async () => {
  await openJaneWithDrafts();
  await field('company_name').click();
  await page.keyboard.type('Away Ltd');
  await page.evaluate(() => {
    const form = document.querySelector('customer-form');
    window.keptAside = form;
    form.remove();
  });
  // The form is taken down once the task is over: its shadow root no longer holds it.
  await page.waitForFunction(() => !window.keptAside.shadowRoot.querySelector('[name=company_name]'));
  assert.match(await page.evaluate(() => JSON.stringify(sessionStorage)), /Away Ltd/);
  await page.evaluate(() => document.body.append(window.keptAside));
  await waitForState(page, 'ready');
  await page.locator('customer-form [role=status]', { hasText: 'restored' }).waitFor();
  assert.equal(await field('company_name').inputValue(), 'Away Ltd');
});

test('the draft is written when the page is hidden, not on every key', async () => {
  await openJaneWithDrafts();
  await field('company_name').click();
  await page.keyboard.type('Hidden Ltd');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing written while typing');
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
  await page.waitForFunction(() => sessionStorage.length === 1);
  assert.match(await page.evaluate(() => JSON.stringify(sessionStorage)), /Hidden Ltd/);
});

test('an English page fetches no language file', async () => {
  const fetched = [];
  page.on('request', (request) => fetched.push(request.url()));
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret' });
  await waitForState(page, 'ready');
  assert.deepEqual(fetched.filter((url) => /customer-form\.\w+\.json/.test(url)), []);
});

test('a language file that cannot be had leaves the form in English, working', async () => {
  await page.route(/customer-form\.de\.json/, (route) => route.abort());
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret', locale: 'de' });
  await waitForState(page, 'ready');
  const root = page.locator('customer-form');
  assert.equal(await root.locator('[data-state]').first().getAttribute('lang'), 'en');
  assert.ok(await root.locator('label', { hasText: 'First name' }).count() > 0);
  await field('first_name').fill('Janine');
  await root.locator('button[type=submit]').click();
  await waitForState(page, 'saved');
});

test('German is fetched beside the .wasm and used', async () => {
  const fetched = [];
  page.on('request', (request) => fetched.push(request.url()));
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret', locale: 'de' });
  await waitForState(page, 'ready');
  assert.equal(fetched.filter((url) => url.endsWith('/customer-form.de.json')).length, 1);
  assert.ok(await page.locator('customer-form label', { hasText: 'Vorname' }).count() > 0);
});

test('options the form cannot work with are said in its place, and it comes back when they are fixed', async () => {
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret' });
  await waitForState(page, 'ready');
  await page.evaluate(() => document.querySelector('customer-form').setAttribute('provider', 'stripe'));
  const problem = page.locator('customer-form .cf[data-state=error][part=root] [role=alert][part=alert]');
  await problem.waitFor();
  assert.equal(
    await problem.textContent(),
    'The provider must be one of: partnero, prolifi, count, commercelayer.',
  );
  assert.equal(await field('email').count(), 0);
  await page.evaluate(() => document.querySelector('customer-form').setAttribute('provider', 'prolifi'));
  await field('email').waitFor();
  assert.equal(await problem.count(), 0);
});
