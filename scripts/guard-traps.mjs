// Makes the wasm-bindgen glue call the wasm through `guardExports` (src/trap.js), so a trap
// (a panic: the package's wasm aborts at once, running no Rust hook) marks every mounted form as
// failed instead of leaving it dead (src/trap.js says why this is in JS).
//
// Usage: node scripts/guard-traps.mjs <glue.js>: rewritten in place. The glue must set `wasm`
// from the instance's exports exactly once and import src/trap.js (the Rust code imports
// `track` from it, so wasm-bindgen copies it beside the glue); otherwise the build fails here.
import { readFileSync, writeFileSync } from 'node:fs';

const [gluePath] = process.argv.slice(2);
const fail = (why) => {
  console.error(`guard-traps.mjs: ${why}`);
  process.exit(1);
};
if (!gluePath) fail('usage: guard-traps.mjs <glue.js>');
let glue = readFileSync(gluePath, 'utf8');

const assignments = glue.split('wasm = instance.exports;').length - 1;
if (assignments !== 1) fail(`expected one \`wasm = instance.exports;\` in the glue, found ${assignments}`);
const trap = new Set([...glue.matchAll(/^import .* from ['"](\.\/snippets\/[^'"]+\/src\/trap\.js)['"];?$/gm)].map((m) => m[1]));
if (trap.size !== 1) fail(`expected the glue to import src/trap.js from one place, found ${trap.size}`);

glue = glue.replace('wasm = instance.exports;', 'wasm = guardExports(instance.exports);');
glue = `import { guardExports } from '${[...trap][0]}';\n${glue}`;
writeFileSync(gluePath, glue);
