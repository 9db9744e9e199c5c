// Prints the plain closing line CI reads ("N passed, N failed, N skipped"), and names skipped
// suites so a skipped adapter is visible in the log rather than silently absent.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skippedTitles = new Set();
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped') {
          const title = t.ancestorTitles.find((a) => a.includes('[skipped:')) ?? t.ancestorTitles[0] ?? t.title;
          skippedTitles.add(title);
        }
      }
    }
    for (const title of skippedTitles) console.log(`skipped: ${title}`);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    console.log(`${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped`);
  }
}
module.exports = SummaryReporter;
