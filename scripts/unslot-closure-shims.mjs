// node scripts/unslot-closure-shims.mjs <wasm-bindgen glue .js> <its _bg.wasm>
//
// Empties the function-table slots that hold wasm-bindgen's closure invoke shims, in place,
// before wasm-opt runs, so that the shims nothing calls are removed with everything only they
// use (README, Size).
//
// Why they are there: every `#[wasm_bindgen]` import that takes a closure (js_sys declares
// dozens: each typed array's `for_each`, `Array::find`, `Map::for_each`, …) describes its
// closure type to wasm-bindgen through a function that names the type's invoke shim, so the
// linker gives each shim a table slot. wasm-bindgen then deletes the describing functions but
// keeps the table as it is, and nothing can take a slot out of a table whose indices code may
// hold: 47 shims stayed for the 4 closure types the widget makes.
//
// Why emptying them is safe: with wasm-bindgen 0.2.130 a closure is called from JS through an
// exported wrapper (`makeMutClosure(arg0, arg1, <export>)` in the glue), never through the table,
// and Rust never calls a shim through a function pointer. The script checks both before it
// changes anything and stops the build otherwise: the function table must not be exported (JS
// cannot reach it), and every closure the glue makes must be given an exported function. An
// emptied slot holds a function of the same type that traps, so a call through it would fail
// loudly (src/trap.js), never run something else.
import binaryen from '../tools/node_modules/binaryen/index.js';
import { readFileSync, writeFileSync } from 'node:fs';

const [gluePath, wasmPath] = process.argv.slice(2);
if (!gluePath || !wasmPath) {
  console.error('usage: unslot-closure-shims.mjs <glue.js> <_bg.wasm>');
  process.exit(2);
}
const fail = (why) => {
  console.error(`unslot-closure-shims.mjs: ${why}; the package would not be safe to build this way`);
  process.exit(1);
};

const glue = readFileSync(gluePath, 'utf8');
const made = [...glue.matchAll(/Cast intrinsic for `Closure\(/g)].length;
const throughExports = [...glue.matchAll(/ret = make(?:Mut)?Closure\(arg0, arg1, (\w+)\)/g)];
if (made === 0 || throughExports.length !== made) {
  fail(`the glue makes ${made} closures, ${throughExports.length} of them through an export`);
}
for (const [, wrapper] of throughExports) {
  if (!new RegExp(`function ${wrapper}\\([^)]*\\) \\{\\s*(const ret = )?wasm\\.${wrapper}\\(`).test(glue)) {
    fail(`the closure wrapper ${wrapper} does not call the wasm export of that name`);
  }
}

const module = binaryen.readBinary(readFileSync(wasmPath));
// The features the package's wasm uses (scripts/lib/optimize-wasm.sh's flags, with the two that
// binaryen's bulk-memory and reference-types flags imply), no others: with every feature on,
// binaryen would write some types in newer encodings.
const F = binaryen.Features;
module.setFeatures(
  F.MVP | F.BulkMemory | F.BulkMemoryOpt | F.CallIndirectOverlong | F.NontrappingFPToInt |
    F.ReferenceTypes | F.SignExt | F.MutableGlobals | F.Multivalue,
);
const segments = [];
for (let i = 0; i < module.getNumElementSegments(); i++) {
  segments.push(binaryen.getElementSegmentInfo(module.getElementSegmentByIndex(i)));
}
// The tables functions are put in (the glue's own table of JS values has no element segment).
const functionTables = new Set(segments.map((segment) => segment.table));
for (let i = 0; i < module.getNumExports(); i++) {
  const exported = binaryen.getExportInfo(module.getExportByIndex(i));
  if (exported.kind === binaryen.ExternalTable && functionTables.has(exported.value)) {
    fail(`the function table ${exported.value} is exported`);
  }
}

// Named with its type arguments (`invoke::<…>`, the v0 mangling the build with std from source
// gets) or with a hash (`invoke::h…`, the legacy mangling of the prebuilt-std build).
const isShim = (name) => /::convert::closures::_::invoke::(<|h[0-9a-f]{16}$)/.test(name);
const stubs = new Map();
const stubFor = (name) => {
  const info = binaryen.getFunctionInfo(module.getFunction(name));
  const key = `${info.params}:${info.results}`;
  if (!stubs.has(key)) {
    const stub = `unslotted closure shim ${stubs.size}`;
    module.addFunction(stub, info.params, info.results, [], module.unreachable());
    stubs.set(key, stub);
  }
  return stubs.get(key);
};

let emptied = 0;
for (const segment of segments) {
  if (!segment.data.some(isShim)) continue;
  if (!segment.offset) fail(`the element segment ${segment.name} is not an active one`);
  const offset = binaryen.getExpressionInfo(segment.offset);
  if (offset.id !== binaryen.ConstId) fail(`the element segment ${segment.name} has no constant offset`);
  const data = segment.data.map((name) => {
    if (!isShim(name)) return name;
    emptied += 1;
    return stubFor(name);
  });
  module.removeElementSegment(segment.name);
  module.addActiveElementSegment(segment.table, segment.name, data, module.i32.const(offset.value));
}
// None found means the shims' names were not there to match (no name section) or wasm-bindgen
// changed how it names them: the script would silently stop saving anything.
if (emptied === 0) fail('no closure invoke shim found in the function table');
if (!module.validate()) fail('the changed module does not validate');
binaryen.setDebugInfo(true);
writeFileSync(wasmPath, module.emitBinary());
console.error(`unslot-closure-shims.mjs: ${emptied} closure shims out of the function table`);
