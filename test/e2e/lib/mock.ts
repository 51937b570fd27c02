/** The mock Sora2 server and its credential, for workflows. (part of the e2e harness: see ../harness.ts) */
import type { MockServer, MockServerOptions } from '../../mock-server/server';
import { startMockServer } from '../../mock-server/server';
import { makeId } from './runData';
import type { CredentialImport, WorkflowNode } from './runData';


export const MOCK_API_KEY = 'test-key';

/** Starts the mock Sora2 server (test/mock-server/server.js) on a free port, key 'test-key'. */
export async function startMock(options: MockServerOptions = {}): Promise<MockServer> {
	return await startMockServer({ port: 0, apiKey: MOCK_API_KEY, ...options });
}

export async function stopMock(mock: MockServer | undefined): Promise<void> {
	if (mock) await mock.close();
}

/**
 * Registers beforeAll/afterAll hooks that start the mock server for the current test file (or
 * describe block) and close it; returns a getter.
 */
export function useMockServer(options: MockServerOptions = {}): () => MockServer {
	let mock: MockServer | undefined;
	beforeAll(async () => {
		mock = await startMock(options);
	});
	afterAll(async () => {
		await stopMock(mock);
		mock = undefined;
	});
	return () => {
		if (!mock) throw new Error('the mock server is not running (use it inside a test)');
		return mock;
	};
}

/** A `sora2Api` credential pointing at the mock server. */
export function sora2Credential(
	mock: Pick<MockServer, 'baseUrl'>,
	overrides: Partial<CredentialImport> & { apiKey?: string } = {},
): CredentialImport {
	const { apiKey, ...rest } = overrides;
	return {
		id: makeId('cred'),
		name: 'Sora2 (mock)',
		type: 'sora2Api',
		data: { apiKey: apiKey ?? MOCK_API_KEY, baseUrl: mock.baseUrl },
		...rest,
	};
}

/** The `credentials` field of a node using `credential`. */
export function useCredential(credential: CredentialImport): WorkflowNode['credentials'] {
	return { [credential.type]: { id: credential.id, name: credential.name } };
}
