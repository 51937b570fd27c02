import type { LoggedRequest } from '../mock-server/server';

/** The most requests that arrived (in the mock's request log) within any window of `windowMs`. */
export function peakInWindow(log: LoggedRequest[], windowMs: number): number {
	let peak = 0;
	let start = 0;
	for (let end = 0; end < log.length; end++) {
		while (log[end].at - log[start].at >= windowMs) start++;
		peak = Math.max(peak, end - start + 1);
	}
	return peak;
}
