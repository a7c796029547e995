/**
 * Says at the end of the run when the e2e project was left out (jest.config.js: no Chromium), as
 * the store summary says it for Neo4j. Listed before that reporter, so its closing
 * `total: N passed, N failed` line stays last.
 */
class E2eSkipNoticeReporter {
  onRunComplete() {
    if (process.env.TEST_E2E_SKIPPED) process.stderr.write(`\nNOTICE: the explorer's end-to-end tests did NOT run: ${process.env.TEST_E2E_SKIPPED}.\n`);
  }
}
module.exports = E2eSkipNoticeReporter;
