import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { RETRY_PAUSES, openClient } from '../../../nodes/Sora2/transport';
import type { ApiClient } from '../../../nodes/Sora2/transport';
import { makeContext } from '../../helpers/context';
import type { TestContext } from '../../helpers/context';
import { useMockServer } from '../../helpers/mockServer';
import { rejection } from '../../helpers/run';

/**
 * A request body given as a builder: built when the request starts (in its gate slot, again for each
 * attempt), so a run of many large bodies holds only those being sent; a builder's error is the
 * request's outcome as it is.
 */

const mock = useMockServer({ latencyMs: 30 });

const VALID: IDataObject = { images: [], model: 'sora-2', orientation: 'portrait', prompt: 'a cat', size: 'small', duration: 10 };

async function client(ctx: TestContext, maxConcurrency = 1): Promise<ApiClient> {
	return await openClient(ctx.fn, { maxConcurrency, timeoutMs: 5000, retry: { ...RETRY_PAUSES, baseDelayMs: 10, maxRetries: 2 } });
}

const create = (api: ApiClient, body: IDataObject | (() => Promise<IDataObject>)) =>
	api.call({ site: { itemIndex: 0, operation: 'test' }, repeatable: false, priority: 0, method: 'POST', path: '/video/create', body });

test('a builder runs only when its request gets a slot: with one slot, each body after the one before was answered', async () => {
	const ctx = makeContext({ params: {}, credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
	const api = await client(ctx);
	const builtAt: Record<string, number> = {};
	const builder = (prompt: string) => async () => {
		builtAt[prompt] = Date.now();
		return { ...VALID, prompt };
	};
	const answers = await Promise.all(['a', 'b', 'c'].map(async (prompt) => await create(api, builder(prompt))));
	const tasks = answers.map((answer) => mock.tasks.get(String((answer.body as IDataObject).id)));
	expect(tasks.map((task) => task?.prompt)).toEqual(['a', 'b', 'c']);
	// the mock made task a (on receiving its body) before b's body was built, and b before c's
	expect(builtAt.b).toBeGreaterThanOrEqual(tasks[0]?.createdAt ?? Infinity);
	expect(builtAt.c).toBeGreaterThanOrEqual(tasks[1]?.createdAt ?? Infinity);
	expect(builtAt.a).toBeLessThanOrEqual(tasks[0]?.createdAt ?? -Infinity);
});

test('each attempt builds the body again (a 429 retried)', async () => {
	mock.addFault({ path: '/v1/video/create', status: 429, times: 1, headers: { 'Retry-After': '0' } });
	const ctx = makeContext({ params: {}, credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
	let builds = 0;
	const answer = await create(await client(ctx), async () => ({ ...VALID, prompt: `attempt ${++builds}` }));
	expect(builds).toBe(2);
	expect(mock.tasks.get(String((answer.body as IDataObject).id))?.prompt).toBe('attempt 2');
});

test('a builder that fails: its own error, nothing sent, no network error made of it', async () => {
	const ctx = makeContext({ params: {}, credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
	const failure = new NodeOperationError(ctx.node, 'the image could not be read');
	const error = await rejection(create(await client(ctx), async () => await Promise.reject(failure)));
	expect(error).toBe(failure);
	expect(ctx.requests).toHaveLength(0);
	expect(mock.stats().total).toBe(0);
});

test('a run stopped while a body is built (its request admitted in that tick): nothing is sent', async () => {
	const ctx = makeContext({ params: {}, credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
	const api = await client(ctx);
	const stopped = new Error('another item failed');
	const error = await rejection(
		create(api, async () => {
			api.stop(stopped);
			return VALID;
		}),
	);
	expect(String(error)).toMatch(/stopped because another item failed/);
	expect(ctx.requests).toHaveLength(0);
	expect(mock.stats().total).toBe(0);
});
