/**
 * One line per test from Vitest's JSON report and node's TAP output, then the totals:
 *   node scripts/report.mjs --vitest vitest.json --tap e2e.tap
 * Exits non-zero when a test failed or a report is missing.
 */

import fs from 'node:fs';

const args = process.argv.slice(2);
const files = { vitest: null, tap: null };
for (let i = 0; i < args.length; i += 2) files[args[i].replace(/^--/, '')] = args[i + 1];

const results = [];
let missing = false;

if (files.vitest) {
  if (fs.existsSync(files.vitest)) {
    const report = JSON.parse(fs.readFileSync(files.vitest, 'utf8'));
    for (const file of report.testResults ?? []) {
      const where = file.name.replace(/^.*?\/tests\//, '');
      for (const t of file.assertionResults ?? []) {
        const name = [where, ...(t.ancestorTitles ?? []), t.title].join(' > ');
        results.push({ suite: 'unit', name, status: t.status });
      }
      if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
        results.push({ suite: 'unit', name: `${file.name}: ${file.message ?? 'failed to run'}`, status: 'failed' });
      }
    }
  } else {
    missing = true;
    results.push({ suite: 'unit', name: 'Vitest produced no report', status: 'failed' });
  }
}

if (files.tap) {
  if (fs.existsSync(files.tap)) {
    // Leaf tests are indented one level under the describe block; "# Subtest" lines are noise.
    for (const line of fs.readFileSync(files.tap, 'utf8').split('\n')) {
      const match = /^ {4}(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO).*)?$/.exec(line);
      if (match) {
        const status = match[3] ? 'skipped' : match[1] === 'ok' ? 'passed' : 'failed';
        results.push({ suite: 'e2e', name: match[2], status });
      }
    }
    if (!results.some((r) => r.suite === 'e2e')) {
      results.push({ suite: 'e2e', name: 'the end-to-end run reported no test', status: 'failed' });
    }
  } else {
    missing = true;
    results.push({ suite: 'e2e', name: 'the end-to-end run produced no report', status: 'failed' });
  }
}

const label = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', pending: 'SKIP', todo: 'SKIP' };
for (const r of results) console.log(`${label[r.status] ?? 'FAIL'}  [${r.suite}] ${r.name}`);
const passed = results.filter((r) => r.status === 'passed').length;
const failed = results.filter((r) => !['passed', 'skipped', 'pending', 'todo'].includes(r.status)).length;
const skipped = results.length - passed - failed;
console.log('');
console.log(`frontend: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || missing ? 1 : 0);
