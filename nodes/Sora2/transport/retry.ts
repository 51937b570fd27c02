/**
 * When a failed request may be sent again, and how long to wait first.
 *
 * The rule that matters most: a create is retried only when the API has certainly not accepted
 * it (a 429, or a connection that was never opened). After a timeout, a reset or a 5xx the task
 * may exist already, and sending the create again could pay for the same video twice.
 */
export type RetryMode = 'idempotent' | 'create';

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

export const DEFAULT_RETRY: RetrySettings = {
	maxRetries: 3,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
	maxRetryAfterMs: 120_000,
};

const RETRIABLE_STATUS: Record<RetryMode, ReadonlySet<number>> = {
	idempotent: new Set([429, 502, 503, 504]),
	create: new Set([429]),
};

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

export function isRetriableStatus(status: number, mode: RetryMode): boolean {
	return RETRIABLE_STATUS[mode].has(status);
}

/** Whether the API certainly never saw the request, so it cannot have created anything. */
export function certainlyNotSent(code: string | undefined): boolean {
	return code !== undefined && NOT_SENT_CODES.has(code);
}

/** A create is retried only when it certainly was not sent, and only for a fault that may pass. */
export function isRetriableNetworkError(code: string | undefined, mode: RetryMode): boolean {
	if (!code || !TRANSIENT_CODES.has(code)) return false;
	return mode === 'idempotent' || certainlyNotSent(code);
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
