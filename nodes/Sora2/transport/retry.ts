import { settle } from '../shared/values';
import { apiStatusError, failureOf, networkError, stoppedError } from './errors';
import type { CallSite, Refusal } from './errors';
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

/** `Retry-After` as seconds or as an HTTP date → milliseconds from `now`; undefined when absent or unreadable. */
function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (trimmed === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number.parseFloat(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
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

/** After a network error: wait and go on (true), or the error to throw. */
async function afterNetworkError(channel: Channel, target: RetryTarget, error: unknown, attempt: number): Promise<true | Error> {
	const { scope, settings, errors } = channel;
	const { site, repeatable, hints } = target.terms;
	const failure = failureOf(error);
	if (scope.stopped || failure.code === 'ERR_CANCELED') return stoppedError(errors.node, site, scope.cause);
	if (attempt <= settings.retry.maxRetries && isRetriableNetworkError(failure.code, repeatable)) {
		await scope.sleep(backoffDelayMs(attempt, settings.retry)).catch(() => undefined);
		return true;
	}
	const extraHint = !repeatable && !certainlyNotSent(failure.code) && hints?.unsure ? ` ${hints.unsure}` : '';
	return networkError(errors, site, { failure, host: target.host, timeoutMs: settings.timeoutMs, attempts: attempt, extraHint });
}

/** The error an answer that is not a success ends with: the API's own words and the hint that fits. */
export function statusError(channel: Channel, terms: RequestTerms, answer: StatusAnswer, attempts: number, extraHint?: string): Error {
	const { status, text, refusal, what } = answer;
	return apiStatusError(channel.errors, terms.site, { status, body: text, attempts, hints: terms.hints, refusal, what, extraHint });
}

/** After an answer that is not a success: wait and go on (true), or the error to throw. */
async function afterStatus(channel: Channel, terms: RequestTerms, answer: StatusAnswer, attempt: number): Promise<true | Error> {
	const { scope, settings, gate } = channel;
	// A refusal in a 200 is retried like the status it names (`"code": 503`); one naming none is final.
	const retriable = answer.refusal ? answer.refusal.status : answer.status;
	if (attempt > settings.retry.maxRetries || retriable === undefined || !isRetriableStatus(retriable, terms.repeatable)) {
		return statusError(channel, terms, answer, attempt);
	}
	const asked = parseRetryAfter(headerValue(answer.headers, 'retry-after'));
	if (asked !== undefined && asked > settings.retry.maxRetryAfterMs) {
		return statusError(channel, terms, answer, attempt, ` The API asked to wait ${Math.round(asked / 1000)} s before retrying, longer than the node waits.`);
	}
	const pause = asked ?? backoffDelayMs(attempt, settings.retry);
	if (retriable === 429) gate.slowDown(asked);
	await scope.sleep(pause).catch(() => undefined);
	return true;
}

/**
 * Runs attempts until one succeeds or fails for good: network errors thrown by an attempt and answers
 * other than a success are retried per the rules above, then turned into the site's errors. A 429
 * also slows the whole run's pace (the gate).
 */
export async function retrying<T>(channel: Channel, target: RetryTarget, attemptOnce: (attempt: number) => Promise<Attempt<T>>): Promise<{ value: T; attempts: number }> {
	const site: CallSite = target.terms.site;
	for (let attempt = 1; ; attempt++) {
		if (channel.scope.stopped) throw stoppedError(channel.errors.node, site, channel.scope.cause);
		const sent = await settle(attemptOnce(attempt));
		let next: true | Error;
		if (!sent.ok) next = await afterNetworkError(channel, target, sent.error, attempt);
		else if (sent.value.kind === 'ok') return { value: sent.value.value, attempts: attempt };
		else if (sent.value.kind === 'failed') throw sent.value.error;
		else next = await afterStatus(channel, target.terms, sent.value, attempt);
		if (next !== true) throw next;
	}
}
