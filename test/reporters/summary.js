// Prints one plain closing line, "<suite>: N passed, N failed[, N skipped]", after jest's own summary,
// so a reader (or CI) sees the count without parsing jest's format.
class SummaryReporter {
	constructor(globalConfig, options) {
		this.label = (options && options.label) || 'tests';
	}

	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		const line = `${this.label}: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
		process.stdout.write(`\n${line}\n`);
	}
}

module.exports = SummaryReporter;
