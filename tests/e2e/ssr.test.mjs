// Server rendering: the packed package (installed in tests/vite-app by scripts/test.sh) imported
// by plain Node, where there is no DOM, as Next.js, Nuxt or Vite SSR would import it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const run = promisify(execFile);

// Every browser global is a trap that records a read; importing must read none of them.
const SCRIPT = `
const touched = [];
for (const name of ['window', 'document', 'self', 'navigator', 'location', 'customElements', 'HTMLElement',
  'CSSStyleSheet', 'localStorage', 'sessionStorage', 'matchMedia', 'requestAnimationFrame', 'fetch']) {
  const had = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() { touched.push(name); return had?.get ? had.get.call(globalThis) : had?.value; },
  });
}
const said = [];
for (const level of ['log', 'info', 'warn', 'error']) console[level] = (...args) => said.push([level, args.join(' ')]);
const pkg = await import('customer-form');
const onImport = [...touched];
const tags = [await pkg.defineCustomerForm(), await pkg.defineCustomerForm({ tagName: 'my-form' })];
const load = await pkg.load().then(() => 'loaded', (error) => error.message);
const mount = await pkg.mount(null, { provider: 'prolifi' }).then(() => 'mounted', (error) => error.message);
process.stdout.write(JSON.stringify({ exports: Object.keys(pkg).sort(), onImport, tags, said, load, mount }));
`;

test('importing the package without a DOM touches nothing; defineCustomerForm() is a no-op that says so', async () => {
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: join(ROOT, 'tests', 'vite-app'),
  });
  assert.equal(stderr, '');
  const result = JSON.parse(stdout);
  assert.deepEqual(result.exports, ['defineCustomerForm', 'load', 'mount']);
  assert.deepEqual(result.onImport, []);
  assert.deepEqual(result.tags, ['customer-form', 'my-form']);
  // Once, however often it is called.
  assert.equal(result.said.length, 1);
  assert.equal(result.said[0][0], 'info');
  assert.match(result.said[0][1], /no DOM here \(server rendering\?\): defineCustomerForm\(\) defined nothing/);
  assert.match(result.load, /no DOM here/);
  assert.match(result.mount, /no DOM here/);
});
