/**
 * The package in n8n queue mode (`npm run test:queue`): test/queue/**\/*.queue.test.ts. Postgres and
 * Redis (Debian's packages; .ci/run installs them when missing) and every n8n process are started and
 * stopped by the suite itself. globalSetup is the e2e one: the pinned n8n in .cache/n8n-e2e/ and a build.
 */
module.exports = {
	testEnvironment: 'node',
	rootDir: __dirname,
	roots: ['<rootDir>/test/queue'],
	testMatch: ['<rootDir>/test/queue/**/*.queue.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	modulePathIgnorePatterns: ['<rootDir>/.cache/', '<rootDir>/dist/'],
	maxWorkers: 1,
	testTimeout: 300_000,
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'queue' }]],
	slowTestThreshold: 60,
	verbose: true,
};
