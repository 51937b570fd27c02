/**
 * The browser test (`npm run test:ui`): test/ui/**\/*.ui.test.ts. The pinned real n8n (the e2e
 * globalSetup installs it into .cache/n8n-e2e/ and builds the package) is started as a server and
 * the editor is driven in headless Chromium (Debian's /usr/bin/chromium, via playwright-core).
 */
const path = require('node:path');

module.exports = {
	testEnvironment: 'node',
	rootDir: path.join(__dirname, '..'),
	roots: ['<rootDir>/test/ui'],
	testMatch: ['<rootDir>/test/ui/**/*.ui.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	modulePathIgnorePatterns: ['<rootDir>/.cache/', '<rootDir>/dist/'],
	maxWorkers: 1,
	testTimeout: 120_000,
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'ui' }]],
	verbose: true,
};
