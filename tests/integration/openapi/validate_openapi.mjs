// Validates an OpenAPI document with @seriousme/openapi-schema-validator (an
// independent validator of the OpenAPI 2.0/3.0/3.1 schemas), then resolves
// every $ref. Exits 0 when the document is valid, 1 with the validator's
// errors otherwise, 2 on bad arguments. Every wait is bounded.
//
//   node validate_openapi.mjs --url http://127.0.0.1:PORT/api/openapi.json
//   node validate_openapi.mjs --file DOCUMENT.json
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';

const FETCH_TIMEOUT_MS = 10_000;

const { values: args } = parseArgs({
  options: { url: { type: 'string' }, file: { type: 'string' } },
});
if (!args.url === !args.file) {
  console.error('validate_openapi.mjs: give exactly one of --url and --file');
  process.exit(2);
}

let doc;
try {
  if (args.url) {
    const resp = await fetch(args.url,
                             { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (resp.status !== 200) throw new Error(`GET ${args.url}: HTTP ${resp.status}`);
    doc = await resp.json();
  } else {
    doc = JSON.parse(readFileSync(args.file, 'utf8'));
  }
} catch (e) {
  console.error(`FAIL: cannot read the document: ${e.message}`);
  process.exit(1);
}

const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) {
  console.error('FAIL: not a valid OpenAPI document:');
  console.error(JSON.stringify(res.errors, null, 2));
  process.exit(1);
}
try {
  validator.resolveRefs();  // throws on a $ref that points nowhere
} catch (e) {
  console.error(`FAIL: unresolvable $ref: ${e.message}`);
  process.exit(1);
}
const ops = Object.values(doc.paths ?? {}).flatMap((item) => Object.keys(item));
console.log(`PASS: valid OpenAPI ${validator.version}, ` +
            `${Object.keys(doc.paths ?? {}).length} paths, ${ops.length} operations`);
process.exit(0);
