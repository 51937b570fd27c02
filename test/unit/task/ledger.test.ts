/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test: runs outside n8n; serves a video slowly from a second host with node:http and timers */
import type { INodeExecutionData } from 'n8n-workflow';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runError, runNode } from '../../helpers/run';

/**
 * Money is spent at the create. From then on every way a run can end (a failed status check, a
 * failed download, another item's failure, Max Wait, a cancel) must leave the user the ids of the
 * tasks it paid for, and say how to collect them (Get Task) instead of paying again.
 */

const mock = useMockServer({ pendingMs: 40, generationMs: 400, videoSize: 256 * 1024 });

const rows = (n: number): INodeExecutionData[] => Array.from({ length: n }, (_, row) => ({ json: { row } }));

const run = (n: number, params: Record<string, ParamValue>, extra: { continueOnFail?: boolean; cancelSignal?: AbortSignal } = {}) =>
	makeContext({ items: rows(n), params: createParams({ pollInterval: 0.05, ...params }), credentials: credentialsFor(mock), ...extra });

const createdIds = () => [...mock.tasks.values()].map((task) => task.id);
const taskOfPrompt = (prompt: string) => [...mock.tasks.values()].find((task) => task.prompt === prompt)?.id ?? 'none';

describe('the run stops: its error lists every task it created that did not finish', () => {
	test('5 rows, one prompt refused by the provider: all 4 unfinished tasks are named, not 1 of 5', async () => {
		const error = await runError(run(5, { prompt: (i: number) => (i === 2 ? `row ${i} [fail]` : `row ${i}`) }));
		expect(error.message).toMatch(/item 2: task sora-2:task_\w+ failed/);
		const context = error.context as { taskIds?: string[] };
		const others = [0, 1, 3, 4].map((i) => taskOfPrompt(`row ${i}`));
		expect(context.taskIds).toEqual(others);
		for (const [at, id] of others.entries()) expect(String(error.description)).toContain(`item ${[0, 1, 3, 4][at]}: ${id}`);
		expect(String(error.description)).toMatch(/4 tasks were created in this run and did not finish .* Collect each with Video → Get Task/);
		expect(String(error.description)).not.toContain(taskOfPrompt('row 2 [fail]'));
	});

	test.each([
		['a 401 on a status check', { status: 401 }, 'all'],
		['a 200 HTML challenge page on a status check', { kind: 'html' as const, status: 200 }, 'all'],
		// retried (with growing pauses) first: meanwhile the other two complete and are output
		['a 500 "upstream busy" on every status check', { status: 500, body: { error: { message: 'upstream busy' } } }, 'the failed one'],
	] as const)('%s: the error names the tasks already created and paid for', async (name, fault, listed) => {
		mock.addFault({ path: '/v1/video/query', matchText: `${name} row 1`, ...fault });
		const error = await runError(run(3, { prompt: (i: number) => `${name} row ${i}` }));
		expect(error.message).toMatch(/^Video → Create, item 1: /);
		const ids = [0, 1, 2].map((i) => taskOfPrompt(`${name} row ${i}`));
		expect(error.context).toMatchObject({ taskId: ids[1], taskIds: listed === 'all' ? ids : [ids[1]] });
		expect(String(error.description)).toContain(`pick it up with Video → Get Task, Task ID "${ids[1]}"`);
		expect(mock.stats().creates).toBe(3);
	});

	test('Max Wait: the error names the task and how to pick it up', async () => {
		const error = await runError(run(1, { prompt: 'slow [stuck]', maxWait: 0.3 }));
		const id = taskOfPrompt('slow [stuck]');
		expect(error.context).toMatchObject({ taskId: id, taskIds: [id] });
		expect(String(error.description)).toContain(`Task ID "${id}"`);
	});
});

describe('under Continue On Fail every error item after a create carries its task id', () => {
	test('a failed status check (401) and a failed task, each in its own place', async () => {
		mock.addFault({ path: '/v1/video/query', matchText: 'cof row 0', status: 401 });
		const output = await runNode(run(3, { prompt: (i: number) => (i === 2 ? `cof row ${i} [fail]` : `cof row ${i}`) }, { continueOnFail: true }));
		expect(output[0].json).toMatchObject({ taskId: taskOfPrompt('cof row 0'), httpCode: '401' });
		expect(output[0].json.error).toMatch(/^Video → Create, item 0: the API answered 401/);
		expect(output[1].json.status).toBe('completed');
		expect(output[2].json).toMatchObject({ taskId: taskOfPrompt('cof row 2 [fail]') });
	});
});

describe('status checks are reads: retried on 500 like on 502/503/504', () => {
	test('one 500 on a status check: retried, and the task completes', async () => {
		mock.addFault({ path: '/v1/video/query', times: 1, status: 500 });
		const [item] = await runNode(run(1, { prompt: 'retried read', options: { maxRetries: 2 } }));
		expect(item.json.status).toBe('completed');
		const attempts = item.json.attempts as { polls: number; pollAttempts: number };
		expect(attempts.pollAttempts).toBe(attempts.polls + 1);
	});

	test('a 500 on the create is still not retried (it may have made a task)', async () => {
		mock.addFault({ path: '/v1/video/create', times: 1, status: 500 });
		const error = await runError(run(1, { prompt: 'no second create' }));
		expect(error.message).toMatch(/the API answered 500/);
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
	});
});

describe('downloads', () => {
	test('a download that breaks off names the task and that Get Task with Download on fetches it again', async () => {
		const [first] = await runNode(run(1, { prompt: 'to download', waitForCompletion: false }));
		const id = String(first.json.taskId);
		// the head says a video (the reset sends a JSON stub otherwise, which is refused as not a video before it breaks)
		mock.addFault({ path: `/files/${id}.mp4`, kind: 'reset', headers: { 'Content-Type': 'video/mp4' } });
		const task = mock.tasks.get(id);
		if (task) task.createdAt -= 10_000;
		const ctx = makeContext({
			params: { resource: 'video', operation: 'getTask', taskId: id, waitForCompletion: true, pollInterval: 0.05, maxWait: 5, downloadVideo: true, binaryPropertyName: 'data', options: {} },
			credentials: credentialsFor(mock),
		});
		const error = await runError(ctx);
		expect(error.message).toMatch(/^Video → Get Task, item 0: the video download from 127\.0\.0\.1:\d+ broke off: /);
		expect(error.context).toMatchObject({ taskId: id });
		expect(String(error.description)).toContain(`Task ${id} is done: Video → Get Task with Task ID "${id}" and Download Video on fetches the video again`);
	});
});

describe('cancel', () => {
	/** A CDN on another origin that sends a long video very slowly, and tells when its client went away. */
	async function slowCdn(): Promise<{ url: string; closed: Promise<number>; close: () => Promise<void> }> {
		let resolveClosed: (at: number) => void = () => undefined;
		const closed = new Promise<number>((resolve) => {
			resolveClosed = resolve;
		});
		const server = http.createServer((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(10 * 1024 * 1024) });
			const timer = setInterval(() => res.write(Buffer.alloc(1024)), 20);
			res.on('close', () => {
				clearInterval(timer);
				resolveClosed(Date.now());
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4`;
		return { url, closed, close: async () => await new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()) };
	}

	test('cancelling ends a download from another host at once', async () => {
		const cdn = await slowCdn();
		try {
			const task = mock.addScriptedTask({ reads: [{ status: 'completed', video_url: cdn.url }] });
			const controller = new AbortController();
			const ctx = makeContext({
				params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: true, pollInterval: 0.05, maxWait: 60, downloadVideo: true, binaryPropertyName: 'data', options: { requestTimeout: 60 } },
				credentials: credentialsFor(mock),
				cancelSignal: controller.signal,
			});
			const running = runNode(ctx);
			running.catch(() => undefined);
			await new Promise((resolve) => setTimeout(resolve, 300));
			const cancelledAt = Date.now();
			controller.abort(new Error('cancelled by the user'));
			await expect(running).rejects.toThrow(/cancelled/);
			expect(Date.now() - cancelledAt).toBeLessThan(1000);
			expect((await cdn.closed) - cancelledAt).toBeLessThan(1000);
			// the key never went to the other host
			expect(ctx.requests.find((request) => request.url === cdn.url)?.headers?.Authorization).toBeUndefined();
		} finally {
			await cdn.close();
		}
	});
});

test('created tasks are logged to n8n at creation, with execution and item', async () => {
	const ctx = run(2, { prompt: (i: number) => `logged ${i}`, waitForCompletion: false });
	await runNode(ctx);
	const created = ctx.logs.filter((line) => line.message.startsWith('Sora2 task created: '));
	expect(created.map((line) => line.message)).toEqual(
		[0, 1].map((i) => `Sora2 task created: ${taskOfPrompt(`logged ${i}`)} (execution test-execution, workflow test-workflow, node "Sora2", item ${i})`),
	);
	expect(createdIds()).toEqual(expect.arrayContaining([taskOfPrompt('logged 0'), taskOfPrompt('logged 1')]));
});

describe('a gateway that answers two creates with the same task id', () => {
	const DUP = 'sora-2:task_sharedbytworows';

	/** Rows 0 and 2 are answered with task DUP (a task the mock knows, completing); row 1 gets its own. */
	function arrange(tag: string): void {
		mock.addScriptedTask({ taskId: DUP, reads: [{ id: DUP, status: 'completed', video_url: '{{fileUrl}}' }] });
		for (const row of [0, 2]) mock.addFault({ path: '/v1/video/create', matchText: `${tag} ${row}`, status: 200, body: { id: DUP, status: 'pending' } });
	}

	test('Continue On Fail: the later row is an error item naming both rows and the id; the first row goes on; logged', async () => {
		arrange('shared');
		const ctx = run(3, { prompt: (i: number) => `shared ${i}`, options: { maxConcurrency: 1 } }, { continueOnFail: true });
		const items = await runNode(ctx);
		expect(items[0].json).toMatchObject({ taskId: DUP, status: 'completed', videoUrl: `${mock.url}/files/${encodeURIComponent(DUP)}.mp4` });
		expect(items[1].json).toMatchObject({ taskId: taskOfPrompt('shared 1'), status: 'completed' });
		expect(items[2].json).toEqual({
			error: `Video → Create, item 2: the API answered this create with task ${DUP}, the task it already gave item 0 in this run: two rows would share one video`,
			hint: `Item 0 goes on with task ${DUP}. This row's create may have started a second video the API did not name: look in your provider dashboard before creating this row again, and tell your provider that its API gave two creates one task id.`,
			taskId: DUP,
			itemIndex: 2,
		});
		expect(items[2].pairedItem).toEqual({ item: 2 });
		// never two rows with one video
		expect(items.filter((item) => item.json.videoUrl !== undefined).map((item) => item.json.taskId)).toEqual([DUP, taskOfPrompt('shared 1')]);
		const warnings = ctx.logs.filter((line) => line.level === 'warn').map((line) => line.message);
		expect(warnings).toEqual([
			`Sora2: the API answered the create of item 2 with task ${DUP}, which it had already given item 0 in this run (execution test-execution, node "Sora2"): item 2 fails, item 0 keeps the task`,
		]);
	});

	test('without Continue On Fail the run stops with that error, and lists the task the first row still waits for', async () => {
		arrange('again');
		const error = await runError(run(3, { prompt: (i: number) => `again ${i}`, pollInterval: 0.2, options: { maxConcurrency: 1 } }));
		expect(error.message).toBe(`Video → Create, item 2: the API answered this create with task ${DUP}, the task it already gave item 0 in this run: two rows would share one video`);
		expect(error.context).toMatchObject({ taskId: DUP });
		expect((error.context as { taskIds: string[] }).taskIds).toContain(DUP);
		expect(String(error.description)).toContain(`item 0: ${DUP}`);
	});
});

describe('a completed task whose only link is one the node does not fetch', () => {
	test.each([
		['ftp://files.example.com/v.mp4', 'ftp:'],
		['file:///etc/passwd', 'file:'],
		['data:video/mp4;base64,AAAAGGZ0eXBpc29t', 'data:'],
	])('%s: the error names the scheme, not "no video link"; nothing is fetched', async (link, scheme) => {
		const task = mock.addScriptedTask({ reads: [{ status: 'completed', video_url: link }] });
		const ctx = makeContext({
			params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: true, pollInterval: 0.05, maxWait: 5, downloadVideo: true, binaryPropertyName: 'data', options: {} },
			credentials: credentialsFor(mock),
		});
		const error = await runError(ctx);
		expect(error.message).toBe(`Video → Get Task, item 0: task ${task.id} completed, but its only video link is a ${scheme} link, which the node does not fetch (only http:// and https:// links)`);
		expect(String(error.description)).toMatch(/Or look for the video in your provider dashboard\.$/);
		expect(ctx.requests.map((request) => request.url)).toEqual([`${mock.baseUrl}/video/query`]);
	});
});
