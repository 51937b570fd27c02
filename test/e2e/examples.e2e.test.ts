/* eslint-disable no-console -- e2e test: runs outside n8n and prints how long each real n8n step took */
/**
 * Every workflow in examples/ imports and runs, as it is (examples.ts lists the few rewrites), in the
 * n8n line under test: 2.41.1 with `npm run test:e2e`, 1.123.81 with `npm run test:e2e:1x`. The
 * package is installed from its `npm pack` tarball, as the community-nodes screen installs it.
 * Assertions are on fields, statuses, links and counts, never on the node's wording.
 */
import type { MockServer } from '../mock-server/server';
import { EXAMPLES, EXAMPLE_CREDENTIAL, SORA2_TYPE, exampleCredential, loadExample, prepareExample } from './examples';
import type { ExampleName } from './examples';
import {
	MOCK_API_KEY,
	N8N_MAJOR,
	N8N_VERSION,
	N8nSession,
	describeResult,
	isRecord,
	outputItems,
	outputItemsOfAllRuns,
	postJson,
	startCallbackReceiver,
	startMock,
	stopMock,
} from './harness';
import type { CallbackReceiver, ExecuteResult, Workflow } from './harness';
import { N8nServer } from './server';

const POLL_SECONDS = 0.2;
/** Example 05's Wait node, instead of its 2 minutes: shorter than a video takes here, so the loop goes round. */
const WAIT_SECONDS = 1;
/** A video takes 2.5 s at the mock: example 06 answers long before, example 05 checks more than once. */
const GENERATION_MS = 2500;

function expectSuccess(result: ExecuteResult): void {
	if (!result.ok) throw new Error(`the workflow did not run cleanly\n${describeResult(result)}`);
}

describe(`every example in n8n ${N8N_VERSION} (package installed from its npm pack tarball)`, () => {
	let mock: MockServer;
	let session: N8nSession;
	let server: N8nServer | undefined;
	let callbacks: CallbackReceiver | undefined;
	const workflows = {} as Record<ExampleName, Workflow>;
	const started = Date.now();
	const videoUrlOf = (taskId: unknown): string => `${mock.url}/files/${encodeURIComponent(String(taskId))}.mp4`;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: GENERATION_MS });
		session = await N8nSession.create({ staging: 'installed' });
		for (const name of Object.keys(EXAMPLES) as ExampleName[]) {
			workflows[name] = prepareExample(loadExample(name), {
				mode: 'installed',
				pollIntervalSeconds: POLL_SECONDS,
				waitSeconds: WAIT_SECONDS,
			});
		}
		await session.importCredentials([exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY })]);
		await session.importWorkflows(Object.values(workflows));
	});

	afterAll(async () => {
		await server?.stop();
		await callbacks?.close();
		if (session) {
			console.log(
				`[e2e examples, n8n ${N8N_VERSION}] ${((Date.now() - started) / 1000).toFixed(1)} s; timings:\n${session.timings
					.map((t) => `  ${t.step}: ${t.ms} ms`)
					.join('\n')}`,
			);
			await session.dispose();
		}
		await stopMock(mock);
	});

	test('01 create a video: the item is completed, with its link', async () => {
		const result = await session.execute(workflows.createVideo.id);
		expectSuccess(result);
		const [video] = outputItems(result, 'Create video').map((item) => item.json);
		expect(video.status).toBe('completed');
		expect(video.videoUrl).toBe(videoUrlOf(video.taskId));
	});

	test('03 sheet rows → videos: every row completes, paired with its row', async () => {
		const result = await session.execute(workflows.sheetRows.id);
		expectSuccess(result);
		const rows = outputItems(result, 'Sheet rows').map((item) => item.json);
		const paired = outputItems(result, 'Row with its video').map((item) => item.json);
		expect(paired).toHaveLength(rows.length);
		paired.forEach((row, i) => {
			expect(row).toEqual({
				row_number: rows[i].row_number,
				prompt: rows[i].prompt,
				status: 'completed',
				videoUrl: videoUrlOf(row.taskId),
				taskId: expect.stringMatching(/^sora-2:task_/),
			});
			expect(mock.tasks.get(String(row.taskId))?.prompt).toBe(rows[i].prompt);
		});
	});

	test('04 chat → video link: the first link of the answer', async () => {
		const result = await session.execute(workflows.chat.id);
		expectSuccess(result);
		const [answer] = outputItems(result, 'Ask for a video').map((item) => item.json);
		const [link] = outputItems(result, 'Video link').map((item) => item.json);
		expect(Array.isArray(answer.videoUrls)).toBe(true);
		expect(link.videoUrl).toBe((answer.videoUrls as string[])[0]);
		expect(String(link.videoUrl).startsWith(`${mock.url}/files/`)).toBe(true);
	});

	test('05 submit now, collect later: Create (no wait) → Wait → Get Task (no wait) → IF, round the loop until every video is final', async () => {
		const result = await session.execute(workflows.submitNowCollectLater.id);
		expectSuccess(result);
		const prompts = outputItems(result, 'Prompts').map((item) => String(item.json.prompt));
		const submitted = outputItems(result, 'Submit videos').map((item) => item.json);
		expect(submitted.map((task) => task.status)).not.toContain('completed');
		const collected = outputItemsOfAllRuns(result, 'Collected').map((item) => item.json);
		// each video once, completed, with its link; made from its prompt
		expect(collected).toHaveLength(prompts.length);
		expect(new Set(collected.map((video) => video.taskId))).toEqual(new Set(submitted.map((task) => task.taskId)));
		for (const video of collected) {
			expect(video.status).toBe('completed');
			expect(video.videoUrl).toBe(videoUrlOf(video.taskId));
		}
		expect(collected.map((video) => mock.tasks.get(String(video.taskId))?.prompt).sort()).toEqual([...prompts].sort());
		// the loop went round: the first check found the videos still rendering
		const checks = result.resultData?.runData['Check the videos'] ?? [];
		console.log(`[e2e examples] 05: ${checks.length} rounds of Wait → Get Task for ${prompts.length} videos`);
		expect(checks.length).toBeGreaterThanOrEqual(2);
		expect(outputItems(result, 'Finished?', 1, 0).length).toBeGreaterThan(0);
	});

	describe('as a server (n8n start)', () => {
		beforeAll(async () => {
			callbacks = await startCallbackReceiver();
			server = await N8nServer.start(session);
			await server.setupOwner();
			await server.activateWorkflow(workflows.webhook.id);
			await server.activateWorkflow(workflows.answerNowDeliverLater.id);
		});

		const webhookPath = (name: ExampleName): string =>
			String(loadExample(name).nodes.find((node) => node.type === 'n8n-nodes-base.webhook')?.parameters.path);

		test('every example uses node types and versions this n8n has', async () => {
			if (!server) throw new Error('the server did not start');
			const wanted = new Map<string, { name: string; version: number }>();
			for (const name of Object.keys(EXAMPLES) as ExampleName[]) {
				for (const node of loadExample(name).nodes) {
					wanted.set(`${node.type}@${node.typeVersion}`, { name: node.type, version: node.typeVersion });
					if (node.type === SORA2_TYPE) expect(node.credentials).toEqual({ sora2Api: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } });
				}
			}
			// POST /rest/node-types answers one description per asked {name, version}, in order
			const asked = [...wanted.values()];
			const known = await server.rest('POST', '/node-types', { nodeInfos: asked });
			expect(Array.isArray(known) && known.length === asked.length).toBe(true);
			const problems = asked.flatMap(({ name, version }, index) => {
				const description = (known as Array<{ version?: number | number[] } | null>)[index];
				if (!description?.version) return [`${name}: unknown node type`];
				const all = Array.isArray(description.version) ? description.version : [description.version];
				// the examples use versions both lines have (e.g. Edit Fields 3.4: 1.x stops there)
				return all.includes(version) ? [] : [`${name}@${version}: no such version (has ${all.join(', ')})`];
			});
			expect(problems).toEqual([]);
		});

		test('02 webhook → video → respond: 200 with the link', async () => {
			if (!server) throw new Error('the server did not start');
			const made = await postJson(server.webhookUrl(webhookPath('webhook')), { prompt: 'a lighthouse at dusk' });
			expect(made.status).toBe(200);
			expect(made.json).toEqual({
				taskId: expect.stringMatching(/^sora-2:task_/),
				status: 'completed',
				videoUrl: videoUrlOf(isRecord(made.json) ? made.json.taskId : undefined),
				thumbnailUrl: expect.stringContaining(`${mock.url}/files/`),
			});
		});

		/**
		 * n8n 1.x moves an item to the error output only when it carries `item.error`, or when its json
		 * is exactly {error} or {error, message} (n8n-core 1.x WorkflowExecute.handleNodeErrorOutput);
		 * 2.x also takes {error, message, details}. The node's error items under "Continue (using error
		 * output)" are {json: {error, details}} without `item.error`, so in 1.x they leave on the SUCCESS
		 * output and the call answers 200. Marked as failing on 1.x until the node sets `item.error`
		 * (then this flips: remove the `.failing`).
		 */
		(N8N_MAJOR === 1 ? test.failing : test)('02 webhook → video → respond: a failed video answers 502 with its task (the error output)', async () => {
			if (!server) throw new Error('the server did not start');
			const failed = await postJson(server.webhookUrl(webhookPath('webhook')), { prompt: '[fail] a lighthouse' });
			expect(failed.status).toBe(502);
			expect(failed.json).toEqual({ error: expect.any(String), taskId: expect.stringMatching(/^sora-2:task_/) });
			expect(mock.tasks.get(String(isRecord(failed.json) ? failed.json.taskId : ''))?.prompt).toBe('[fail] a lighthouse');
		});

		test('06 webhook answers at once with the task ids (202), then POSTs each video (or its failure) to the callback URL', async () => {
			if (!server || !callbacks) throw new Error('the server did not start');
			const prompts = ['a lantern floats over a lake', '[fail] a storm at sea'];
			const answer = await postJson(server.webhookUrl(webhookPath('answerNowDeliverLater')), {
				prompts,
				callbackUrl: callbacks.url,
			});
			const answeredAt = Date.now();
			expect(answer.status).toBe(202);
			expect(answer.json).toEqual({ status: 'accepted', taskIds: [expect.stringMatching(/^sora-2:task_/), expect.stringMatching(/^sora-2:task_/)] });
			const taskIds = isRecord(answer.json) ? (answer.json.taskIds as string[]) : [];
			expect(taskIds.map((id) => mock.tasks.get(id)?.prompt)).toEqual(prompts);
			// answered before the video was ready, and before anything was delivered
			expect(mock.tasks.get(taskIds[0])?.status).not.toBe('completed');
			expect(callbacks.received).toHaveLength(0);
			console.log(`[e2e examples] 06: answered in ${answer.ms} ms with ${taskIds.length} task ids`);

			const delivered = await callbacks.waitFor(2, 60_000);
			expect(delivered.every((callback) => callback.at >= answeredAt)).toBe(true);
			const byTask = new Map(delivered.map((callback) => [isRecord(callback.body) ? callback.body.taskId : undefined, callback.body]));
			expect(byTask.get(taskIds[0])).toEqual({
				taskId: taskIds[0],
				status: 'completed',
				videoUrl: videoUrlOf(taskIds[0]),
				thumbnailUrl: expect.stringContaining(`${mock.url}/files/`),
			});
			expect(byTask.get(taskIds[1])).toEqual({ taskId: taskIds[1], status: 'failed', error: expect.any(String) });
			console.log(`[e2e examples] 06: delivered ${delivered.length} callbacks ${delivered.map((callback) => callback.at - answeredAt).join(', ')} ms after the answer`);
		});
	});
});
