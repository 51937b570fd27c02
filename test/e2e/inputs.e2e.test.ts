/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- e2e test: runs outside n8n, reads and writes fixture files with node:fs, reads an env switch and prints timings */
/**
 * What users bring, in a REAL n8n (2.41.1, package installed from its npm pack tarball), against the
 * mock server: a saved version-1 workflow (example 01, unmodified) gives the same output as before
 * this package had version 2.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import type { MockServer } from '../mock-server/server';
import { exampleCredential, loadExample, prepareExample } from './examples';
import { MOCK_API_KEY, N8nSession, describeResult, outputItems, startMock, stopMock } from './harness';
import type { ExecuteResult } from './harness';

const POLL_SECONDS = 0.2;

/**
 * Example 01's output item, recorded with the package as it was before version 2 (commit 91cfc4e),
 * with what differs per run (task id, mock port, times, how many reads it took) replaced by markers.
 * `E2E_RECORD_V1=1` writes it again (only ever do that on a commit before version 2).
 */
const V1_FIXTURE = path.join(__dirname, 'fixtures', 'example-01-v1-output.json');

function expectSuccess(result: ExecuteResult): void {
	if (!result.ok) throw new Error(`the workflow did not run cleanly\n${describeResult(result)}`);
}

/** The item with the per-run values replaced (their type kept), keys in their order. */
function normalized(value: unknown, taskId: string, mockUrl: string): unknown {
	if (typeof value === 'string') {
		return value.split(encodeURIComponent(taskId)).join('<taskId, encoded>').split(taskId).join('<taskId>').split(mockUrl).join('<mock>');
	}
	if (Array.isArray(value)) return value.map((entry) => normalized(entry, taskId, mockUrl));
	if (typeof value === 'object' && value !== null) {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) {
			const perRun = ['created_at', 'status_update_time', 'polls', 'pollAttempts'].includes(key) && typeof entry === 'number';
			out[key] = perRun ? '<number>' : normalized(entry, taskId, mockUrl);
		}
		return out;
	}
	return value;
}

describe('inputs: saved version-1 workflows', () => {
	let mock: MockServer;
	let session: N8nSession;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 600 });
		session = await N8nSession.create({ staging: 'installed' });
		await session.importCredentials([exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY })]);
	});

	afterAll(async () => {
		if (session) await session.dispose();
		await stopMock(mock);
	});

	test('example 01 (typeVersion 1, the file unmodified) gives the output recorded before version 2', async () => {
		const example = loadExample('createVideo');
		expect(example.nodes.find((node) => node.name === 'Create video')?.typeVersion).toBe(1);
		const workflow = prepareExample(example, { mode: 'installed', pollIntervalSeconds: POLL_SECONDS });
		await session.importWorkflows([workflow]);
		const result = await session.execute(workflow.id);
		expectSuccess(result);
		const [item] = outputItems(result, 'Create video');
		const taskId = String(item.json.taskId);
		const shape = { json: normalized(item.json, taskId, mock.url), binary: Object.keys(item.binary ?? {}) };
		if (process.env.E2E_RECORD_V1 === '1') {
			writeFileSync(V1_FIXTURE, `${JSON.stringify(shape, null, 2)}\n`, 'utf8');
			console.log(`[e2e inputs] recorded ${V1_FIXTURE}`);
		}
		expect(existsSync(V1_FIXTURE)).toBe(true);
		expect(shape).toEqual(JSON.parse(readFileSync(V1_FIXTURE, 'utf8')));
		// the create sent exactly the documented body, as before
		expect(mock.tasks.get(taskId)?.prompt).toBe(example.nodes[1].parameters.prompt);
	});
});
