/**
 * End-to-end tests in a REAL headless n8n (`npm run test:e2e`, config under test/): test/e2e/**\/*.e2e.test.ts.
 * globalSetup installs the pinned n8n into .cache/n8n-e2e/ (scripts/e2e/setup-n8n.sh) and builds
 * the package once. Each `n8n` command starts a whole n8n (~5 s), so: long timeouts, one worker.
 */
const path = require('node:path');

module.exports = {
	testEnvironment: 'node',
	rootDir: path.join(__dirname, '..'),
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	modulePathIgnorePatterns: ['<rootDir>/.cache/', '<rootDir>/dist/'],
	// one n8n at a time (2-core machines): the same as --runInBand
	maxWorkers: 1,
	testTimeout: 300_000,
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'e2e' }]],
	slowTestThreshold: 60,
	verbose: true,
};
