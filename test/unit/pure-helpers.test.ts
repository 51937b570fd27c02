import { parseImages } from '../../nodes/Sora2/helpers/images';
import { createLimiter } from '../../nodes/Sora2/helpers/limiter';
import { StopScope } from '../../nodes/Sora2/helpers/stopScope';
import { normalizeStatus, parseProgress } from '../../nodes/Sora2/helpers/taskStatus';
import { DEFAULT_RETRY, backoffDelayMs, isRetriableStatus, parseRetryAfter } from '../../nodes/Sora2/transport/retry';
import type { RetrySettings } from '../../nodes/Sora2/transport/retry';

/** The helpers without I/O: image lists, progress, status words, Retry-After, backoff, the limiter. */

describe('parseImages', () => {
	const a = 'https://example.com/a.png';
	const b = 'http://cdn.example.com/b.jpg?size=large&x=1';

	test.each([
		['undefined', undefined, []],
		['null', null, []],
		['empty text', '', []],
		['blank text', '  \n ', []],
		['an empty array', [], []],
		['one URL', a, [a]],
		['one URL with spaces around', `  ${a}  `, [a]],
		['an array', [a, b], [a, b]],
		['an array with blank entries', [a, '', '  ', b], [a, b]],
		['a JSON array string', `["${a}", "${b}"]`, [a, b]],
		['an empty JSON array string', '[]', []],
		['comma-separated', `${a},${b}`, [a, b]],
		['comma-separated with spaces and a trailing comma', ` ${a} , ${b} ,`, [a, b]],
		['newline-separated', `${a}\n${b}`, [a, b]],
		['CRLF and blank lines', `${a}\r\n\r\n${b}\r\n`, [a, b]],
		['commas and new lines mixed', `${a},\n${b}`, [a, b]],
	])('accepts %s', (_label, value, images) => {
		expect(parseImages(value)).toEqual({ ok: true, images });
	});

	test.each([
		['an object', { url: a }, 'it is object; give a URL, a list of URLs, or a comma-separated text'],
		['a number', 42, 'it is number; give a URL, a list of URLs, or a comma-separated text'],
		['a boolean', true, 'it is boolean; give a URL, a list of URLs, or a comma-separated text'],
		['an array holding an object', [a, { url: b }], 'entry 2 is object, not a URL'],
		['an array holding null', [null], 'entry 1 is null, not a URL'],
		['an array holding a list', [[a]], 'entry 1 is a list, not a URL'],
		['an ftp URL', 'ftp://example.com/a.png', '"ftp://example.com/a.png" is not an http(s) URL'],
		['a file URL in a list', [a, 'file:///etc/passwd'], '"file:///etc/passwd" is not an http(s) URL'],
		['a bare file name', 'photo.png', '"photo.png" is not an http(s) URL'],
		['a URL with a space inside', 'https://example.com/my photo.png', '"https://example.com/my photo.png" is not an http(s) URL'],
		['broken JSON', `["${a}"`, 'it starts with "[" but is not a valid JSON array'],
		['a JSON array of numbers', '[1, 2]', 'entry 1 is number, not a URL'],
	])('rejects %s', (_label, value, problem) => {
		expect(parseImages(value)).toEqual({ ok: false, problem });
	});
});

describe('parseProgress', () => {
	test.each([
		[100, 100],
		[0, 0],
		[42.5, 42.5],
		['0', 0],
		['36%', 36],
		[' 36 % ', 36],
		['99.5%', 99.5],
		[150, 100],
		['-5', 0],
	])('%j → %j', (value, expected) => {
		expect(parseProgress(value)).toBe(expected);
	});

	test.each([[undefined], [null], [''], ['abc'], ['%'], [Number.NaN], [Number.POSITIVE_INFINITY], [{}], [[50]]])('%j → undefined', (value) => {
		expect(parseProgress(value)).toBeUndefined();
	});
});

describe('normalizeStatus', () => {
	test.each([
		['pending', 'pending'],
		['queued', 'pending'],
		['submitted', 'pending'],
		['not_start', 'pending'],
		['processing', 'processing'],
		['in_progress', 'processing'],
		['video_generating', 'processing'],
		['running', 'processing'],
		['completed', 'completed'],
		['complete', 'completed'],
		['succeeded', 'completed'],
		['success', 'completed'],
		['SUCCESS', 'completed'],
		['  Completed ', 'completed'],
		['failed', 'failed'],
		['failure', 'failed'],
		['error', 'failed'],
		['cancelled', 'failed'],
		['canceled', 'failed'],
		['expired', 'failed'],
	] as const)('%j → %s', (raw, status) => {
		expect(normalizeStatus(raw)).toBe(status);
	});

	test.each([['rendering'], ['upscaling'], [''], ['something_new']])('an unknown word (%j) means still running', (raw) => {
		expect(normalizeStatus(raw)).toBe('processing');
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-11-25T12:00:00Z');

	test.each([
		['0', 0],
		['2', 2000],
		['1.5', 1500],
		[' 3 ', 3000],
		[5, 5000],
		[['7', '9'], 7000],
		['Wed, 25 Nov 2026 12:00:30 GMT', 30_000],
		['Wed, 25 Nov 2026 11:59:00 GMT', 0],
	])('%j → %j ms', (value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});

	test.each([[undefined], [null], [''], ['soon'], ['in a minute'], [{}], [[]]])('%j → undefined', (value) => {
		expect(parseRetryAfter(value, now)).toBeUndefined();
	});
});

describe('backoffDelayMs', () => {
	const settings: RetrySettings = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 5000, maxRetryAfterMs: 60_000 };

	test('full jitter: a random share of base·2^(n-1), capped at maxDelayMs', () => {
		const top = (retry: number) => backoffDelayMs(retry, settings, () => 1);
		expect([1, 2, 3, 4, 5].map(top)).toEqual([1000, 2000, 4000, 5000, 5000]);
		expect(backoffDelayMs(3, settings, () => 0)).toBe(0);
		expect(backoffDelayMs(2, settings, () => 0.25)).toBe(500);
	});

	test('with the real random source it stays within [0, ceiling]', () => {
		for (let retry = 1; retry <= 8; retry++) {
			const delay = backoffDelayMs(retry, DEFAULT_RETRY);
			expect(delay).toBeGreaterThanOrEqual(0);
			expect(delay).toBeLessThanOrEqual(Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (retry - 1)));
		}
	});

	test('which statuses are retried: a create only on 429', () => {
		expect([429, 500, 502, 503, 504].map((status) => isRetriableStatus(status, 'create'))).toEqual([true, false, false, false, false]);
		expect([429, 500, 502, 503, 504, 400, 401, 404].map((status) => isRetriableStatus(status, 'idempotent'))).toEqual([
			true,
			false,
			true,
			true,
			true,
			false,
			false,
			false,
		]);
	});
});

describe('createLimiter', () => {
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
	const settle = async () => {
		for (let i = 0; i < 10; i++) await Promise.resolve();
	};

	test('refuses a size that is not a positive integer', () => {
		expect(() => createLimiter(0)).toThrow(RangeError);
		expect(() => createLimiter(1.5)).toThrow(RangeError);
		expect(() => createLimiter(-1)).toThrow(RangeError);
	});

	test('never more than N active; the rest wait in the queue', async () => {
		const limiter = createLimiter(3);
		let running = 0;
		let peak = 0;
		const gates = Array.from({ length: 10 }, deferred);
		const all = gates.map(async (gate, index) =>
			await limiter.run(async () => {
				running++;
				peak = Math.max(peak, running);
				expect(limiter.active).toBeLessThanOrEqual(3);
				await gate.promise;
				running--;
				return index;
			}),
		);
		await settle();
		expect(limiter.active).toBe(3);
		expect(limiter.queued).toBe(7);
		// finish them in a scrambled order
		for (const index of [2, 0, 9, 5, 1, 3, 8, 4, 7, 6]) {
			gates[index].resolve();
			await settle();
			expect(running).toBeLessThanOrEqual(3);
		}
		expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(peak).toBe(3);
		expect(limiter.active).toBe(0);
		expect(limiter.queued).toBe(0);
	});

	test('waiters start first-in, first-out', async () => {
		const limiter = createLimiter(2);
		const started: number[] = [];
		const gates = Array.from({ length: 6 }, deferred);
		const all = gates.map(async (gate, index) =>
			await limiter.run(async () => {
				started.push(index);
				await gate.promise;
			}),
		);
		await settle();
		expect(started).toEqual([0, 1]);
		gates[1].resolve();
		await settle();
		expect(started).toEqual([0, 1, 2]);
		gates[0].resolve();
		await settle();
		expect(started).toEqual([0, 1, 2, 3]);
		for (const gate of gates) gate.resolve();
		await Promise.all(all);
		expect(started).toEqual([0, 1, 2, 3, 4, 5]);
	});

	test('a task that throws frees its slot', async () => {
		const limiter = createLimiter(1);
		await expect(limiter.run(async () => await Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		expect(limiter.active).toBe(0);
		await expect(limiter.run(async () => await Promise.resolve('next'))).resolves.toBe('next');
	});

	test('stopping the run while tasks are queued: the queued ones leave at once and never run', async () => {
		const scope = new StopScope();
		const limiter = createLimiter(1, scope);
		const gate = deferred();
		const ran: string[] = [];
		const first = limiter.run(async () => {
			ran.push('first');
			await gate.promise;
			return 'first done';
		});
		const second = limiter.run(async () => {
			ran.push('second');
			return await Promise.resolve('second done');
		});
		const third = limiter.run(async () => {
			ran.push('third');
			return await Promise.resolve('third done');
		});
		second.catch(() => undefined);
		third.catch(() => undefined);
		await settle();
		expect(limiter.queued).toBe(2);
		const reason = new Error('execution cancelled');
		scope.stop(reason);
		await expect(second).rejects.toBe(reason);
		await expect(third).rejects.toBe(reason);
		expect(limiter.queued).toBe(0);
		// the running task is not torn down by the limiter; it finishes and frees its slot
		gate.resolve();
		await expect(first).resolves.toBe('first done');
		expect(limiter.active).toBe(0);
		expect(ran).toEqual(['first']);
		// after the stop nothing new starts
		await expect(limiter.run(async () => await Promise.resolve('late'))).rejects.toBe(reason);
	});

	test('a cancel signal that is already aborted stops the scope at once', async () => {
		const controller = new AbortController();
		controller.abort(new Error('cancelled before start'));
		const scope = new StopScope(controller.signal);
		expect(scope.stopped).toBe(true);
		await expect(scope.sleep(10_000)).rejects.toThrow('cancelled before start');
	});

	test('a sleep on the scope ends as soon as the execution is cancelled', async () => {
		// fake timers: the 60 s timer under the cancelled sleep must not keep the test process alive
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
});
