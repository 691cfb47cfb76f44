// Mints a customer-form scoped token in Node, with node:crypto only (no dependency).
// HS256 with the key shared with the gateway, or EdDSA with your Ed25519 private key (the
// gateway then holds only the public key).
import { createHmac, createPrivateKey, sign } from 'node:crypto';

const b64url = (value) => Buffer.from(value).toString('base64url');

/**
 * @param {{sub: string, provider: string, ops: string[], customer?: string, fields?: string[], ttl?: number}} scope
 * @param {{hs256Key?: string, ed25519PrivateKeyPem?: string, audience?: string}} keys
 */
export function mintCustomerFormToken({ sub, provider, ops, customer, fields, ttl = 300 }, keys) {
  const now = Math.floor(Date.now() / 1000);
  const alg = keys.ed25519PrivateKeyPem ? 'EdDSA' : 'HS256';
  const header = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const claims = { aud: keys.audience ?? 'customer-form', sub, provider, ops, customer, fields, iat: now, exp: now + ttl };
  const payload = b64url(JSON.stringify(claims));
  const signingInput = `${header}.${payload}`;
  const signature = alg === 'EdDSA'
    ? sign(null, Buffer.from(signingInput), createPrivateKey(keys.ed25519PrivateKeyPem)).toString('base64url')
    : createHmac('sha256', keys.hs256Key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
