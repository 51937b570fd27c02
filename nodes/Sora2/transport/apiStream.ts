import { guardedChunks, readTextBounded } from './body';
import { MAX_ANSWER_CHARS, apiRequest, guardFor, judgeWhole, statusAnswer } from './call';
import type { ApiCall, Whole } from './call';
import { exchange, headerValue } from './exchange';
import type { Channel } from './exchange';
import { retrying, statusError } from './retrying';
import type { Attempt } from './retrying';
import { settle } from './settle';

/** A 200 answer whose body is read as it arrives. */
export interface ApiStream {
	/** The body's chunks (bytes) as they arrive; stops at once on cancel, and after Request Timeout of silence. */
	body: AsyncIterable<unknown>;
	/** The Content-Type header ('' when absent). */
	contentType: string;
	attempts: number;
	/**
	 * Reads `chunks` (the body, or what is left of it after a look at its start) as one whole JSON
	 * answer, for a server that ignored `stream: true`: judged as `callApi` judges a whole answer
	 * (bounded; a refusal is reported as the API's refusal), but never retried, being a 200.
	 */
	readWhole(chunks: AsyncIterable<unknown>): Promise<Whole>;
}

/**
 * Sends a request whose 200 answer arrives over time (server-sent events) and hands the body to
 * `consume` as it comes, holding its gate slot until `consume` returns. Other answers are read
 * (bounded) and fail like `callApi`, with the same retries. A 200 is never retried.
 */
export async function streamApi<T>(channel: Channel, call: ApiCall, consume: (answer: ApiStream) => Promise<T>): Promise<T> {
	const { out, target } = apiRequest(channel, call, 'text/event-stream, application/json');
	const attemptOnce = async (attempt: number): Promise<Attempt<T>> =>
		await exchange(channel, call, out, async (response) => {
			if (response.statusCode !== 200) return await statusAnswer(channel, call, response);
			const body = guardedChunks(response.body, guardFor(channel, call.kind, call.site));
			const contentType = String(headerValue(response.headers, 'content-type') ?? '');
			const readWhole = async (chunks: AsyncIterable<unknown>): Promise<Whole> => {
				const judged = judgeWhole(channel, call.site, await readTextBounded(chunks, MAX_ANSWER_CHARS), response.headers);
				if (judged.kind === 'ok') return judged.value;
				throw judged.kind === 'failed' ? judged.error : statusError(channel, target, judged, attempt);
			};
			const consumed = await settle(consume({ body, contentType, attempts: attempt, readWhole }));
			return consumed.ok ? { kind: 'ok', value: consumed.value } : { kind: 'failed', error: consumed.error };
		});
	return (await retrying(channel, target, attemptOnce)).value;
}
