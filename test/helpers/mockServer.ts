import { startMockServer } from '../mock-server/server';
import type { MockServer, MockServerOptions } from '../mock-server/server';

/**
 * The mock Sora2 server for one test file: started before its tests, closed after them, its fault
 * rules and counters cleared before each test. Use the returned value like the server itself
 * (`mock.baseUrl`, `mock.addFault(…)`); it refers to the server of the running file.
 */
export function useMockServer(options: MockServerOptions = {}): MockServer {
	let server: MockServer | undefined;
	beforeAll(async () => {
		server = await startMockServer(options);
	});
	afterAll(async () => {
		await server?.close();
	});
	beforeEach(() => {
		server?.clearFaults();
		server?.resetStats();
	});
	return new Proxy({} as MockServer, {
		get(_target, key: keyof MockServer) {
			if (!server) throw new Error('the mock server is used outside a test (it starts in beforeAll)');
			return server[key];
		},
	});
}

/** A mock server of its own (other options than the file's) for the length of `run`, closed after it. */
export async function withMock(options: MockServerOptions, run: (server: MockServer) => Promise<void>): Promise<void> {
	const server = await startMockServer(options);
	try {
		await run(server);
	} finally {
		await server.close();
	}
}

/** The credential that points the node at the mock. */
export function credentialsFor(mock: MockServer, apiKey = 'test-key'): { apiKey: string; baseUrl: string } {
	return { apiKey, baseUrl: mock.baseUrl };
}
