// Shortens the one English warning wasm-bindgen's glue prints: when a server sends the `.wasm`
// without `Content-Type: application/wasm`, the glue falls back to a slower load and says so in
// 190 characters that every page downloads. The same advice in fewer words saves 87 B gzip of
// the package (README, Size); the fallback itself is unchanged.
//
// Usage: node scripts/shorten-glue-warning.mjs <glue.js>: rewritten in place. A glue without
// the warning (another wasm-bindgen) fails the build here, so the change is noticed.
import { readFileSync, writeFileSync } from 'node:fs';

const [gluePath] = process.argv.slice(2);
const fail = (why) => {
  console.error(`shorten-glue-warning.mjs: ${why}`);
  process.exit(1);
};
if (!gluePath) fail('usage: shorten-glue-warning.mjs <glue.js>');
const glue = readFileSync(gluePath, 'utf8');
const warning = /console\.warn\("`WebAssembly\.instantiateStreaming` failed because [^"]*",/g;
const found = glue.match(warning) ?? [];
if (found.length !== 1) fail(`expected wasm-bindgen's MIME type warning once in the glue, found it ${found.length} times`);
writeFileSync(
  gluePath,
  glue.replace(warning, 'console.warn("customer-form: serve .wasm as application/wasm",'),
);
