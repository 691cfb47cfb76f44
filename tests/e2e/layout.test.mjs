// Layout and outcomes (issue 12): sections with legends and a title, the failure summary at the
// top that takes focus and links to the invalid fields, the outcome beside the submit button,
// and the bugs a first user hit (3, 4, 7, 8, 9), each end to end in the demo.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage, openDemo, waitForState, formState, startStack, stopStack,
} from './harness.mjs';

let sandbox, gateway, demo, browser, api, page;

before(async () => ({ sandbox, gateway, demo, browser, api } = await startStack()));
after(() => stopStack({ sandbox, gateway, demo, browser }));

beforeEach(async () => {
  await api.reset();
  page = await newPage(browser);
});

const form = () => page.locator('customer-form');
const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();
const alerts = () => page.locator('customer-form [role=alert]');
const statusText = () => page.locator('customer-form [role=status]').textContent();
const active = () => page.evaluate(() => {
  const el = document.querySelector('customer-form').shadowRoot.activeElement;
  return el ? { name: el.getAttribute('name'), role: el.getAttribute('role'), part: el.getAttribute('part') } : null;
});

async function open(query) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, ...query });
}
const hintOf = async (name) => {
  const ids = (await field(name).getAttribute('aria-describedby')) ?? '';
  const hint = ids.split(' ').find((id) => id.endsWith('-hint'));
  return hint ? form().locator(`[id="${hint}"]`).textContent() : null;
};

describe('layout', () => {
  test('sections with legends, in the contract order, under a title naming the customer', async () => {
    await open({ provider: 'prolifi', credential: 'secret' });
    await waitForState(page, 'ready');
    assert.equal(await form().locator('[part=title]').textContent(), 'Edit customer · Jane Doe');
    const sections = await form().locator('fieldset[data-section]').evaluateAll((sets) => sets.map((s) => [
      s.dataset.section, s.querySelector('legend').textContent, [...s.querySelectorAll('[name]')].map((i) => i.name),
    ]));
    assert.deepEqual(sections, [
      ['identity', 'Who the customer is', ['first_name', 'last_name', 'name', 'company_name', 'external_id']],
      ['contact', 'Contact', ['email', 'phone']],
      ['addresses', 'Addresses', ['country_id']],
      ['metadata', 'Other details', ['metadata']],
    ]);
    const name = await form().locator('form').getAttribute('aria-labelledby');
    assert.equal(await form().locator(`[id="${name}"]`).textContent(), 'Edit customer · Jane Doe');
  });

  test('a create form is titled by the provider', async () => {
    await open({ provider: 'prolifi', mode: 'create', credential: 'secret' });
    await waitForState(page, 'ready');
    assert.equal(await form().locator('[part=title]').textContent(), 'New Prolifi customer');
  });
});

describe('outcomes where the eye is', () => {
  test('a failed save: one alert, the summary takes focus and links to each invalid field', async () => {
    await open({ provider: 'prolifi', mode: 'create', credential: 'secret' });
    await waitForState(page, 'ready');
    await field('first_name').fill('Ada');
    await field('name').fill('Ada Lovelace');
    await submit();
    await waitForState(page, 'error');
    assert.equal(await alerts().count(), 1, 'exactly one role=alert');
    assert.deepEqual(await active(), { name: null, role: 'alert', part: 'alert' }, 'the summary has the focus');
    const links = form().locator('[part=error-link]');
    assert.deepEqual(await links.allTextContents(), [
      'Full name: Give either the full name or first and last name, not both.',
      'Email: This field is required.',
    ]);
    // Beside the button: the same words, as plain text (not announced again).
    const beside = form().locator('[part=outcome]');
    assert.equal(await beside.textContent(), 'Some fields need attention before this can be sent.');
    assert.equal(await beside.evaluate((el) => el.closest('[role]')?.getAttribute('role') ?? null), null);
    assert.equal(await form().locator('[role=status]').textContent(), '');
    // The public wiring of the fields stays.
    assert.equal(await field('email').getAttribute('aria-invalid'), 'true');
    // Keyboard: Tab to the first link, Enter focuses its field.
    await page.keyboard.press('Tab');
    assert.equal((await active()).part, 'error-link');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal((await active()).name, 'email');
    await links.first().click();
    assert.equal((await active()).name, 'name');
    // Submitting again with the same problems brings the focus back to the summary.
    await submit();
    await page.waitForFunction(() => document.querySelector('customer-form').shadowRoot.activeElement?.getAttribute('role') === 'alert');
    assert.equal(await alerts().count(), 1);
  });

  test('after a create, the new customer\'s id is shown beside the button, and the title names them', async () => {
    await open({ provider: 'prolifi', mode: 'create', credential: 'secret' });
    await waitForState(page, 'ready');
    await page.evaluate(() => {
      document.querySelector('customer-form').addEventListener('customer-saved', (e) => { window.savedId = e.detail.customer.id; });
    });
    await field('email').fill('new.person@example.com');
    await field('first_name').fill('Nova');
    await submit();
    await waitForState(page, 'saved');
    const id = await page.evaluate(() => window.savedId);
    assert.ok(id);
    assert.equal(await statusText(), `Customer created. Its ID is ${id}.`);
    assert.equal(await form().locator('[part=title]').textContent(), 'Edit customer · Nova');
    assert.equal(await alerts().textContent(), '');
    // Pressed again with nothing changed: nothing is sent, and the id stays in view.
    await submit();
    assert.equal(await formState(page), 'saved');
    assert.equal(await statusText(), `Customer created. Its ID is ${id}.`);
    assert.equal((await api.log()).filter((e) => e.method !== 'GET' && e.method !== 'OPTIONS').length, 1);
  });
});

describe('bugs a first user hit', () => {
  test('bug 7: a load failure (502) says what happened, offers "Load again", shows no empty form', async () => {
    await api.faults([{ provider: 'prolifi', method: 'GET', times: 50, action: { kind: 'status', status: 502, body: '' } }]);
    await open({ provider: 'prolifi', credential: 'secret' });
    await waitForState(page, 'error');
    const text = await alerts().textContent();
    assert.match(text, /Prolifi had a problem \(502\), so the customer could not be loaded\. Load again in a moment\./);
    assert.doesNotMatch(text, /entries are kept/);
    assert.equal(await form().locator('[name]').count(), 0, 'no empty disabled form');
    assert.equal(await form().locator('button[type=submit]').count(), 0);
    await fetch(`${sandbox.url}/_faults`, { method: 'DELETE' });
    await form().locator('button[part=retry]', { hasText: 'Load again' }).click();
    await waitForState(page, 'ready');
    assert.equal(await field('email').inputValue(), 'jane@example.com');
  });

  test('bug 7: a customer that does not exist: said so, no form', async () => {
    await open({ provider: 'prolifi', credential: 'secret', customer: 'cus_nobody' });
    await waitForState(page, 'error');
    assert.match(await alerts().textContent(), /not found \(404\)/);
    assert.equal(await form().locator('[name]').count(), 0);
    assert.equal(await form().locator('button[part=retry]').count(), 0, 'loading again would not help');
  });

  test('bug 8: a Commerce Layer guest create says why the form is now read-only', async () => {
    await open({ provider: 'commercelayer', mode: 'create', credential: 'sales-channel' });
    await waitForState(page, 'ready');
    await field('email').fill('guest.buyer@example.com');
    // Keyboard only: the button pressed keeps the focus once the form turns read-only (a
    // disabled button would drop it to the page).
    const button = form().locator('button[type=submit]');
    await button.focus();
    await page.keyboard.press('Enter');
    await waitForState(page, 'saved');
    const created = /^Customer created\. Its ID is \w+\. This credential can create customers but not edit them, so the form is now read-only\. Sign in to edit this customer\.$/;
    assert.match(await statusText(), created);
    assert.notEqual(await field('email').getAttribute('readonly'), null);
    const focusedPart = () => page.evaluate(() => document.querySelector('customer-form').shadowRoot.activeElement?.getAttribute('part'));
    assert.equal(await focusedPart(), 'submit');
    assert.equal(await button.getAttribute('aria-disabled'), 'true');
    await page.keyboard.press('Enter');
    assert.match(await statusText(), created, 'pressed again, it changes nothing');
    assert.equal((await api.log()).filter((e) => e.method === 'POST' && e.path.startsWith('/commercelayer/api/customers')).length, 1);
  });

  test('bug 3: changing the signed-in customer\'s password does not break the demo\'s sign-in', async () => {
    await open({ provider: 'commercelayer', credential: 'sales-channel' });
    await waitForState(page, 'ready');
    await field('password').fill('a-new-secret-1');
    await submit();
    await waitForState(page, 'saved');
    // The demo asks for a token again (another mode and back: a new form).
    await page.selectOption('#mode', 'create');
    await waitForState(page, 'ready');
    await page.selectOption('#mode', 'update');
    await waitForState(page, 'ready');
    assert.equal(await field('email').inputValue(), 'ada@example.com');
    const grants = (await api.log()).filter((e) => e.path === '/commercelayer/oauth/token').map((e) => JSON.parse(e.body).grant_type);
    assert.deepEqual(grants.filter((g) => g !== 'client_credentials'), ['password', 'refresh_token']);
  });

  test('bug 3: any failure to obtain a token offers "Try again"', async () => {
    await open({ provider: 'prolifi', credential: 'secret' });
    await waitForState(page, 'ready');
    await page.evaluate(() => {
      const el = document.querySelector('customer-form');
      let calls = 0;
      el.token = undefined;
      el.tokenProvider = async () => {
        calls += 1;
        if (calls === 1) throw new Error('sign-in failed');
        return 'sk_test_demo';
      };
      el.setAttribute('customer-id', 'cus_1002');
    });
    await waitForState(page, 'error');
    assert.match(await alerts().textContent(), /Could not obtain a token from the host page/);
    await form().locator('button[part=retry]', { hasText: 'Try again' }).click();
    await waitForState(page, 'ready');
    assert.equal(await alerts().textContent(), '');
  });

  test('bug 3: a token that cannot be had for a later request (after a 401) also offers "Try again"', async () => {
    await open({ provider: 'prolifi', credential: 'secret' });
    await waitForState(page, 'ready');
    await api.faults([{ provider: 'prolifi', method: 'GET', times: 1, action: {
      kind: 'status', status: 401, body: '{"error":{"type":"authentication_error","message":"Token expired."}}',
    } }]);
    await page.evaluate(() => {
      const el = document.querySelector('customer-form');
      let calls = 0;
      el.token = undefined;
      el.tokenProvider = async () => {
        calls += 1;
        if (calls === 2) throw new Error('sign-in failed');
        return 'sk_test_demo';
      };
      el.setAttribute('customer-id', 'cus_1002');
    });
    await waitForState(page, 'error');
    assert.match(await alerts().textContent(), /Could not obtain a token from the host page/);
    assert.doesNotMatch(await alerts().textContent(), /401/);
    await form().locator('button[part=retry]', { hasText: 'Try again' }).click();
    await waitForState(page, 'ready');
    assert.notEqual(await field('email').inputValue(), '');
  });

  test('bug 4: Enter in the Customer ID box applies it without reloading; ?customer-id= is read', async () => {
    await open({ provider: 'prolifi', credential: 'secret' });
    await waitForState(page, 'ready');
    await page.evaluate(() => { window.notReloaded = true; });
    await page.fill('#customer-id', 'cus_1002');
    await page.press('#customer-id', 'Enter');
    await page.waitForFunction(() => document.querySelector('customer-form').getAttribute('customer-id') === 'cus_1002');
    await waitForState(page, 'ready');
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page did not reload');
    const other = await field('email').inputValue();
    assert.notEqual(other, 'jane@example.com');
    await page.goto(`${demo.url}/?sandbox=${encodeURIComponent(sandbox.url)}&provider=prolifi&credential=secret&customer-id=cus_1002`);
    await page.waitForSelector('body[data-demo-ready=true]');
    await waitForState(page, 'ready');
    assert.equal(await field('email').inputValue(), other);
  });

  test('the demo keeps what was typed over a reload, and asks before unsaved changes are left', async () => {
    await open({ provider: 'prolifi', credential: 'secret', draft: 'on', 'warn-unsaved': 'on' });
    await waitForState(page, 'ready');
    assert.deepEqual(await form().evaluate((el) => [el.hasAttribute('draft'), el.hasAttribute('warn-unsaved')]), [true, true]);
    await field('first_name').fill('Janet');
    const dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      dialog.accept();
    });
    await page.reload();
    await page.waitForSelector('body[data-demo-ready=true]');
    await waitForState(page, 'ready');
    await page.locator('customer-form [role=status]', { hasText: 'restored' }).waitFor();
    assert.equal(await field('first_name').inputValue(), 'Janet');
    assert.deepEqual(dialogs, ['beforeunload']);
  });

  test('bug 9: the dark panel has padding; the demo at 375 px does not scroll sideways', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await open({ provider: 'commercelayer', credential: 'sales-channel', theme: 'dark' });
    await waitForState(page, 'ready');
    const padding = await form().locator('.cf').evaluate((el) => parseFloat(getComputedStyle(el).paddingLeft));
    assert.ok(padding >= 8, `panel padding ${padding}px`);
    const inset = await page.evaluate(() => {
      const root = document.querySelector('customer-form').shadowRoot;
      const panel = root.querySelector('.cf').getBoundingClientRect();
      const label = root.querySelector('legend').getBoundingClientRect();
      return label.left - panel.left;
    });
    assert.ok(inset >= 8, `text ${inset}px from the panel's edge`);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((el) => `${el.tagName}#${el.id}`).slice(0, 5));
    assert.ok(widths[0] <= widths[1], `page ${widths[0]}px wide in a ${widths[1]}px viewport: ${wide}`);
  });
});

describe('small rows', () => {
  test('password: "leave empty to keep" on update only; Commerce Layer references and tax code have hints', async () => {
    await open({ provider: 'commercelayer', mode: 'create', credential: 'sales-channel' });
    await waitForState(page, 'ready');
    assert.equal(await hintOf('password'), null);
    assert.match(await hintOf('shopper_reference'), /Your shop's own ID/);
    assert.match(await hintOf('tax_exemption_code'), /exempt from tax/);
    await page.selectOption('#mode', 'update');
    await waitForState(page, 'ready');
    assert.match(await hintOf('password'), /Leave empty to keep the current password/);
    await page.selectOption('#credential', 'scoped');
    await waitForState(page, 'ready');
    assert.match(await hintOf('reference'), /reference of your choice/);
    assert.match(await hintOf('reference_origin'), /Where the reference comes from/);
    // The anonymization controls sit in their own danger zone: the request box, as no request is
    // pending (the cancel box appears only while one is: editors-countries.test.mjs).
    const danger = await form().locator('fieldset[data-section=danger-zone] [name]').evaluateAll((els) => els.map((e) => e.name));
    assert.deepEqual(danger, ['_request_anonymization']);
  });

  test('Count: phone hint, translated status labels, https:// added to a bare website', async () => {
    await gateway.connectCount();
    await open({ provider: 'count', mode: 'create', credential: 'scoped', locale: 'de' });
    await waitForState(page, 'ready');
    assert.match(await hintOf('mainPhone'), /internationalen Format/);
    const options = await field('status').locator('option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    assert.deepEqual(options, [['', '—'], ['active', 'Aktiv'], ['inactive', 'Inaktiv']]);
    await field('customer').fill('Blue Harbour Ltd');
    await field('email').fill('ops@blueharbour.test');
    await field('website').fill('blueharbour.test');
    await field('status').selectOption('active');
    await submit();
    await waitForState(page, 'saved');
    const post = (await api.log()).find((e) => e.method === 'POST' && e.path === '/count/partners/customers');
    assert.ok(post, 'the create reached Count');
    const body = JSON.parse(post.body);
    assert.equal(body.website, 'https://blueharbour.test');
    assert.equal(body.status, 'active');
  });

  test('Partnero: the referring partner is one group, with a hint; the key still comes from the cookie', async () => {
    const { hostname } = new URL(demo.url);
    await page.context().addCookies([{ name: 'partnero_partner', value: 'ref_456', domain: hostname, path: '/' }]);
    await open({ provider: 'partnero', mode: 'create', credential: 'scoped' });
    await waitForState(page, 'ready');
    const group = form().locator('fieldset[data-section=referrer]');
    assert.equal(await group.locator('legend').textContent(), 'Referring partner — give one of');
    assert.deepEqual(await group.locator('[name]').evaluateAll((els) => els.map((e) => e.name)), ['partner.key', 'partner.id', 'partner.email']);
    assert.match(await group.locator('[part=section-hint]').textContent(), /One is enough/);
    assert.equal(await field('partner.key').inputValue(), 'ref_456');
    // In the person's words: no cookie name (a first user's note).
    assert.match(await hintOf('partner.key'), /Filled in from the referral link the visitor came through/);
  });
});
