// The parity page: fetches the copy of parity-v1.json the build puts next to the page
// (scripts/prepare.mjs), replays it through the package and shows "N passed, M failed"
// in #parity-result (and data-passed / data-failed / data-done on <body> for scripts).
import './style.css';
import { loadSettle } from './settle';
import { runParity, SECTIONS } from './parity';
import { byId, errorMessage, h, show, table } from './util';

async function start(): Promise<void> {
  const [S, vectors] = await Promise.all([
    loadSettle(),
    fetch('./parity-v1.json', { cache: 'no-store' }).then((r) => {
      if (!r.ok) throw new Error(`parity-v1.json: HTTP ${r.status}`);
      return r.json();
    }),
  ]);
  const started = performance.now();
  const report = runParity(S, vectors);
  const ms = performance.now() - started;

  show('parity-result', `${report.passed} passed, ${report.failed} failed`, report.failed === 0 ? 'ok' : 'bad');
  show('parity-skipped', `(${report.skipped} vector checks skipped: see below)`);
  show(
    'parity-provenance',
    `parity-v1.json from ${report.generator}, settle-core ${report.coreVersion}; replayed in ${ms.toFixed(0)} ms with ${navigator.userAgent}`,
  );
  byId('parity-sections').replaceChildren(
    table(
      ['section', 'passed', 'failed', 'skipped'],
      SECTIONS.map((s) => {
        const c = report.bySection[s];
        return [s, String(c.passed), h('span', { class: c.failed ? 'bad' : '' }, String(c.failed)), String(c.skipped)];
      }),
      'parity-table',
    ),
  );
  byId('parity-failures').replaceChildren(
    report.failures.length === 0
      ? h('p', { class: 'ok' }, 'None.')
      : table(['section', 'check', 'detail'], report.failures.map((f) => [f.section, f.name, h('pre', {}, f.detail)]), 'parity-failure-table'),
  );
  byId('parity-skips').replaceChildren(
    table(['section', 'vectors', 'count', 'why'], report.skips.map((s) => [s.section, s.name, String(s.count), s.why]), 'parity-skip-table'),
  );
  show('status', 'done', 'ok');
  Object.assign(document.body.dataset, {
    passed: String(report.passed),
    failed: String(report.failed),
    skipped: String(report.skipped),
    done: 'true',
  });
}

start().catch((e: unknown) => {
  show('status', `the parity run could not start: ${errorMessage(e)}`, 'bad');
  show('parity-result', '0 passed, 1 failed', 'bad');
  Object.assign(document.body.dataset, { passed: '0', failed: '1', done: 'true' });
});
