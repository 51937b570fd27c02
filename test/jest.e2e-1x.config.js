/**
 * The e2e smoke, every example and Retry / Unique Key in n8n 1.x (`npm run test:e2e:1x`): the same harness as
 * jest.e2e.config.js, pointed at n8n 1.123.81 (the newest 1.x) on Node 22 in .cache/n8n-1x/,
 * which globalSetup installs (scripts/e2e/setup-n8n-1x.sh) when it is missing.
 * The harness reads the n8n under test from N8N_E2E_DIR / N8N_E2E_VERSION (test/e2e/lib/paths.ts).
 */
const path = require('node:path');
const base = require('./jest.e2e.config.js');

process.env.N8N_E2E_VERSION = '1.123.81';
process.env.N8N_E2E_DIR = path.join(__dirname, '..', '.cache', 'n8n-1x');

module.exports = {
	...base,
	testMatch: ['<rootDir>/test/e2e/smoke.e2e.test.ts', '<rootDir>/test/e2e/examples.e2e.test.ts', '<rootDir>/test/e2e/retry.e2e.test.ts'],
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'e2e-1x' }]],
};
