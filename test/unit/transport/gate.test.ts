import { RequestGate } from '../../../nodes/Sora2/transport/gate';
import { StopScope } from '../../../nodes/Sora2/transport/stopScope';

/**
 * The gate every request of a run passes: at most N in flight, starts paced to the budget per
 * minute, creates before downloads before reads, reads shared fairly between tasks, a 429 slows
 * the rest of the run, and a stopped run lets nothing more start. Plus the run's stop switch.
 */

interface Deferred {
	promise: Promise<void>;
	resolve: () => void;
}

const deferred = (): Deferred => {
	let resolve: () => void = () => undefined;
	const promise = new Promise<void>((done) => {
		resolve = done;
	});
	return { promise, resolve };
};

/** Lets every pending promise callback run. */
const flush = async () => {
	for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** Starts at `perMinute` are kept 60 s × 1.02 / perMinute apart (the gate's 2 % margin). */
const paceGapMs = (perMinute: number) => (60_000 * 1.02) / perMinute;

const gateOf = (maxConcurrent: number, maxPerMinute?: number, scope = new StopScope()) => new RequestGate({ maxConcurrent, maxPerMinute }, scope);

describe('concurrency', () => {
	test('refuses a size that is not a positive integer', () => {
		expect(() => gateOf(0)).toThrow(RangeError);
		expect(() => gateOf(1.5)).toThrow(RangeError);
	});

	test('never more than N in flight; the rest wait', async () => {
		const gate = gateOf(3);
		let running = 0;
		let peak = 0;
		const holds = Array.from({ length: 10 }, deferred);
		const all = holds.map(async (hold, index) =>
			await gate.run({ priority: 0 }, async () => {
				running++;
				peak = Math.max(peak, running);
				await hold.promise;
				running--;
				return index;
			}),
		);
		await flush();
		expect(gate.inFlight).toBe(3);
		for (const index of [2, 0, 9, 5, 1, 3, 8, 4, 7, 6]) {
			holds[index].resolve();
			await flush();
			expect(running).toBeLessThanOrEqual(3);
		}
		expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(peak).toBe(3);
		expect(gate.inFlight).toBe(0);
	});

	test('a task that throws frees its slot', async () => {
		const gate = gateOf(1);
		await expect(gate.run({ priority: 0 }, async () => await Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		await expect(gate.run({ priority: 0 }, async () => await Promise.resolve('next'))).resolves.toBe('next');
	});
});

describe('order', () => {
	/** Starts one blocker, queues the tickets behind it, releases it, and returns the order they ran in. */
	async function orderOf(tickets: Array<{ priority: number; key?: string; dueAt?: number; name: string }>, served: string[] = []): Promise<string[]> {
		let clock = 0;
		const gate = new RequestGate({ maxConcurrent: 1 }, new StopScope(), () => ++clock);
		for (const key of served) await gate.run({ priority: 2, key }, async () => await Promise.resolve());
		const blocker = deferred();
		const first = gate.run({ priority: 9 }, async () => await blocker.promise);
		const ran: string[] = [];
		const queued = tickets.map(async (ticket) => await gate.run(ticket, async () => void ran.push(ticket.name)));
		await flush();
		blocker.resolve();
		await Promise.all([first, ...queued]);
		return ran;
	}

	test('same priority: first come, first served', async () => {
		expect(await orderOf([{ priority: 2, name: 'a' }, { priority: 2, name: 'b' }, { priority: 2, name: 'c' }])).toEqual(['a', 'b', 'c']);
	});

	test('creates go before downloads, downloads before status reads, whatever the arrival order', async () => {
		const order = await orderOf([
			{ priority: 2, name: 'read-1' },
			{ priority: 1, name: 'download' },
			{ priority: 2, name: 'read-2' },
			{ priority: 0, name: 'create-1' },
			{ priority: 0, name: 'create-2' },
		]);
		expect(order).toEqual(['create-1', 'create-2', 'download', 'read-1', 'read-2']);
	});

	test('status reads: the one due first goes first, whatever the arrival order', async () => {
		const order = await orderOf([
			{ priority: 2, key: 'task-a', dueAt: 300, name: 'a' },
			{ priority: 2, key: 'task-b', dueAt: 100, name: 'b' },
			{ priority: 2, key: 'task-c', dueAt: 200, name: 'c' },
		]);
		expect(order).toEqual(['b', 'c', 'a']);
	});

	test('status reads due at the same time: the task served longest ago goes first (no task starves)', async () => {
		// task-a was read recently, task-b earlier, task-c never
		const order = await orderOf(
			[
				{ priority: 2, key: 'task-a', dueAt: 0, name: 'a' },
				{ priority: 2, key: 'task-b', dueAt: 0, name: 'b' },
				{ priority: 2, key: 'task-c', dueAt: 0, name: 'c' },
			],
			['task-b', 'task-a'],
		);
		expect(order).toEqual(['c', 'b', 'a']);
	});
});

describe('pace (Max Requests per Minute)', () => {
	test('starts keep to a grid 60 s × 1.02 / budget apart: none before its place on it', async () => {
		const perMinute = 3000; // 20.4 ms apart
		const gate = gateOf(10, perMinute);
		const starts: number[] = [];
		await Promise.all(Array.from({ length: 8 }, async () => await gate.run({ priority: 0 }, async () => void starts.push(Date.now()))));
		// each start is seen a few ms after the gate admits it; none is early for its place on the grid
		starts.forEach((at, k) => expect(at - starts[0]).toBeGreaterThanOrEqual(k * paceGapMs(perMinute) - 5));
	});

	test('a start a timer made late does not push the later ones back (no drift), and the window still holds the budget', async () => {
		let clock = 0;
		const gate = new RequestGate({ maxConcurrent: 10, maxPerMinute: 6 }, new StopScope(), () => clock);
		// 6 a minute: 10.2 s apart on the grid; the starts below are each seen 3 s after their grid point
		const starts: number[] = [];
		for (let k = 0; k < 6; k++) {
			clock = k === 0 ? 0 : k * 10_200 + 3000;
			await gate.run({ priority: 0 }, async (startedAt) => void starts.push(startedAt));
		}
		expect(starts).toEqual([0, 13_200, 23_400, 33_600, 43_800, 54_000]);
		// a seventh inside the same 61.2 s window must wait, although its grid point has come
		clock = 61_100;
		const seventh = gate.run({ priority: 0 }, async (startedAt) => startedAt);
		await flush();
		clock = 61_200;
		expect(await seventh).toBeGreaterThanOrEqual(61_200);
	});

	test('no pace without a budget', async () => {
		const gate = gateOf(10);
		const started = Date.now();
		await Promise.all(Array.from({ length: 20 }, async () => await gate.run({ priority: 0 }, async () => await Promise.resolve())));
		expect(Date.now() - started).toBeLessThan(50);
		expect(gate.perMinute).toBeUndefined();
	});

	test('a 429 pauses every start for the time asked, and lowers the pace for the rest of the run', async () => {
		const gate = gateOf(10, 6000);
		expect(gate.perMinute).toBeCloseTo(6000);
		gate.slowDown(80);
		expect(gate.perMinute).toBeCloseTo(4500);
		const asked = Date.now();
		await gate.run({ priority: 0 }, async () => await Promise.resolve());
		expect(Date.now() - asked).toBeGreaterThanOrEqual(75);
	});

	test('a 429 with Retry-After and no budget sets one: 3/4 of what the API let through before it asked to wait', async () => {
		const gate = gateOf(10);
		await Promise.all(Array.from({ length: 40 }, async () => await gate.run({ priority: 0 }, async () => await Promise.resolve())));
		gate.slowDown(3000);
		// 40 requests within (at least) 1 s, plus the 3 s wait: 600 a minute; 3/4 of that
		expect(gate.perMinute).toBeCloseTo(450, 0);
	});

	test('refused answers lower the pace once a minute, not once per item: a storm of 429s does not slow the run without bound', () => {
		let clock = 1_000_000;
		const gate = new RequestGate({ maxConcurrent: 10, maxPerMinute: 6000 }, new StopScope(), () => clock);
		for (let i = 0; i < 10; i++) gate.slowDown();
		expect(gate.perMinute).toBeCloseTo(4500);
		clock += 59_000;
		gate.slowDown();
		expect(gate.perMinute).toBeCloseTo(4500);
		clock += 1_000;
		gate.slowDown();
		expect(gate.perMinute).toBeCloseTo(3375);
	});

	test('a second Retry-After within the minute neither pauses nor slows the run again (each retry waits its own)', async () => {
		const gate = gateOf(10, 6000);
		gate.slowDown(10);
		gate.slowDown(300);
		expect(gate.perMinute).toBeCloseTo(4500);
		const asked = Date.now();
		await gate.run({ priority: 0 }, async () => await Promise.resolve());
		expect(Date.now() - asked).toBeLessThan(250);
	});

	test('a 429 without Retry-After and no budget leaves the pace alone (the retry backs off by itself)', () => {
		const gate = gateOf(10);
		gate.slowDown();
		gate.slowDown(0);
		expect(gate.perMinute).toBeUndefined();
	});
});

describe('requests held until due', () => {
	test('with a budget, an idle start sends the request due soonest early, never before its notBefore', async () => {
		const gate = gateOf(5, 6000);
		const t0 = Date.now();
		const woke: string[] = [];
		const due = async (name: string, dueIn: number, notBeforeIn: number) => {
			await gate.run({ priority: 2, dueAt: t0 + dueIn, notBefore: t0 + notBeforeIn }, async () => await Promise.resolve());
			woke.push(`${name}@${Math.round((Date.now() - t0) / 100)}`);
		};
		// b is due sooner than a; c may not go before 300 ms
		await Promise.all([due('a', 5000, 0), due('b', 4000, 0), due('c', 3000, 300)]);
		expect(woke[0]).toMatch(/^(a|b)@0$/);
		expect(woke).toContain('c@3');
		expect(Date.now() - t0).toBeLessThan(1000);
	});

	test('a wake-up armed for a request far off does not hold back a request the pace allows sooner', async () => {
		const scope = new StopScope();
		const gate = gateOf(5, 300, scope); // 204 ms apart
		const t0 = Date.now();
		// due later, may not go before 1.5 s: the gate arms a wake-up for then
		const later = gate.run({ priority: 2, dueAt: t0 + 3000, notBefore: t0 + 1500 }, async () => await Promise.resolve()).catch(() => undefined);
		await gate.run({ priority: 1 }, async () => await Promise.resolve());
		// the second start is due one gap after the first, not when the later request may go
		await gate.run({ priority: 1 }, async () => await Promise.resolve());
		expect(Date.now() - t0).toBeLessThan(800);
		scope.stop();
		await later;
	});

	test('without a budget, a request waits until it is due', async () => {
		const gate = gateOf(5);
		const t0 = Date.now();
		await gate.run({ priority: 2, dueAt: t0 + 300, notBefore: t0 }, async () => await Promise.resolve());
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
	});

	test('a wake-up armed for a far deadline does not outlive the run: no timer left 5 s after the last request', async () => {
		jest.useFakeTimers();
		try {
			const gate = gateOf(1);
			const hold = deferred();
			const first = gate.run({ priority: 0 }, async () => await hold.promise);
			// waits behind `first` with a deadline 20 minutes off (a read's Max Wait): the gate arms a wake-up for it
			const waiting = gate.run({ priority: 0, deadline: Date.now() + 20 * 60_000 }, async () => await Promise.resolve('ran'));
			await flush();
			hold.resolve();
			await first;
			await expect(waiting).resolves.toBe('ran');
			await jest.advanceTimersByTimeAsync(5000);
			expect(jest.getTimerCount()).toBe(0);
		} finally {
			jest.clearAllTimers();
			jest.useRealTimers();
		}
	});

	test('a request that gets no turn before its deadline fails with EDEADLINE; the others go on', async () => {
		const gate = gateOf(1);
		const hold = deferred();
		const first = gate.run({ priority: 0 }, async () => await hold.promise);
		const t0 = Date.now();
		const late = gate.run({ priority: 0, deadline: t0 + 100 }, async () => await Promise.resolve('ran'));
		const patient = gate.run({ priority: 0 }, async () => await Promise.resolve('ran'));
		await expect(late).rejects.toMatchObject({ code: 'EDEADLINE' });
		expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
		expect(Date.now() - t0).toBeLessThan(1000);
		hold.resolve();
		await first;
		await expect(patient).resolves.toBe('ran');
	});

	test('among requests due together, the lower rank goes first, whenever each became due', async () => {
		const clock = 1000;
		const gate = new RequestGate({ maxConcurrent: 1 }, new StopScope(), () => clock);
		const hold = deferred();
		const first = gate.run({ priority: 0 }, async () => await hold.promise);
		const ran: string[] = [];
		const queued = [
			{ name: 'due first, expected to end last', dueAt: 100, rank: 900 },
			{ name: 'due last, expected to end first', dueAt: 900, rank: 100 },
			{ name: 'in between', dueAt: 500, rank: 500 },
		].map(async ({ name, ...timing }) => await gate.run({ priority: 2, ...timing }, async () => void ran.push(name)));
		hold.resolve();
		await first;
		await Promise.all(queued);
		expect(ran).toEqual(['due last, expected to end first', 'in between', 'due first, expected to end last']);
	});

	test('a request is asked again just before it starts, and one moved later waits while the next goes', async () => {
		let clock = 1000;
		const gate = new RequestGate({ maxConcurrent: 1 }, new StopScope(), () => clock);
		const hold = deferred();
		const first = gate.run({ priority: 0 }, async () => await hold.promise);
		const ran: string[] = [];
		let moved = false;
		const replanned = gate.run({ priority: 2, dueAt: 500, rank: 1, replan: () => (moved ? { dueAt: 5000 } : { dueAt: 500, rank: 1 }) }, async () => void ran.push('moved later'));
		const other = gate.run({ priority: 2, dueAt: 600, rank: 2 }, async () => void ran.push('the other'));
		moved = true;
		hold.resolve();
		await first;
		await other;
		expect(ran).toEqual(['the other']);
		clock = 5000;
		await gate.run({ priority: 2 }, async () => await Promise.resolve());
		await replanned;
		expect(ran).toEqual(['the other', 'moved later']);
	});

	test('a request due later does not take the slot of one due now, and the run tells it when it started', async () => {
		const gate = gateOf(1);
		const t0 = Date.now();
		const order: string[] = [];
		const later = gate.run({ priority: 0, dueAt: t0 + 200 }, async (startedAt) => {
			order.push('later');
			return startedAt;
		});
		await gate.run({ priority: 2 }, async () => void order.push('now'));
		expect(await later).toBeGreaterThanOrEqual(t0 + 195);
		expect(order).toEqual(['now', 'later']);
	});
});

describe('stopping', () => {
	test('queued requests leave at once and never run; the running one finishes; nothing new starts', async () => {
		const scope = new StopScope();
		const gate = gateOf(1, undefined, scope);
		const hold = deferred();
		const ran: string[] = [];
		const first = gate.run({ priority: 0 }, async () => {
			ran.push('first');
			await hold.promise;
			return 'first done';
		});
		const second = gate.run({ priority: 0 }, async () => void ran.push('second'));
		second.catch(() => undefined);
		await flush();
		const reason = new Error('execution cancelled');
		scope.stop(reason, 'cancelled');
		await expect(second).rejects.toBe(reason);
		hold.resolve();
		await expect(first).resolves.toBe('first done');
		expect(ran).toEqual(['first']);
		await expect(gate.run({ priority: 0 }, async () => await Promise.resolve('late'))).rejects.toBe(reason);
		expect(scope.cause).toBe('cancelled');
	});

	test('a cancel signal that is already aborted stops the scope at once', async () => {
		const controller = new AbortController();
		controller.abort(new Error('cancelled before start'));
		const scope = new StopScope(controller.signal);
		expect(scope.stopped).toBe(true);
		expect(scope.cause).toBe('cancelled');
		await expect(scope.sleep(10_000)).rejects.toThrow('cancelled before start');
	});

	test('a stop callback registered after the stop is called at once (a request admitted in that tick is aborted)', () => {
		const scope = new StopScope();
		const reason = new Error('an item failed');
		scope.stop(reason);
		const seen: unknown[] = [];
		scope.onStop((why) => seen.push(why));
		expect(seen).toEqual([reason]);
	});

	test('a sleep on the scope ends as soon as the execution is cancelled', async () => {
		jest.useFakeTimers();
		try {
			const controller = new AbortController();
			const scope = new StopScope(controller.signal);
			const sleeping = scope.sleep(60_000);
			controller.abort(new Error('cancelled'));
			await expect(sleeping).rejects.toThrow('cancelled');
		} finally {
			jest.clearAllTimers();
			jest.useRealTimers();
		}
	});

	test('a stop for a failed item says so', () => {
		const scope = new StopScope();
		scope.stop(new Error('item 3 failed'));
		expect(scope.cause).toBe('failed');
	});
});
