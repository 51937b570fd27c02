import type { StopScope } from './stopScope';

/*
 * Response bodies. Every answer is received as a stream and read here: bounded (an answer larger
 * than it can be is refused while it arrives, not after), guarded (ends at once when the run stops,
 * and after a silence of Request Timeout), and always disposed of, so no connection is left open.
 */

function isAsyncIterable(body: unknown): body is AsyncIterable<unknown> {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/** A body that is already whole (a Buffer or text from an in-process answer) as one chunk. */
export function chunksOf(body: unknown): AsyncIterable<unknown> {
	if (isAsyncIterable(body)) return body;
	return (async function* () {
		if (body !== undefined && body !== null && body !== '') yield body;
	})();
}

/** Destroys a Node stream (closing its connection); anything else is left alone. */
export function disposeBody(body: unknown, error?: Error): void {
	if (typeof body === 'object' && body !== null && 'destroy' in body && typeof body.destroy === 'function') {
		body.destroy(error);
	}
}

/** Resolves after `ms` on a timer that does not keep the process alive. */
async function pause(ms: number): Promise<void> {
	await new Promise<void>((resolve) => AbortSignal.timeout(ms).addEventListener('abort', () => resolve(), { once: true }));
}

export interface GuardOptions {
	/** Ends the body when it stops; none for an answer that must be read to its end (a create's). */
	scope?: StopScope;
	/** Longest silence allowed between two chunks (and before the first). */
	idleMs: number;
	/** The error to throw when the run stops while the body is being read. */
	stopped: () => Error;
}

/** The error a stream that went silent for too long ends with (`code` as a network timeout). */
function idleError(idleMs: number): Error {
	return Object.assign(new Error(`no data arrived for ${Math.round(idleMs / 100) / 10} s`), { code: 'ETIMEDOUT' });
}

/**
 * The chunks of `body` as they arrive. Throws `options.stopped()` when the run stops, `idleError`
 * after a silence of `idleMs`, and whatever the connection threw when it broke. Leaving the loop
 * early (break/return) destroys the body.
 */
export async function* guardedChunks(body: AsyncIterable<unknown>, options: GuardOptions): AsyncGenerator<unknown, void, undefined> {
	let lastChunkAt = Date.now();
	let finished = false;
	let failure: Error | undefined;
	const fail = (error: Error) => {
		if (failure) return;
		failure = error;
		disposeBody(body, error);
	};
	const unregister = options.scope?.onStop(() => fail(options.stopped())) ?? (() => undefined);

	// One watchdog per body, waking a few times per idle period: no timer per chunk.
	const period = Math.max(20, Math.min(1000, Math.floor(options.idleMs / 4)));
	void (async () => {
		while (!finished) {
			await pause(period);
			if (!finished && Date.now() - lastChunkAt >= options.idleMs) fail(idleError(options.idleMs));
		}
	})();

	try {
		if (options.scope?.stopped) throw options.stopped();
		for await (const chunk of body) {
			if (failure) break;
			lastChunkAt = Date.now();
			yield chunk;
		}
	} catch (error) {
		// n8n's HTTP client arms the socket with the same timeout, and closes a silent connection
		// itself (often just before the watchdog wakes): a break after that much silence is that.
		if (!failure && Date.now() - lastChunkAt >= options.idleMs * 0.9) failure = idleError(options.idleMs);
		throw failure ?? error;
	} finally {
		finished = true;
		unregister();
		disposeBody(body);
	}
	if (failure) throw failure;
}

/** Text read from a body: `over` when it held more than the limit (the rest was not read). */
export interface BoundedText {
	text: string;
	over: boolean;
}

const encoder = new TextEncoder();

/**
 * Reads at most `limit` bytes of a body as UTF-8 text, then stops reading (and closes it). Bytes, not
 * characters: megabytes of CJK text are three times their length in characters.
 */
export async function readTextBounded(chunks: AsyncIterable<unknown>, limit: number): Promise<BoundedText> {
	const decoder = new TextDecoder();
	let text = '';
	let bytes = 0;
	for await (const chunk of chunks) {
		const data = typeof chunk === 'string' ? encoder.encode(chunk) : chunk instanceof Uint8Array ? chunk : undefined;
		if (!data) continue;
		if (bytes + data.byteLength > limit) return { text: text + decoder.decode(data.subarray(0, limit - bytes)), over: true };
		bytes += data.byteLength;
		text += decoder.decode(data, { stream: true });
	}
	return { text: text + decoder.decode(), over: false };
}
