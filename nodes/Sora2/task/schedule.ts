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

/** A task created in this run: when, and what the run knows of its kind (how long such tasks take). */
export interface Learned {
	createdAt: number;
	/** Once enough tasks of its kind finished, and agree. */
	prior?: Prior;
	/** The run's best guess of such a task's time before that (from progress readings), for the order of reads only. */
	typical?: number;
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

/**
 * When a task created at `createdAt` ends, from its latest progress reading alone, taking the progress
 * as rising evenly from the create: a time in the queue before it started makes this late, never early.
 */
function endFromOneReading(readings: readonly Reading[], createdAt: number): number | undefined {
	const last = readings[readings.length - 1];
	if (last.progress === undefined || last.progress <= 0 || last.progress >= 100 || last.at <= createdAt) return undefined;
	return createdAt + ((last.at - createdAt) * 100) / last.progress;
}

/** The next read of a task, from its readings (at least one) and, for a task the run created, what the run learned. */
export function planRead(readings: readonly Reading[], settings: ScheduleSettings, learned?: Learned): ReadPlan {
	const last = readings.at(-1);
	if (!last) throw new RangeError('planRead needs at least one reading');
	const earliest = last.at + settings.pollIntervalMs;
	const end = expectedEnd(readings);
	const own = ownNextRead(readings, settings, end);
	if (!learned) return { dueAt: own, notBefore: Math.min(own, earliest), rank: end ?? own };
	const { createdAt, prior, typical } = learned;
	const roughEnd = endFromOneReading(readings, createdAt);
	const guess = prior?.mid ?? typical;
	const rank = end ?? roughEnd ?? (guess === undefined ? own : createdAt + guess);
	if (!prior) return { dueAt: own, notBefore: Math.min(own, earliest), rank };
	// not before the earliest a task of this kind is expected to end; then as its own readings say
	const soonest = Math.max(own, createdAt + prior.lo);
	if (!settings.aimAtDone) return { dueAt: soonest, notBefore: soonest, rank };
	// with a budget: when the video is likely done (an estimate from one reading is late, not early)
	const latest = createdAt + prior.hi;
	const likelyDone = end !== undefined ? end + AFTER_END * settings.pollIntervalMs : Math.min(roughEnd ?? latest, latest);
	const dueAt = Math.max(earliest, likelyDone);
	return { dueAt, notBefore: Math.min(soonest, dueAt), rank };
}

/**
 * How long the tasks of each kind took in this run, from the create to the first read that saw them
 * done (the middle of that read and the one before it, counted only when the two were close).
 */
export class GenerationTimes {
	private readonly times = new Map<string, number[]>();

	/** Rough times from progress readings (the create to the end they point at), per kind. */
	private readonly rough = new Map<string, number[]>();

	/** A task of `kind` created at `createdAt` was seen running at `lastRunningAt` and done at `doneAt`. */
	finished(kind: string, createdAt: number, lastRunningAt: number | undefined, doneAt: number): void {
		if (lastRunningAt === undefined || doneAt - lastRunningAt > PRECISE_BRACKET * (doneAt - createdAt)) return;
		const list = this.times.get(kind) ?? [];
		list.push((lastRunningAt + doneAt) / 2 - createdAt);
		if (list.length > KEPT) list.shift();
		this.times.set(kind, list);
	}

	/** A running task of `kind` created at `createdAt` reported `progress` at `at`: a rough guess of such tasks' time. */
	reading(kind: string, createdAt: number, at: number, progress: number | undefined): void {
		if (progress === undefined || progress <= 0 || progress >= 100 || at <= createdAt) return;
		const list = this.rough.get(kind) ?? [];
		list.push(((at - createdAt) * 100) / progress);
		if (list.length > KEPT) list.shift();
		this.rough.set(kind, list);
	}

	/** The run's guess of how long a task of `kind` takes before enough finished: the median rough time. */
	typical(kind: string): number | undefined {
		const list = this.rough.get(kind);
		return list && list.length > 0 ? [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] : undefined;
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
