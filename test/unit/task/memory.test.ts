import { TaskMemory } from '../../../nodes/Sora2/task/memory';
import type { MemoryContext, MemoryStore } from '../../../nodes/Sora2/task/memory';

/**
 * What Create remembers between executions (n8n's workflow static data of the node): which tasks it
 * made, for which request or Unique Key, when, and what became of them. Driven here directly, with
 * a clock of the test's own; the node-level behaviour (retry, keys, modes) is in
 * test/unit/video/createVideo.memory.test.ts.
 */

const BASE = 'https://api.example.com/v1';
const HOUR = 3_600_000;
const body = (prompt: string, extra: Record<string, unknown> = {}) => ({ images: [], model: 'sora-2', orientation: 'portrait', prompt, size: 'small', duration: 10, ...extra });

interface Clock {
	at: number;
}

/** One execution's memory over `store` (n8n hands each execution the store the last one saved). */
function execution(store: MemoryStore, clock: Clock, overrides: Partial<MemoryContext> = {}): TaskMemory {
	return new TaskMemory({ executionId: 'exec-1', kept: true, retry: false, open: () => store, now: () => clock.at, ...overrides });
}

/** What n8n saves and loads again: JSON. */
const saved = (store: MemoryStore): MemoryStore => JSON.parse(JSON.stringify(store)) as MemoryStore;

describe('the window (default 24 hours) and the bound (default 1000 tasks)', () => {
	test('a task is picked up until 24 hours after its create, not after', () => {
		const clock = { at: Date.UTC(2026, 0, 1) };
		const store: MemoryStore = {};
		execution(store, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		clock.at += 24 * HOUR;
		expect(execution(saved(store), clock, { executionId: 'exec-2' }).ticket(body('a cat'), 'row-1', BASE).found).toEqual({ taskId: 'sora-2:task_a', createdAt: Date.UTC(2026, 0, 1), executionId: 'exec-1' });
		clock.at += 1;
		expect(execution(saved(store), clock, { executionId: 'exec-3' }).ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
	});

	test('the window is a setting: 1 hour', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		execution(store, clock, { windowMs: HOUR }).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		clock.at += HOUR + 1;
		expect(execution(saved(store), clock, { windowMs: HOUR }).ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
	});

	test('old tasks are pruned from the store at the next write; past the bound the oldest go first', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		const memory = execution(store, clock, { maxTasks: 3 });
		for (const row of [1, 2, 3, 4]) {
			memory.ticket(body(`row ${row}`), `row-${row}`, BASE).created(`sora-2:task_${row}`);
			clock.at += 1000;
		}
		expect((store.createdTasks as Array<{ taskId: string }>).map((entry) => entry.taskId)).toEqual(['sora-2:task_2', 'sora-2:task_3', 'sora-2:task_4']);
		const next = execution(saved(store), clock, { maxTasks: 3 });
		expect(next.ticket(body('row 1'), 'row-1', BASE).found).toBeUndefined();
		expect(next.ticket(body('row 2'), 'row-2', BASE).found?.taskId).toBe('sora-2:task_2');

		clock.at += 24 * HOUR - 2000; // task 2 is older than the window now, 3 and 4 are not
		const later = saved(store);
		execution(later, clock, { maxTasks: 3 }).ticket(body('row 5'), 'row-5', BASE).created('sora-2:task_5');
		expect((later.createdTasks as Array<{ taskId: string }>).map((entry) => entry.taskId)).toEqual(['sora-2:task_3', 'sora-2:task_4', 'sora-2:task_5']);
	});

	test('entries that are not what the node writes (edited, or from elsewhere) are ignored', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = { createdTasks: [{ taskId: 'x' }, 'junk', null, { request: 'r', taskId: 'sora-2:task_x', createdAt: 'yesterday', executionId: '1', state: 'created' }] };
		const memory = execution(store, clock, { retry: true });
		expect(memory.ticket(body('a cat'), undefined, BASE).found).toBeUndefined();
		memory.ticket(body('a cat'), undefined, BASE).created('sora-2:task_a');
		expect(store.createdTasks).toEqual([{ request: expect.any(String), taskId: 'sora-2:task_a', createdAt: 1_000_000, executionId: 'exec-1', state: 'created' }]);
	});
});

describe('failed tasks are created again', () => {
	test('with a key: a task seen failed is not picked up (passed over, and the new one replaces it)', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		const first = execution(store, clock);
		first.ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		first.ended('sora-2:task_a', 'failed');
		const ticket = execution(saved(store), clock).ticket(body('a cat'), 'row-1', BASE);
		expect(ticket.found).toBeUndefined();
		expect(ticket.passedOver).toEqual({ taskId: 'sora-2:task_a', why: 'it failed' });

		const again = saved(store);
		execution(again, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_b');
		expect((again.createdTasks as Array<{ taskId: string }>).map((entry) => entry.taskId)).toEqual(['sora-2:task_b']);
	});

	test('in a retry: the failed one is created again, a completed one and a running one are picked up', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		const first = execution(store, clock);
		for (const name of ['done', 'running', 'failed']) first.ticket(body(name), undefined, BASE).created(`sora-2:task_${name}`);
		first.ended('sora-2:task_done', 'completed');
		first.ended('sora-2:task_failed', 'failed');
		first.ended('sora-2:task_running', 'processing'); // not final: changes nothing
		const states = (store.createdTasks as Array<{ state: string }>).map((entry) => entry.state);
		expect(states).toEqual(['completed', 'created', 'failed']);

		const retry = execution(saved(store), clock, { retry: true, executionId: 'exec-2' });
		expect(retry.ticket(body('done'), undefined, BASE).found?.taskId).toBe('sora-2:task_done');
		expect(retry.ticket(body('running'), undefined, BASE).found?.taskId).toBe('sora-2:task_running');
		const failed = retry.ticket(body('failed'), undefined, BASE);
		expect(failed.found).toBeUndefined();
		expect(failed.passedOver).toEqual({ taskId: 'sora-2:task_failed', why: 'it failed' });
	});
});

describe('what is matched', () => {
	test('without a key, outside a retry, nothing is picked up (a second video of the same prompt is a new one)', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		execution(store, clock).ticket(body('a cat'), undefined, BASE).created('sora-2:task_a');
		expect(execution(saved(store), clock).ticket(body('a cat'), undefined, BASE).found).toBeUndefined();
		expect(execution(saved(store), clock, { retry: true }).ticket(body('a cat'), undefined, BASE).found?.taskId).toBe('sora-2:task_a');
	});

	test('a retry gives each item its own task: two identical rows, two tasks; a third identical row creates', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		const first = execution(store, clock);
		first.ticket(body('same'), undefined, BASE).created('sora-2:task_1');
		first.ticket(body('same'), undefined, BASE).created('sora-2:task_2');
		const retry = execution(saved(store), clock, { retry: true });
		const found = [1, 2, 3].map(() => retry.ticket(body('same'), undefined, BASE).found?.taskId);
		expect(found).toEqual(['sora-2:task_2', 'sora-2:task_1', undefined]);
	});

	test('a key whose request changed is passed over (a new video for the new prompt); the key then names the new task', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		execution(store, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		const changed = saved(store);
		const ticket = execution(changed, clock).ticket(body('a dog'), 'row-1', BASE);
		expect(ticket.found).toBeUndefined();
		expect(ticket.passedOver).toEqual({ taskId: 'sora-2:task_a', why: 'the Unique Key now comes with another request' });
		ticket.created('sora-2:task_b');
		expect(execution(saved(changed), clock).ticket(body('a dog'), 'row-1', BASE).found?.taskId).toBe('sora-2:task_b');
		expect(execution(saved(changed), clock).ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
	});

	test('with a key, a retry matches by the key only: another row with the same prompt but its own key creates', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		execution(store, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		const retry = execution(saved(store), clock, { retry: true });
		expect(retry.ticket(body('a cat'), 'row-2', BASE).found).toBeUndefined();
		expect(retry.ticket(body('a cat'), 'row-1', BASE).found?.taskId).toBe('sora-2:task_a');
	});
});

describe('the hash: the whole request, never the request itself', () => {
	const clock = { at: 1_000_000 };
	const remembered = (request: Record<string, unknown>, key?: string, scope = BASE) => {
		const store: MemoryStore = {};
		execution(store, clock).ticket(request, key, scope).created('sora-2:task_a');
		return store;
	};
	const finds = (store: MemoryStore, request: Record<string, unknown>, key?: string, scope = BASE) =>
		execution(saved(store), clock, { retry: true }).ticket(request, key, scope).found !== undefined;

	test('the same request in another key order matches; any field that differs does not (images and extra fields included)', () => {
		const store = remembered(body('a cat', { images: ['https://example.com/a.png'], seed: { value: 7, kind: 'fixed' } }));
		const { duration, size, ...rest } = body('a cat', { images: ['https://example.com/a.png'], seed: { kind: 'fixed', value: 7 } });
		expect(finds(store, { duration, ...rest, size })).toBe(true);
		expect(finds(store, body('a cat', { images: ['https://example.com/b.png'], seed: { value: 7, kind: 'fixed' } }))).toBe(false);
		expect(finds(store, body('a cat', { images: ['https://example.com/a.png'], seed: { value: 8, kind: 'fixed' } }))).toBe(false);
		expect(finds(store, body('a cat', { images: ['https://example.com/a.png'] }))).toBe(false);
		expect(finds(store, body('a cat', { images: ['https://example.com/a.png'], seed: { value: 7, kind: 'fixed' }, duration: 15 }))).toBe(false);
	});

	test('another Base URL (another provider) never matches, with or without a key', () => {
		expect(finds(remembered(body('a cat')), body('a cat'), undefined, 'https://other.example.com/v1')).toBe(false);
		expect(finds(remembered(body('a cat'), 'row-1'), body('a cat'), 'row-1', 'https://other.example.com/v1')).toBe(false);
	});

	test('the store holds hashes, the task id and times: no prompt, image, key or Base URL', () => {
		const store = remembered(body('a secret prompt', { images: ['https://example.com/private.png'] }), 'customer-4711');
		const text = JSON.stringify(store);
		for (const secret of ['secret prompt', 'private.png', 'customer-4711', 'api.example.com']) expect(text).not.toContain(secret);
		const [entry] = store.createdTasks as Array<Record<string, unknown>>;
		expect(Object.keys(entry).sort()).toEqual(['createdAt', 'executionId', 'key', 'request', 'state', 'taskId']);
		expect(entry.request).toMatch(/^[0-9a-f]{32}$/);
		expect(entry.key).toMatch(/^[0-9a-f]{32}$/);
		expect(entry.key).not.toBe(entry.request);
		// about 200 bytes a task: 1000 of them stay far below what a workflow row holds
		expect(text.length).toBeLessThan(250);
	});
});

describe('a store that is not kept (a manual run)', () => {
	test('neither reads what it finds nor writes, and never opens the store', () => {
		const clock = { at: 1_000_000 };
		const store: MemoryStore = {};
		execution(store, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		const before = saved(store);
		const open = jest.fn(() => saved(store));
		const manual = execution(store, clock, { kept: false, retry: false, open });
		const ticket = manual.ticket(body('a cat'), 'row-1', BASE);
		expect(ticket.found).toBeUndefined();
		ticket.created('sora-2:task_b');
		manual.ended('sora-2:task_a', 'failed');
		expect(open).not.toHaveBeenCalled();
		expect(store).toEqual(before);
	});
});
