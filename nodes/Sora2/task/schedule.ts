/*
 * When to read a task next, from what its answers said so far and what the run has learned.
 *
 * Today's rule, for a task on its own: a task whose progress rises gives its pace (two readings
 * with rising progress, both above 0, tell when it should end). Until then, and for a task that
 * reports no progress (or progress that does not move), reads are one Poll Interval apart. With a
 * pace, the next read goes 3/4 of the way to the expected end (an estimate a little off is corrected
 * on the way), at most `maxGapMs` after the last read; within two intervals of the expected end, just
 * after it.
 *
 * What the run learns: the tasks of one kind (model, size, duration) that finished first tell how
 * long such tasks take at this gateway right now (`GenerationTimes`). Once three have finished and
 * their times agree (spread within half the median), the others are not read before the earliest
 * time such a task can be expected to end; a task that reports no progress at all is read when it
 * is likely done. With a budget (Max Requests per Minute), the read is due when the video is likely
 * done (spare budget may still take it earlier), so the budget goes to reads that find videos.
 *
 * Always: never within one Poll Interval of the previous answer.
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
	/** A budget is set: reads are due when the video is likely done (they may go earlier from `notBefore`). */
	aimAtDone: boolean;
}

/** When a read is due, the earliest it may go (spare budget), and how it ranks among the run's reads (its expected end). */
export interface ReadPlan {
	dueAt: number;
	notBefore: number;
	rank: number;
}

/** How long tasks of one kind took in this run (ms from the create): the expected earliest, middle and latest. */
export interface Prior {
	lo: number;
	mid: number;
	hi: number;
}

/** A task of a known kind and when it was created: what the run's learning needs to plan its reads. */
export interface Learned {
	createdAt: number;
	prior: Prior;
}

/** How far towards the expected end the next read goes. */
const TOWARDS_END = 0.75;
/** How long after the expected end the read goes, as a share of the Poll Interval. */
const AFTER_END = 0.1;
/** How many finished tasks of a kind it takes before their times are used. */
const ENOUGH = 3;
/** Times that spread wider than this share of their median are not steady enough to plan by. */
const STEADY_SPREAD = 0.5;
/** A finished task's time counts when the read before the one that saw it done was this close (share of its time). */
const PRECISE_BRACKET = 0.25;
/** The most recent times kept per kind. */
const KEPT = 50;

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

/** Today's rule: when to read next from the task's own readings, never sooner than one Poll Interval after the last answer. */
function ownNextRead(readings: readonly Reading[], settings: ScheduleSettings, end: number | undefined): number {
	const { pollIntervalMs, maxGapMs } = settings;
	const last = readings[readings.length - 1];
	const earliest = last.at + pollIntervalMs;
	if (end === undefined) return earliest;
	const remaining = end - last.at;
	if (remaining <= 2 * pollIntervalMs) return Math.max(earliest, end + AFTER_END * pollIntervalMs);
	return last.at + Math.min(maxGapMs, Math.max(pollIntervalMs, remaining * TOWARDS_END));
}

/** The next read of a task, from its readings (at least one) and, once the run knows its kind, what the run learned. */
export function planRead(readings: readonly Reading[], settings: ScheduleSettings, learned?: Learned): ReadPlan {
	const last = readings.at(-1);
	if (!last) throw new RangeError('planRead needs at least one reading');
	const earliest = last.at + settings.pollIntervalMs;
	const end = expectedEnd(readings);
	const own = ownNextRead(readings, settings, end);
	if (!learned) return { dueAt: own, notBefore: Math.min(own, earliest), rank: end ?? own };
	const { createdAt, prior } = learned;
	// not before the earliest a task of this kind is expected to end; then as its own readings say
	const soonest = Math.max(own, createdAt + prior.lo);
	const rank = end ?? createdAt + prior.mid;
	if (!settings.aimAtDone) return { dueAt: soonest, notBefore: soonest, rank };
	const likelyDone = end !== undefined ? end + AFTER_END * settings.pollIntervalMs : createdAt + prior.hi;
	return { dueAt: Math.max(earliest, likelyDone), notBefore: soonest, rank };
}

/**
 * How long the tasks of each kind took in this run, from the create to the first read that saw them
 * done (the middle of that read and the one before it, counted only when the two were close).
 */
export class GenerationTimes {
	private readonly times = new Map<string, number[]>();

	/** A task of `kind` created at `createdAt` was seen running at `lastRunningAt` and done at `doneAt`. */
	finished(kind: string, createdAt: number, lastRunningAt: number | undefined, doneAt: number): void {
		if (lastRunningAt === undefined || doneAt - lastRunningAt > PRECISE_BRACKET * (doneAt - createdAt)) return;
		const list = this.times.get(kind) ?? [];
		list.push((lastRunningAt + doneAt) / 2 - createdAt);
		if (list.length > KEPT) list.shift();
		this.times.set(kind, list);
	}

	/**
	 * What the run knows of `kind`, once enough tasks agree: the range the times come from, estimated
	 * from the samples (a range of n samples is widened by one n-th of itself at each end).
	 */
	prior(kind: string): Prior | undefined {
		const list = this.times.get(kind);
		if (!list || list.length < ENOUGH) return undefined;
		const sorted = [...list].sort((a, b) => a - b);
		const min = sorted[0];
		const max = sorted[sorted.length - 1];
		const mid = sorted[Math.floor(sorted.length / 2)];
		if (max - min > STEADY_SPREAD * mid) return undefined;
		const widen = (max - min) / (sorted.length - 1);
		return { lo: Math.max(0, min - widen), mid, hi: max + widen };
	}
}
