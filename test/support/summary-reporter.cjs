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
    // The slowest files, so CI's log says where its minutes go.
    const slowest = results.testResults
      .map((file) => ({ path: file.testFilePath.replace(process.cwd() + '/', ''), seconds: (file.perfStats.end - file.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 15);
    if (slowest.length > 1) console.log(`slowest files:\n${slowest.map((f) => `  ${f.seconds.toFixed(1).padStart(7)} s  ${f.path}`).join('\n')}`);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    console.log(`${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped`);
  }
}
module.exports = SummaryReporter;
