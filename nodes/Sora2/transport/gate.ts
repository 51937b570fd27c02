import type { StopScope } from './stopScope';

/*
 * The one gate every request of a run passes: it bounds the requests in flight ("Max Concurrent
 * Requests") and the pace at which they start ("Max Requests per Minute"), holds a request until
 * it is due, and decides who goes next when both are short.
 *
 * - Pace: starts are kept `60 s × 1.02 / budget` apart on a fixed grid (a start a timer made a few ms
 *   late does not push the later ones back), and never more than the budget in any 61.2 s here, so no
 *   60-second window holds more than the budget at the API, even with some jitter on the way there.
 * - Due: a request with `dueAt` in the future waits here until then (a status read scheduled for
 *   when its task is likely done). With a budget the user set, a start the budget allows is not left
 *   unused: when nothing due is waiting, the request due soonest goes early, but never before its
 *   own `notBefore`.
 * - Just before a request starts, its `replan` (if any) may move it later; then the next one goes.
 * - Order among the due: lower `priority` first; then lower `rank` (default: when it became due; a
 *   status read ranks by when its task is expected to end, so the read most likely to find a video
 *   goes first); then the `key` (a task) served longest ago; then first come, first served.
 * - A refused answer (`slowDown`: a 429, a 5xx) pauses every start for the time the API asked
 *   (Retry-After), and lowers the pace for the rest of the run: to 3/4 of the budget, or without one,
 *   to 3/4 of what the API let through before it asked to wait. At most once a minute: the answers of
 *   requests sent at the old pace arrive together, and each of them pausing and slowing the run again
 *   (once per item) made a storm of 429s hold the run without bound. (Each retry still waits what its
 *   own answer asked.)
 * - A request not started by its `deadline` fails (Max Wait, or the run's bound on retrying).
 */

/** When a request is due, the earliest it may go early, and its order among the due. */
export interface Timing {
	dueAt?: number;
	notBefore?: number;
	rank?: number;
}

export interface Ticket extends Timing {
	priority: number;
	/** Not started before this time (ms since epoch), unless the budget has starts to spare. */
	dueAt?: number;
	/** The earliest an early start may be (with a budget to spare); default `dueAt`. */
	notBefore?: number;
	/** Order among due requests of one priority: lower first. Default: when it became due. */
	rank?: number;
	/** Requests about the same thing (a task id) share a key; at equal rank the key served longest ago goes first. */
	key?: string;
	/** Given up when not started by this time (ms since epoch): it fails with a `EDEADLINE` error. */
	deadline?: number;
	/**
	 * Asked again when the request is about to start: the caller may have learned since it asked (e.g.
	 * how long tasks of this kind take) and move it later. A request moved later waits again.
	 */
	replan?: () => Timing;
}

export interface GateSettings {
	maxConcurrent: number;
	/** Starts per minute; undefined = no limit (until a 429 sets one). */
	maxPerMinute?: number;
}

interface Waiter {
	ticket: Ticket;
	dueAt: number;
	notBefore: number;
	rank: number;
	seq: number;
	start: (startedAt: number) => void;
	fail: (reason: unknown) => void;
}

const WINDOW_MS = 60_000;
/** The pace is lowered at most once in this long (one budget window). */
const SLOWDOWN_EVERY_MS = WINDOW_MS;
/**
 * Starts are spaced 2 % wider than the budget needs: the gateway counts arrivals, and the time from a
 * start here to its arrival there varies (request building, the event loop, the network): 1.2 s of
 * room in a minute.
 */
const PACE_MARGIN = 1.02;
/** The window in which a budget the user set is never exceeded at this end: a minute and the margin. */
const GUARD_WINDOW_MS = WINDOW_MS * PACE_MARGIN;
/** How much a 429 lowers the pace. */
const SLOWDOWN = 0.75;
/**
 * The longest a wake-up timer is armed for; a later wake-up is armed again when it fires. A timer
 * cannot be cancelled (n8n's `sleep`), so one armed for a deadline 20 minutes off would outlive the
 * run (holding a process open) by that long; this way by at most this much.
 */
const WAKE_STEP_MS = 5000;

function paceGapMs(perMinute: number): number {
	return (WINDOW_MS * PACE_MARGIN) / perMinute;
}

export class RequestGate {
	private active = 0;

	private seq = 0;

	private waiters: Waiter[] = [];

	private readonly lastServed = new Map<string, number>();

	/** Start times within the last window (the guard of a budget; what a 429 without one is measured against), oldest first. */
	private recentStarts: number[] = [];

	private gapMs: number;

	private nextStartAt = 0;

	/** When the armed wake-up fires (Infinity: none armed). */
	private wakeUpAt = Infinity;

	/** When the pace was last lowered (-Infinity: never). */
	private slowedAt = -Infinity;

	constructor(
		private readonly settings: GateSettings,
		private readonly scope: StopScope,
		private readonly now: () => number = Date.now,
	) {
		if (!Number.isInteger(settings.maxConcurrent) || settings.maxConcurrent < 1) {
			throw new RangeError(`maxConcurrent must be a positive integer, got ${settings.maxConcurrent}`);
		}
		this.gapMs = settings.maxPerMinute ? paceGapMs(settings.maxPerMinute) : 0;
		scope.onStop((reason) => {
			const waiting = this.waiters;
			this.waiters = [];
			for (const waiter of waiting) waiter.fail(reason);
		});
	}

	/** The pace now allowed, in starts per minute (undefined: none set, and no 429 seen). */
	get perMinute(): number | undefined {
		return this.gapMs ? (WINDOW_MS * PACE_MARGIN) / this.gapMs : undefined;
	}

	get inFlight(): number {
		return this.active;
	}

	/** Runs `task` once the gate admits it (it gets the time it started); its slot is held until `task` settles. */
	async run<T>(ticket: Ticket, task: (startedAt: number) => Promise<T>): Promise<T> {
		const startedAt = await this.admit(ticket);
		try {
			return await task(startedAt);
		} finally {
			this.active--;
			this.pump();
		}
	}

	/**
	 * After a 429. With a budget: 3/4 of the pace from now on. Without one, when the API said how
	 * long to wait (Retry-After): a pace of 3/4 of what it let through, i.e. the requests of the last
	 * minute spread over the time they took plus the wait. Every start waits out `retryAfterMs`.
	 */
	slowDown(retryAfterMs?: number): void {
		const now = this.now();
		// once a minute: the answers of requests sent before the slowdown arrive after it
		if (now - this.slowedAt < SLOWDOWN_EVERY_MS) return;
		// nothing to go by without a pace or a Retry-After: the retry backs off by itself
		if (!this.gapMs && !retryAfterMs) return;
		this.slowedAt = now;
		if (retryAfterMs) this.nextStartAt = Math.max(this.nextStartAt, now + retryAfterMs);
		if (this.gapMs) {
			this.gapMs /= SLOWDOWN;
			return;
		}
		this.prune(now);
		const span = Math.max(1000, now - (this.recentStarts[0] ?? now)) + (retryAfterMs ?? 0);
		this.gapMs = paceGapMs(Math.max(1, ((this.recentStarts.length * WINDOW_MS) / span) * SLOWDOWN));
	}

	private async admit(ticket: Ticket): Promise<number> {
		this.scope.signal.throwIfAborted();
		return await new Promise<number>((start, fail) => {
			const waiter: Waiter = { ticket, dueAt: 0, notBefore: 0, rank: 0, seq: this.seq++, start, fail };
			this.time(waiter, ticket);
			this.waiters.push(waiter);
			this.pump();
		});
	}

	private time(waiter: Waiter, timing: Timing): void {
		const dueAt = timing.dueAt ?? this.now();
		waiter.dueAt = dueAt;
		waiter.notBefore = Math.min(dueAt, timing.notBefore ?? dueAt);
		waiter.rank = timing.rank ?? dueAt;
	}

	private pump(): void {
		this.expire(this.now());
		while (this.active < this.settings.maxConcurrent && this.waiters.length > 0) {
			const now = this.now();
			if (now < this.nextStartAt) return this.wakeAt(this.nextStartAt);
			const full = this.windowFullUntil(now);
			if (full !== undefined) return this.wakeAt(full);
			const waiter = this.takeNext(now);
			if (!waiter) return this.wakeAt(this.nextWakeAt());
			this.active++;
			this.noteStart(waiter.ticket, now);
			waiter.start(now);
		}
	}

	/** Fails the waiters whose deadline passed, and arms a wake-up for the next deadline. */
	private expire(now: number): void {
		let next = Infinity;
		const kept: Waiter[] = [];
		for (const waiter of this.waiters) {
			const deadline = waiter.ticket.deadline ?? Infinity;
			if (deadline <= now) waiter.fail(Object.assign(new Error('the request got no turn before its deadline'), { code: 'EDEADLINE' }));
			else {
				kept.push(waiter);
				next = Math.min(next, deadline);
			}
		}
		this.waiters = kept;
		this.wakeAt(next);
	}

	/** Only a budget the user set is filled early; a pace a 429 imposed is a ceiling, not an allowance. */
	private get fillsBudget(): boolean {
		return this.settings.maxPerMinute !== undefined;
	}

	/** The request that goes next (asked once more whether it still wants to go now), or none. */
	private takeNext(now: number): Waiter | undefined {
		const replanned = new Set<Waiter>();
		for (;;) {
			const at = this.choose(now);
			if (at === undefined) return undefined;
			const waiter = this.waiters[at];
			if (!waiter.ticket.replan || replanned.has(waiter)) return this.waiters.splice(at, 1)[0];
			replanned.add(waiter);
			this.time(waiter, waiter.ticket.replan());
		}
	}

	/** The due request that goes first; else, with a budget to fill, the one due soonest that may go early. */
	private choose(now: number): number | undefined {
		let best: number | undefined;
		for (let at = 0; at < this.waiters.length; at++) {
			const waiter = this.waiters[at];
			if (waiter.dueAt <= now && (best === undefined || this.before(waiter, this.waiters[best]))) best = at;
		}
		if (best === undefined && this.fillsBudget) {
			for (let at = 0; at < this.waiters.length; at++) {
				const waiter = this.waiters[at];
				if (waiter.notBefore <= now && (best === undefined || waiter.dueAt < this.waiters[best].dueAt)) best = at;
			}
		}
		return best;
	}

	/** When the next waiter becomes due (or may go early, with a budget to fill). */
	private nextWakeAt(): number {
		let at = Infinity;
		for (const waiter of this.waiters) at = Math.min(at, this.fillsBudget ? waiter.notBefore : waiter.dueAt);
		return at;
	}

	private before(a: Waiter, b: Waiter): boolean {
		if (a.ticket.priority !== b.ticket.priority) return a.ticket.priority < b.ticket.priority;
		if (a.rank !== b.rank) return a.rank < b.rank;
		const servedA = a.ticket.key === undefined ? -Infinity : (this.lastServed.get(a.ticket.key) ?? -Infinity);
		const servedB = b.ticket.key === undefined ? -Infinity : (this.lastServed.get(b.ticket.key) ?? -Infinity);
		if (servedA !== servedB) return servedA < servedB;
		return a.seq < b.seq;
	}

	private noteStart(ticket: Ticket, now: number): void {
		if (ticket.key !== undefined) this.lastServed.set(ticket.key, now);
		// on the grid while starts keep up with it; after an idle spell, from now
		if (this.gapMs) this.nextStartAt = (now - this.nextStartAt < this.gapMs ? this.nextStartAt : now) + this.gapMs;
		this.prune(now);
		this.recentStarts.push(now);
	}

	/** With a budget the user set: when the guard window has room again, if it is full now. */
	private windowFullUntil(now: number): number | undefined {
		const budget = this.settings.maxPerMinute;
		if (!budget) return undefined;
		this.prune(now);
		return this.recentStarts.length >= budget ? this.recentStarts[this.recentStarts.length - budget] + GUARD_WINDOW_MS : undefined;
	}

	private prune(now: number): void {
		let drop = 0;
		while (drop < this.recentStarts.length && now - this.recentStarts[drop] >= GUARD_WINDOW_MS) drop++;
		if (drop > 0) this.recentStarts.splice(0, drop);
	}

	/**
	 * Wakes the gate at `at` (when the pace allows the next start, or a waiter becomes due). One
	 * wake-up is kept armed, the soonest: a sooner one replaces it (the later timer then only pumps).
	 */
	private wakeAt(target: number): void {
		if (target === Infinity) return;
		const at = Math.min(target, this.now() + WAKE_STEP_MS);
		if (at >= this.wakeUpAt) return;
		this.wakeUpAt = at;
		const fired = () => {
			if (this.wakeUpAt === at) this.wakeUpAt = Infinity;
		};
		this.scope.sleep(Math.max(0, at - this.now())).then(
			() => {
				fired();
				this.pump();
			},
			fired,
		);
	}
}
