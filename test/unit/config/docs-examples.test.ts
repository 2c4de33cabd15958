// The YAML examples in docs/ are configurations a user will copy: each must be accepted
// as it is written (shape and meaning), so a renamed or removed field cannot leave a
// stale example behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseConfig } from '../../../src/config/schema.js';
import { validateState } from '../../../src/core/validate.js';
import { formatErrors } from '../../../src/core/result.js';

const DOCS = new URL('../../../../../docs/', import.meta.url);

const examples = readdirSync(DOCS).filter((f) => f.endsWith('.md')).flatMap((f) =>
  [...readFileSync(new URL(f, DOCS), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m, i) => ({ where: `docs/${f}, example ${i + 1}`, text: m[1]! })));

test('docs/configuration.md has examples to check', () => {
  assert.ok(examples.some((e) => e.where.startsWith('docs/configuration.md')));
});

for (const e of examples) {
  test(`${e.where} is a valid configuration`, () => {
    const r = parseConfig(e.text, (s) => validateState(s));
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.errors));
  });
}
