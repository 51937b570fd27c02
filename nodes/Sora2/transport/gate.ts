import type { StopScope } from './stopScope';

/*
 * The one gate every request of a run passes (creates, status reads, downloads, chats): it bounds
 * the requests in flight ("Max Concurrent Requests") and the pace at which they start ("Max
 * Requests per Minute"), and decides who goes next when both are short.
 *
 * - Pace: starts are kept at least `60 s × 1.02 / budget` apart, so no 60-second window ever holds
 *   more than the budget, even with some jitter between a start here and its arrival there.
 * - Order: lower `priority` first (creates before downloads before status reads: a task that
 *   starts earlier finishes earlier); within a priority, the request due first (a status read is due
 *   when its task is likely to have moved, see helpers/pollSchedule.ts; a due time only ever passes,
 *   so no task starves); then the `key` (a task) served longest ago; then first come, first served.
 * - With a budget the user set, a start the budget allows is not left unused: a request resting until it is due
 *   (`restUntil`: a status read scheduled for later) is woken early, the one due soonest first, but
 *   never before its own earliest time (one Poll Interval after the task's last read).
 * - A 429 (`slowDown`) pauses every start for the time the API asked (Retry-After), and lowers the
 *   pace for the rest of the run: to 3/4 of the budget, or without one, to 3/4 of what the API let
 *   through before it asked to wait.
 */

export interface Ticket {
	priority: number;
	/** When the request was due (a status read's scheduled time): the one due first goes first. Default: when it asked. */
	dueAt?: number;
	/** Requests about the same thing (a task id) share a key; at equal due times the key served longest ago goes first. */
	key?: string;
}

export interface GateSettings {
	maxConcurrent: number;
	/** Starts per minute; undefined = no limit (until a 429 sets one). */
	maxPerMinute?: number;
}

interface Resting {
	dueAt: number;
	earliestAt: number;
	wake: () => void;
}

interface Waiter {
	ticket: Ticket;
	dueAt: number;
	seq: number;
	start: () => void;
	fail: (reason: unknown) => void;
}

const WINDOW_MS = 60_000;
/**
 * Starts are spaced 2 % wider than the budget needs: the gateway counts arrivals, and the time from a
 * start here to its arrival there varies (request building, the event loop, the network): 1.2 s of
 * room in a minute.
 */
const PACE_MARGIN = 1.02;
/** How much a 429 lowers the pace. */
const SLOWDOWN = 0.75;

export function paceGapMs(perMinute: number): number {
	return (WINDOW_MS * PACE_MARGIN) / perMinute;
}

export class RequestGate {
	private active = 0;

	private seq = 0;

	private waiters: Waiter[] = [];

	private readonly lastServed = new Map<string, number>();

	/** Start times within the last minute (what a 429 without a budget is measured against). */
	private recentStarts: number[] = [];

	private gapMs: number;

	private nextStartAt = 0;

	/** When the armed wake-up fires (Infinity: none armed). */
	private wakeUpAt = Infinity;

	private readonly resting = new Set<Resting>();

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

	/** Runs `task` once the gate admits it; its slot is held until `task` settles. */
	async run<T>(ticket: Ticket, task: () => Promise<T>): Promise<T> {
		await this.admit(ticket);
		try {
			return await task();
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
		if (retryAfterMs !== undefined) this.nextStartAt = Math.max(this.nextStartAt, now + retryAfterMs);
		if (this.gapMs) {
			this.gapMs /= SLOWDOWN;
			return;
		}
		if (!retryAfterMs) return;
		this.prune(now);
		const span = Math.max(1000, now - (this.recentStarts[0] ?? now)) + retryAfterMs;
		this.gapMs = paceGapMs(Math.max(1, ((this.recentStarts.length * WINDOW_MS) / span) * SLOWDOWN));
	}

	/**
	 * Waits until `dueAt`; with a budget, wakes earlier (not before `earliestAt`) when the budget has a
	 * start to spare and nothing else is waiting. Rejects at once when the run stops.
	 */
	async restUntil(dueAt: number, earliestAt: number): Promise<void> {
		const now = this.now();
		if (dueAt <= now) return;
		// only a budget the user set is filled; a pace a 429 imposed is a ceiling, not an allowance
		if (!this.settings.maxPerMinute) return await this.scope.sleep(dueAt - now);
		let entry: Resting | undefined;
		const woken = new Promise<void>((wake) => {
			entry = { dueAt, earliestAt, wake };
			this.resting.add(entry);
		});
		this.pump();
		try {
			await this.scope.race(Promise.race([woken, this.scope.sleep(dueAt - now)]));
		} finally {
			if (entry) this.resting.delete(entry);
		}
	}

	private async admit(ticket: Ticket): Promise<void> {
		this.scope.signal.throwIfAborted();
		await new Promise<void>((start, fail) => {
			this.waiters.push({ ticket, dueAt: ticket.dueAt ?? this.now(), seq: this.seq++, start, fail });
			this.pump();
		});
	}

	private pump(): void {
		while (this.active < this.settings.maxConcurrent && this.waiters.length > 0) {
			const now = this.now();
			if (now < this.nextStartAt) return this.wakeAt(this.nextStartAt - now);
			const waiter = this.takeNext();
			this.active++;
			this.noteStart(waiter.ticket, now);
			waiter.start();
		}
		if (this.waiters.length === 0 && this.active < this.settings.maxConcurrent) this.wakeResting();
	}

	/** The budget has a start to spare and nobody waits: the resting request due soonest goes now. */
	private wakeResting(): void {
		if (!this.settings.maxPerMinute || this.resting.size === 0) return;
		const now = this.now();
		if (now < this.nextStartAt) return this.wakeAt(this.nextStartAt - now);
		let next: Resting | undefined;
		let soonestEarliest = Infinity;
		for (const entry of this.resting) {
			if (entry.earliestAt > now) soonestEarliest = Math.min(soonestEarliest, entry.earliestAt);
			else if (!next || entry.dueAt < next.dueAt) next = entry;
		}
		if (next) {
			this.resting.delete(next);
			next.wake();
		} else if (soonestEarliest < Infinity) {
			this.wakeAt(soonestEarliest - now);
		}
	}

	private takeNext(): Waiter {
		let best = 0;
		for (let at = 1; at < this.waiters.length; at++) if (this.before(this.waiters[at], this.waiters[best])) best = at;
		const [waiter] = this.waiters.splice(best, 1);
		return waiter;
	}

	private before(a: Waiter, b: Waiter): boolean {
		if (a.ticket.priority !== b.ticket.priority) return a.ticket.priority < b.ticket.priority;
		if (a.dueAt !== b.dueAt) return a.dueAt < b.dueAt;
		const servedA = a.ticket.key === undefined ? -Infinity : (this.lastServed.get(a.ticket.key) ?? -Infinity);
		const servedB = b.ticket.key === undefined ? -Infinity : (this.lastServed.get(b.ticket.key) ?? -Infinity);
		if (servedA !== servedB) return servedA < servedB;
		return a.seq < b.seq;
	}

	private noteStart(ticket: Ticket, now: number): void {
		if (ticket.key !== undefined) this.lastServed.set(ticket.key, now);
		if (this.gapMs) this.nextStartAt = Math.max(this.nextStartAt, now) + this.gapMs;
		this.recentStarts.push(now);
		if (this.recentStarts.length > 4096) this.prune(now);
	}

	private prune(now: number): void {
		this.recentStarts = this.recentStarts.filter((at) => now - at < WINDOW_MS);
	}

	/**
	 * Wakes the gate in `ms` (when the pace allows the next start, or a resting request may go). One
	 * wake-up is kept armed, the soonest: a sooner one replaces it (the later timer then only pumps).
	 */
	private wakeAt(ms: number): void {
		const at = this.now() + ms;
		if (at >= this.wakeUpAt) return;
		this.wakeUpAt = at;
		const fired = () => {
			if (this.wakeUpAt === at) this.wakeUpAt = Infinity;
		};
		this.scope.sleep(ms).then(
			() => {
				fired();
				this.pump();
			},
			fired,
		);
	}
}
