/* eslint-disable no-console -- e2e test: runs outside n8n and prints what it measured */
/**
 * Never pay twice for the same row, in a REAL n8n (`n8n start`, regular mode; 2.41.1, and 1.123.81 in
 * `npm run test:e2e:1x`): a webhook
 * workflow of 5 rows where one row fails and stops the run after 5 creates; n8n's own retry of that
 * execution (the REST call of the editor's Retry buttons, both of them) creates only the failed row
 * again and delivers all 5 videos; with Unique Keys a second run creates nothing; without keys a
 * run creates anew. Creates are counted at the mock.
 */
import type { MockServer } from '../mock-server/server';
import { exampleCredential } from './examples';
import { MOCK_API_KEY, N8N_MAJOR, N8N_VERSION, N8nSession, nodeType, startCallbackReceiver, startMock, stopMock } from './harness';
import type { CallbackReceiver, Workflow } from './harness';
import { deliveredOf, executionsOf, nextEndedExecution, retryExecution, rowsWorkflow } from './rowsWorkflow';
import type { Delivered, Row } from './rowsWorkflow';
import { N8nServer } from './server';

const PATH = 'sora2-rows';
const POLL_SECONDS = 0.2;

describe(`Retry and Unique Key in n8n ${N8N_VERSION} (a webhook workflow, regular mode)`, () => {
	let mock: MockServer;
	let session: N8nSession;
	let server: N8nServer;
	let callbacks: CallbackReceiver;
	let workflow: Workflow;
	const report: string[] = [];

	const createsOf = (tag: string): number => [...mock.tasks.values()].filter((task) => task.prompt.startsWith(tag)).length;
	const videoUrlOf = (taskId: string): string => `${mock.url}/files/${encodeURIComponent(taskId)}.mp4`;
	const known = async (): Promise<Set<string>> => new Set((await executionsOf(server, workflow.id)).map((execution) => execution.id));

	/** POSTs the rows to the webhook (answered at once) and waits for that execution to end. */
	async function runRows(run: string, rows: Row[]) {
		const before = await known();
		const answer = await fetch(server.webhookUrl(PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ run, callbackUrl: callbacks.url, rows }),
		});
		expect(answer.status).toBe(200);
		return await nextEndedExecution(server, workflow.id, before);
	}

	/** The 5 videos of `run`, once all 5 were delivered. */
	async function deliveredVideos(run: string): Promise<Delivered[]> {
		const deadline = Date.now() + 60_000;
		while (deliveredOf(callbacks.received.map((callback) => callback.body), run).length < 5 && Date.now() < deadline) {
			await callbacks.waitFor(callbacks.received.length + 1, Math.max(1, deadline - Date.now())).catch(() => undefined);
		}
		const videos = deliveredOf(callbacks.received.map((callback) => callback.body), run);
		expect(videos).toHaveLength(5);
		for (const video of videos) {
			expect(video.status).toBe('completed');
			expect(video.videoUrl).toBe(videoUrlOf(video.taskId));
		}
		return videos;
	}

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 1500 });
		callbacks = await startCallbackReceiver();
		session = await N8nSession.create({ staging: 'custom' });
		workflow = rowsWorkflow(nodeType('custom', 'sora2'), PATH, POLL_SECONDS);
		await session.importCredentials([exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY })]);
		await session.importWorkflows([workflow]);
		server = await N8nServer.start(session);
		await server.setupOwner();
		await server.activateWorkflow(workflow.id);
	});

	afterAll(async () => {
		console.log(`[e2e retry, n8n ${N8N_VERSION}]\n${report.map((line) => `  ${line}`).join('\n')}`);
		await server?.stop();
		await callbacks?.close();
		await session?.dispose();
		await stopMock(mock);
	});

	test.each([
		['Retry with original workflow', false],
		['Retry with currently saved workflow', true],
	] as const)('5 rows, row 3 fails and stops the run after 5 creates; "%s" creates 1 (the failed row) and delivers all 5', async (button, savedWorkflow) => {
		const tag = savedWorkflow ? 'saved' : 'original';
		const rows = Array.from({ length: 5 }, (_, i) => ({ prompt: `${tag} row ${i + 1}${i === 2 ? ' [failonce]' : ''}` }));
		const failed = await runRows(`${tag}-first`, rows);
		expect(failed).toMatchObject({ status: 'error', mode: 'webhook' });
		expect(createsOf(tag)).toBe(5);
		const firstTasks = new Map([...mock.tasks.values()].filter((task) => task.prompt.startsWith(tag)).map((task) => [task.prompt, task.id]));

		const t0 = Date.now();
		const retry = await retryExecution(server, failed.id, savedWorkflow);
		const retryMs = Date.now() - t0;
		expect(retry).toMatchObject({ status: 'success', mode: 'retry', retryOf: failed.id });
		expect(createsOf(tag)).toBe(6);

		const videos = await deliveredVideos(`${tag}-first`);
		const reused = videos.filter((video) => video.reused);
		expect(reused).toHaveLength(4);
		for (const video of reused) expect(video.createdByExecution).toBe(failed.id);
		const picked = new Set(reused.map((video) => video.taskId));
		for (const row of rows.filter((_, i) => i !== 2)) expect(picked.has(firstTasks.get(row.prompt) ?? '')).toBe(true);
		const fresh = videos.find((video) => !video.reused);
		expect(mock.tasks.get(fresh?.taskId ?? '')?.prompt).toBe(rows[2].prompt);
		expect(fresh?.taskId).not.toBe(firstTasks.get(rows[2].prompt));
		// the retry's log says which tasks it picked up
		const log = server.output(2000);
		for (const id of picked) expect(log).toContain(`Sora2 task picked up, not created again: ${id}`);
		report.push(`${button}: first run ${failed.status} after ${5} creates; retry ${retry.status} in ${(retryMs / 1000).toFixed(1)} s with 1 create; 5 videos delivered, 4 picked up (created by execution ${failed.id})`);
	});

	test('with Unique Keys a second run creates nothing; without keys a run creates anew', async () => {
		const rows = Array.from({ length: 5 }, (_, i) => ({ prompt: `keyed row ${i + 1}`, key: `sheet-row-${i + 1}` }));
		expect(await runRows('keys-1', rows)).toMatchObject({ status: 'success' });
		expect(createsOf('keyed')).toBe(5);
		const first = await deliveredVideos('keys-1');

		const second = await runRows('keys-2', rows);
		expect(second).toMatchObject({ status: 'success', mode: 'webhook' });
		expect(createsOf('keyed')).toBe(5);
		const again = await deliveredVideos('keys-2');
		expect(again.map((video) => video.taskId).sort()).toEqual(first.map((video) => video.taskId).sort());
		expect(again.every((video) => video.reused)).toBe(true);

		const noKeys = await runRows('no-keys', rows.map(({ prompt }) => ({ prompt })));
		expect(noKeys).toMatchObject({ status: 'success' });
		expect(createsOf('keyed')).toBe(10);
		expect((await deliveredVideos('no-keys')).some((video) => video.reused)).toBe(false);
		report.push('Unique Keys: first run 5 creates, second run 0 creates (5 picked up), a run without keys 5 creates');
	});

	// n8n 2.x gives a retry with the original workflow a blank static data (its copy of the workflow has
	// none), so the video it creates for row 3 is not remembered for keys; n8n 1.x's copy carries it.
	test.each([
		['Retry with original workflow', N8N_MAJOR >= 2 ? 1 : 0, false],
		['Retry with currently saved workflow', 0, true],
	] as const)('keyed rows, row 3 fails; after "%s" a later keyed run picks up the keys (and creates %i)', async (button, laterCreates, savedWorkflow) => {
		const tag = savedWorkflow ? 'keys saved' : 'keys original';
		const rows = Array.from({ length: 5 }, (_, i) => ({ prompt: `${tag} row ${i + 1}${i === 2 ? ' [failonce]' : ''}`, key: `${tag}-${i + 1}` }));
		const failed = await runRows(`${tag}-first`, rows);
		expect(failed.status).toBe('error');
		expect(createsOf(tag)).toBe(5);
		expect(await retryExecution(server, failed.id, savedWorkflow)).toMatchObject({ status: 'success' });
		expect(createsOf(tag)).toBe(6);
		expect((await deliveredVideos(`${tag}-first`)).filter((video) => video.reused)).toHaveLength(4);

		// the workflow's static data kept the keys of the first run: the retry did not save a blank over it;
		// row 3's new task is remembered for later runs only when the retry had the workflow's static data
		expect(await runRows(`${tag}-later`, rows)).toMatchObject({ status: 'success' });
		expect(createsOf(tag)).toBe(6 + laterCreates);
		expect((await deliveredVideos(`${tag}-later`)).filter((video) => video.reused)).toHaveLength(5 - laterCreates);
		report.push(`keyed rows, ${button}: retry 1 create, a later keyed run ${laterCreates} creates`);
	});
});
