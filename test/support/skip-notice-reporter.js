/**
 * Jest hides console output of a test file whose tests are all skipped, so the notice that the
 * Neo4j contract run did not happen is printed here, after the summary, where nobody misses it.
 */
class SkipNoticeReporter {
  onRunComplete() {
    if (!process.env.NEO4J_URI) {
      process.stderr.write(
        '\nNOTICE: the GraphStore contract suite did NOT run against Neo4j (skipped): set NEO4J_URI ' +
          '(and NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE) to run it against a Neo4j 5 server.\n',
      );
    }
  }
}
module.exports = SkipNoticeReporter;
