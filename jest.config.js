/** Unit and mock-server tests (`npm test`). The real-n8n, queue and editor suites have their own configs (test/jest.*.config.js). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/reliability/**/*.test.ts', '<rootDir>/test/conformance/**/*.test.ts', '<rootDir>/test/architecture/**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	setupFiles: ['<rootDir>/test/helpers/n8nEnv.ts'],
	testTimeout: 20000,
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'unit' }]],
};
