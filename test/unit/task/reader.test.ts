/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test: reads the README with node:fs to check it states the grace period */
import fs from 'node:fs';
import path from 'node:path';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runError, runNode } from '../../helpers/run';

/**
 * The task reader. Some gateways register a task a moment after accepting its create: a status read
 * answering 404 for a task this run created is "not visible yet" for a grace period (the wait goes
 * on, on the same route), then the usual 404 error with the task's id. Get Task for an id the user
 * gave still fails at the first 404. Ids that would change the address (`.`, `..`) never go into a
 * path route. The grace is shortened here (0.6 s instead of 60 s) so that its end can be seen.
 */

jest.mock('../../../nodes/Sora2/config/defaults', () => ({
	...jest.requireActual<object>('../../../nodes/Sora2/config/defaults'),
	UNSEEN_TASK_GRACE_SECONDS: 0.6,
}));

const mock = useMockServer({ pendingMs: 30, generationMs: 120 });

const create = (params: Record<string, ParamValue>, continueOnFail = false) =>
	makeContext({ params: createParams({ pollInterval: 0.05, ...params }), credentials: credentialsFor(mock), continueOnFail });

const taskOfPrompt = (prompt: string) => [...mock.tasks.values()].find((task) => task.prompt === prompt)?.id ?? 'none';
const reads = (route: 'query' | 'openai') =>
	mock.requestLog().filter((entry) => (route === 'query' ? entry.request === 'GET /v1/video/query' : entry.request.startsWith('GET /v1/videos'))).length;

describe('a task this run created, answered 404 at first', () => {
	test('3 reads answered 404 on both routes, then it shows: the run waits and completes on /video/query', async () => {
		const [item] = await runNode(create({ prompt: 'late [unseen:3]' }));
		const id = taskOfPrompt('late [unseen:3]');
		expect(item.json).toMatchObject({ taskId: id, status: 'completed', videoUrl: `${mock.url}/files/${encodeURIComponent(id)}.mp4` });
		// each 404 read tried the fallback once; the route did not switch: the later reads are on /video/query
		expect(reads('openai')).toBe(3);
		expect(reads('query')).toBeGreaterThanOrEqual(4);
		const attempts = item.json.attempts as { polls: number; pollAttempts: number };
		expect(attempts.pollAttempts).toBe(attempts.polls + 3);
	});

	test('never shows: after the grace period, the 404 error with the task id and how to pick it up', async () => {
		const started = Date.now();
		const error = await runError(create({ prompt: 'lost [unseen:100000]' }));
		const elapsed = Date.now() - started;
		const id = taskOfPrompt('lost [unseen:100000]');
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Video → Create, item 0: the API answered 404: task not found');
		expect(error.httpCode).toBe('404');
		expect(error.description).toContain(
			`The API accepted the create of this task but still did not show it 0.6 s later: it may serve status reads at another address, or have lost the task. Look for it in your provider dashboard. Task ${id} was created (and is paid for) and goes on at the provider: pick it up with Video → Get Task, Task ID "${id}", Wait for Completion on.`,
		);
		expect(error.context).toMatchObject({ taskId: id, taskIds: [id] });
		expect(elapsed).toBeGreaterThanOrEqual(600);
		expect(elapsed).toBeLessThan(3000);
	});

	test('under Continue On Fail: the error item names the task', async () => {
		const [item] = await runNode(create({ prompt: 'lost again [unseen:100000]' }, true));
		const id = taskOfPrompt('lost again [unseen:100000]');
		expect(item.json).toMatchObject({ error: 'Video → Create, item 0: the API answered 404: task not found', httpCode: '404', taskId: id, itemIndex: 0 });
	});

	test('Max Wait ends first: its error says the API did not show the task yet', async () => {
		const error = await runError(create({ prompt: 'hidden [unseen:100000]', maxWait: 0.2 }));
		const id = taskOfPrompt('hidden [unseen:100000]');
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`Video → Create, item 0: task ${id} was still running after Max Wait (0.2 s): pending, the API answered 404 to the last read: it did not show the task yet`);
		expect(error.description).toContain(`Task ID "${id}"`);
	});
});

describe('Get Task for an id the user gave', () => {
	test('with Wait for Completion on, a 404 fails at once (one read on each route), not after a grace period', async () => {
		const started = Date.now();
		const error = await runError(
			makeContext({ params: { resource: 'video', operation: 'getTask', taskId: 'sora-2:task_nosuchtask', waitForCompletion: true, pollInterval: 0.05, maxWait: 10, options: {} }, credentials: credentialsFor(mock) }),
		);
		expect(Date.now() - started).toBeLessThan(500);
		expect(error.message).toBe('Video → Get Task, item 0: the API answered 404: task not found');
		expect(error.description).toMatch(/^No task with this id: check the Task ID/);
		expect([reads('query'), reads('openai')]).toEqual([1, 1]);
	});

	test.each(['.', '..', ' .. '])('Task ID %j is refused before anything is sent (it would read /videos/, the list, or /)', async (taskId) => {
		mock.addScriptedTask({ reads: [{ status: 'completed', video_url: '{{fileUrl}}' }] });
		const ctx = makeContext({ params: { resource: 'video', operation: 'getTask', taskId, waitForCompletion: false, options: {} }, credentials: credentialsFor(mock) });
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`Task ID "${taskId.trim()}" is not a task id (item 0)`);
		expect(error.description).toMatch(/Map the "taskId" field of the Video → Create output/);
		expect(ctx.requests).toHaveLength(0);
	});
});

test('a create answer naming the task ".." is never read on a path route (/videos/.. is /)', async () => {
	mock.scriptNextCreate({ taskId: '..', route: 'openai', reads: [{ status: 'completed', video_url: '{{fileUrl}}' }] });
	const error = await runError(create({ prompt: 'dots', maxWait: 0.3 }));
	expect(error.message).toMatch(/^Video → Create, item 0: task \.\. was still running after Max Wait/);
	const paths = mock.requestLog().map((entry) => entry.request);
	expect(paths.filter((path) => path !== 'POST /v1/video/create' && path !== 'GET /v1/video/query')).toEqual([]);
});

test('nor after the run switched to /videos/{id} for another task: that id is read on /video/query only', async () => {
	mock.scriptNextCreate({ route: 'openai', reads: [{ status: 'completed', video_url: '{{fileUrl}}' }] });
	mock.scriptNextCreate({ taskId: '..', route: 'openai', reads: [{ status: 'completed', video_url: '{{fileUrl}}' }] });
	const ctx = makeContext({ items: [{ json: {} }, { json: {} }], params: createParams({ pollInterval: 0.05, maxWait: 0.5, options: { maxConcurrency: 1 } }), credentials: credentialsFor(mock), continueOnFail: true });
	const [first, second] = await runNode(ctx);
	expect(first.json.status).toBe('completed');
	expect(second.json.error).toMatch(/^Video → Create, item 1: task \.\. was still running after Max Wait/);
	const paths = mock.requestLog().map((entry) => entry.request);
	expect(paths.filter((path) => path === 'GET /v1/' || path === 'GET /v1/videos/' || path === 'GET /v1/videos')).toEqual([]);
	// the first task's reads switched the run to /videos/{id}
	expect(paths.filter((path) => path.startsWith('GET /v1/videos/sora-2')).length).toBeGreaterThanOrEqual(1);
});

test('the README states the grace period the node uses', () => {
	const { UNSEEN_TASK_GRACE_SECONDS } = jest.requireActual<{ UNSEEN_TASK_GRACE_SECONDS: number }>('../../../nodes/Sora2/config/defaults');
	const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
	expect(readme).toContain(`created that answers 404 within **${UNSEEN_TASK_GRACE_SECONDS} s** of the create means "not visible yet"`);
	expect(readme).toContain(`only after ${UNSEEN_TASK_GRACE_SECONDS} s is the 404 an error`);
});
