/**
 * After jest's own summary: the test counts of each project (unit, and each store), a notice
 * when the Neo4j suites did not run, and a plain closing line `total: N passed, N failed`.
 */
class StoreSummaryReporter {
  onRunComplete(_contexts, results) {
    const counts = new Map();
    for (const file of results.testResults) {
      const name = file.displayName?.name ?? 'tests';
      const c = counts.get(name) ?? { passed: 0, failed: 0, skipped: 0 };
      c.passed += file.numPassingTests;
      c.failed += file.numFailingTests + (file.testExecError ? 1 : 0);
      c.skipped += file.numPendingTests + file.numTodoTests;
      counts.set(name, c);
    }
    const line = (c) => `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
    const out = ['', 'Tests by project:'];
    for (const [name, c] of counts) out.push(`  ${name}: ${line(c)}`);
    if (process.env.TEST_NEO4J_SKIPPED) {
      out.push('', `NOTICE: the contract and integration suites did NOT run on Neo4j: ${process.env.TEST_NEO4J_SKIPPED}.`);
    }
    const total = [...counts.values()].reduce((t, c) => ({ passed: t.passed + c.passed, failed: t.failed + c.failed, skipped: t.skipped + c.skipped }), { passed: 0, failed: 0, skipped: 0 });
    out.push(`total: ${line(total)}`, '');
    process.stderr.write(out.join('\n'));
  }
}
module.exports = StoreSummaryReporter;
