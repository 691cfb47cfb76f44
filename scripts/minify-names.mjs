// Applies wasm-opt's `--minify-imports-and-exports-and-modules` renaming to the wasm-bindgen
// glue, so the JS calls the wasm's exports and provides its imports by their short names.
//
// Why: wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and some exports
// `…invoke__h<16 hex digits>`; those names are in both the `.wasm` and the JS, and their hashes
// do not compress. Short names save 5.0 kB gzip of the shipped package (README, Size).
//
// Usage: node scripts/minify-names.mjs <glue.js> <mapping.json> <minified.wasm>
// The mapping is what wasm-opt prints; the glue is rewritten in place. Every import the minified
// wasm declares is checked to be provided, and every export the glue uses to exist, so a change
// in wasm-bindgen's output fails the build here instead of in a browser.
import { readFileSync, writeFileSync } from 'node:fs';

const [gluePath, mappingPath, wasmPath] = process.argv.slice(2);
if (!wasmPath) {
  console.error('usage: minify-names.mjs <glue.js> <mapping.json> <minified.wasm>');
  process.exit(2);
}
let glue = readFileSync(gluePath, 'utf8');
const mapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
const wasm = new WebAssembly.Module(readFileSync(wasmPath));
const fail = (why) => {
  console.error(`minify-names.mjs: ${why}`);
  process.exit(1);
};
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Exports: the glue reaches them only as `wasm.<name>`.
for (const [from, to] of mapping.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(from)}(?![\\w$])`, 'g'), `wasm.${to}`);
}
const leftover = [...glue.matchAll(/\bwasm\.([\w$]+)/g)]
  .map((m) => m[1])
  .filter((name) => !WebAssembly.Module.exports(wasm).some((e) => e.name === name));
if (leftover.length) fail(`the glue uses exports the wasm does not have: ${[...new Set(leftover)]}`);

// Imports: the glue's own (`import0`, keys of one object literal) are renamed where they are
// defined; the snippets' (`importN`, ES module namespaces) are looked up by their real name.
const returned = /return \{\s*__proto__: null,\s*([^}]*)\};/.exec(glue);
if (!returned) fail('no import object returned by __wbg_get_imports');
const moduleVars = new Map(
  [...returned[1].matchAll(/"([^"]+)":\s*(import\d+)/g)].map((m) => [m[1], m[2]]),
);
const provided = [];
for (const [module, name, to] of mapping.imports) {
  const variable = moduleVars.get(module);
  if (!variable) fail(`import ${module} ${name}: no such module in the glue`);
  if (variable === 'import0') {
    const key = new RegExp(`^(\\s+)${escape(name)}: function\\(`, 'm');
    if (!key.test(glue)) fail(`import ${name}: not defined in the glue`);
    glue = glue.replace(key, `$1${to}: function(`);
  } else {
    provided.push(`${to}: ${variable}.${name}`);
  }
}
const modules = new Set(WebAssembly.Module.imports(wasm).map((i) => i.module));
if (modules.size !== 1) fail(`expected one import module after minifying, found ${[...modules]}`);
const [module] = modules;
glue = glue.replace(
  returned[0],
  `return { __proto__: null, ${JSON.stringify(module)}: Object.assign(import0, { ${provided.join(', ')} }) };`,
);
const ownImports = glue.slice(glue.indexOf('const import0 = {'), glue.indexOf('return { __proto__: null'));
const definedKeys = new Set(
  [...ownImports.matchAll(/^\s+([\w$]+): function\(/gm)]
    .map((m) => m[1])
    .concat(provided.map((p) => p.split(':')[0])),
);
const missing = WebAssembly.Module.imports(wasm).filter((i) => !definedKeys.has(i.name));
if (missing.length) fail(`imports the glue does not provide: ${missing.map((i) => i.name)}`);

writeFileSync(gluePath, glue);
