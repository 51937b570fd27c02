import type { IExecuteFunctions } from 'n8n-workflow';

import { REQUEST_PRIORITY } from '../../../nodes/Sora2/config/defaults';
import type { Channel, RequestTerms } from '../../../nodes/Sora2/transport/exchange';
import { RequestGate } from '../../../nodes/Sora2/transport/gate';
import { RETRY_PAUSES, RetryStreak, retrying } from '../../../nodes/Sora2/transport/retry';
import type { Attempt, RetrySettings } from '../../../nodes/Sora2/transport/retry';
import { StopScope } from '../../../nodes/Sora2/transport/stopScope';
import { settle } from '../../../nodes/Sora2/shared/values';
import { createParams, makeContext } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { TEST_NODE, rejection, runNode } from '../../helpers/run';

/**
 * When a failed request is sent again, and how long the node waits first: the retry loop driven
 * with scripted attempts (no HTTP), its pauses read off a fake clock.
 */

const NOW = Date.parse('2026-11-25T12:00:00Z');

function channelFor(retry: Partial<RetrySettings> = {}): Channel {
	const scope = new StopScope();
	const settings = { ...RETRY_PAUSES, maxRetries: 3, ...retry };
	return {
		fn: {} as IExecuteFunctions,
		gate: new RequestGate({ maxConcurrent: 5 }, scope),
		scope,
		settings: { maxConcurrency: 5, timeoutMs: 1000, retry: settings },
		errors: { node: TEST_NODE, secrets: [] },
		baseUrl: 'https://api.example/v1',
		authorization: 'Bearer k',
		retries: new RetryStreak(settings.maxRetries * settings.maxDelayMs),
	};
}

const site = { itemIndex: 0, operation: 'Video → Create' };
const target = (repeatable: boolean, more: Partial<RequestTerms> = {}) => ({ terms: { site, repeatable, priority: REQUEST_PRIORITY.create, ...more }, host: 'api.example' });
const status = (code: number, headers: Record<string, unknown> = {}): Attempt<string> => ({ kind: 'status', status: code, headers, text: `{"error":{"message":"status ${code}"}}` });
const networkFault = (code: string) => Object.assign(new Error(`fault ${code}`), { code });

/** Runs the loop over scripted attempts (each a result, or an error to throw); records when each attempt was made. */
function scripted(script: Array<Attempt<string> | Error>) {
	const times: number[] = [];
	const attemptOnce = async (attempt: number): Promise<Attempt<string>> => {
		times.push(Date.now());
		const step = script[Math.min(attempt, script.length) - 1];
		if (step instanceof Error) throw step;
		return step;
	};
	return { times, attemptOnce };
}

afterEach(() => {
	jest.useRealTimers();
	jest.restoreAllMocks();
});

describe('what is retried', () => {
	const statuses = [429, 500, 502, 503, 504, 400, 401, 404];

	/** Whether a first answer of `code` is sent again (the second attempt succeeds). */
	async function retried(code: number, repeatable: boolean): Promise<boolean> {
		jest.spyOn(Math, 'random').mockReturnValue(0);
		const { attemptOnce } = scripted([status(code), { kind: 'ok', value: 'done' }]);
		try {
			const { attempts } = await retrying(channelFor(), target(repeatable), attemptOnce);
			return attempts === 2;
		} catch {
			return false;
		}
	}

	test('a request that is not repeatable (a create or a chat: it may start a paid video): only a 429', async () => {
		const answers = [];
		for (const code of statuses) answers.push(await retried(code, false));
		expect(answers).toEqual([true, false, false, false, false, false, false, false]);
	});

	test('a repeatable request (a status read, a download): 429, 500, 502, 503, 504', async () => {
		const answers = [];
		for (const code of statuses) answers.push(await retried(code, true));
		expect(answers).toEqual([true, true, true, true, true, false, false, false]);
	});

	test('network errors: a read on any passing fault, a create only when it certainly was not sent', async () => {
		jest.spyOn(Math, 'random').mockReturnValue(0);
		const outcome = async (code: string, repeatable: boolean) => {
			const { attemptOnce } = scripted([networkFault(code), { kind: 'ok', value: 'done' }]);
			return await retrying(channelFor(), target(repeatable), attemptOnce).then(
				({ attempts }) => attempts,
				(error: Error) => error.message,
			);
		};
		expect(await outcome('ECONNREFUSED', false)).toBe(2);
		for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE']) {
			expect(await outcome(code, false)).toMatch(/^Video → Create, item 0: /);
			expect(await outcome(code, true)).toBe(2);
		}
		expect(await outcome('EPROTO', true)).toMatch(/failed: fault EPROTO/);
	});

	test('a create that failed where it may have been taken says so; one that certainly never left does not', async () => {
		const unsure = 'Look before running again.';
		const hint = async (code: string) => {
			const { attemptOnce } = scripted([networkFault(code)]);
			const terms = { site, repeatable: false, priority: REQUEST_PRIORITY.create, hints: { unsure } };
			const error = await rejection(retrying(channelFor({ maxRetries: 0 }), { terms, host: 'api.example' }, attemptOnce));
			return String(error.description);
		};
		for (const code of ['ECONNRESET', 'ETIMEDOUT']) expect(await hint(code)).toContain(unsure);
		for (const code of ['ECONNREFUSED', 'ENOTFOUND']) expect(await hint(code)).not.toContain(unsure);
	});

	test('Max Retries bounds the attempts: 1 + Max Retries, then the last answer is the error', async () => {
		jest.spyOn(Math, 'random').mockReturnValue(0);
		const { times, attemptOnce } = scripted([status(503)]);
		const error = await rejection(retrying(channelFor({ maxRetries: 2 }), target(true), attemptOnce));
		expect(times).toHaveLength(3);
		expect(error.message).toBe('Video → Create, item 0: the API answered 503: status 503 (after 3 attempts)');
	});

	test('the gate serves creates before downloads before status reads', () => {
		expect(REQUEST_PRIORITY.create).toBe(REQUEST_PRIORITY.chat);
		expect(REQUEST_PRIORITY.create).toBeLessThan(REQUEST_PRIORITY.download);
		expect(REQUEST_PRIORITY.download).toBeLessThan(REQUEST_PRIORITY.statusRead);
	});
});

describe('how long before a retry', () => {
	/** The pauses between the attempts of a run of answers that each ask for a retry. */
	async function pauses(script: Array<Attempt<string> | Error>, retry: Partial<RetrySettings> = {}, random = 1): Promise<number[]> {
		jest.useFakeTimers({ now: NOW });
		jest.spyOn(Math, 'random').mockReturnValue(random);
		const { times, attemptOnce } = scripted([...script, { kind: 'ok', value: 'done' }]);
		const run = retrying(channelFor({ maxRetries: 10, ...retry }), target(true), attemptOnce);
		await jest.advanceTimersByTimeAsync(600_000);
		await run;
		return times.slice(1).map((at, index) => at - times[index]);
	}

	test.each([
		['2', 2000],
		['1.5', 1500],
		[' 3 ', 3000],
		[5, 5000],
		[['7', '9'], 7000],
		['Wed, 25 Nov 2026 12:00:30 GMT', 30_000],
	])('Retry-After %j → a pause of %j ms', async (value, expected) => {
		expect(await pauses([status(429, { 'retry-after': value })])).toEqual([expected]);
	});

	test.each([[undefined], [''], ['soon'], ['in a minute'], [{}], [[]], ['0'], [0], ['-5'], [-5], ['Wed, 25 Nov 2026 11:59:00 GMT']])('Retry-After %j is absent, unreadable, zero, negative or past: the backoff pause (1 s for the first retry), never a retry at once', async (value) => {
		expect(await pauses([status(429, { 'Retry-After': value })])).toEqual([1000]);
	});

	test('full jitter: a random share of base·2^(n-1), capped at the longest pause', async () => {
		const settings = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 5000 };
		const five = Array.from({ length: 5 }, () => status(500));
		expect(await pauses(five, settings, 1)).toEqual([1000, 2000, 4000, 5000, 5000]);
		expect(await pauses(five, settings, 0.25)).toEqual([250, 500, 1000, 1250, 1250]);
	});

	test('a Retry-After longer than the node waits (2 minutes) is not waited for: the error says how long was asked', async () => {
		const { attemptOnce } = scripted([status(429, { 'retry-after': '200' })]);
		const error = await rejection(retrying(channelFor(), target(true), attemptOnce));
		expect(error.message).toBe('Video → Create, item 0: the API answered 429: status 429');
		expect(String(error.description)).toContain('The API asked to wait 200 s before retrying, longer than the node waits.');
	});
});

describe('retries end', () => {
	test('the run stops retrying once its answers have been refused for its bound (Max Retries × the longest pause)', async () => {
		jest.useFakeTimers({ now: NOW });
		// bound 10 × 1 s = 10 s; the API asks for 2 s each time
		const channel = channelFor({ maxRetries: 10, maxDelayMs: 1000 });
		const { times, attemptOnce } = scripted([status(429, { 'retry-after': '2' })]);
		const run = rejection(retrying(channel, target(true), attemptOnce));
		await jest.advanceTimersByTimeAsync(60_000);
		const error = await run;
		expect(times.map((at) => at - NOW)).toEqual([0, 2000, 4000, 6000, 8000]);
		expect(error.message).toBe('Video → Create, item 0: the API answered 429: status 429 (after 5 attempts)');
		expect(String(error.description)).toContain('The run stopped retrying: the API refused every request for 10 s in a row (Max Retries × 1 s).');
	});

	test('the bound is the run\'s: a request that starts refused late in a streak gets only what is left of it', async () => {
		jest.useFakeTimers({ now: NOW });
		const channel = channelFor({ maxRetries: 10, maxDelayMs: 1000 });
		channel.retries.refused(NOW - 7000);
		const { times, attemptOnce } = scripted([status(429, { 'retry-after': '2' })]);
		const run = rejection(retrying(channel, target(true), attemptOnce));
		await jest.advanceTimersByTimeAsync(60_000);
		await run;
		expect(times.map((at) => at - NOW)).toEqual([0, 2000]);
	});

	test('any success ends the streak', async () => {
		jest.useFakeTimers({ now: NOW });
		const channel = channelFor({ maxRetries: 10, maxDelayMs: 1000 });
		channel.retries.refused(NOW - 9000);
		const { attemptOnce } = scripted([{ kind: 'ok', value: 'done' }]);
		await retrying(channel, target(true), attemptOnce);
		expect(channel.retries.endsAt).toBe(Infinity);
	});

	test('the request\'s deadline (a status read\'s Max Wait) ends its retries, saying so', async () => {
		jest.useFakeTimers({ now: NOW });
		const { times, attemptOnce } = scripted([status(429, { 'retry-after': '2' })]);
		const terms = { deadline: NOW + 3000, hints: { deadline: 'Max Wait ends before the next retry.' } };
		const run = rejection(retrying(channelFor({ maxRetries: 10 }), target(true, terms), attemptOnce));
		await jest.advanceTimersByTimeAsync(60_000);
		const error = await run;
		expect(times.map((at) => at - NOW)).toEqual([0, 2000]);
		expect(String(error.description)).toContain('Max Wait ends before the next retry.');
	});

	test('a retry that gets no turn in the gate before the bound ends with the answer before it', async () => {
		jest.spyOn(Math, 'random').mockReturnValue(0);
		const noTurn = Object.assign(new Error('the request got no turn before its deadline'), { code: 'EDEADLINE' });
		const { attemptOnce } = scripted([status(503), noTurn]);
		const error = await rejection(retrying(channelFor(), target(true), attemptOnce));
		expect(error.message).toBe('Video → Create, item 0: the API answered 503: status 503');
	});
});

describe('a storm of 429s on status reads, through the node (the mock answers every read 429 + Retry-After: 1)', () => {
	const mock = useMockServer({ pendingMs: 50, generationMs: 300 });

	async function storm(n: number, continueOnFail: boolean) {
		mock.addFault({ path: '/v1/video/query', status: 429, headers: { 'Retry-After': '1' } });
		const items = Array.from({ length: n }, (_, row) => ({ json: { row } }));
		const ctx = makeContext({ items, continueOnFail, params: createParams({ prompt: (i: number) => `storm ${i}`, pollInterval: 0.05, maxWait: 600, options: { maxRetries: 3 } }), credentials: credentialsFor(mock) });
		const started = Date.now();
		const outcome = await settle(runNode(ctx));
		return { outcome, seconds: (Date.now() - started) / 1000, reads: mock.stats().requests['GET /v1/video/query'] ?? 0 };
	}

	test('10 items: the run ends within seconds (each read tried 1 + Max Retries times), naming every task it created', async () => {
		const { outcome, seconds, reads } = await storm(10, false);
		expect(outcome.ok).toBe(false);
		const error = outcome.ok ? undefined : (outcome.error as Error & { description?: string; context?: { taskIds?: string[] } });
		expect(error?.message).toMatch(/the API answered 429/);
		expect(error?.context?.taskIds).toHaveLength(10);
		expect(String(error?.description)).toContain('10 tasks were created in this run and did not finish');
		expect(seconds).toBeLessThan(20);
		expect(reads).toBeLessThanOrEqual(40);
	});

	test('10 items under Continue On Fail: every item gets its 429 error item with its task id, and the run still ends', async () => {
		const { outcome, seconds, reads } = await storm(10, true);
		expect(outcome.ok).toBe(true);
		const items = outcome.ok ? outcome.value : [];
		expect(items.map((item) => item.json.httpCode)).toEqual(Array(10).fill('429'));
		expect(new Set(items.map((item) => item.json.taskId)).size).toBe(10);
		// 4 attempts each: the pace is lowered once (a minute), not once per refused item
		expect(reads).toBe(40);
		expect(seconds).toBeLessThan(20);
	}, 60_000);
});
