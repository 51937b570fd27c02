/*
 * What each kind of request is, when a failed one may be sent again, and how long to wait first.
 *
 * The rule that matters most: a request that may start a paid video (a create, a chat) is retried
 * only when the API has certainly not accepted it (a 429, or a connection that was never opened).
 * After a timeout, a reset or a 5xx the task may exist already, and sending it again could pay for
 * the same video twice. Reads (status checks, downloads) change nothing and are retried freely.
 */

/** What a request does; decides its retry rule, its place in the gate's queue and its hints. */
export type RequestKind = 'create' | 'chat' | 'taskRead' | 'download';

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

/** Whether a request of this kind may start a paid video. */
export function mayCreate(kind: RequestKind): boolean {
	return kind === 'create' || kind === 'chat';
}

/** The gate's order: what starts a video goes first, then what finishes one, then status reads. */
export function priorityOf(kind: RequestKind): number {
	if (mayCreate(kind)) return 0;
	return kind === 'download' ? 1 : 2;
}

const RETRIABLE_READ_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

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

export function isRetriableStatus(status: number, kind: RequestKind): boolean {
	return mayCreate(kind) ? status === 429 : RETRIABLE_READ_STATUS.has(status);
}

/** Whether the API certainly never saw the request, so it cannot have created anything. */
export function certainlyNotSent(code: string | undefined): boolean {
	return code !== undefined && NOT_SENT_CODES.has(code);
}

/** A create is retried only when it certainly was not sent, and only for a fault that may pass. */
export function isRetriableNetworkError(code: string | undefined, kind: RequestKind): boolean {
	if (!code || !TRANSIENT_CODES.has(code)) return false;
	return !mayCreate(kind) || certainlyNotSent(code);
}

/** `Retry-After` as seconds or as an HTTP date → milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
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
export function backoffDelayMs(retry: number, settings: RetrySettings, random: () => number = Math.random): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
	return Math.round(random() * ceiling);
}
