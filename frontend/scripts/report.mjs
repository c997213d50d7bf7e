/**
 * One line per test from Vitest's JSON reports (the unit run and the end-to-end run) and one for
 * the type check, then the totals:
 *   node scripts/report.mjs --typecheck passed --unit vitest.json --e2e e2e.json
 * Exits non-zero when a test failed or a report is missing.
 */

import fs from 'node:fs';

const args = process.argv.slice(2);
const options = {};
for (let i = 0; i < args.length; i += 2) options[args[i].replace(/^--/, '')] = args[i + 1];

const results = [];
let missing = false;

if (options.typecheck) {
  results.push({ suite: 'types', name: 'tsc --noEmit (strict) over src, tests and e2e', status: options.typecheck });
}

for (const suite of ['unit', 'e2e']) {
  const file = options[suite];
  if (!file) continue;
  if (!fs.existsSync(file)) {
    missing = true;
    results.push({ suite, name: 'Vitest produced no report', status: 'failed' });
    continue;
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  let count = 0;
  for (const testFile of report.testResults ?? []) {
    const where = testFile.name.replace(/^.*?\/(tests|e2e)\//, '');
    for (const t of testFile.assertionResults ?? []) {
      count += 1;
      results.push({ suite, name: [where, ...(t.ancestorTitles ?? []), t.title].join(' > '), status: t.status });
    }
    if ((testFile.assertionResults ?? []).length === 0 && testFile.status === 'failed') {
      count += 1;
      results.push({ suite, name: `${testFile.name}: ${testFile.message ?? 'failed to run'}`, status: 'failed' });
    }
  }
  if (count === 0) results.push({ suite, name: 'the run reported no test', status: 'failed' });
}

const label = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', pending: 'SKIP', todo: 'SKIP' };
for (const r of results) console.log(`${label[r.status] ?? 'FAIL'}  [${r.suite}] ${r.name}`);
const passed = results.filter((r) => r.status === 'passed').length;
const failed = results.filter((r) => !['passed', 'skipped', 'pending', 'todo'].includes(r.status)).length;
const skipped = results.length - passed - failed;
console.log('');
console.log(`frontend: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || missing ? 1 : 0);
