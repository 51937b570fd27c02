import type { Refusal } from './errorBody';
import { apiStatusError, cancelledError, networkError } from './errors';
import type { CallSite } from './errors';
import type { Channel } from './exchange';
import { headerValue } from './exchange';
import { failureOf } from './failure';
import { backoffDelayMs, certainlyNotSent, isRetriableNetworkError, isRetriableStatus, mayCreate, parseRetryAfter } from './retry';
import type { RequestKind } from './retry';
import { settle } from './settle';

/** What one attempt came to: a value, a failure to hand on as is, or an answer that is not a success (maybe retried). */
export type Attempt<T> =
	| { kind: 'ok'; value: T }
	| { kind: 'failed'; error: unknown }
	| { kind: 'status'; status: number; headers: Record<string, unknown>; text: string; refusal?: Refusal; what?: string };

export interface RetryTarget {
	kind: RequestKind;
	site: CallSite;
	/** The host the request goes to (named in network errors). */
	host: string;
}

const NOT_RETRIED =
	' The create was not sent again, because the API may have accepted it: look for the task in your provider dashboard before running again, or you may pay for two videos.';

/** After a network error: wait and go on (true), or the error to throw. */
async function afterNetworkError(channel: Channel, target: RetryTarget, error: unknown, attempt: number): Promise<true | Error> {
	const { scope, settings, errors } = channel;
	const failure = failureOf(error);
	if (scope.stopped || failure.code === 'ERR_CANCELED') return cancelledError(errors, target.site, scope.cause);
	if (attempt <= settings.retry.maxRetries && isRetriableNetworkError(failure.code, target.kind)) {
		await scope.sleep(backoffDelayMs(attempt, settings.retry)).catch(() => undefined);
		return true;
	}
	const extraHint = mayCreate(target.kind) && !certainlyNotSent(failure.code) ? NOT_RETRIED : '';
	return networkError(errors, target.site, { failure, host: target.host, timeoutMs: settings.timeoutMs, attempts: attempt, extraHint });
}

/** An answer that is not a success: a status other than 200, or a 200 that is the API's refusal. */
export type StatusAnswer = Extract<Attempt<unknown>, { kind: 'status' }>;

/** The error an answer that is not a success ends with: the API's own words and the hint that fits. */
export function statusError(channel: Channel, target: RetryTarget, answer: StatusAnswer, attempts: number, extraHint?: string): Error {
	const { status, text, refusal, what } = answer;
	return apiStatusError(channel.errors, target.site, { status, body: text, attempts, kind: target.kind, refusal, what, extraHint });
}

/** After an answer that is not a success: wait and go on (true), or the error to throw. */
async function afterStatus(channel: Channel, target: RetryTarget, answer: StatusAnswer, attempt: number): Promise<true | Error> {
	const { scope, settings, gate } = channel;
	// A refusal in a 200 is retried like the status it names (`"code": 503`); one naming none is final.
	const retriable = answer.refusal ? answer.refusal.status : answer.status;
	if (attempt > settings.retry.maxRetries || retriable === undefined || !isRetriableStatus(retriable, target.kind)) {
		return statusError(channel, target, answer, attempt);
	}
	const asked = parseRetryAfter(headerValue(answer.headers, 'retry-after'));
	if (asked !== undefined && asked > settings.retry.maxRetryAfterMs) {
		return statusError(channel, target, answer, attempt, ` The API asked to wait ${Math.round(asked / 1000)} s before retrying, longer than the node waits.`);
	}
	const pause = asked ?? backoffDelayMs(attempt, settings.retry);
	if (retriable === 429) gate.slowDown(asked);
	await scope.sleep(pause).catch(() => undefined);
	return true;
}

/**
 * Runs attempts until one succeeds or fails for good. Network errors thrown by an attempt and
 * answers other than a success are retried per `retry.ts` (a request that may start a video only
 * when the API certainly did not take it), then turned into the item-scoped errors of `errors.ts`.
 * A 429 also slows the whole run's pace (the gate).
 */
export async function retrying<T>(channel: Channel, target: RetryTarget, attemptOnce: (attempt: number) => Promise<Attempt<T>>): Promise<{ value: T; attempts: number }> {
	for (let attempt = 1; ; attempt++) {
		if (channel.scope.stopped) throw cancelledError(channel.errors, target.site, channel.scope.cause);
		const sent = await settle(attemptOnce(attempt));
		let next: true | Error;
		if (!sent.ok) next = await afterNetworkError(channel, target, sent.error, attempt);
		else if (sent.value.kind === 'ok') return { value: sent.value.value, attempts: attempt };
		else if (sent.value.kind === 'failed') throw sent.value.error;
		else next = await afterStatus(channel, target, sent.value, attempt);
		if (next !== true) throw next;
	}
}
