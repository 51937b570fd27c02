/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- queue suite: runs outside n8n, prints the measured numbers and waits with timers */
/**
 * The package in n8n queue mode (2.41.1): Postgres + Redis, main + 2 workers + `n8n webhook`, the
 * package installed in every process's nodes folder as the community-nodes screen installs it,
 * binary data mode `database` (see lib/cluster.ts). Against the mock Sora2 server.
 *
 * Bull's lock and stall check are shortened (lock 15 s, checked every 5 s; n8n's defaults are 60 s and
 * 30 s) so a killed worker's executions are failed within ~20 s instead of ~100 s; nothing else differs.
 */
import type { MockServer } from '../mock-server/server';
import { videoBytesFor } from '../mock-server/server';
import { EXAMPLE_CREDENTIAL, SORA2_TYPE, exampleCredential, loadExample, prepareExample } from '../e2e/examples';
import { MOCK_API_KEY, N8N_VERSION, isRecord, makeId, postJson, startCallbackReceiver, startMock, stopMock } from '../e2e/harness';
import { pngOfSize, sha256 } from '../helpers/images';
import type { WebhookAnswer, Workflow } from '../e2e/harness';
import { QueueCluster } from './lib/cluster';
import { createdTasks, startedExecutions } from './lib/taskLog';
import type { CreatedTask } from './lib/taskLog';
import { collectWorkflow, videoFileWorkflow } from './lib/workflows';
import { deliveredOf, nextEndedExecution, retryExecution, rowsWorkflow } from '../e2e/rowsWorkflow';

const WORKERS = 2;
const CONCURRENCY = 5;
const CALLS = 30;
const DOWNLOADS = 5;
const POLL_SECONDS = 1;
const VIDEO_SIZE = 100_003;
const PATHS = { video: 'sora2-video', file: 'sora2-video-file', collect: 'sora2-collect' } as const;

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` is true (polling), or throws with `what`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await sleep(250);
	}
}

/** A webhook call that never throws: a refused or timed-out call is status 0. */
async function call(url: string, body: unknown): Promise<WebhookAnswer> {
	try {
		return await postJson(url, body);
	} catch (error) {
		return { status: 0, json: undefined, text: String(error), headers: new Headers(), ms: 0 };
	}
}

describe(`n8n ${N8N_VERSION} in queue mode: Postgres, Redis, main + ${WORKERS} workers + webhook process`, () => {
	let mock: MockServer;
	let cluster: QueueCluster | undefined;
	let videoWorkflow: Workflow;
	const report: string[] = [];
	const started = Date.now();

	const running = (): QueueCluster => {
		if (!cluster?.webhook || !cluster.main) throw new Error('the queue cluster did not start');
		return cluster;
	};
	const videoUrlOf = (taskId: unknown): string => `${mock.url}/files/${encodeURIComponent(String(taskId))}.mp4`;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 200, generationMs: 3000, videoSize: VIDEO_SIZE });
		videoWorkflow = prepareExample(loadExample('webhook'), { mode: 'installed', pollIntervalSeconds: POLL_SECONDS });
		const fileWorkflow = videoFileWorkflow(PATHS.file, POLL_SECONDS);
		const collect = collectWorkflow(PATHS.collect, POLL_SECONDS);
		cluster = await QueueCluster.start({
			workers: WORKERS,
			concurrency: CONCURRENCY,
			credentials: [exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY })],
			workflows: [videoWorkflow, fileWorkflow, collect],
			activate: [videoWorkflow.id, fileWorkflow.id, collect.id],
			env: { QUEUE_WORKER_LOCK_DURATION: '15000', QUEUE_WORKER_LOCK_RENEW_TIME: '5000', QUEUE_WORKER_STALLED_INTERVAL: '5000' },
		});
		report.push(`set-up: ${cluster.timings.map((t) => `${t.step} ${(t.ms / 1000).toFixed(1)} s`).join('; ')}`);
	}, 600_000);

	afterAll(async () => {
		if (cluster) {
			try {
				report.push(`all executions in Postgres by status: ${JSON.stringify(await cluster.executionsByStatus())}`);
			} catch (error) {
				report.push(`(Postgres not readable: ${String(error)})`);
			}
			await cluster.stop();
		}
		await stopMock(mock);
		report.push(`suite wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
		console.log(`[queue] n8n ${N8N_VERSION}\n${report.map((line) => `  ${line}`).join('\n')}`);
	}, 120_000);

	test(`${CALLS} concurrent webhook calls through Create (wait): each answered with its own video, both workers used, every execution a success`, async () => {
		const { webhook, workers } = running();
		const offsets = workers.map((worker) => worker.text().length);
		const prompts = Array.from({ length: CALLS }, (_, i) => `queue video ${i + 1}: a kite over the dunes`);
		const t0 = Date.now();
		const answers = await Promise.all(prompts.map(async (prompt) => await call(webhook!.webhookUrl(PATHS.video), { prompt })));
		const wallMs = Date.now() - t0;

		answers.forEach((answer, i) => {
			expect(answer.status).toBe(200);
			const json = isRecord(answer.json) ? answer.json : {};
			expect(json.status).toBe('completed');
			expect(json.videoUrl).toBe(videoUrlOf(json.taskId));
			expect(mock.tasks.get(String(json.taskId))?.prompt).toBe(prompts[i]);
		});
		const taskIds = new Set(answers.map((answer) => (isRecord(answer.json) ? answer.json.taskId : undefined)));
		expect(taskIds.size).toBe(CALLS);

		// which worker ran what: its "Worker started execution" lines, and the node's task-created lines
		const perWorker = workers.map((worker, i) => {
			const log = worker.text().slice(offsets[i]);
			return { executions: startedExecutions(log).length, tasks: createdTasks(log).map((task) => task.taskId) };
		});
		for (const worker of perWorker) expect(worker.executions).toBeGreaterThan(0);
		expect(perWorker.flatMap((worker) => worker.tasks).sort()).toEqual([...taskIds].map(String).sort());

		const statuses = await running().executionsByStatus(videoWorkflow.id);
		expect(statuses).toEqual({ success: CALLS });
		const latencies = answers.map((answer) => answer.ms).sort((a, b) => a - b);
		report.push(
			`${CALLS} concurrent calls: ${answers.filter((answer) => answer.status === 200).length}×200 with a link, ${taskIds.size} distinct tasks, ` +
				`wall ${(wallMs / 1000).toFixed(1)} s, latency ${(latencies[0] / 1000).toFixed(1)}–${(latencies[latencies.length - 1] / 1000).toFixed(1)} s; ` +
				`workers: ${perWorker.map((worker, i) => `#${i + 1} ${worker.executions} executions / ${worker.tasks.length} tasks`).join(', ')}; ` +
				`executions in Postgres: ${JSON.stringify(statuses)}`,
		);
	});

	test(`${DOWNLOADS} calls with Download Video answer with the mock's bytes (binary data mode 'database')`, async () => {
		const { webhook, postgres } = running();
		const t0 = Date.now();
		const files = await Promise.all(
			Array.from({ length: DOWNLOADS }, async (_, i) => {
				const response = await fetch(webhook!.webhookUrl(PATHS.file), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ prompt: `queue file ${i + 1}: rain on a window` }),
				});
				return { status: response.status, taskId: response.headers.get('x-task-id') ?? '', bytes: Buffer.from(await response.arrayBuffer()) };
			}),
		);
		for (const file of files) {
			expect(file.status).toBe(200);
			expect(file.taskId).toMatch(/^sora-2:task_/);
			expect(file.bytes.length).toBe(VIDEO_SIZE);
			expect(file.bytes.equals(videoBytesFor(file.taskId, VIDEO_SIZE))).toBe(true);
		}
		expect(new Set(files.map((file) => file.taskId)).size).toBe(DOWNLOADS);
		// the worker wrote the files into Postgres, where the webhook process read them
		const [[stored]] = (await postgres?.query('select count(*) from binary_data')) ?? [['0']];
		expect(Number(stored)).toBeGreaterThanOrEqual(DOWNLOADS);
		report.push(`${DOWNLOADS} downloads: all 200 with the mock's ${VIDEO_SIZE} bytes, ${stored} files in Postgres' binary_data, wall ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	});

	test(`a worker killed mid-batch: the other executions finish, and every task it created is found again in its log and collected`, async () => {
		const cluster = running();
		const { webhook, workers } = cluster;
		const [victim] = workers;
		const offset = victim.text().length;
		const before = new Map(await cluster.executionStatuses(videoWorkflow.id));
		const prompts = Array.from({ length: CALLS }, (_, i) => `killed batch ${i + 1}: a lantern on a lake`);
		const t0 = Date.now();
		const calls = prompts.map(async (prompt) => await call(webhook!.webhookUrl(PATHS.video), { prompt }));

		// kill worker 1 (SIGKILL, its whole process group) once it has created a few videos
		await until('worker 1 created 3 tasks', () => createdTasks(victim.text().slice(offset)).length >= 3, 60_000);
		victim.kill();
		const killedAt = Date.now();
		await victim.exited;
		const victimLog = victim.text().slice(offset);
		const lost: CreatedTask[] = createdTasks(victimLog);
		const victimExecutions = new Set(startedExecutions(victimLog));

		const answers = await Promise.all(calls);
		const answeredMs = Date.now() - t0;
		// n8n marks the killed worker's executions once their lock runs out: wait until none is left running
		const batch = async (): Promise<Map<string, string>> =>
			new Map([...(await cluster.executionStatuses(videoWorkflow.id))].filter(([id]) => !before.has(id)));
		await until('no execution of the batch still running', async () => [...(await batch()).values()].every((status) => !['new', 'running', 'waiting'].includes(status)), 180_000);
		const statuses = await batch();
		const byStatus: Record<string, number> = {};
		for (const status of statuses.values()) byStatus[status] = (byStatus[status] ?? 0) + 1;

		// every video the API made for this batch was either answered to its caller or is in the killed worker's log
		const delivered = new Set(answers.filter((answer) => answer.status === 200).map((answer) => (isRecord(answer.json) ? String(answer.json.taskId) : '')));
		const lostIds = new Set(lost.map((task) => task.taskId));
		const made = [...mock.tasks.values()].filter((task) => prompts.includes(task.prompt)).map((task) => task.id);
		expect(lost.length).toBeGreaterThanOrEqual(3);
		for (const id of made) expect(delivered.has(id) || lostIds.has(id)).toBe(true);
		for (const task of lost) {
			expect(mock.tasks.has(task.taskId)).toBe(true);
			expect(victimExecutions.has(task.executionId)).toBe(true);
		}
		// the other executions finished: every execution that did not succeed ran on the killed worker
		expect(statuses.size).toBe(CALLS);
		const failed = [...statuses].filter(([, status]) => status !== 'success').map(([id]) => id);
		expect(failed.length).toBeGreaterThan(0);
		for (const id of failed) expect(victimExecutions.has(id)).toBe(true);
		expect(byStatus.success).toBe(delivered.size);
		for (const answer of answers.filter((answer) => answer.status === 200)) {
			expect(isRecord(answer.json) && answer.json.videoUrl === videoUrlOf(answer.json.taskId)).toBe(true);
		}

		// found again: the surviving worker collects them by id (Get Task), each a finished video
		const undelivered = lost.filter((task) => !delivered.has(task.taskId));
		expect(undelivered.length).toBeGreaterThan(0);
		const collected = await call(webhook!.webhookUrl(PATHS.collect), { taskIds: undelivered.map((task) => task.taskId) });
		expect(collected.status).toBe(200);
		const videos = Array.isArray(collected.json) ? collected.json.filter(isRecord) : [];
		expect(videos.map((video) => video.taskId)).toEqual(undelivered.map((task) => task.taskId));
		for (const video of videos) {
			expect(video.status).toBe('completed');
			expect(video.videoUrl).toBe(videoUrlOf(video.taskId));
		}

		report.push(
			`killed worker 1 ${((killedAt - t0) / 1000).toFixed(1)} s into a batch of ${CALLS}: ${delivered.size}×200, ` +
				`${answers.filter((answer) => answer.status !== 200).map((answer) => answer.status).join(',') || 'no'} other answers; all answered after ${(answeredMs / 1000).toFixed(1)} s; ` +
				`batch executions in Postgres: ${JSON.stringify(byStatus)}; its log named ${lost.length} tasks (${undelivered.length} never delivered, all ${videos.length} collected again):`,
			...lost.map((task) => `    ${task.line}`),
		);
	});
	test('a retry runs on a worker and picks up the tasks a worker created: 5 rows, row 3 fails, the retry creates 1 and delivers all 5', async () => {
		const { main, webhook, workers } = running();
		const callbacks = await startCallbackReceiver();
		try {
			const rowsPath = 'sora2-rows-retry';
			const workflow = rowsWorkflow(SORA2_TYPE, rowsPath, POLL_SECONDS);
			// made through the main's REST API: the cluster imported its workflows before it started
			const created = await main!.rest('POST', '/workflows', { name: workflow.name, nodes: workflow.nodes, connections: workflow.connections, settings: workflow.settings });
			const workflowId = isRecord(created) ? String(created.id) : '';
			await main!.activateWorkflow(workflowId);
			await webhook!.waitForWebhook(rowsPath);
			const offsets = workers.map((worker) => worker.text().length);
			const rows = Array.from({ length: 5 }, (_, i) => ({ prompt: `queue retry row ${i + 1}${i === 2 ? ' [failonce]' : ''}` }));
			const creates = () => [...mock.tasks.values()].filter((task) => task.prompt.startsWith('queue retry row')).length;

			expect((await call(webhook!.webhookUrl(rowsPath), { run: 'queue-retry', callbackUrl: callbacks.url, rows })).status).toBe(200);
			const failed = await nextEndedExecution(main!, workflowId, new Set());
			expect(failed).toMatchObject({ status: 'error', mode: 'webhook' });
			expect(creates()).toBe(5);

			const t0 = Date.now();
			const retry = await retryExecution(main!, failed.id, false);
			const ended = await nextEndedExecution(main!, workflowId, new Set([failed.id]));
			expect(ended).toMatchObject({ id: retry.id, status: 'success', mode: 'retry' });
			expect(creates()).toBe(6);
			await callbacks.waitFor(5, 60_000);
			const videos = deliveredOf(callbacks.received.map((callback) => callback.body), 'queue-retry');
			expect(videos).toHaveLength(5);
			for (const video of videos) expect(video.videoUrl).toBe(videoUrlOf(video.taskId));
			expect(videos.filter((video) => video.reused).map((video) => video.createdByExecution)).toEqual([failed.id, failed.id, failed.id, failed.id]);

			// both executions ran on workers: the one that created the tasks, and the retry that picked them up
			const logs = workers.map((worker, i) => worker.text().slice(offsets[i]));
			const ranOn = (executionId: string) => logs.findIndex((log) => startedExecutions(log).includes(executionId));
			expect(ranOn(failed.id)).toBeGreaterThanOrEqual(0);
			expect(ranOn(retry.id)).toBeGreaterThanOrEqual(0);
			const pickedUp = logs.join('\n').match(/Sora2 task picked up, not created again: \S+/g) ?? [];
			expect(pickedUp).toHaveLength(4);
			report.push(
				`retry on a worker: failed execution ${failed.id} (worker #${ranOn(failed.id) + 1}) 5 creates; its retry ${retry.id} (worker #${ranOn(retry.id) + 1}) ` +
					`${ended.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s with 1 create, 4 picked up, 5 videos delivered`,
			);
		} finally {
			await callbacks.close();
		}
	});

	test('a PNG posted to a webhook is a video\'s first frame: stored by the webhook process in Postgres (binary data mode database), read by a worker, byte for byte', async () => {
		const { main, webhook, postgres } = running();
		const png = pngOfSize(1024 * 1024, 21);
		const hookPath = 'sora2-image-to-video';
		const nodes = [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, webhookId: makeId('hook'), parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'responseNode', options: {} } },
			{
				name: 'Create video from the image',
				type: SORA2_TYPE,
				typeVersion: 2,
				parameters: {
					resource: 'video',
					operation: 'create',
					model: { __rl: true, mode: 'list', value: 'sora-2' },
					prompt: 'the posted picture comes to life',
					orientation: 'portrait',
					size: 'small',
					duration: 10,
					imageFiles: 'data',
					waitForCompletion: false,
					options: {},
				},
				credentials: { sora2Api: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } },
			},
			{ name: 'Respond with the task', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.5, parameters: { respondWith: 'firstIncomingItem', options: {} } },
		].map((node, index) => ({ ...node, id: makeId('n'), position: [index * 240, 0] }));
		const connections = Object.fromEntries(nodes.slice(0, -1).map((node, i) => [node.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }]));
		const created = await main!.rest('POST', '/workflows', { name: 'queue: image file → video', nodes, connections, settings: { executionOrder: 'v1' }, active: false });
		const workflowId = isRecord(created) ? String(created.id) : '';
		await main!.activateWorkflow(workflowId);
		const t0 = Date.now();
		let answer: Response | undefined;
		// the webhook process finds a workflow activated after it started on its next look-up
		await until('the webhook process takes the new webhook', async () => {
			answer = await fetch(webhook!.webhookUrl(hookPath), { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
			return answer.status !== 404;
		}, 30_000);
		expect(answer?.status).toBe(200);
		const json: unknown = await answer?.json();
		const taskId = isRecord(json) ? String(json.taskId) : '';
		expect(mock.tasks.get(taskId)?.imageData).toEqual([{ index: 0, mime: 'image/png', bytes: png.length, sha256: sha256(png) }]);
		const [[stored]] = (await postgres?.query(`select count(*) from binary_data where "fileSize" = ${png.length}`)) ?? [['0']];
		expect(Number(stored)).toBeGreaterThanOrEqual(1);
		// the answer leaves before the worker marks the execution finished
		await until('the execution is marked a success', async () => (await running().executionsByStatus(workflowId)).success === 1, 30_000);
		expect(await running().executionsByStatus(workflowId)).toEqual({ success: 1 });
		report.push(`a ${(png.length / 1024 / 1024).toFixed(1)} MB PNG posted to a webhook: in Postgres' binary_data, sent by a worker byte for byte (sha256 at the mock), answered in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	});
});
