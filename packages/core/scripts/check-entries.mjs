// Checks the built package: every entry shares one copy of each class, in CJS and in ESM, so an error
// made through `@engagekit/core/adapter` is `instanceof` the class a user imports from `@engagekit/core`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const input = { status: 404, provider: 'check', body: {}, headers: {} };
const cjsRoot = require('../dist/index.cjs');
const cjsKit = require('../dist/adapter.cjs');
assert.ok(
  cjsKit.createApiError(input) instanceof cjsRoot.NotFoundError,
  'CJS: adapter entry error is instanceof root class',
);
const esmRoot = await import('../dist/index.js');
const esmKit = await import('../dist/adapter.js');
assert.ok(
  esmKit.createApiError(input) instanceof esmRoot.NotFoundError,
  'ESM: adapter entry error is instanceof root class',
);
console.log('entries share their classes (CJS and ESM)');
