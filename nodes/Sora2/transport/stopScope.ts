import { sleep } from 'n8n-workflow';

/** Why a run's scope stopped: the user cancelled the execution, or an item failed without Continue On Fail. */
export type StopCause = 'cancelled' | 'failed';

/**
 * One run's "stop" switch. It trips when the user cancels the execution or when the run stops
 * early (an item failed without "Continue On Fail"). Hundreds of waits may hang on it at once,
 * so they register in a plain set here instead of each adding a listener to an AbortSignal.
 */
export class StopScope {
	private readonly controller = new AbortController();

	private readonly callbacks = new Set<(reason: unknown) => void>();

	private stopCause: StopCause | undefined;

	constructor(cancelSignal?: AbortSignal) {
		if (cancelSignal?.aborted) this.stop(cancelSignal.reason, 'cancelled');
		else cancelSignal?.addEventListener('abort', () => this.stop(cancelSignal.reason, 'cancelled'), { once: true });
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

	/** Calls `callback` once when the scope stops; returns the function that unregisters it. */
	onStop(callback: (reason: unknown) => void): () => void {
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
