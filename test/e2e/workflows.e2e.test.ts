/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets, no-console -- e2e test: runs outside n8n, reads n8n's binary files with node:fs, uses a made-up wrong API key on purpose and prints how long each real n8n step took */
/**
 * The package in a REAL n8n (2.41.1, headless), against the mock Sora2 server, asserting on the run
 * data n8n prints. The full set runs with the package installed from its `npm pack` tarball (as the
 * community-nodes screen installs it); example 01 also runs as a custom extension.
 * Every example in examples/ runs here as it is (see examples.ts for the few rewrites).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { MockServer } from '../mock-server/server';
import { videoBytesFor } from '../mock-server/server';
import {
	SORA2_TYPE,
	createVideoParameters,
	exampleCredential,
	loadExample,
	prepareExample,
	sora2Nodes,
} from './examples';
import type { ExampleName } from './examples';
import {
	MANUAL_TRIGGER,
	MOCK_API_KEY,
	N8nSession,
	describeResult,
	makeId,
	nodeType,
	outputItems,
	sora2Credential,
	startMock,
	stopMock,
	useCredential,
} from './harness';
import type { CredentialImport, ExecuteResult, N8nItem, StagingMode, Workflow, WorkflowNode } from './harness';
import { N8nServer } from './server';

const POLL_SECONDS = 0.2;
const VIDEO_SIZE = 200_003; // not a multiple of any chunk size
const WRONG_KEY = 'sk-wrong-e2e-key-0123456789';

function expectSuccess(result: ExecuteResult): void {
	if (!result.ok) throw new Error(`the workflow did not run cleanly\n${describeResult(result)}`);
}

function expectFailed(result: ExecuteResult): void {
	if (result.ok || result.run?.status !== 'error' || !result.error) {
		throw new Error(`the workflow was expected to fail, with its error in the run data\n${describeResult(result)}`);
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function jsonOf(items: N8nItem[]): Array<Record<string, unknown>> {
	return items.map((item) => item.json);
}

function prepared(name: ExampleName, mode: StagingMode): Workflow {
	return prepareExample(loadExample(name), { mode, pollIntervalSeconds: POLL_SECONDS });
}

/** A Sora2 node (the given staging) with the mock-friendly defaults of Video → Create. */
function sora2Node(
	mode: StagingMode,
	name: string,
	credential: CredentialImport,
	parameters: Record<string, unknown>,
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: makeId('n'),
		name,
		type: nodeType(mode, 'sora2'),
		typeVersion: 1,
		position: [0, 0],
		parameters: createVideoParameters({ pollInterval: POLL_SECONDS, maxWait: 60, ...parameters }),
		credentials: useCredential(credential),
		...extra,
	};
}

/** A workflow: the manual trigger, then each branch (a chain of nodes) starting from the trigger. */
function branchedWorkflow(name: string, branches: WorkflowNode[][]): Workflow {
	const trigger: WorkflowNode = {
		id: makeId('n'),
		name: MANUAL_TRIGGER,
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes: WorkflowNode[] = [trigger];
	const connections: Workflow['connections'] = {};
	const link = (from: string, to: string): void => {
		const outputs = (connections[from] ??= { main: [[]] });
		outputs.main[0].push({ node: to, type: 'main', index: 0 });
	};
	branches.forEach((chain, row) => {
		chain.forEach((node, column) => {
			nodes.push({ ...node, position: [(column + 1) * 240, row * 200] });
			link(column === 0 ? MANUAL_TRIGGER : chain[column - 1].name, node.name);
		});
	});
	return { id: makeId('wf'), name, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

function codeRows(name: string, rows: Array<Record<string, unknown>>): WorkflowNode {
	return {
		id: makeId('n'),
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [0, 0],
		parameters: { jsCode: `return ${JSON.stringify(rows.map((json) => ({ json })))};` },
	};
}

/**
 * The bytes of a binary entry of the run data. n8n 2.41.1's default binary mode (regular
 * execution mode) is 'filesystem': the item carries `id: "filesystem-v2:<file id>"` and the bytes
 * are in <user folder>/.n8n/storage/<file id>; in the in-memory mode ('default') they would be
 * inline base64 in `data`. Both are read here; the test asserts which one it met.
 */
async function binaryBytes(session: N8nSession, binary: Record<string, unknown>): Promise<{ mode: string; bytes: Buffer; file?: string }> {
	const id = binary.id;
	if (typeof id === 'string' && id.includes(':')) {
		const mode = id.slice(0, id.indexOf(':'));
		const fileId = id.slice(id.indexOf(':') + 1);
		const n8nFolder = path.join(session.userFolder, '.n8n');
		const candidates = [path.join(n8nFolder, 'storage', fileId), path.join(n8nFolder, 'binaryData', fileId)];
		const file = candidates.find((candidate) => existsSync(candidate));
		if (!file) throw new Error(`binary ${id}: none of ${candidates.join(', ')} exists`);
		return { mode, bytes: await fs.readFile(file), file };
	}
	if (typeof binary.data === 'string') return { mode: 'default (inline base64)', bytes: Buffer.from(binary.data, 'base64') };
	throw new Error(`binary entry without id or data: ${JSON.stringify(binary)}`);
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
	let promise: Promise<T> | undefined;
	return async () => await (promise ??= fn());
}

describe('package installed from its npm pack tarball (as the community-nodes screen installs it)', () => {
	const mode: StagingMode = 'installed';
	let mock: MockServer;
	let session: N8nSession;
	let wrongKey: CredentialImport;
	const workflows: Record<string, Workflow> = {};
	const started = Date.now();

	/** Each workflow runs once; tests that share a run read the same result. */
	const runs = new Map<string, () => Promise<ExecuteResult>>();
	const run = async (key: string): Promise<ExecuteResult> => {
		let runOnce = runs.get(key);
		if (!runOnce) {
			runOnce = once(async () => await session.execute(workflows[key].id));
			runs.set(key, runOnce);
		}
		return await runOnce();
	};

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 300, videoSize: VIDEO_SIZE });
		session = await N8nSession.create({ staging: mode });
		const examples = exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY });
		wrongKey = sora2Credential(mock, { name: 'Sora2 (wrong key)', apiKey: WRONG_KEY });

		workflows.createVideo = prepared('createVideo', mode);
		workflows.webhook = prepared('webhook', mode);
		workflows.sheetRows = prepared('sheetRows', mode);
		workflows.chat = prepared('chat', mode);

		const chatParameters = (stream: boolean): Record<string, unknown> => ({
			resource: 'chat',
			operation: 'completion',
			chatModel: 'sora-2',
			specifyMessages: 'fields',
			messages: { values: [{ role: 'user', content: 'a corgi surfs a wave at sunset' }] },
			tools: 'function:generate_animate',
			toolChoice: 'function',
			toolChoiceFunction: 'generate_animate',
			options: { stream, maxTokens: 1000 },
		});
		workflows.chatBothWays = branchedWorkflow('chat completion, streamed and not', [
			[sora2Node(mode, 'Chat', examples, chatParameters(false))],
			[sora2Node(mode, 'Chat (stream)', examples, chatParameters(true))],
		]);
		workflows.continueOnFail = branchedWorkflow('continue on fail + download', [
			[
				codeRows('Rows', [{ prompt: 'a dog runs on a beach' }, { prompt: '[fail] a cat sleeps' }]),
				sora2Node(mode, 'Create', examples, { prompt: '={{ $json.prompt }}' }, { onError: 'continueRegularOutput' }),
			],
			[sora2Node(mode, 'Create (wrong key)', wrongKey, { prompt: 'a horse' }, { onError: 'continueRegularOutput' })],
			[
				codeRows('Rows 2', [{ prompt: '[fail] a lion' }, { prompt: 'a zebra' }]),
				sora2Node(mode, 'Create (error output)', examples, { prompt: '={{ $json.prompt }}' }, { onError: 'continueErrorOutput' }),
			],
			[
				sora2Node(mode, 'Create + download', examples, {
					prompt: 'a hummingbird drinks from a flower',
					downloadVideo: true,
					binaryPropertyName: 'video',
				}),
			],
			[
				sora2Node(
					mode,
					'Create + download (a login page)',
					examples,
					{ prompt: '[textdownload] a fox in the snow', downloadVideo: true, binaryPropertyName: 'video' },
					{ onError: 'continueRegularOutput' },
				),
			],
		]);
		workflows.failingTask = branchedWorkflow('a failing task stops the run', [
			[sora2Node(mode, 'Create', examples, { prompt: '[fail] a cat' })],
		]);
		workflows.wrongKey = branchedWorkflow('a wrong key stops the run', [
			[sora2Node(mode, 'Create', wrongKey, { prompt: 'a cat' })],
		]);

		await session.importCredentials([examples, wrongKey]);
		await session.importWorkflows(Object.values(workflows));
	});

	afterAll(async () => {
		if (session) {
			console.log(
				`[e2e ${mode}] ${((Date.now() - started) / 1000).toFixed(1)} s; timings:\n${session.timings
					.map((t) => `  ${t.step}: ${t.ms} ms`)
					.join('\n')}`,
			);
			await session.dispose();
		}
		await stopMock(mock);
	});

	test('example 01: manual trigger → Create (wait) → the item is completed, with its videoUrl', async () => {
		const result = await run('createVideo');
		expectSuccess(result);
		const items = outputItems(result, 'Create video');
		expect(items).toHaveLength(1);
		const video = items[0].json;
		expect(video.status).toBe('completed');
		expect(video.taskId).toMatch(/^sora-2:task_[a-z0-9]{26}$/);
		expect(video.videoUrl).toBe(`${mock.url}/files/${encodeURIComponent(String(video.taskId))}.mp4`);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		const task = mock.tasks.get(String(video.taskId));
		expect(task?.prompt).toBe(loadExample('createVideo').nodes.find((node) => node.type === SORA2_TYPE)?.parameters.prompt);
	});

	test('example 03: sheet rows → Create (no wait) → Get Task (wait): every row completes, paired to its row', async () => {
		const result = await run('sheetRows');
		expectSuccess(result);
		const rows = jsonOf(outputItems(result, 'Sheet rows'));
		expect(rows.length).toBeGreaterThanOrEqual(3);
		const created = outputItems(result, 'Create videos');
		const finished = outputItems(result, 'Wait for the videos');
		const paired = jsonOf(outputItems(result, 'Row with its video'));
		expect(created).toHaveLength(rows.length);
		expect(finished).toHaveLength(rows.length);
		expect(paired).toHaveLength(rows.length);
		const taskIds = new Set<unknown>();
		rows.forEach((row, i) => {
			// Create did not wait: the task had only just started
			expect(created[i].json.status).not.toBe('completed');
			expect(created[i].pairedItem).toEqual({ item: i });
			taskIds.add(created[i].json.taskId);
			// Get Task waited for the same task, and the API says it was made from this row's prompt
			const video = finished[i].json;
			expect(finished[i].pairedItem).toEqual({ item: i });
			expect(video.taskId).toBe(created[i].json.taskId);
			expect(video.status).toBe('completed');
			expect(typeof video.videoUrl).toBe('string');
			expect((video.detail as { input?: { prompt?: unknown } }).input?.prompt).toBe(row.prompt);
			expect(mock.tasks.get(String(video.taskId))?.prompt).toBe(row.prompt);
			expect(mock.tasks.get(String(video.taskId))?.orientation).toBe(row.orientation);
			// n8n follows pairedItem back through both Sora2 nodes: $('Sheet rows').item is this row
			expect(paired[i]).toEqual({
				row_number: row.row_number,
				prompt: row.prompt,
				status: 'completed',
				videoUrl: video.videoUrl,
				taskId: video.taskId,
			});
		});
		expect(taskIds.size).toBe(rows.length);
	});

	test('Chat → Completion, streamed and not, gives the same item (and example 04 takes its video link)', async () => {
		const both = await run('chatBothWays');
		expectSuccess(both);
		const [whole] = jsonOf(outputItems(both, 'Chat'));
		const [streamed] = jsonOf(outputItems(both, 'Chat (stream)'));
		const mockTask = (json: Record<string, unknown>): string => {
			const urls = json.videoUrls as string[];
			expect(urls).toHaveLength(1);
			expect(urls[0].startsWith(`${mock.url}/files/`)).toBe(true);
			return decodeURIComponent(urls[0].slice(`${mock.url}/files/`.length).replace(/\.mp4$/, ''));
		};
		// each answer is its own task; apart from the ids the two items are the same
		const normalize = (json: Record<string, unknown>): unknown =>
			JSON.parse(
				JSON.stringify(json)
					.replaceAll(encodeURIComponent(mockTask(json)), 'TASK')
					.replace(/chatcmpl-[0-9a-f]+/g, 'CHATCMPL')
					.replace(/call_[0-9a-f]{16}/g, 'CALL')
					.replace(/"created":\d+/g, '"created":0'),
			);
		expect(normalize(streamed)).toEqual(normalize(whole));
		expect(whole.progress).toBe(100);
		const choice = (whole.choices as Array<{ finish_reason: string; message: { tool_calls: Array<{ function: { name: string } }> } }>)[0];
		expect(choice.finish_reason).toBe('tool_calls');
		expect(choice.message.tool_calls[0].function.name).toBe('generate_animate');
		expect(mock.tasks.get(mockTask(whole))?.prompt).toBe('a corgi surfs a wave at sunset');
		expect(mock.tasks.get(mockTask(streamed))?.prompt).toBe('a corgi surfs a wave at sunset');

		const example = await run('chat');
		expectSuccess(example);
		const [answer] = jsonOf(outputItems(example, 'Ask for a video'));
		const [link] = jsonOf(outputItems(example, 'Video link'));
		expect(link.videoUrl).toBe((answer.videoUrls as string[])[0]);
		expect(String(link.answer)).toContain('Video ready');
		expect(mock.tasks.get(mockTask(answer))?.prompt).toContain('astronaut golden retriever');
	});

	test('a failing task ([fail]) without Continue On Fail: the run fails with the node\'s message', async () => {
		const result = await run('failingTask');
		expectFailed(result);
		const message = /^Video → Create, item 0: task (sora-2:task_[a-z0-9]{26}) failed: content_policy: content policy violation$/;
		expect(result.error?.message).toMatch(message);
		expect(result.error?.node?.name).toBe('Create');
		const nodeError = result.resultData?.runData.Create?.[0]?.error;
		expect(nodeError?.message).toMatch(message);
		expect(nodeError?.description).toContain('create the video again');
	});

	test('a wrong API key (401) without Continue On Fail: the run fails with the node\'s message, key not shown', async () => {
		const result = await run('wrongKey');
		expectFailed(result);
		expect(result.error?.message).toBe('Video → Create, item 0: the API answered 401: Invalid API key provided');
		expect(result.error?.httpCode).toBe('401');
		expect(result.error?.description).toContain('API key');
		expect(`${result.stdout}${result.stderr}`).not.toContain(WRONG_KEY);
	});

	test('with Continue On Fail, the failing task and the 401 become items carrying `error`; the rest completes', async () => {
		const result = await run('continueOnFail');
		expectSuccess(result);
		const [ok, failed] = outputItems(result, 'Create');
		expect(ok.json.status).toBe('completed');
		expect(ok.pairedItem).toEqual({ item: 0 });
		expect(failed.pairedItem).toEqual({ item: 1 });
		expect(failed.json).toMatchObject({
			error: expect.stringMatching(/^Video → Create, item 1: task sora-2:task_\w+ failed: content_policy: content policy violation$/),
			taskId: expect.stringMatching(/^sora-2:task_/),
			itemIndex: 1,
		});
		const [unauthorized] = jsonOf(outputItems(result, 'Create (wrong key)'));
		expect(unauthorized).toMatchObject({
			error: 'Video → Create, item 0: the API answered 401: Invalid API key provided',
			httpCode: '401',
			itemIndex: 0,
		});
		expect(`${result.stdout}${result.stderr}`).not.toContain(WRONG_KEY);
	});

	test('with "Continue (using error output)", the failing task goes to the error output, the rest to the success output', async () => {
		const result = await run('continueOnFail');
		expectSuccess(result);
		const success = outputItems(result, 'Create (error output)', 0);
		const errors = outputItems(result, 'Create (error output)', 1);
		expect(success.map((item) => [item.json.status, item.pairedItem])).toEqual([['completed', { item: 1 }]]);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 0 });
		// n8n adds the input row's fields to an error-output item; the node's own fields are in `details`
		expect(errors[0].json).toEqual({
			prompt: '[fail] a lion',
			error: expect.stringMatching(/^Video → Create, item 0: task sora-2:task_\w+ failed: content_policy: content policy violation$/),
			details: {
				taskId: expect.stringMatching(/^sora-2:task_/),
				hint: expect.stringContaining('create the video again'),
				itemIndex: 0,
			},
		});
	});

	test('Download Video: the binary is in the item and its bytes are the mock\'s video', async () => {
		const result = await run('continueOnFail');
		expectSuccess(result);
		const [item] = outputItems(result, 'Create + download');
		const taskId = String(item.json.taskId);
		expect(item.json.status).toBe('completed');
		const binary = item.binary?.video;
		expect(binary).toBeDefined();
		if (!binary) return;
		expect(binary).toMatchObject({ mimeType: 'video/mp4', fileName: `${taskId.replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4` });
		const { mode: binaryMode, bytes, file } = await binaryBytes(session, binary);
		console.log(`[e2e ${mode}] binary data: mode ${binaryMode}, ${bytes.length} bytes${file ? ` in ${file}` : ''}; entry ${JSON.stringify(binary)}`);
		// n8n 2.41.1 default (regular mode): filesystem, under the user folder
		expect(binaryMode).toBe('filesystem-v2');
		expect(bytes.length).toBe(VIDEO_SIZE);
		expect(bytes.equals(videoBytesFor(taskId, mock.options.videoSize))).toBe(true);
	});

	test('Download Video of a link that answers a text page: an error item naming the task, nothing stored as a video', async () => {
		const result = await run('continueOnFail');
		expectSuccess(result);
		const [item] = outputItems(result, 'Create + download (a login page)');
		const taskId = [...mock.tasks.values()].find((task) => task.prompt === '[textdownload] a fox in the snow')?.id ?? 'none';
		// in n8n 2.41.1's filesystem mode the first bytes are read back from the stored file
		expect(item.json).toMatchObject({
			error: `Video → Create, item 0: the download of task ${taskId}'s video from ${new URL(mock.url).host} is not a video: it answered 200 with Content-Type "text/plain; charset=utf-8" and it starts with "Please sign in to download this file."`,
			taskId,
			itemIndex: 0,
		});
		expect(String(item.json.hint)).toContain(`Video → Get Task with Task ID "${taskId}" and Download Video on fetches the video again`);
		expect(item.binary).toBeUndefined();
	});

	describe('as a server (n8n start)', () => {
		let server: N8nServer | undefined;

		afterAll(async () => {
			await server?.stop();
		});

		test('example 02: webhook → Create (wait) → Respond to Webhook answers with the video link (502 + error when it fails)', async () => {
			server = await N8nServer.start(session);
			await server.setupOwner();
			await server.activateWorkflow(workflows.webhook.id);
			const webhook = loadExample('webhook').nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
			const call = async (prompt: string): Promise<{ status: number; json: Record<string, unknown> }> => {
				if (!server) throw new Error('the server did not start');
				const answer = await fetch(server.webhookUrl(String(webhook?.parameters.path)), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ prompt }),
				});
				const text = await answer.text();
				const json = parseJson(text);
				if (typeof json !== 'object' || json === null || Array.isArray(json)) {
					throw new Error(`the webhook answered ${answer.status} with no JSON object: ${text}\n${server.output(40)}`);
				}
				return { status: answer.status, json: json as Record<string, unknown> };
			};
			const [made, failed] = await Promise.all([call('a lighthouse at dusk, waves below'), call('[fail] a lighthouse')]);
			expect(made).toEqual({
				status: 200,
				json: {
					taskId: expect.stringMatching(/^sora-2:task_/),
					status: 'completed',
					videoUrl: `${mock.url}/files/${encodeURIComponent(String(made.json.taskId))}.mp4`,
					thumbnailUrl: expect.stringContaining(`${mock.url}/files/`),
				},
			});
			expect(mock.tasks.get(String(made.json.taskId))?.prompt).toBe('a lighthouse at dusk, waves below');
			expect(failed).toEqual({
				status: 502,
				json: {
					error: expect.stringMatching(/^Video → Create, item 0: task sora-2:task_\w+ failed: content_policy: content policy violation$/),
					taskId: expect.stringMatching(/^sora-2:task_/),
				},
			});
			expect(mock.tasks.get(String(failed.json.taskId))?.prompt).toBe('[fail] a lighthouse');
		});
	});
});

describe('package as a custom extension (N8N_CUSTOM_EXTENSIONS)', () => {
	const mode: StagingMode = 'custom';
	let mock: MockServer;
	let session: N8nSession;
	let workflow: Workflow;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 300 });
		session = await N8nSession.create({ staging: mode });
		workflow = prepared('createVideo', mode);
		expect(sora2Nodes(workflow).map((node) => node.type)).toEqual(['CUSTOM.sora2']);
		await session.importCredentials([exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY })]);
		await session.importWorkflows([workflow]);
	});

	afterAll(async () => {
		if (session) {
			console.log(`[e2e ${mode}] timings:\n${session.timings.map((t) => `  ${t.step}: ${t.ms} ms`).join('\n')}`);
			await session.dispose();
		}
		await stopMock(mock);
	});

	test('example 01: manual trigger → Create (wait) → the item is completed, with its videoUrl', async () => {
		const result = await session.execute(workflow.id);
		expectSuccess(result);
		const [item] = outputItems(result, 'Create video');
		expect(item.json.status).toBe('completed');
		expect(item.json.videoUrl).toBe(`${mock.url}/files/${encodeURIComponent(String(item.json.taskId))}.mp4`);
	});
});
