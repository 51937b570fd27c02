/**
 * Bounds how many HTTP requests one node run has in flight. Every request of a run (creates,
 * polls, downloads) goes through the same limiter, so "Max Concurrent Requests" is a hard cap.
 * Waiters are served first-in, first-out; a waiter whose signal aborts leaves the queue at once.
 */
export interface Limiter {
	run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
	readonly active: number;
	readonly queued: number;
}

interface Waiter {
	start: () => void;
}

export function createLimiter(max: number): Limiter {
	if (!Number.isInteger(max) || max < 1) throw new RangeError(`limiter size must be a positive integer, got ${max}`);
	let active = 0;
	const queue: Waiter[] = [];

	const release = () => {
		active--;
		const next = queue.shift();
		if (next) next.start();
	};

	const acquire = async (signal?: AbortSignal): Promise<void> => {
		signal?.throwIfAborted();
		if (active < max) {
			active++;
			return;
		}
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				const at = queue.indexOf(waiter);
				if (at >= 0) queue.splice(at, 1);
				reject(signal?.reason);
			};
			const waiter: Waiter = {
				start: () => {
					signal?.removeEventListener('abort', onAbort);
					active++;
					resolve();
				},
			};
			queue.push(waiter);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	};

	return {
		async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
			await acquire(signal);
			try {
				return await task();
			} finally {
				release();
			}
		},
		get active() {
			return active;
		},
		get queued() {
			return queue.length;
		},
	};
}
