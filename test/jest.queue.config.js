/**
 * The package in n8n queue mode (`npm run test:queue`): test/queue/**\/*.queue.test.ts, with the e2e
 * settings (jest.e2e.config.js: its globalSetup installs the pinned n8n into .cache/n8n-e2e/ and builds;
 * one test file at a time, long timeouts). Postgres and Redis (Debian's packages; .ci/run installs them
 * when missing) and every n8n process are started and stopped by the suite itself.
 */
const base = require('./jest.e2e.config.js');

module.exports = {
	...base,
	roots: ['<rootDir>/test/queue'],
	testMatch: ['<rootDir>/test/queue/**/*.queue.test.ts'],
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'queue' }]],
};
