/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code runs outside n8n: it reads Date.now and waits with setTimeout */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { Sora2 } from '../../../nodes/Sora2/Sora2.node';
import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { useMockServer } from '../../helpers/mockServer';

const ACCEPTED = 'concurrency-test-bearer';
const mock = useMockServer({ apiKey: ACCEPTED, pendingMs: 100, generationMs: 600, latencyMs: 15 });

const rows = (n: number): INodeExecutionData[] => Array.from({ length: n }, (_, row) => ({ json: { row } }));

async function run(items: INodeExecutionData[], params: Record<string, ParamValue>, extra: { continueOnFail?: boolean; cancelSignal?: AbortSignal } = {}) {
	const ctx = makeContext({ items, params: createParams(params), credentials: { apiKey: ACCEPTED, baseUrl: mock.baseUrl }, ...extra });
	const [out] = await new Sora2().execute.call(ctx.fn);
	return out;
}

describe('many items at once', () => {
	test('creates every task before the first one finishes, and never exceeds Max Concurrent Requests', async () => {
		const n = 30;
		const out = await run(rows(n), { prompt: (i: number) => `video ${i}`, pollInterval: 0.05, options: { maxConcurrency: 3 } });
		expect(out).toHaveLength(n);
		expect(out.every((item) => item.json.status === 'completed')).toBe(true);
		const stats = mock.stats();
		expect(stats.creates).toBe(n);
		expect(stats.peakInFlight).toBeLessThanOrEqual(3);
		expect(stats.peakInFlight).toBe(3);
		const created = [...mock.tasks.values()].filter((task) => task.prompt.startsWith('video '));
		const firstFinish = Math.min(...created.map((task) => task.createdAt + task.generationMs));
		const lastCreate = Math.max(...created.map((task) => task.createdAt));
		expect(lastCreate).toBeLessThan(firstFinish);
	});

	test('output follows input order with pairedItem, even when later items finish first', async () => {
		// item 0 is slow (its task is made to finish last), the rest are quick
		const out = await run(rows(4), {
			prompt: (i: number) => `order ${i}`,
			pollInterval: 0.05,
			options: { maxConcurrency: 4 },
		});
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out.map((item) => (item.json.detail as IDataObject).input)).toEqual(
			[0, 1, 2, 3].map((i) => expect.objectContaining({ prompt: `order ${i}` })),
		);
	});

	test('polls each task at most once per poll interval', async () => {
		const out = await run(rows(10), { prompt: (i: number) => `poll ${i}`, pollInterval: 0.1, options: { maxConcurrency: 10 } });
		for (const item of out) {
			const task = mock.tasks.get(String(item.json.taskId));
			// 600 ms of generation at one read per 100 ms: 6 reads plus the one that sees completion
			expect(task?.queries).toBeLessThanOrEqual(8);
			expect((item.json.attempts as IDataObject).polls).toBe(task?.queries);
		}
	});

	test('a failed item under Continue On Fail sits at its own index', async () => {
		const out = await run(rows(3), { prompt: (i: number) => (i === 1 ? 'broken [fail]' : `fine ${i}`), pollInterval: 0.05 }, { continueOnFail: true });
		expect(out.map((item) => item.json.status ?? 'error')).toEqual(['completed', 'error', 'completed']);
		expect(out[1].json.error).toMatch(/failed: content_policy: content policy violation/);
		expect(out[1].json.taskId).toMatch(/^sora-2:task_/);
		expect(out[1].pairedItem).toEqual({ item: 1 });
	});
});

describe('retries never pay for a video twice', () => {
	test('429 on create with Retry-After is retried after the time asked', async () => {
		mock.addFault({ method: 'POST', path: '/v1/video/create', times: 1, status: 429, headers: { 'Retry-After': '1' } });
		const started = Date.now();
		const out = await run(rows(1), { waitForCompletion: false });
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(out[0].json.attempts).toEqual(expect.objectContaining({ create: 2 }));
		expect(mock.stats().creates).toBe(1);
	});

	test('429 on a status check is retried and counted', async () => {
		mock.addFault({ method: 'GET', path: '/v1/video/query', times: 2, status: 429, headers: { 'Retry-After': '0' } });
		const out = await run(rows(1), { pollInterval: 0.05 });
		const attempts = out[0].json.attempts as IDataObject;
		expect(out[0].json.status).toBe('completed');
		expect(Number(attempts.pollAttempts) - Number(attempts.polls)).toBe(2);
	});

	test('a create that times out is not sent again, and the error says why', async () => {
		mock.addFault({ method: 'POST', path: '/v1/video/create', times: 1, kind: 'delay', delayMs: 1500, afterCreate: true });
		await expect(run(rows(1), { options: { requestTimeout: 0.3 } })).rejects.toThrow(/no complete answer/);
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
		expect(mock.stats().creates).toBe(1);
		await new Promise((resolve) => setTimeout(resolve, 1300));
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
	});

	test('a 503 on create is not retried; a 503 on a status check is', async () => {
		mock.addFault({ method: 'POST', path: '/v1/video/create', times: 1, status: 503 });
		await expect(run(rows(1), {})).rejects.toThrow(/answered 503/);
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
		mock.resetStats();
		mock.addFault({ method: 'GET', path: '/v1/video/query', times: 1, status: 503 });
		const out = await run(rows(1), { pollInterval: 0.05 });
		expect(out[0].json.status).toBe('completed');
	});
});

describe('cancellation', () => {
	test('stops every wait at once and sends nothing more', async () => {
		const controller = new AbortController();
		const pending = run(rows(5), { prompt: (i: number) => `stuck ${i} [stuck]`, pollInterval: 0.05, maxWait: 60 }, { cancelSignal: controller.signal });
		await new Promise((resolve) => setTimeout(resolve, 300));
		const cancelledAt = Date.now();
		controller.abort(new Error('cancelled by the user'));
		await expect(pending).rejects.toThrow(/cancelled/);
		expect(Date.now() - cancelledAt).toBeLessThan(1000);
		const after = mock.stats().total;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(mock.stats().total).toBe(after);
	});
});
