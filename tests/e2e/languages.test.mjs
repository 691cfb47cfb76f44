// Languages: every label, hint and message in the chosen locale; dates in the locale's format;
// any text replaceable through the `strings` property.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, openDemo, waitForState, startStack, stopStack } from './harness.mjs';

let sandbox, demo, browser, api;

before(async () => ({ sandbox, demo, browser, api } = await startStack({ gateway: false })));
beforeEach(() => api.reset());
after(() => stopStack({ sandbox, demo, browser }));

const EXPECTED = {
  de: { label: 'Vorname', required: 'Dieses Feld ist erforderlich.', saved: 'Änderungen gespeichert.', date: /Zuletzt geändert am 02\.05\.2025, 16:12\./ },
  fr: { label: 'Prénom', required: 'Ce champ est obligatoire.', saved: 'Modifications enregistrées.', date: /Dernière modification le 2 mai 2025/ },
  es: { label: 'Nombre', required: 'Este campo es obligatorio.', saved: 'Cambios guardados.', date: /Última modificación: 2 may 2025/ },
};

for (const [locale, expected] of Object.entries(EXPECTED)) {
  test(`${locale}: labels, messages and dates`, async () => {
    const page = await newPage(browser);
    await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret', locale });
    await waitForState(page, 'ready');
    const root = page.locator('customer-form');
    assert.equal(await root.locator('[data-state]').first().getAttribute('lang'), locale);
    assert.equal((await root.locator('label', { hasText: expected.label }).first().textContent()).trim(), expected.label);
    assert.match(await root.locator('[part=meta]').textContent(), expected.date);
    await root.locator('[name=email]').fill('');
    await root.locator('button[type=submit]').click();
    await waitForState(page, 'error');
    const errorId = (await root.locator('[name=email]').getAttribute('aria-describedby')).split(' ')[0];
    assert.equal(await root.locator(`#${errorId}`).textContent(), expected.required);
    await root.locator('[name=email]').fill('jane@example.com');
    await root.locator('[name=first_name]').fill('Janine');
    await root.locator('button[type=submit]').click();
    await waitForState(page, 'saved');
    assert.equal(await root.locator('[role=status]').textContent(), expected.saved);
    await page.context().close();
  });
}

test('the strings property replaces any text; an unknown locale falls back to English', async () => {
  const page = await newPage(browser);
  await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret', locale: 'it' });
  await waitForState(page, 'ready');
  await page.evaluate(() => {
    document.querySelector('customer-form').strings = { 'field.email': 'Work email', 'action.update': 'Store' };
  });
  const root = page.locator('customer-form');
  await root.locator('label', { hasText: 'Work email' }).waitFor();
  assert.equal(await root.locator('button[type=submit]').textContent(), 'Store');
  assert.ok(await root.locator('label', { hasText: 'First name' }).count() > 0);
  await page.context().close();
});
