import type { StopScope } from '../helpers/stopScope';

/**
 * Reading a response body that arrives over time (a server-sent event stream). The chunks are
 * handed on as they come, never collected here; the body is destroyed (and the connection closed)
 * as soon as the run stops, or when nothing arrived for `idleMs`.
 */

export function isAsyncIterable(body: unknown): body is AsyncIterable<unknown> {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/** Destroys a Node stream (closing its connection); anything else is left alone. */
export function destroyBody(body: unknown, error?: Error): void {
	if (typeof body === 'object' && body !== null && 'destroy' in body && typeof body.destroy === 'function') {
		body.destroy(error);
	}
}

/** Resolves after `ms` on a timer that does not keep the process alive. */
async function pause(ms: number): Promise<void> {
	await new Promise<void>((resolve) => AbortSignal.timeout(ms).addEventListener('abort', () => resolve(), { once: true }));
}

export interface GuardOptions {
	scope: StopScope;
	/** Longest silence allowed between two chunks (and before the first). */
	idleMs: number;
	/** The error to throw when the run stops while the body is being read. */
	stopped: () => Error;
}

/** The error a stream that went silent for too long ends with (`code` as a network timeout). */
export function idleError(idleMs: number): Error {
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
		destroyBody(body, error);
	};
	const unregister = options.scope.onStop(() => fail(options.stopped()));

	// One watchdog per body, waking a few times per idle period: no timer per chunk.
	const period = Math.max(20, Math.min(1000, Math.floor(options.idleMs / 4)));
	void (async () => {
		while (!finished) {
			await pause(period);
			if (!finished && Date.now() - lastChunkAt >= options.idleMs) fail(idleError(options.idleMs));
		}
	})();

	try {
		if (options.scope.stopped) throw options.stopped();
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
		destroyBody(body);
	}
	if (failure) throw failure;
}

/** Reads at most `limit` characters of a body as text (an error page), then closes it. */
export async function readTextBounded(chunks: AsyncIterable<unknown>, limit: number): Promise<string> {
	const decoder = new TextDecoder();
	let text = '';
	for await (const chunk of chunks) {
		text += typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? decoder.decode(chunk, { stream: true }) : '';
		if (text.length >= limit) return text.slice(0, limit);
	}
	return text + decoder.decode();
}
