import { sleep } from 'n8n-workflow';

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts (the user
 * cancelled the execution, or another item failed and the run is stopping).
 */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
	signal.throwIfAborted();
	if (ms <= 0) return;
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(signal.reason);
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}
