import type { StopScope } from './stopScope';

/**
 * Bounds how many HTTP requests one node run has in flight. Every request of a run (creates,
 * polls, downloads) goes through the same limiter, so "Max Concurrent Requests" is a hard cap.
 * Waiters are served first-in, first-out; when the scope stops, queued waiters leave at once.
 */
export interface Limiter {
	run<T>(task: () => Promise<T>): Promise<T>;
	readonly active: number;
	readonly queued: number;
}

export function createLimiter(max: number, scope?: StopScope): Limiter {
	if (!Number.isInteger(max) || max < 1) throw new RangeError(`limiter size must be a positive integer, got ${max}`);
	let active = 0;
	const queue: Array<() => void> = [];

	const release = () => {
		active--;
		queue.shift()?.();
	};

	const acquire = async (): Promise<void> => {
		scope?.signal.throwIfAborted();
		if (active < max) {
			active++;
			return;
		}
		await new Promise<void>((resolve, reject) => {
			const start = () => {
				unregister?.();
				active++;
				resolve();
			};
			const unregister = scope?.onStop((reason) => {
				const at = queue.indexOf(start);
				if (at >= 0) queue.splice(at, 1);
				reject(reason);
			});
			queue.push(start);
		});
	};

	return {
		async run<T>(task: () => Promise<T>): Promise<T> {
			await acquire();
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
