import { sleep } from 'n8n-workflow';

import type { StopCause } from './errors';

/**
 * One run's "stop" switch. It trips when the user cancels the execution or when the run stops
 * early (an item failed without "Continue On Fail"). Hundreds of waits may hang on it at once,
 * so they register in a plain set here instead of each adding a listener to an AbortSignal.
 */
export class StopScope {
	private readonly controller = new AbortController();

	private readonly callbacks = new Set<(reason: unknown) => void>();

	private readonly cancelCallbacks = new Set<() => void>();

	private stopCause: StopCause | undefined;

	private wasCancelled = false;

	/** Listens once on n8n's cancel signal: the one listener of the run. */
	constructor(cancelSignal?: AbortSignal) {
		if (cancelSignal?.aborted) this.cancel(cancelSignal.reason);
		else cancelSignal?.addEventListener('abort', () => this.cancel(cancelSignal.reason), { once: true });
	}

	/** Aborts when the scope stops: handed to requests so they end at once. */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	get stopped(): boolean {
		return this.controller.signal.aborted;
	}

	/** Why the scope stopped (undefined while it runs). */
	get cause(): StopCause | undefined {
		return this.stopCause;
	}

	stop(reason?: unknown, cause: StopCause = 'failed'): void {
		if (this.stopped) return;
		this.stopCause = cause;
		this.controller.abort(reason ?? new Error('stopped'));
		const callbacks = [...this.callbacks];
		this.callbacks.clear();
		for (const callback of callbacks) callback(this.signal.reason);
	}

	/** The user cancelled the execution: everything ends, the requests that outlive a mere stop too. */
	cancel(reason?: unknown): void {
		if (this.wasCancelled) return;
		this.wasCancelled = true;
		const callbacks = [...this.cancelCallbacks];
		this.cancelCallbacks.clear();
		for (const callback of callbacks) callback();
		this.stop(reason, 'cancelled');
	}

	/** Calls `callback` once when the execution is cancelled (even after the scope stopped for a failure). */
	onCancel(callback: () => void): () => void {
		if (this.wasCancelled) {
			callback();
			return () => undefined;
		}
		this.cancelCallbacks.add(callback);
		return () => {
			this.cancelCallbacks.delete(callback);
		};
	}

	/** Calls `callback` once when the scope stops (at once when it has stopped already); returns the function that unregisters it. */
	onStop(callback: (reason: unknown) => void): () => void {
		if (this.stopped) {
			callback(this.signal.reason);
			return () => undefined;
		}
		this.callbacks.add(callback);
		return () => {
			this.callbacks.delete(callback);
		};
	}

	/** Resolves with `work`, or rejects as soon as the scope stops; a late rejection of `work` is absorbed. */
	async race<T>(work: Promise<T>): Promise<T> {
		work.catch(() => undefined);
		this.signal.throwIfAborted();
		let unregister: () => void = () => undefined;
		const stopped = new Promise<never>((_, reject) => {
			unregister = this.onStop(reject);
		});
		try {
			return await Promise.race([work, stopped]);
		} finally {
			unregister();
		}
	}

	/** Waits `ms`, or rejects at once when the scope stops. */
	async sleep(ms: number): Promise<void> {
		this.signal.throwIfAborted();
		if (ms > 0) await this.race(sleep(ms));
	}
}
