import { guardedChunks, readTextBounded } from './body';
import { ERROR_BODY_LIMIT, guardFor } from './call';
import type { ApiCall } from './call';
import { exchange, headerValue } from './exchange';
import type { Channel } from './exchange';
import { retrying } from './retrying';
import type { Attempt } from './retrying';
import { settle } from './settle';

/** A 200 answer whose body is read as it arrives. */
export interface ApiStream {
	/** The body's chunks (bytes) as they arrive; stops at once on cancel, and after Request Timeout of silence. */
	body: AsyncIterable<unknown>;
	/** The Content-Type header ('' when absent). */
	contentType: string;
	attempts: number;
}

/**
 * Sends a request whose 200 answer arrives over time (server-sent events) and hands the body to
 * `consume` as it comes, holding its gate slot until `consume` returns. Other answers are read
 * (bounded) and fail like `callApi`, with the same retries. A 200 is never retried.
 */
export async function streamApi<T>(channel: Channel, call: ApiCall, consume: (answer: ApiStream) => Promise<T>): Promise<T> {
	const out = { method: call.method, url: `${channel.baseUrl}${call.path}`, accept: 'text/event-stream, application/json', body: call.body, withKey: true };
	const target = { kind: call.kind, site: call.site, host: new URL(channel.baseUrl).host };
	const attemptOnce = async (attempt: number): Promise<Attempt<T>> =>
		await exchange(channel, { kind: call.kind, site: call.site }, out, async (response) => {
			const body = guardedChunks(response.body, guardFor(channel, call.kind, call.site));
			if (response.statusCode !== 200) {
				const { text } = await readTextBounded(body, ERROR_BODY_LIMIT);
				return { kind: 'status', status: response.statusCode, headers: response.headers, text };
			}
			const contentType = String(headerValue(response.headers, 'content-type') ?? '');
			const consumed = await settle(consume({ body, contentType, attempts: attempt }));
			return consumed.ok ? { kind: 'ok', value: consumed.value } : { kind: 'failed', error: consumed.error };
		});
	return (await retrying(channel, target, attemptOnce)).value;
}
