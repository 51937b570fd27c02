import { RETRY_PAUSES, backoffDelayMs, certainlyNotSent, isRetriableNetworkError, isRetriableStatus, parseRetryAfter, priorityOf } from '../../nodes/Sora2/transport/retry';
import type { RetrySettings } from '../../nodes/Sora2/transport/retry';

/** When a failed request is sent again, and how long the node waits first. */

const RETRY: RetrySettings = { ...RETRY_PAUSES, maxRetries: 3 };

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
			const delay = backoffDelayMs(retry, RETRY);
			expect(delay).toBeGreaterThanOrEqual(0);
			expect(delay).toBeLessThanOrEqual(Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** (retry - 1)));
		}
	});

});

describe('what is retried', () => {
	const statuses = [429, 500, 502, 503, 504, 400, 401, 404];

	test.each(['create', 'chat'] as const)('a %s (it may start a paid video): only a 429', (kind) => {
		expect(statuses.map((status) => isRetriableStatus(status, kind))).toEqual([true, false, false, false, false, false, false, false]);
	});

	test.each(['taskRead', 'download'] as const)('a %s (a read): 429, 500, 502, 503, 504', (kind) => {
		expect(statuses.map((status) => isRetriableStatus(status, kind))).toEqual([true, true, true, true, true, false, false, false]);
	});

	test('network errors: a read on any passing fault, a create only when it certainly was not sent', () => {
		for (const code of ['ECONNREFUSED', 'ENOTFOUND']) expect(certainlyNotSent(code)).toBe(true);
		expect(isRetriableNetworkError('ECONNREFUSED', 'create')).toBe(true);
		for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE']) {
			expect(isRetriableNetworkError(code, 'create')).toBe(false);
			expect(isRetriableNetworkError(code, 'taskRead')).toBe(true);
		}
		expect(isRetriableNetworkError('EPROTO', 'taskRead')).toBe(false);
		expect(isRetriableNetworkError(undefined, 'taskRead')).toBe(false);
	});

	test('the gate serves creates before downloads before status reads', () => {
		expect(priorityOf('create')).toBe(priorityOf('chat'));
		expect(priorityOf('create')).toBeLessThan(priorityOf('download'));
		expect(priorityOf('download')).toBeLessThan(priorityOf('taskRead'));
	});
});

