import { NodeApiError } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
import type { MockTask } from '../../mock-server/server';
import { useMockServer } from '../../helpers/mockServer';

/**
 * Video → Get Task: one read without wait (any status is output, a failed task too), polling
 * with wait, 404 for an unknown task, and the OpenAI-format fallback `/videos/{id}`.
 * Tasks here live long (1 s pending, 3 s to complete); tests move `createdAt` back to put a
 * task into the phase they need, so nothing depends on timing.
 */

const PENDING_MS = 1000;
const GENERATION_MS = 3000;

const mock = useMockServer({ pendingMs: PENDING_MS, generationMs: GENERATION_MS });

const credentials = () => ({ apiKey: 'test-key', baseUrl: mock.baseUrl });

async function newTask(prompt = 'a lighthouse at night'): Promise<MockTask> {
	const [item] = await runNode(makeContext({ params: createParams({ prompt, waitForCompletion: false }), credentials: credentials() }));
	const task = mock.tasks.get(String(item.json.taskId));
	if (!task) throw new Error('the mock did not create the task');
	mock.resetStats();
	return task;
}

/** Moves the task's clock: `ms` after its create. */
function age(task: MockTask, ms: number): void {
	task.createdAt = Date.now() - ms;
}

const getTask = (taskId: unknown, params: Record<string, ParamValue> = {}) =>
	makeContext({
		params: { resource: 'video', operation: 'getTask', taskId: taskId as ParamValue, waitForCompletion: false, options: {}, ...params },
		credentials: credentials(),
	});

const waitParams = { waitForCompletion: true, pollInterval: 0.05, maxWait: 10 };

describe('without wait: one read, the snapshot as it is', () => {
	test('pending', async () => {
		const task = await newTask();
		const ctx = getTask(task.id);
		const [item] = await runNode(ctx);
		expect(item.json).toMatchObject({ taskId: task.id, status: 'pending', rawStatus: 'pending', progress: 0, model: 'sora-2' });
		expect(item.json.videoUrl).toBeUndefined();
		expect(item.json.attempts).toEqual({ create: 0, polls: 1, pollAttempts: 1 });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(mock.stats().total).toBe(1);
		expect(mock.stats().requests['GET /v1/video/query']).toBe(1);
	});

	test('processing, with the progress the API gave as "NN%" as a number', async () => {
		const task = await newTask();
		age(task, PENDING_MS + (GENERATION_MS - PENDING_MS) / 2);
		const [item] = await runNode(getTask(task.id));
		expect(item.json.status).toBe('processing');
		expect(typeof item.json.progress).toBe('number');
		expect(item.json.progress).toBeGreaterThanOrEqual(45);
		expect(item.json.progress).toBeLessThan(100);
		expect(mock.stats().total).toBe(1);
	});

	test('a failed task is output (with its reason), not an error', async () => {
		const task = await newTask('a storm [fail]');
		age(task, PENDING_MS + 1);
		const [item] = await runNode(getTask(task.id));
		expect(item.json).toMatchObject({ taskId: task.id, status: 'failed', failureReason: 'content_policy: content policy violation' });
		expect(mock.stats().total).toBe(1);
	});

	test('completed: the link, and a Task ID with spaces around it', async () => {
		const task = await newTask();
		age(task, GENERATION_MS + 1);
		const [item] = await runNode(getTask(`  ${task.id}\n`));
		expect(item.json).toMatchObject({ taskId: task.id, status: 'completed', progress: 100, videoUrl: `${mock.url}/files/${encodeURIComponent(task.id)}.mp4` });
	});
});

describe('with wait', () => {
	test('polls a processing task until it completes', async () => {
		const task = await newTask();
		age(task, GENERATION_MS - 500);
		const [item] = await runNode(getTask(task.id, waitParams));
		expect(item.json).toMatchObject({ taskId: task.id, status: 'completed', progress: 100 });
		const attempts = item.json.attempts as { polls: number };
		expect(attempts.polls).toBeGreaterThanOrEqual(2);
		expect(mock.stats().requests['GET /v1/video/query']).toBe(attempts.polls);
		expect(mock.stats().creates).toBe(0);
	});

	test('a task that is already complete is read once, without first waiting a poll interval', async () => {
		const task = await newTask();
		age(task, GENERATION_MS + 1);
		const started = Date.now();
		const [item] = await runNode(getTask(task.id, { ...waitParams, pollInterval: 5, maxWait: 60 }));
		expect(item.json.status).toBe('completed');
		expect(mock.stats().total).toBe(1);
		expect(Date.now() - started).toBeLessThan(4000); // the poll interval is 5 s
	});

	test('a task that fails while waited for is an error naming the task id', async () => {
		const task = await newTask('a storm [fail]');
		age(task, PENDING_MS - 100);
		const error = await runError(getTask(task.id, waitParams));
		expect(error.message).toBe(`Video → Get Task, item 0: task ${task.id} failed: content_policy: content policy violation`);
	});
});

describe('unknown task', () => {
	test('404: NodeApiError with httpCode 404 and the API message', async () => {
		const taskId = 'sora-2:task_00000000000000000000000000';
		const error = await runError(getTask(taskId));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe('Video → Get Task, item 0: the API answered 404: task not found');
		expect(error.description).toContain('check the Task ID');
		// the OpenAI-format route was tried too, then the first answer reported
		expect(mock.stats().requests['GET /v1/video/query']).toBe(1);
		expect(mock.stats().requests[`GET /v1/videos/${taskId}`]).toBe(1);
	});
});

describe('fallback to /videos/{id} when /video/query answers 404', () => {
	test('the task is read in OpenAI format, and the route is kept for the rest of the run', async () => {
		const task = await newTask();
		age(task, PENDING_MS + 100);
		mock.addFault({ method: 'GET', path: '/v1/video/query', status: 404, body: { error: { message: 'Unknown route', type: 'invalid_request_error' } } });
		const ctx = makeContext({
			params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: false, options: {} },
			items: [{ json: {} }, { json: {} }],
			credentials: credentials(),
		});
		const output = await runNode(ctx);
		expect(output).toHaveLength(2);
		for (const item of output) expect(item.json).toMatchObject({ taskId: task.id, status: 'processing', rawStatus: 'in_progress', object: 'video' });
		const stats = mock.stats();
		expect(stats.requests[`GET /v1/videos/${task.id}`]).toBe(2);
		// both items read at once, so each may try /video/query once; never more
		expect(stats.requests['GET /v1/video/query']).toBeLessThanOrEqual(2);
	});

	test('with wait: completes, and the link is the OpenAI content route', async () => {
		const task = await newTask();
		age(task, GENERATION_MS - 500);
		mock.addFault({ method: 'GET', path: '/v1/video/query', status: 404 });
		const [item] = await runNode(getTask(task.id, waitParams));
		expect(item.json).toMatchObject({
			taskId: task.id,
			status: 'completed',
			rawStatus: 'completed',
			progress: 100,
			videoUrl: `${mock.baseUrl}/videos/${encodeURIComponent(task.id)}/content`,
		});
		// after the first 404 the node stays on /videos/{id}
		expect(mock.stats().requests['GET /v1/video/query']).toBe(1);
		expect(mock.stats().requests[`GET /v1/videos/${task.id}`]).toBeGreaterThanOrEqual(2);
	});
});

describe('what gateways other than the mock answer', () => {
	const read = async (answer: Record<string, unknown>) => {
		const task = mock.addScriptedTask({ reads: [answer] });
		const [item] = await runNode(getTask(task.id));
		return item.json;
	};

	test('{"status":"FAILURE","fail_reason":…} is a failure with that reason', async () => {
		expect(await read({ status: 'FAILURE', fail_reason: 'content policy: public figure' })).toMatchObject({ status: 'failed', rawStatus: 'FAILURE', failureReason: 'content policy: public figure' });
	});

	test('progress 0.42 is 42 %, and progress under detail is read', async () => {
		expect((await read({ status: 'processing', progress: 0.42 })).progress).toBe(42);
		expect((await read({ status: 'processing', detail: { progress: '45%' } })).progress).toBe(45);
	});

	test('a word the node has never seen that means done, with the link: completed at once', async () => {
		expect(await read({ status: 'ready', video_url: '{{fileUrl}}' })).toMatchObject({ status: 'completed', rawStatus: 'ready' });
	});
});
