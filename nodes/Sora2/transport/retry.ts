import { settle } from '../shared/values';
import { apiStatusError, failureOf, networkError, stoppedError } from './errors';
import type { Refusal } from './errors';
import type { Channel, RequestTerms } from './exchange';
import { headerValue } from './exchange';

/*
 * When a failed request is sent again, how long to wait first, and the loop that does it, in one place
 * (as openai-node's client: should it retry → how long → retry).
 *
 * The rule that matters most: a request that is not `repeatable` (it may start something paid: a
 * create, a chat) is retried only when the API has certainly not accepted it (a 429, or a connection
 * that was never opened). After a timeout, a reset or a 5xx it may exist already, and sending it
 * again could pay twice. Repeatable requests (reads) are retried on 429/500/502/503/504 and on
 * network faults that may pass.
 */

export interface RetrySettings {
	/** Retries after the first attempt (0 = never retry). */
	maxRetries: number;
	/** Backoff base: attempt n waits a random time in [0, base·2ⁿ] ("full jitter"). */
	baseDelayMs: number;
	/** Cap for one backoff wait. */
	maxDelayMs: number;
	/** A Retry-After longer than this is not waited for: the error says how long the API asked for. */
	maxRetryAfterMs: number;
}

/** The pauses between retries (the number of retries is the user's "Max Retries"). */
export const RETRY_PAUSES: Omit<RetrySettings, 'maxRetries'> = {
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
	maxRetryAfterMs: 120_000,
};

const RETRIABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Network errors after which the request certainly never reached the server (no connection was made). */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND']);

/** Network errors that are worth a retry for a request that is safe to repeat. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function isRetriableStatus(status: number, repeatable: boolean): boolean {
	return repeatable ? RETRIABLE_STATUS.has(status) : status === 429;
}

/** Whether the API certainly never saw the request, so it cannot have created anything. */
function certainlyNotSent(code: string | undefined): boolean {
	return code !== undefined && NOT_SENT_CODES.has(code);
}

/** A request that is not repeatable is retried only when it certainly was not sent, and only for a fault that may pass. */
function isRetriableNetworkError(code: string | undefined, repeatable: boolean): boolean {
	if (!code || !TRANSIENT_CODES.has(code)) return false;
	return repeatable || certainlyNotSent(code);
}

/**
 * `Retry-After` as seconds or as an HTTP date → milliseconds from `now`. Absent, unreadable, zero,
 * negative or a date already past count as absent (undefined): the backoff applies, never a retry at once.
 */
function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	let ms: number;
	if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Math.round(Number.parseFloat(trimmed) * 1000);
	else if (/[a-z]/i.test(trimmed)) ms = Date.parse(trimmed) - now;
	else return undefined;
	return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** How long to wait before retry number `retry` (1-based). */
function backoffDelayMs(retry: number, settings: RetrySettings, random: () => number = Math.random): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
	return Math.round(random() * ceiling);
}

/** What one attempt came to: a value, a failure to hand on as is, or an answer that is not a success (maybe retried). */
export type Attempt<T> =
	| { kind: 'ok'; value: T }
	| { kind: 'failed'; error: unknown }
	| { kind: 'status'; status: number; headers: Record<string, unknown>; text: string; refusal?: Refusal; what?: string };

/** An answer that is not a success: a status other than 200, or a 200 that is the API's refusal. */
export type StatusAnswer = Extract<Attempt<unknown>, { kind: 'status' }>;

/** What the retry loop needs of a request: its terms and the host it goes to (named in network errors). */
export interface RetryTarget {
	terms: RequestTerms;
	host: string;
}

/**
 * The run's bound on retrying: how long answers may keep being refused, one after the other, before
 * the run stops sending retries (Max Retries × the longest pause). Any success ends the streak.
 */
export class RetryStreak {
	private since: number | undefined;

	constructor(readonly boundMs: number) {}

	refused(now: number): void {
		this.since ??= now;
	}

	succeeded(): void {
		this.since = undefined;
	}

	/** Retries end at this time (Infinity while nothing is being refused). */
	get endsAt(): number {
		return this.since === undefined ? Infinity : this.since + this.boundMs;
	}
}

/** How an attempt that did not succeed goes on: the error it ends with (given a hint to add), and the pause before a retry (none: final). */
interface Failed {
	fail: (extraHint?: string) => Error;
	retryIn?: number;
}

/** After a network error: a retry after a backoff, or final. */
function afterNetworkError(channel: Channel, target: RetryTarget, error: unknown, attempt: number): Failed {
	const { scope, settings, errors } = channel;
	const { site, repeatable, hints } = target.terms;
	const failure = failureOf(error);
	if (scope.stopped || failure.code === 'ERR_CANCELED') return { fail: () => stoppedError(errors.node, site, scope.cause) };
	const unsure = !repeatable && !certainlyNotSent(failure.code) && hints?.unsure ? ` ${hints.unsure}` : '';
	const fail = (extraHint = '') => networkError(errors, site, { failure, host: target.host, timeoutMs: settings.timeoutMs, attempts: attempt, extraHint: `${unsure}${extraHint}` });
	const retriable = attempt <= settings.retry.maxRetries && isRetriableNetworkError(failure.code, repeatable);
	return { fail, retryIn: retriable ? backoffDelayMs(attempt, settings.retry) : undefined };
}

/** The error an answer that is not a success ends with: the API's own words and the hint that fits. */
export function statusError(channel: Channel, terms: RequestTerms, answer: StatusAnswer, attempts: number, extraHint?: string): Error {
	const { status, text, refusal, what } = answer;
	return apiStatusError(channel.errors, terms.site, { status, body: text, attempts, hints: terms.hints, refusal, what, extraHint });
}

/** After an answer that is not a success: a retry after the pause the API asked for (or a backoff), or final. A retried answer slows the run. */
function afterStatus(channel: Channel, terms: RequestTerms, answer: StatusAnswer, attempt: number): Failed {
	const { settings, gate } = channel;
	const fail = (extraHint?: string) => statusError(channel, terms, answer, attempt, extraHint);
	// A refusal in a 200 is retried like the status it names (`"code": 503`); one naming none is final.
	const retriable = answer.refusal ? answer.refusal.status : answer.status;
	if (attempt > settings.retry.maxRetries || retriable === undefined || !isRetriableStatus(retriable, terms.repeatable)) return { fail };
	const asked = parseRetryAfter(headerValue(answer.headers, 'retry-after'));
	if (asked !== undefined && asked > settings.retry.maxRetryAfterMs) {
		return { fail: () => fail(` The API asked to wait ${Math.round(asked / 1000)} s before retrying, longer than the node waits.`) };
	}
	gate.slowDown(asked);
	return { fail, retryIn: asked ?? backoffDelayMs(attempt, settings.retry) };
}

/** Why no retry may start at `at` (the run's bound, or the request's deadline), or undefined. */
function retryStop(channel: Channel, terms: RequestTerms, at: number): string | undefined {
	const { retries } = channel;
	if (at >= retries.endsAt) {
		return ` The run stopped retrying: the API refused every request for ${Math.round(retries.boundMs / 1000)} s in a row (Max Retries × ${Math.round(channel.settings.retry.maxDelayMs / 1000)} s).`;
	}
	if (terms.deadline !== undefined && at >= terms.deadline) return ` ${terms.hints?.deadline ?? 'Its deadline came before the next retry.'}`;
	return undefined;
}

/** The latest an attempt may start: the request's deadline, and for a retry the run's bound on retrying too. */
function admitBy(channel: Channel, terms: RequestTerms, attempt: number): number | undefined {
	const at = Math.min(terms.deadline ?? Infinity, attempt > 1 ? channel.retries.endsAt : Infinity);
	return at === Infinity ? undefined : at;
}

/**
 * Runs attempts until one succeeds or fails for good: network errors thrown by an attempt and answers
 * other than a success are retried per the rules above, then turned into the site's errors. A retried
 * answer slows the whole run's pace (the gate, at most once a minute); retries end at the request's
 * deadline (a status read's Max Wait) and when the run's answers have been refused for the bound.
 */
export async function retrying<T>(channel: Channel, target: RetryTarget, attemptOnce: (attempt: number, admitBy: number | undefined) => Promise<Attempt<T>>): Promise<{ value: T; attempts: number }> {
	const { terms } = target;
	let previous: Failed | undefined;
	for (let attempt = 1; ; attempt++) {
		if (channel.scope.stopped) throw stoppedError(channel.errors.node, terms.site, channel.scope.cause);
		const sent = await settle(attemptOnce(attempt, admitBy(channel, terms, attempt)));
		if (sent.ok && sent.value.kind === 'ok') {
			channel.retries.succeeded();
			return { value: sent.value.value, attempts: attempt };
		}
		if (sent.ok && sent.value.kind === 'failed') throw sent.value.error;
		// a retry that got no turn in the gate before the bound: the answer before it is the error
		if (!sent.ok && previous && failureOf(sent.error).code === 'EDEADLINE') throw previous.fail(retryStop(channel, terms, Date.now()));
		const failed = sent.ok ? afterStatus(channel, terms, sent.value as StatusAnswer, attempt) : afterNetworkError(channel, target, sent.error, attempt);
		if (failed.retryIn === undefined) throw failed.fail();
		const now = Date.now();
		channel.retries.refused(now);
		const stop = retryStop(channel, terms, now + failed.retryIn);
		if (stop) throw failed.fail(stop);
		await channel.scope.sleep(failed.retryIn).catch(() => undefined);
		previous = failed;
	}
}
