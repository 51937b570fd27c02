/**
 * Reading something again and again until it is done: the first read at `firstReadAt`, each next
 * read when `nextReadAt` says, the last one at the deadline (never a wait after it). Waiting goes
 * through `waitUntil`, which the caller makes cancellable. Nothing handed in is changed.
 */
export interface PollOptions<T> {
	read: () => Promise<T>;
	isDone: (value: T) => boolean;
	/** When (ms since epoch) to read next, given the last value and when its read started. */
	nextReadAt: (value: T, readStartedAt: number) => number;
	firstReadAt: number;
	deadline: number;
	/** Resolves at `at` (ms since epoch), or earlier when the caller finds it may read sooner. */
	waitUntil: (at: number) => Promise<void>;
	/** The error for a value still not done at the deadline. */
	timedOut: (last: T) => Error;
}

export async function pollUntilDone<T>(options: PollOptions<T>): Promise<T> {
	let readAt = options.firstReadAt;
	for (;;) {
		await options.waitUntil(Math.min(readAt, options.deadline));
		const startedAt = Date.now();
		const value = await options.read();
		if (options.isDone(value)) return value;
		if (Date.now() >= options.deadline) throw options.timedOut(value);
		readAt = options.nextReadAt(value, startedAt);
	}
}
