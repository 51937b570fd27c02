import { NodeOperationError, sleep } from 'n8n-workflow';
import type { INodeExecutionData } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
import { useMockServer } from '../../helpers/mockServer';

/**
 * A batch of items: Continue On Fail puts an error item in place of a bad or failed row (in its
 * own position, with the task id when known); without it the run rejects. Every output item
 * has its pairedItem, and output order is input order even when later items finish first.
 */

const mock = useMockServer({ pendingMs: 30, generationMs: 120 });

const items = (n: number): INodeExecutionData[] => Array.from({ length: n }, (_, row) => ({ json: { row } }));

const context = (n: number, params: Record<string, ParamValue>, continueOnFail = false) =>
	makeContext({ items: items(n), params: createParams(params), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl }, continueOnFail });

const expectPaired = (output: INodeExecutionData[]) => output.forEach((item, index) => expect(item.pairedItem).toEqual({ item: index }));

describe('Continue On Fail', () => {
	test('with "Continue (using error output)" the error item holds only error and details, so n8n routes it to the error output', async () => {
		const ctx = context(3, { prompt: (i: number) => (i === 1 ? 'routed 1 [fail]' : `routed ${i}`) }, true);
		ctx.node.onError = 'continueErrorOutput';
		const output = await runNode(ctx);
		expect(output).toHaveLength(3);
		expectPaired(output);
		expect(Object.keys(output[1].json).sort()).toEqual(['details', 'error']);
		expect(output[1].json.error).toMatch(/task sora-2:task_\w+ failed: content_policy: content policy violation/);
		expect(output[1].json.details).toEqual(expect.objectContaining({ itemIndex: 1, taskId: expect.stringMatching(/^sora-2:task_/) }));
		expect(output[0].json.status).toBe('completed');
	});

	test('the middle item fails validation: 3 items, the middle carries the error, the others complete', async () => {
		const ctx = context(3, { prompt: (i: number) => (i === 1 ? '   ' : `video ${i}`) }, true);
		const output = await runNode(ctx);
		expect(output).toHaveLength(3);
		expectPaired(output);
		expect(output[0].json.status).toBe('completed');
		expect(output[2].json.status).toBe('completed');
		expect(output[1].json).toEqual({
			error: 'Prompt is empty (item 1)',
			hint: 'Describe the video in Prompt, or map a column that is never empty.',
			itemIndex: 1,
		});
		// the bad row was never sent
		expect(mock.stats().creates).toBe(2);
		const prompts = [output[0], output[2]].map((item) => mock.tasks.get(String(item.json.taskId))?.prompt);
		expect(prompts).toEqual(['video 0', 'video 2']);
	});

	test('the middle task fails ([fail]): its error item names the task id and the reason', async () => {
		const ctx = context(3, { prompt: (i: number) => (i === 1 ? 'video 1 [fail]' : `video ${i}`) }, true);
		const output = await runNode(ctx);
		expect(output).toHaveLength(3);
		expectPaired(output);
		expect(output[0].json.status).toBe('completed');
		expect(output[2].json.status).toBe('completed');
		const failedTask = [...mock.tasks.values()].find((task) => task.prompt === 'video 1 [fail]');
		expect(output[1].json).toMatchObject({
			error: `Video → Create, item 1: task ${failedTask?.id} failed: content_policy: content policy violation`,
			taskId: failedTask?.id,
			itemIndex: 1,
		});
		expect(output[1].json.hint).toContain('create the video again');
	});

	test('an API error on one item (429 exhausted) carries the HTTP code', async () => {
		// the first create request hits the fault; with Max Retries 0 that item fails
		mock.addFault({ path: '/v1/video/create', times: 1, status: 429, headers: { 'Retry-After': '0' } });
		const ctx = context(1, { options: { maxRetries: 0 } }, true);
		const [item] = await runNode(ctx);
		expect(item.json).toMatchObject({ httpCode: '429', itemIndex: 0 });
		expect(item.json.error).toContain('the API answered 429');
		expect(item.pairedItem).toEqual({ item: 0 });
	});
});

describe('without Continue On Fail', () => {
	test('a bad middle item rejects the run before any request', async () => {
		const ctx = context(3, { prompt: (i: number) => (i === 1 ? '' : `video ${i}`) });
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Prompt is empty (item 1)');
		await sleep(200); // a request started for item 0 would have arrived by now
		expect(ctx.requests).toHaveLength(0);
		expect(mock.stats().total).toBe(0);
	});

	test('a failing middle task rejects the run with that item\'s error', async () => {
		const error = await runError(context(3, { prompt: (i: number) => (i === 1 ? 'video 1 [fail]' : `video ${i}`), maxWait: 30 }));
		expect(error.message).toMatch(/^Video → Create, item 1: task sora-2:task_\w+ failed: content_policy: content policy violation$/);
	});
});

describe('pairedItem and order', () => {
	test('every output item has its pairedItem (Wait off)', async () => {
		const output = await runNode(context(4, { prompt: (i: number) => `video ${i}`, waitForCompletion: false }));
		expect(output).toHaveLength(4);
		expectPaired(output);
		expect(output.map((item) => mock.tasks.get(String(item.json.taskId))?.prompt)).toEqual(['video 0', 'video 1', 'video 2', 'video 3']);
	});

	test('output order is input order even when later items finish first', async () => {
		// item 0 polls every 0.6 s, the others every 0.05 s: items 1 and 2 finish well before item 0
		const ctx = context(3, { prompt: (i: number) => `order ${i}`, pollInterval: (i: number) => (i === 0 ? 0.6 : 0.05) });
		const output = await runNode(ctx);
		expectPaired(output);
		const taskIds = output.map((item) => String(item.json.taskId));
		expect(taskIds.map((id) => mock.tasks.get(id)?.prompt)).toEqual(['order 0', 'order 1', 'order 2']);
		expect(output.every((item) => item.json.status === 'completed')).toBe(true);
		// proof that item 0 finished last: its final status check was the last request sent
		const lastCheck = (taskId: string) => ctx.requests.map((request) => (request.qs as { id?: string } | undefined)?.id).lastIndexOf(taskId);
		expect(lastCheck(taskIds[0])).toBeGreaterThan(lastCheck(taskIds[1]));
		expect(lastCheck(taskIds[0])).toBeGreaterThan(lastCheck(taskIds[2]));
	});

	test('Get Task over several ids keeps input order and pairing', async () => {
		const created = await runNode(context(3, { prompt: (i: number) => `get ${i}`, waitForCompletion: false }));
		const ids = created.map((item) => String(item.json.taskId)).reverse();
		const ctx = makeContext({
			items: ids.map((taskId) => ({ json: { taskId } })),
			params: { resource: 'video', operation: 'getTask', taskId: (i: number) => ids[i], waitForCompletion: false, options: {} },
			credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl },
		});
		const output = await runNode(ctx);
		expect(output.map((item) => item.json.taskId)).toEqual(ids);
		expectPaired(output);
	});
});
