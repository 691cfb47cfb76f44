// The rule that decides what an element or `mount()` may read before the WebAssembly has
// loaded (src/fetch.js `earlyRead`), case by case, and `EarlyRead`'s lifecycle with `fetch`
// stubbed: plain Node, no browser. The same reads in a browser: early-read.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { earlyRead, EarlyRead } from '../../src/fetch.js';

// The decision itself, case by case: the same rule as the wasm's (providers/src/credential.rs)
// or narrower, never wider.
const jwt = (claims) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const NOW = 1_800_000_000;
const base = { provider: 'prolifi', mode: 'update', customerId: 'cus_1', apiBase: 'https://gw.example/prolifi/' };
const gw = jwt({ provider: 'prolifi', ops: ['read', 'update'], exp: NOW + 600 });

test('earlyRead: the request is the contract\'s read', () => {
  assert.deepEqual(earlyRead({ ...base, token: gw }, NOW), {
    url: 'https://gw.example/prolifi/customers/cus_1',
    headers: ['Accept', 'application/json', 'Authorization', `Bearer ${gw}`],
  });
  const cl = jwt({ provider: 'commercelayer', exp: NOW + 600 });
  assert.deepEqual(earlyRead({ ...base, provider: 'CommerceLayer', mode: undefined, customerId: ' XAyRWNUzyN ', apiBase: 'https://gw.example/cl', token: cl }, NOW), {
    url: 'https://gw.example/cl/customers/XAyRWNUzyN?include=customer_group,tags',
    headers: ['Accept', 'application/vnd.api+json', 'Authorization', `Bearer ${cl}`],
  });
  assert.ok(earlyRead({ ...base, token: 'pk_live_abc' }, NOW));
  assert.ok(earlyRead({ ...base, token: 'sk_test_abc', apiBase: 'http://localhost:8080/p' }, NOW));
  assert.ok(earlyRead({ ...base, token: 'sk_test_abc', apiBase: 'http://127.0.0.1:8080/p' }, NOW));
  assert.ok(earlyRead({ ...base, token: 'sk_test_abc', apiBase: 'http://[::1]:8080/p' }, NOW));
});

test('earlyRead: nothing the wasm would not send', () => {
  for (const [why, options] of [
    ['no token', { ...base }],
    ['a token provider', { ...base, token: gw, tokenProvider: () => gw }],
    ['a live secret key', { ...base, token: 'sk_live_abc' }],
    ['a test secret key off this machine', { ...base, token: 'sk_test_abc' }],
    ['a test secret key at a look-alike host', { ...base, token: 'sk_test_abc', apiBase: 'http://localhost.attacker.test/p' }],
    ...['https:127.0.0.1/p', 'http:/127.0.0.1/p', 'http:///127.0.0.1/p', 'http://evil.test\\@127.0.0.1/p', 'http://127.0.0.1@evil.test/p',
      'http://127.1/p', 'http://0x7f000001/p', 'http://2130706433/p', 'http://[0:0:0:0:0:0:0:1]/p', 'http://127.0.0.1./p',
      'http://%31%32%37.0.0.1/p', 'http://127.0.0.1\t.evil.test/p', 'http://127.0.0.256/p'].map((apiBase) => [
      `a test secret key at ${JSON.stringify(apiBase)}, which the wasm does not take for this machine`, { ...base, token: 'sk_test_abc', apiBase },
    ]),
    ['a key that is also a JWT', { ...base, token: 'pk_live_a.b.c' }],
    ['a token with spaces around it', { ...base, token: ` ${gw}` }],
    ['Partnero with an API key', { ...base, provider: 'partnero', token: 'pk_live_abc' }],
    ['a token for another provider', { ...base, token: jwt({ provider: 'count', exp: NOW + 600 }) }],
    ['a token without a provider (a provider\'s own JWT)', { ...base, token: jwt({ exp: NOW + 600 }) }],
    ['a Commerce Layer sales-channel token', { ...base, provider: 'commercelayer', token: jwt({ application: { kind: 'sales_channel' }, exp: NOW + 600 }) }],
    ['ops without read', { ...base, token: jwt({ provider: 'prolifi', ops: ['update'], exp: NOW + 600 }) }],
    ['ops that are not a list', { ...base, token: jwt({ provider: 'prolifi', ops: 'read', exp: NOW + 600 }) }],
    ['a token about to expire', { ...base, token: jwt({ provider: 'prolifi', exp: NOW + 30 }) }],
    ['a token without exp', { ...base, token: jwt({ provider: 'prolifi' }) }],
    ['a payload that is not JSON', { ...base, token: 'a.bm90IGpzb24.c' }],
    ['a create form', { ...base, mode: 'create', token: gw }],
    ['an unknown provider', { ...base, provider: 'stripe', token: gw }],
    ['no api-base', { ...base, apiBase: undefined, token: gw }],
    ['a relative api-base', { ...base, apiBase: '/prolifi', token: gw }],
    ['a javascript: api-base', { ...base, apiBase: 'javascript:alert(1)', token: gw }],
    ['an id with a slash', { ...base, customerId: 'a/b', token: gw }],
    ['an id of dots', { ...base, customerId: '..', token: gw }],
    ['an id with a query', { ...base, customerId: 'a?x=1', token: gw }],
    ['an empty id', { ...base, customerId: ' ', token: gw }],
    ['an id Rust would not trim as JS does', { ...base, customerId: '\ufeffcus_1', token: gw }],
    ['a provider Rust would not trim as JS does', { ...base, provider: 'prolifi\u0085', token: gw }],
    ['a payload with a byte-order mark', { ...base, token: `x.${Buffer.from(`\ufeff${JSON.stringify({ provider: 'prolifi', exp: NOW + 600 })}`).toString('base64url')}.y` }],
    ['a payload with an escaped lone surrogate', { ...base, token: `x.${Buffer.from(`{"provider":"prolifi","exp":${NOW + 600},"x":"\\ud800"}`).toString('base64url')}.y` }],
    ['a payload nested deeper than Rust reads', { ...base, token: `x.${Buffer.from(`{"provider":"prolifi","exp":${NOW + 600},"x":${'['.repeat(200)}${']'.repeat(200)}}`).toString('base64url')}.y` }],
    ['a mode of blanks (the wasm refuses it)', { ...base, mode: ' ', token: gw }],
    ['an api-base without its slashes (the browser reads it relative to the page)', { ...base, apiBase: 'https:gw.example/p', token: gw }],
  ]) {
    assert.equal(earlyRead(options, NOW), null, why);
  }
});

test('EarlyRead: a token the form takes before it has come is read with by the form alone', async () => {
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => {
    sent.push(url);
    return new Response('{}');
  };
  try {
    let give;
    const asked = [];
    const early = new EarlyRead();
    const options = { provider: 'prolifi', customerId: 'cus_1', apiBase: 'https://old.example/p', tokenProvider: () => {} };
    early.follow(options, (purpose) => {
      asked.push(purpose);
      return new Promise((ok) => { give = ok; });
    });
    const taken = early.tokenFor({ provider: 'prolifi', operation: 'update', customerId: 'cus_1' });
    assert.ok(taken, 'the form is handed the early token');
    assert.equal(early.tokenFor({ provider: 'prolifi', operation: 'update', customerId: 'cus_1' }), undefined, 'once');
    early.formMounted();
    give(jwt({ provider: 'prolifi', exp: Math.floor(Date.now() / 1000) + 600 }));
    await taken;
    await new Promise((ok) => setTimeout(ok, 10));
    assert.deepEqual(sent, []);
    assert.deepEqual(asked, [{ provider: 'prolifi', operation: 'update', customerId: 'cus_1', apiBase: 'https://old.example/p' }]);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('EarlyRead: a token that came before the form took it is read with at once, and the read dropped if not taken', async () => {
  const sent = [];
  const aborted = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => {
    sent.push(url);
    return new Promise((_, fail) => init.signal.addEventListener('abort', () => { aborted.push(url); fail(new Error('aborted')); }));
  };
  try {
    const early = new EarlyRead();
    const options = { provider: 'prolifi', customerId: 'cus_1', apiBase: 'https://gw.example/p', tokenProvider: () => {} };
    early.follow(options, async () => jwt({ provider: 'prolifi', exp: Math.floor(Date.now() / 1000) + 600 }));
    await new Promise((ok) => setTimeout(ok, 10));
    assert.deepEqual(sent, ['https://gw.example/p/customers/cus_1']);
    // Asked for another purpose: not handed over; mounted, the read nobody took is aborted.
    assert.equal(early.tokenFor({ provider: 'prolifi', operation: 'update', customerId: 'cus_2' }), undefined);
    early.formMounted();
    await new Promise((ok) => setTimeout(ok, 10));
    assert.deepEqual(aborted, ['https://gw.example/p/customers/cus_1']);
    // A purpose that cannot be read early drops what a token string started.
    const other = new EarlyRead();
    other.follow({ ...options, tokenProvider: undefined, token: 'pk_live_x' }, undefined);
    assert.equal(sent.length, 2);
    other.follow({ ...options, mode: 'create' }, () => 'never asked');
    await new Promise((ok) => setTimeout(ok, 10));
    assert.equal(aborted.length, 2);
  } finally {
    globalThis.fetch = realFetch;
  }
});

/** `fetch` stubbed for `run`: every URL asked for, and those aborted; replies never come
 * unless `answer` is set. */
async function withFetch(run, { answer = false } = {}) {
  const sent = [];
  const aborted = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => {
    sent.push(url);
    if (answer) return Promise.resolve(new Response('{}'));
    return new Promise((_, fail) => init.signal.addEventListener('abort', () => { aborted.push(url); fail(new Error('aborted')); }));
  };
  try {
    await run(sent, aborted);
  } finally {
    globalThis.fetch = realFetch;
  }
}

const settle = () => new Promise((ok) => setTimeout(ok, 10));
const PURPOSE = { provider: 'prolifi', operation: 'update', customerId: 'cus_1' };
const fresh = () => jwt({ provider: 'prolifi', exp: Math.floor(Date.now() / 1000) + 600 });

test('EarlyRead: a token that failed is not handed to the form, which asks the host again', async () => {
  await withFetch(async (sent) => {
    const early = new EarlyRead();
    early.follow({ provider: 'prolifi', customerId: 'cus_1', apiBase: 'https://gw.example/p', tokenProvider: () => {} },
      () => Promise.reject(new Error('not signed in yet')));
    await settle();
    assert.equal(early.tokenFor(PURPOSE), undefined);
    assert.deepEqual(sent, []);
  });
});

// A token is asked for the address it will go to: an api-base set later asks the host again,
// for the new address (which it may refuse), and never carries the first token there; the
// element back in the page at the same address reads again with the token it has.
test('EarlyRead: an api-base set later asks the host again for it; the element back in the page reads again with the same token', async () => {
  await withFetch(async (sent, aborted) => {
    const asked = [];
    const early = new EarlyRead();
    const options = { provider: 'prolifi', customerId: 'cus_1', apiBase: 'https://old.example/p', tokenProvider: () => {} };
    const tokens = [];
    const ask = (purpose) => { asked.push(purpose.apiBase); tokens.push(fresh()); return Promise.resolve(tokens.at(-1)); };
    early.follow(options, ask);
    await settle();
    early.follow({ ...options, apiBase: 'https://gw.example/p' }, ask);
    await settle();
    early.pause();
    early.follow({ ...options, apiBase: 'https://gw.example/p' }, ask);
    await settle();
    assert.deepEqual(asked, ['https://old.example/p', 'https://gw.example/p'], 'asked again for the new address only');
    assert.deepEqual(sent, ['https://old.example/p/customers/cus_1', 'https://gw.example/p/customers/cus_1', 'https://gw.example/p/customers/cus_1']);
    assert.deepEqual(aborted, ['https://old.example/p/customers/cus_1', 'https://gw.example/p/customers/cus_1']);
  });
});

// The attack: an element taken out of the page while its host's token is on its way. The token
// then comes; a read sent now would be no element's, kept unclaimed for the page's life, and
// handed later, however old, to any form sending the same request (the record it edits and
// compares a save against).
test('EarlyRead: nothing is read out of the page, even when the token comes then; back in it, the read is fresh', async () => {
  await withFetch(async (sent) => {
    let give;
    const asked = [];
    const early = new EarlyRead();
    // A customer of its own: a read another test left unclaimed has the same key when its
    // token was minted in the same second.
    const options = { provider: 'prolifi', customerId: 'cus_9', apiBase: 'https://gw.example/p', tokenProvider: () => {} };
    const ask = (purpose) => { asked.push(purpose.apiBase); return new Promise((ok) => { give = ok; }); };
    early.follow(options, ask);
    early.pause();
    give(fresh());
    await settle();
    assert.deepEqual(sent, [], 'no read while out of the page');
    early.follow(options, ask);
    await settle();
    assert.deepEqual(sent, ['https://gw.example/p/customers/cus_9'], 'read once back, with the token it has');
    assert.deepEqual(asked, ['https://gw.example/p'], 'the host asked once');
  });
});
