/*
 * When to read a task next, from what its answers said so far.
 *
 * A task whose progress rises gives its pace: two readings with rising progress (both above 0)
 * tell when it should end. Until then, and for a task that reports no progress (or progress that
 * does not move), reads are one Poll Interval apart. With a pace, the next read goes 3/4 of the
 * way to the expected end (so an estimate that is a little off is corrected on the way), at most
 * `maxGapMs` after the last read; within two intervals of the expected end, the read goes just
 * after it. Reads are never closer than one Poll Interval.
 */

export interface Reading {
	/** When the answer came (ms since epoch): the progress it reports is the progress then. */
	at: number;
	progress?: number;
}

export interface ScheduleSettings {
	pollIntervalMs: number;
	/** The widest gap between two reads of a task with a known pace. */
	maxGapMs: number;
}

/** How far towards the expected end the next read goes. */
const TOWARDS_END = 0.75;
/** How long after the expected end the read goes, as a share of the Poll Interval. */
const AFTER_END = 0.1;

/** When the task is expected to end (ms since epoch), from its last two readings with rising progress. */
function expectedEnd(readings: readonly Reading[]): number | undefined {
	const moving = readings.filter((reading) => reading.progress !== undefined && reading.progress > 0 && reading.progress < 100);
	const last = moving.at(-1);
	if (!last || readings.at(-1) !== last) return undefined;
	const before = [...moving].reverse().find((reading) => (reading.progress ?? 0) < (last.progress ?? 0));
	if (!before || last.at <= before.at) return undefined;
	const perMs = ((last.progress ?? 0) - (before.progress ?? 0)) / (last.at - before.at);
	return last.at + (100 - (last.progress ?? 0)) / perMs;
}

/** When to read next: never sooner than one Poll Interval after the last answer came. */
export function nextReadAt(readings: readonly Reading[], settings: ScheduleSettings): number {
	const { pollIntervalMs, maxGapMs } = settings;
	const last = readings.at(-1);
	if (!last) throw new RangeError('nextReadAt needs at least one reading');
	const earliest = last.at + pollIntervalMs;
	const end = expectedEnd(readings);
	if (end === undefined) return earliest;
	const remaining = end - last.at;
	if (remaining <= 2 * pollIntervalMs) return Math.max(earliest, end + AFTER_END * pollIntervalMs);
	return last.at + Math.min(maxGapMs, Math.max(pollIntervalMs, remaining * TOWARDS_END));
}
