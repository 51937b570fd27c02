import { NodeOperationError, sleep } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
import { videoBytesFor } from '../../mock-server/server';
import { useMockServer } from '../../helpers/mockServer';

/** Video → Create with Wait for Completion: polling until completed or failed, Max Wait, cancel. */

const PENDING_MS = 40;
const GENERATION_MS = 150;
const VIDEO_SIZE = 4096;

const mock = useMockServer({ pendingMs: PENDING_MS, generationMs: GENERATION_MS, videoSize: VIDEO_SIZE });

const context = (params: Record<string, ParamValue> = {}, cancelSignal?: AbortSignal) =>
	makeContext({ params: createParams(params), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl }, cancelSignal });

test('polls to completed: status, progress 100, videoUrl, taskId and attempts', async () => {
	const ctx = context();
	const [item] = await runNode(ctx);
	const taskId = String(item.json.taskId);
	expect(mock.tasks.get(taskId)?.prompt).toBe('a cat on a skateboard');
	expect(item.json).toMatchObject({
		taskId,
		status: 'completed',
		rawStatus: 'completed',
		progress: 100,
		videoUrl: `${mock.url}/files/${encodeURIComponent(taskId)}.mp4`,
		thumbnailUrl: `${mock.url}/files/${encodeURIComponent(taskId)}.jpg`,
	});
	const attempts = item.json.attempts as { create: number; polls: number; pollAttempts: number };
	expect(attempts.create).toBe(1);
	expect(attempts.polls).toBeGreaterThanOrEqual(1);
	expect(attempts.pollAttempts).toBe(attempts.polls);
	expect(mock.stats().requests['GET /v1/video/query']).toBe(attempts.polls);
	expect(item.binary).toBeUndefined();
	// each status check asked for this task, URL-encoded in the query string
	const queries = ctx.requests.filter((request) => request.url.endsWith('/video/query'));
	expect(queries.every((request) => (request.qs as { id?: string }).id === taskId)).toBe(true);
});

test('Download Video puts the mp4 into the binary field', async () => {
	const [item] = await runNode(context({ downloadVideo: true, binaryPropertyName: 'video' }));
	const binary = item.binary?.video;
	expect(binary?.mimeType).toBe('video/mp4');
	expect(binary?.fileName).toBe(`${String(item.json.taskId).replace(':', '_')}.mp4`);
	expect(Buffer.from(binary?.data ?? '', 'base64').equals(videoBytesFor(String(item.json.taskId), VIDEO_SIZE))).toBe(true);
});

test('a task that fails: error names the task id and the reason', async () => {
	const error = await runError(context({ prompt: 'a cat [fail]' }));
	const taskId = [...mock.tasks.values()].find((task) => task.prompt === 'a cat [fail]')?.id ?? 'unknown';
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toBe(`Video → Create, item 0: task ${taskId} failed: content_policy: content policy violation`);
	expect(error.description).toContain('create the video again');
	expect((error.context as { taskId?: string }).taskId).toBe(taskId);
});

test('Max Wait exceeded: error names the task id, its last status, and suggests Get Task', async () => {
	const started = Date.now();
	const error = await runError(context({ prompt: 'slow [stuck]', maxWait: 0.4 }));
	const elapsed = Date.now() - started;
	const taskId = [...mock.tasks.values()].find((task) => task.prompt === 'slow [stuck]')?.id ?? 'unknown';
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toMatch(
		new RegExp(`^Video → Create, item 0: task ${taskId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was still running after Max Wait \\(0\\.4 s\\): processing, \\d+%$`),
	);
	expect(error.description).toContain('Video → Get Task');
	expect(error.description).toContain(`Task ID "${taskId}"`);
	// gave up at Max Wait, not much later (the bound is wide on purpose)
	expect(elapsed).toBeGreaterThanOrEqual(400);
	expect(elapsed).toBeLessThan(5000);
});

test('cancelling the execution mid-wait rejects at once, well before Max Wait', async () => {
	const controller = new AbortController();
	const run = runError(context({ prompt: 'never ends [stuck]', maxWait: 60 }, controller.signal));
	// wait until the node is polling the task
	for (let i = 0; i < 200 && (mock.stats().requests['GET /v1/video/query'] ?? 0) < 2; i++) await sleep(10);
	expect(mock.stats().requests['GET /v1/video/query']).toBeGreaterThanOrEqual(2);
	const cancelledAt = Date.now();
	controller.abort(new Error('cancelled by the user'));
	const error = await run;
	expect(Date.now() - cancelledAt).toBeLessThan(5000); // Max Wait is 60 s
	expect(error.message).toBe('Video → Create, item 0: stopped because the execution was cancelled');
	// and nothing more is sent after the cancel
	const sent = mock.stats().total;
	await sleep(150);
	expect(mock.stats().total).toBe(sent);
});

test('cancelling while the node sleeps between status checks ends the sleep at once', async () => {
	const controller = new AbortController();
	// a 3 s poll interval: after the create, the node sleeps 3 s before its first status check
	const run = runError(context({ prompt: 'sleepy', pollInterval: 3, maxWait: 60 }, controller.signal));
	for (let i = 0; i < 200 && mock.stats().creates < 1; i++) await sleep(10);
	expect(mock.stats().creates).toBe(1);
	await sleep(100); // the create answer is in, the node is asleep
	const cancelledAt = Date.now();
	controller.abort(new Error('cancelled by the user'));
	const error = await run;
	expect(error.message).toBe('Video → Create, item 0: stopped because the execution was cancelled');
	expect(Date.now() - cancelledAt).toBeLessThan(1500); // well before the 3 s poll interval
	expect(mock.stats().requests['GET /v1/video/query']).toBeUndefined();
});

// "video_generating" is a word providers use (the node knows it); "upscaling_v2" is one it has never seen.
test.each(['video_generating', 'upscaling_v2'])('status word "%s" while running: keeps waiting, then completes', async (word) => {
	const [item] = await runNode(context({ prompt: `a fox [status:${word}]` }));
	expect(item.json).toMatchObject({ status: 'completed', rawStatus: 'completed', progress: 100 });
});

test('a task that only ever reports an unknown word is still running: Max Wait names the raw word', async () => {
	const error = await runError(context({ prompt: 'a fox [status:upscaling_v2] [stuck]', maxWait: 0.3 }));
	expect(error.message).toMatch(/was still running after Max Wait \(0\.3 s\): processing, \d+%, the last answer said "upscaling_v2"$/);
	// it was polled several times, not taken for failed or done at the first answer
	const task = [...mock.tasks.values()].find((entry) => entry.prompt === 'a fox [status:upscaling_v2] [stuck]');
	expect(mock.stats().requests['GET /v1/video/query']).toBeGreaterThanOrEqual(2);
	expect(task?.status).toBe('upscaling_v2');
});

test('the raw unknown word is shown while running (Get Task without wait)', async () => {
	const [created] = await runNode(context({ prompt: 'a fox [status:upscaling_v2]', waitForCompletion: false }));
	const task = mock.tasks.get(String(created.json.taskId));
	if (!task) throw new Error('task not created');
	task.createdAt = Date.now() - PENDING_MS - 10; // into processing
	const ctx = makeContext({
		params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: false, options: {} },
		credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl },
	});
	const [item] = await runNode(ctx);
	expect(item.json).toMatchObject({ taskId: task.id, status: 'processing', rawStatus: 'upscaling_v2' });
});

test('completed without a video link ([nourl]) is an error naming the task id', async () => {
	const error = await runError(context({ prompt: 'x [nourl]' }));
	const taskId = [...mock.tasks.values()].find((task) => task.prompt === 'x [nourl]')?.id ?? 'unknown';
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toBe(`Video → Create, item 0: task ${taskId} completed, but the API gave no video link`);
	expect(error.description).toContain('Video → Get Task');
});

test('the link only in detail ([urlindetail]) is found', async () => {
	const [item] = await runNode(context({ prompt: 'x [urlindetail]' }));
	const taskId = String(item.json.taskId);
	expect(item.json.status).toBe('completed');
	expect(item.json.videoUrl).toBe(`${mock.url}/files/${encodeURIComponent(taskId)}.mp4`);
	expect(item.json.video_url).toBeUndefined();
});
