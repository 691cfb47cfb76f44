// The README's token-minting examples (shell and Node, HS256 and EdDSA) produce tokens the
// gateway accepts; a token longer-lived than the gateway allows is refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, startGateway, ROOT } from './harness.mjs';
import { mintCustomerFormToken } from '../../examples/mint-token.mjs';

const KEYS = join(ROOT, 'gateway', 'tests', 'keys');
let sandbox, gateway;

before(async () => {
  sandbox = await startSandbox();
  gateway = await startGateway(sandbox.url, 'http://127.0.0.1:1', { eddsaPublicKeyFile: join(KEYS, 'host-test.pub.pem') });
});

after(async () => {
  await Promise.all([gateway?.stop(), sandbox?.stop()]);
});

async function read(token) {
  const response = await fetch(`${gateway.url}/prolifi/customers/cus_1001`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

test('a token minted with the shell example works', async () => {
  const token = execFileSync(join(ROOT, 'examples', 'mint-token.sh'), ['user-42', 'prolifi', 'read,update', 'cus_1001', '120'], {
    env: { ...process.env, GATEWAY_TOKEN_KEY: gateway.tokenKey },
  }).toString().trim();
  const { status, body } = await read(token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.data.external_id, 'cus_1001');
});

test('tokens minted with the Node example work, HS256 and EdDSA', async () => {
  const scope = { sub: 'user-42', provider: 'prolifi', ops: ['read'], customer: 'cus_1001' };
  assert.equal((await read(mintCustomerFormToken(scope, { hs256Key: gateway.tokenKey }))).status, 200);
  const pem = readFileSync(join(KEYS, 'host-test.key.pem'), 'utf8');
  assert.equal((await read(mintCustomerFormToken(scope, { ed25519PrivateKeyPem: pem }))).status, 200);
});

test('a token living longer than the gateway allows is refused', async () => {
  const token = mintCustomerFormToken(
    { sub: 'user-42', provider: 'prolifi', ops: ['read'], customer: 'cus_1001', ttl: 3600 },
    { hs256Key: gateway.tokenKey },
  );
  const { status, body } = await read(token);
  assert.equal(status, 401);
  assert.equal(body.gateway.code, 'token_lifetime');
});

test('a stopped test gateway leaves no scratch directory behind (its config, Count token store)', async () => {
  const own = await startGateway(sandbox.url, 'http://127.0.0.1:1');
  assert.ok(existsSync(own.dir), 'the gateway is started with its scratch directory');
  await own.stop();
  assert.equal(existsSync(own.dir), false, `${own.dir} is left behind`);
});
