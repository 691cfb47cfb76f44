// Never losing what a person typed: conflicts with someone else's change, unsaved-changes events,
// the unload guard, session drafts; and hostile data rendered as inert text.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage, openDemo, waitForState, startStack, stopStack,
} from './harness.mjs';

const JANE_ID = '0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10';
const PROLIFI = '/prolifi/api/v1/public/customers';

let sandbox, demo, browser, api, page;

before(async () => ({ sandbox, demo, browser, api } = await startStack({ gateway: false })));
after(() => stopStack({ sandbox, demo, browser }));

beforeEach(async () => {
  await api.reset();
  page = await newPage(browser);
});

const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();
const statusText = () => page.locator('customer-form [role=status]').textContent();
/** What has the focus inside the form: its `part`, or its `name`. */
const focused = () => page.evaluate(() => {
  const el = document.querySelector('customer-form').shadowRoot.activeElement;
  return el?.getAttribute('part') ?? el?.getAttribute('name') ?? null;
});
/** Presses a button from the keyboard, as a person without a mouse does. */
async function press(part) {
  await page.locator(`customer-form button[part=${part}]`).focus();
  await page.keyboard.press('Enter');
}

async function openJane(query = {}) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret', ...query });
  await waitForState(page, 'ready');
}

/** Someone else, elsewhere, changes the customer (straight to the provider). */
async function changeElsewhere(body) {
  const response = await fetch(`${sandbox.url}${PROLIFI}/${JANE_ID}`, {
    method: 'PATCH',
    headers: { authorization: 'Bearer sk_test_colleague', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200);
}

const patches = async () => (await api.log()).filter((e) => e.method === 'PATCH' && e.headers.authorization === 'Bearer sk_test_demo');

describe('someone else changed the customer meanwhile', () => {
  test('changes to other fields are kept, and the person is told', async () => {
    await openJane();
    await field('last_name').fill('Smith');
    await changeElsewhere({ phone: '+44 20 1111 2222' });
    await submit();
    await waitForState(page, 'saved');
    assert.match(await statusText(), /Someone else changed Phone meanwhile; those changes were kept/);
    const [patch] = await patches();
    assert.equal(patch.body, '{"last_name":"Smith"}');
    assert.equal(await field('phone').inputValue(), '+44 20 1111 2222');
  });

  test('the same field: nothing is overwritten until the person chooses; keep mine', async () => {
    await openJane();
    await field('last_name').fill('Smith');
    await changeElsewhere({ last_name: 'Jones', company_name: 'Jones & Co' });
    await submit();
    await waitForState(page, 'error');
    assert.match(await page.locator('customer-form [role=alert]').textContent(), /Someone else changed this customer since you opened it \(Last name\)/);
    assert.deepEqual(await patches(), [], 'nothing written yet');
    assert.equal(await field('last_name').inputValue(), 'Smith', 'my value is still there');
    // The summary has the focus, and the choices come right after it (not past every field).
    assert.equal(await focused(), 'alert');
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.querySelector('customer-form').shadowRoot.activeElement?.closest('[part=conflict]') != null), 'a choice has the focus');
    await press('keep-mine');
    await waitForState(page, 'saved');
    const [patch] = await patches();
    assert.equal(patch.body, '{"last_name":"Smith"}');
    assert.equal(await field('company_name').inputValue(), 'Jones & Co', 'their other change survives');
    // The button pressed is gone: the focus goes on to the form's own button, not the page.
    assert.equal(await focused(), 'submit');
  });

  test('take theirs: my change is set aside, nothing is sent', async () => {
    await openJane();
    await field('last_name').fill('Smith');
    await changeElsewhere({ last_name: 'Jones' });
    await submit();
    await waitForState(page, 'error');
    await press('take-theirs');
    await waitForState(page, 'ready');
    assert.equal(await focused(), 'submit');
    assert.equal(await field('last_name').inputValue(), 'Jones');
    assert.match(await statusText(), /latest saved version/);
    assert.deepEqual(await patches(), []);
  });

  test('field by field', async () => {
    await openJane();
    await field('last_name').fill('Smith');
    await field('phone').fill('+1 555 0100');
    await changeElsewhere({ last_name: 'Jones', phone: '+44 1' });
    await submit();
    await waitForState(page, 'error');
    await press('merge');
    const group = page.locator('customer-form fieldset[part=merge-field]', { hasText: 'Last name' });
    assert.match(await group.textContent(), /Mine: Smith.*Theirs: Jones/);
    assert.match(await focused(), /-merge-last_name$/, 'the first field\'s choice has the focus');
    await group.getByLabel(/Theirs/).check();
    await press('apply-merge');
    await waitForState(page, 'saved');
    assert.equal(await focused(), 'submit');
    const [patch] = await patches();
    assert.equal(patch.body, '{"phone":"+1 555 0100"}');
    assert.equal(await field('last_name').inputValue(), 'Jones');
  });
});

test('saving from the keyboard leaves the focus on the button, while it saves and after', async () => {
  await openJane();
  await field('last_name').fill('Smith');
  // Prolifi takes its time, so the save is seen under way.
  await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: { kind: 'delay', ms: 1500 } }]);
  const button = page.locator('customer-form button[type=submit]');
  await button.focus();
  await page.keyboard.press('Enter');
  await waitForState(page, 'saving');
  assert.equal(await focused(), 'submit');
  assert.equal(await button.getAttribute('aria-disabled'), 'true');
  // A second Enter while it saves sends nothing more.
  await page.keyboard.press('Enter');
  await waitForState(page, 'saved');
  assert.equal(await focused(), 'submit');
  assert.equal(await button.getAttribute('aria-disabled'), null);
  assert.equal((await patches()).length, 1);
});

describe('unsaved changes', () => {
  test('customer-dirty-change follows the edits and the save', async () => {
    await openJane();
    await page.evaluate(() => {
      window.dirtyEvents = [];
      document.addEventListener('customer-dirty-change', (e) => window.dirtyEvents.push(e.detail.dirty));
    });
    await field('first_name').fill('Janet');
    await field('first_name').fill('Jane');
    await field('first_name').fill('Janet');
    await submit();
    await waitForState(page, 'saved');
    assert.deepEqual(await page.evaluate(() => window.dirtyEvents), [true, false, true, false]);
  });

  test('the unload guard asks before leaving with unsaved changes (opt-in)', async () => {
    await openJane();
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('warn-unsaved', ''));
    await field('first_name').click();
    await page.keyboard.type('x');
    const dialog = new Promise((resolve) => page.once('dialog', async (d) => { resolve(d.type()); await d.dismiss(); }));
    await page.close({ runBeforeUnload: true });
    assert.equal(await dialog, 'beforeunload');
  });

  test('a draft survives a reload, holds no token, and is cleared on save (opt-in)', async () => {
    await openJane();
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
    await waitForState(page, 'ready');
    await field('company_name').fill('Draft Ltd');
    await page.reload();
    await page.waitForSelector('body[data-demo-ready=true]');
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
    await waitForState(page, 'ready');
    await page.locator('customer-form [role=status]', { hasText: 'restored' }).waitFor();
    assert.equal(await field('company_name').inputValue(), 'Draft Ltd');
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    assert.match(stored, /Draft Ltd/);
    assert.ok(!stored.includes('sk_test_demo'), 'no token in the draft');
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await submit();
    await waitForState(page, 'saved');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  });
});

test('hostile data renders as inert text', async () => {
  const long = 'L'.repeat(10_000);
  const hostile = {
    first_name: '<img src=x onerror="window.__pwned=1">',
    last_name: '<script>window.__pwned=2</script>',
    company_name: '\u202Eevil\u202C <b>bold</b>',
    metadata: { note: '</textarea><script>window.__pwned=3</script>', long },
  };
  await changeElsewhere(hostile);
  await openJane();
  await api.faults([{ provider: 'prolifi', method: 'PATCH', times: 1, action: {
    kind: 'status', status: 422,
    body: JSON.stringify({ error: { type: 'validation_error', message: '<img src=y onerror="window.__pwned=4">', errors: [{ field: 'email', message: '<i onmouseover="window.__pwned=5">x</i>' }, { field: '<svg onload=window.__pwned=6>', message: 'y' }] } }),
  } }]);
  await field('email').fill('x@example.com');
  await submit();
  await waitForState(page, 'error');
  assert.equal(await field('first_name').inputValue(), hostile.first_name);
  assert.equal(await field('last_name').inputValue(), hostile.last_name);
  assert.equal(await field('company_name').inputValue(), hostile.company_name);
  assert.match(await field('metadata').inputValue(), /<\/textarea><script>/);
  assert.ok((await field('metadata').inputValue()).includes(long));
  const markup = await page.evaluate(() => {
    const root = document.querySelector('customer-form').shadowRoot;
    return {
      elements: [...root.querySelectorAll('img, script, b, i, svg')].map((e) => e.tagName),
      alert: root.querySelector('[role=alert]').textContent,
      pwned: window.__pwned,
    };
  });
  assert.deepEqual(markup.elements, []);
  assert.equal(markup.pwned, undefined, 'no script ran');
  assert.match(markup.alert, /<img src=y/);
});
