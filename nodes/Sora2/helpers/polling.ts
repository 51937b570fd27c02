/**
 * Reading something again and again until it is done: the first read at `firstReadAt`, each next
 * read when `nextReadAt` says, the last one at the deadline (never a sleep after it). Sleeping goes
 * through `sleep`, which the caller makes cancellable. Nothing handed in is changed.
 */
export interface PollOptions<T> {
	read: () => Promise<T>;
	isDone: (value: T) => boolean;
	/** When (ms since epoch) to read next, given the last value and when its read started. */
	nextReadAt: (value: T, readStartedAt: number) => number;
	firstReadAt: number;
	deadline: number;
	sleep: (ms: number) => Promise<void>;
	/** The error for a value still not done at the deadline. */
	timedOut: (last: T) => Error;
}

export async function pollUntilDone<T>(options: PollOptions<T>): Promise<T> {
	let readAt = options.firstReadAt;
	for (;;) {
		await options.sleep(Math.max(0, Math.min(readAt, options.deadline) - Date.now()));
		const startedAt = Date.now();
		const value = await options.read();
		if (options.isDone(value)) return value;
		if (Date.now() >= options.deadline) throw options.timedOut(value);
		readAt = options.nextReadAt(value, startedAt);
	}
}
