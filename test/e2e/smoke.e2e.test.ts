/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- e2e test: runs outside n8n, builds paths with node:path and prints how long each real n8n step took */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import type { MockServer } from '../mock-server/server';
import {
	E2E_DIR,
	N8nSession,
	REPO_DIR,
	STAGING_MODES,
	describeResult,
	linearWorkflow,
	nodeType,
	outputItems,
	sora2Credential,
	startMock,
	stopMock,
	useCredential,
	zodProbeNodeType,
	type CredentialImport,
	type ExecuteResult,
	type StagingMode,
	type Workflow,
} from './harness';

const SORA2_PARAMETERS = {
	resource: 'video',
	operation: 'create',
	model: 'sora-2',
	prompt: 'a cat',
	orientation: 'portrait',
	size: 'small',
	duration: 10,
	images: '',
	waitForCompletion: true,
	pollInterval: 0.2,
	maxWait: 30,
};

function expectSuccess(result: ExecuteResult): void {
	if (!result.ok) throw new Error(`the workflow did not run cleanly\n${describeResult(result)}`);
}

describe.each(STAGING_MODES)('real n8n, package staged as %s', (mode: StagingMode) => {
	let session: N8nSession;
	let mock: MockServer;
	let credential: CredentialImport;
	let ownNodes: Workflow;
	let failing: Workflow;
	let probe: Workflow;
	let sora2: Workflow;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 300 });
		session = await N8nSession.create({ staging: mode, zodProbe: true });
		credential = sora2Credential(mock);
		ownNodes = linearWorkflow(`own nodes (${mode})`, [
			{
				name: 'Set',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				parameters: {
					assignments: {
						assignments: [
							{ id: 'a1', name: 'greeting', value: 'hello', type: 'string' },
							{ id: 'a2', name: 'count', value: 2, type: 'number' },
						],
					},
					options: {},
				},
			},
			{
				name: 'Code',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				parameters: {
					jsCode:
						"return $input.all().map((item) => ({ json: { ...item.json, shout: item.json.greeting.toUpperCase(), doubled: item.json.count * 2 } }));",
				},
			},
		]);
		failing = linearWorkflow(`failing code (${mode})`, [
			{
				name: 'Code',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				parameters: { jsCode: "throw new Error('boom from the e2e harness');" },
			},
		]);
		probe = linearWorkflow(`zod probe (${mode})`, [
			{
				name: 'Zod Probe',
				type: zodProbeNodeType(mode),
				typeVersion: 1,
				parameters: { fromDir: path.join(session.packageDir, 'dist', 'nodes', 'Sora2') },
			},
		]);
		sora2 = linearWorkflow(`sora2 create (${mode})`, [
			{
				name: 'Sora2',
				type: nodeType(mode, 'sora2'),
				typeVersion: 1,
				parameters: SORA2_PARAMETERS,
				credentials: useCredential(credential),
			},
		]);
		await session.importCredentials([credential]);
		await session.importWorkflows([ownNodes, failing, probe, sora2]);
	});

	afterAll(async () => {
		if (session) {
			console.log(
				`[e2e ${mode}] timings:\n${session.timings.map((t) => `  ${t.step}: ${t.ms} ms`).join('\n')}`,
			);
			await session.dispose();
		}
		await stopMock(mock);
	});

	test('the package is staged the way users load it', () => {
		expect(existsSync(path.join(session.packageDir, 'dist', 'nodes', 'Sora2', 'Sora2.node.js'))).toBe(true);
		expect(session.userFolder.startsWith(REPO_DIR)).toBe(false);
		if (mode === 'installed') {
			expect(session.packageDir).toBe(
				path.join(session.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-sora2'),
			);
			// n8n drops dev and peer dependencies, and installs nothing else: no zod of its own
			expect(existsSync(path.join(session.packageDir, 'node_modules', 'zod'))).toBe(false);
		}
	});

	test("n8n's own nodes run: Manual Trigger → Set → Code (task runner)", async () => {
		const result = await session.execute(ownNodes.id);
		expectSuccess(result);
		expect(outputItems(result, 'Set').map((item) => item.json)).toEqual([{ greeting: 'hello', count: 2 }]);
		expect(outputItems(result, 'Code').map((item) => item.json)).toEqual([
			{ greeting: 'hello', count: 2, shout: 'HELLO', doubled: 4 },
		]);
	});

	if (mode === 'custom') {
		test('a failing workflow reports resultData.error', async () => {
			const result = await session.execute(failing.id);
			expect(result.run).toBeDefined();
			expect(result.ok).toBe(false);
			expect(result.run?.status).toBe('error');
			expect(result.error?.message).toContain('boom from the e2e harness');
			expect(result.resultData?.runData.Code?.[0]?.error?.message).toContain('boom from the e2e harness');
		});
	}

	test("require('zod') resolves to n8n's own copy (zod is only a devDependency)", async () => {
		const result = await session.execute(probe.id);
		expectSuccess(result);
		const [item] = outputItems(result, 'Zod Probe');
		console.log(`[e2e ${mode}] zod probe: ${JSON.stringify(item.json)}`);
		const n8nModules = path.join(E2E_DIR, 'node_modules') + path.sep;
		for (const where of ['here', 'there']) {
			const found = item.json[where] as { resolved?: string; version?: string; works?: boolean; error?: string };
			expect(found.error).toBeUndefined();
			expect(found.works).toBe(true);
			expect(found.version).toMatch(/^3\.25\./);
			expect(found.resolved?.startsWith(n8nModules)).toBe(true);
		}
	});

	test('Sora2 create + wait against the mock server', async () => {
		const result = await session.execute(sora2.id);
		expectSuccess(result);
		const items = outputItems(result, 'Sora2');
		expect(items).toHaveLength(1);
		const video = items[0].json;
		expect(video.status).toBe('completed');
		expect(typeof video.videoUrl).toBe('string');
		expect(String(video.videoUrl).startsWith(`${mock.url}/files/`)).toBe(true);
		const tasks = [...mock.tasks.values()].filter((task) => task.prompt === 'a cat');
		expect(tasks.length).toBeGreaterThanOrEqual(1);
		console.log(`[e2e ${mode}] Sora2 item: ${JSON.stringify(video)}`);
	});
});
