import type { NetworkFailure } from './errors';
import { isObject } from './exchange';

/** Finds the network error code (ECONNREFUSED, ETIMEDOUT, ERR_CANCELED …) inside what n8n threw. */
export function failureOf(error: unknown): NetworkFailure {
	let message = error instanceof Error ? error.message : String(error);
	let current: unknown = error;
	for (let depth = 0; depth < 5 && isObject(current); depth++) {
		const code = current.code;
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) {
			if (typeof current.message === 'string') message = current.message;
			// axios reports a connection closed in the middle of the answer this way: it is a reset.
			if (code === 'ERR_BAD_RESPONSE' && message === 'stream has been aborted') return { code: 'ECONNRESET', message };
			return { code, message };
		}
		current = current.cause ?? current.errorResponse;
	}
	// A body that broke off while n8n's helper was reading it ("aborted") is a closed connection too.
	if (message === 'aborted') return { code: 'ECONNRESET', message };
	return { message };
}
