import { TaskMemory } from '../../../nodes/Sora2/task/memory';
import type { MemoryContext, MemoryStore } from '../../../nodes/Sora2/task/memory';

/**
 * What Create remembers about the tasks it made: the execution's list (n8n's execution context of
 * the node, which a retry of the execution inherits) and the workflow's list of keyed tasks (n8n's
 * workflow static data of the node). Driven here directly, with a clock of the test's own; the
 * node in n8n's context (retry, keys, modes) is in test/unit/video/createVideo.memory.test.ts.
 */

const BASE = 'https://api.example.com/v1';
const HOUR = 3_600_000;
const body = (prompt: string, extra: Record<string, unknown> = {}) => ({ images: [], model: 'sora-2', orientation: 'portrait', prompt, size: 'small', duration: 10, ...extra });

interface Clock {
	at: number;
}

interface Stores {
	/** The execution's context of the node. */
	execution: MemoryStore;
	/** The workflow's static data of the node; absent: a manual run. */
	workflow?: MemoryStore;
}

/** One execution's memory (a retry gets the execution's store it retries; every execution the workflow's store the last one saved). */
function memory(stores: Stores, clock: Clock, overrides: Partial<MemoryContext> = {}): TaskMemory {
	const { workflow } = stores;
	return new TaskMemory({
		executionId: 'exec-1',
		runIndex: () => 0,
		openExecution: () => stores.execution,
		openWorkflow: workflow && (() => workflow),
		now: () => clock.at,
		...overrides,
	});
}

/** What n8n saves and loads again: JSON. */
const saved = (store: MemoryStore): MemoryStore => JSON.parse(JSON.stringify(store)) as MemoryStore;
/** A later execution: a new (empty) execution context, the workflow's store as saved. */
const later = (stores: Stores): Stores => ({ execution: {}, workflow: stores.workflow && saved(stores.workflow) });
/** A retry of the execution: its execution context, the workflow's store as saved. */
const retryOf = (stores: Stores): Stores => ({ execution: saved(stores.execution), workflow: stores.workflow && saved(stores.workflow) });
const taskIds = (store: MemoryStore | undefined) => ((store?.createdTasks ?? []) as Array<{ taskId: string }>).map((entry) => entry.taskId);

describe('the window (default 24 hours) and the bound (default 1000 tasks)', () => {
	test('a keyed task is picked up by later executions until 24 hours after its create, not after', () => {
		const clock = { at: Date.UTC(2026, 0, 1) };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		clock.at += 24 * HOUR;
		expect(memory(later(stores), clock, { executionId: 'exec-2' }).ticket(body('a cat'), 'row-1', BASE).found).toEqual({ taskId: 'sora-2:task_a', createdAt: Date.UTC(2026, 0, 1), executionId: 'exec-1' });
		clock.at += 1;
		expect(memory(later(stores), clock, { executionId: 'exec-3' }).ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
	});

	test('a retry more than 24 hours later creates anew as well', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(body('a cat'), undefined, BASE).created('sora-2:task_a');
		clock.at += 24 * HOUR;
		expect(memory(retryOf(stores), clock).ticket(body('a cat'), undefined, BASE).found?.taskId).toBe('sora-2:task_a');
		clock.at += 1;
		expect(memory(retryOf(stores), clock).ticket(body('a cat'), undefined, BASE).found).toBeUndefined();
	});

	test('the window is a setting: 1 hour', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock, { windowMs: HOUR }).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		clock.at += HOUR + 1;
		expect(memory(later(stores), clock, { windowMs: HOUR }).ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
	});

	test('old tasks are pruned at the next write; past the bound the oldest go first (both lists)', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		const first = memory(stores, clock, { maxTasks: 3 });
		for (const row of [1, 2, 3, 4]) {
			first.ticket(body(`row ${row}`), `row-${row}`, BASE).created(`sora-2:task_${row}`);
			clock.at += 1000;
		}
		expect(taskIds(stores.workflow)).toEqual(['sora-2:task_2', 'sora-2:task_3', 'sora-2:task_4']);
		expect(taskIds(stores.execution)).toEqual(['sora-2:task_2', 'sora-2:task_3', 'sora-2:task_4']);
		const next = memory(later(stores), clock, { maxTasks: 3 });
		expect(next.ticket(body('row 1'), 'row-1', BASE).found).toBeUndefined();
		expect(next.ticket(body('row 2'), 'row-2', BASE).found?.taskId).toBe('sora-2:task_2');

		clock.at += 24 * HOUR - 2000; // task 2 is older than the window now, 3 and 4 are not
		const after = later(stores);
		memory(after, clock, { maxTasks: 3 }).ticket(body('row 5'), 'row-5', BASE).created('sora-2:task_5');
		expect(taskIds(after.workflow)).toEqual(['sora-2:task_3', 'sora-2:task_4', 'sora-2:task_5']);
	});

	test('entries that are not what the node writes (edited, or from elsewhere) are ignored', () => {
		const clock = { at: 1_000_000 };
		const junk = [{ taskId: 'x' }, 'junk', null, { request: 'r', taskId: 'sora-2:task_x', createdAt: 'yesterday', executionId: '1', state: 'created' }];
		const stores: Stores = { execution: { createdTasks: junk }, workflow: { createdTasks: junk } };
		const first = memory(stores, clock);
		expect(first.ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
		first.ticket(body('a dog'), 'row-2', BASE).created('sora-2:task_a');
		expect(stores.workflow?.createdTasks).toEqual([{ request: expect.any(String), key: expect.any(String), taskId: 'sora-2:task_a', createdAt: 1_000_000, executionId: 'exec-1', state: 'created' }]);
	});
});

describe('failed tasks are created again', () => {
	test('with a key: a task seen failed is not picked up (passed over, and the new one replaces it)', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		const first = memory(stores, clock);
		first.ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		first.ended('sora-2:task_a', 'failed');
		const ticket = memory(later(stores), clock).ticket(body('a cat'), 'row-1', BASE);
		expect(ticket.found).toBeUndefined();
		expect(ticket.passedOver).toEqual({ taskId: 'sora-2:task_a', why: 'it failed' });

		const again = later(stores);
		memory(again, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_b');
		expect(taskIds(again.workflow)).toEqual(['sora-2:task_b']);
	});

	test('in a retry: the failed one is created again, a completed one and a running one are picked up', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		const first = memory(stores, clock);
		for (const name of ['done', 'running', 'failed']) first.ticket(body(name), undefined, BASE).created(`sora-2:task_${name}`);
		first.ended('sora-2:task_done', 'completed');
		first.ended('sora-2:task_failed', 'failed');
		first.ended('sora-2:task_running', 'processing'); // not final: changes nothing
		expect((stores.execution.createdTasks as Array<{ state: string }>).map((entry) => entry.state)).toEqual(['completed', 'created', 'failed']);

		const retry = memory(retryOf(stores), clock, { executionId: 'exec-2' });
		expect(retry.ticket(body('done'), undefined, BASE).found?.taskId).toBe('sora-2:task_done');
		expect(retry.ticket(body('running'), undefined, BASE).found?.taskId).toBe('sora-2:task_running');
		const failed = retry.ticket(body('failed'), undefined, BASE);
		expect(failed.found).toBeUndefined();
		expect(failed.passedOver).toEqual({ taskId: 'sora-2:task_failed', why: 'it failed' });
	});
});

describe('what is matched', () => {
	test('without a key, a later execution picks up nothing (a second video of the same prompt is a new one); a retry does', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(body('a cat'), undefined, BASE).created('sora-2:task_a');
		expect(stores.workflow).toEqual({});
		expect(memory(later(stores), clock).ticket(body('a cat'), undefined, BASE).found).toBeUndefined();
		expect(memory(retryOf(stores), clock).ticket(body('a cat'), undefined, BASE).found?.taskId).toBe('sora-2:task_a');
	});

	test("the execution's list matches only the same node run: a loop's next round with the same request creates", () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {} };
		memory(stores, clock, { runIndex: () => 0 }).ticket(body('a cat'), undefined, BASE).created('sora-2:task_round0');
		expect(memory(stores, clock, { runIndex: () => 1 }).ticket(body('a cat'), undefined, BASE).found).toBeUndefined();
		// Retry On Fail runs the node again in the same run: picked up
		expect(memory(stores, clock, { runIndex: () => 0 }).ticket(body('a cat'), undefined, BASE).found?.taskId).toBe('sora-2:task_round0');
	});

	test('a retry gives each item its own task: two identical rows, two tasks; a third identical row creates', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {} };
		const first = memory(stores, clock);
		first.ticket(body('same'), undefined, BASE).created('sora-2:task_1');
		first.ticket(body('same'), undefined, BASE).created('sora-2:task_2');
		const retry = memory(retryOf(stores), clock);
		expect([1, 2, 3].map(() => retry.ticket(body('same'), undefined, BASE).found?.taskId)).toEqual(['sora-2:task_2', 'sora-2:task_1', undefined]);
	});

	test('in a retry, two rows with the same prompt but their own keys each get their own task', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		const first = memory(stores, clock);
		first.ticket(body('same'), 'row-1', BASE).created('sora-2:task_1');
		first.ticket(body('same'), 'row-2', BASE).created('sora-2:task_2');
		const retry = memory(retryOf(stores), clock);
		expect(retry.ticket(body('same'), 'row-1', BASE).found?.taskId).toBe('sora-2:task_1');
		expect(retry.ticket(body('same'), 'row-2', BASE).found?.taskId).toBe('sora-2:task_2');
		expect(retry.ticket(body('same'), 'row-3', BASE).found).toBeUndefined();
	});

	test("a key's task picked up from the workflow's list is the execution's too: a retry with a blank workflow store still finds it", () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		const second = later(stores);
		expect(memory(second, clock, { executionId: 'exec-2' }).ticket(body('a cat'), 'row-1', BASE).found?.taskId).toBe('sora-2:task_a');
		const retry = memory({ execution: saved(second.execution), workflow: {} }, clock, { executionId: 'exec-3', workflowListRequired: true });
		expect(retry.ticket(body('a cat'), 'row-1', BASE).found).toEqual({ taskId: 'sora-2:task_a', createdAt: 1_000_000, executionId: 'exec-1' });
	});

	test('a key whose request changed is passed over (a new video for the new prompt); the key then names the new task', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		const changed = later(stores);
		const ticket = memory(changed, clock).ticket(body('a dog'), 'row-1', BASE);
		expect(ticket.found).toBeUndefined();
		expect(ticket.passedOver).toEqual({ taskId: 'sora-2:task_a', why: 'the Unique Key now comes with another request' });
		ticket.created('sora-2:task_b');
		expect(memory(later(changed), clock).ticket(body('a dog'), 'row-1', BASE).found?.taskId).toBe('sora-2:task_b');
		expect(memory(later(changed), clock).ticket(body('a cat'), 'row-1', BASE).found).toBeUndefined();
	});
});

describe('the hash: the whole request, never the request itself', () => {
	const clock = { at: 1_000_000 };
	const remembered = (request: Record<string, unknown>, key?: string, scope = BASE): Stores => {
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(request, key, scope).created('sora-2:task_a');
		return stores;
	};
	const finds = (stores: Stores, request: Record<string, unknown>, key?: string, scope = BASE) =>
		memory(retryOf(stores), clock).ticket(request, key, scope).found !== undefined;

	test('the same request in another key order matches; any field that differs does not (images and extra fields included)', () => {
		const stores = remembered(body('a cat', { images: ['https://example.com/a.png'], seed: { value: 7, kind: 'fixed' } }));
		const { duration, size, ...rest } = body('a cat', { images: ['https://example.com/a.png'], seed: { kind: 'fixed', value: 7 } });
		expect(finds(stores, { duration, ...rest, size })).toBe(true);
		expect(finds(stores, body('a cat', { images: ['https://example.com/b.png'], seed: { value: 7, kind: 'fixed' } }))).toBe(false);
		expect(finds(stores, body('a cat', { images: ['https://example.com/a.png'], seed: { value: 8, kind: 'fixed' } }))).toBe(false);
		expect(finds(stores, body('a cat', { images: ['https://example.com/a.png'] }))).toBe(false);
		expect(finds(stores, body('a cat', { images: ['https://example.com/a.png'], seed: { value: 7, kind: 'fixed' }, duration: 15 }))).toBe(false);
	});

	test('another Base URL (another provider) never matches, with or without a key', () => {
		expect(finds(remembered(body('a cat')), body('a cat'), undefined, 'https://other.example.com/v1')).toBe(false);
		expect(finds(remembered(body('a cat'), 'row-1'), body('a cat'), 'row-1', 'https://other.example.com/v1')).toBe(false);
	});

	test('the stores hold hashes, the task id and times: no prompt, image, key or Base URL', () => {
		const stores = remembered(body('a secret prompt', { images: ['https://example.com/private.png'] }), 'customer-4711');
		const text = JSON.stringify(stores);
		for (const secret of ['secret prompt', 'private.png', 'customer-4711', 'api.example.com']) expect(text).not.toContain(secret);
		const [entry] = stores.workflow?.createdTasks as Array<Record<string, unknown>>;
		expect(Object.keys(entry).sort()).toEqual(['createdAt', 'executionId', 'key', 'request', 'state', 'taskId']);
		expect(entry.request).toMatch(/^[0-9a-f]{32}$/);
		expect(entry.key).toMatch(/^[0-9a-f]{32}$/);
		expect(entry.key).not.toBe(entry.request);
		// about 200 bytes a task: 1000 of them stay far below what a workflow row holds
		expect(JSON.stringify(stores.workflow).length).toBeLessThan(250);
	});
});

describe('stores n8n does not keep', () => {
	test('a manual run (no workflow store) neither reads the keys of earlier runs nor writes them', () => {
		const clock = { at: 1_000_000 };
		const stores: Stores = { execution: {}, workflow: {} };
		memory(stores, clock).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		const before = saved(stores.workflow ?? {});
		const manual = memory({ execution: {} }, clock);
		const ticket = manual.ticket(body('a cat'), 'row-1', BASE);
		expect(ticket.found).toBeUndefined();
		ticket.created('sora-2:task_b');
		manual.ended('sora-2:task_a', 'failed');
		expect(stores.workflow).toEqual(before);
	});

	test('a retry handed a blank workflow store (the original workflow) does not write it, so n8n cannot save it over the workflow\'s', () => {
		const clock = { at: 1_000_000 };
		const blank: Stores = { execution: {}, workflow: {} };
		memory(blank, clock, { workflowListRequired: true }).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_a');
		expect(blank.workflow).toEqual({});
		expect(taskIds(blank.execution)).toEqual(['sora-2:task_a']);

		const loaded: Stores = { execution: {}, workflow: { createdTasks: [] } };
		memory(loaded, clock, { workflowListRequired: true }).ticket(body('a cat'), 'row-1', BASE).created('sora-2:task_b');
		expect(taskIds(loaded.workflow)).toEqual(['sora-2:task_b']);
	});
});
