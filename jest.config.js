/** Unit and mock-server tests (`npm test`). The real-n8n suite has its own config (jest.e2e.config.js). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/reliability/**/*.test.ts', '<rootDir>/test/conformance/**/*.test.ts', '<rootDir>/test/architecture/**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	setupFiles: ['<rootDir>/test/helpers/n8nEnv.ts'],
	testTimeout: 20000,
	reporters: ['default', ['<rootDir>/test/reporters/summary.js', { label: 'unit' }]],
};
