import { GenerationTimes, planRead } from '../../../nodes/Sora2/task/schedule';
import type { Learned, Reading } from '../../../nodes/Sora2/task/schedule';
import { createParams, makeContext } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runNode } from '../../helpers/run';

/**
 * When a task is read next: on its own, at Poll Interval until its progress gives a pace, then towards
 * its expected end; with what the run learned of its kind, not before such tasks end, and with a
 * budget, when it is likely done.
 */

const P = 10_000;
const settings = { pollIntervalMs: P, maxGapMs: 6 * P, aimAtDone: false };
const at = (seconds: number, progress?: number): Reading => ({ at: seconds * 1000, progress });
const next = (...readings: Reading[]) => planRead(readings, settings).dueAt / 1000;

test('no progress reported: every Poll Interval', () => {
	expect(next(at(10))).toBe(20);
	expect(next(at(10), at(20))).toBe(30);
});

test('progress that does not move (0 while waiting, stuck at 99): every Poll Interval', () => {
	expect(next(at(10, 0), at(20, 0))).toBe(30);
	expect(next(at(10, 99), at(20, 99))).toBe(30);
	expect(next(at(10, 40), at(20, 30))).toBe(30);
});

test('one reading with progress gives no pace yet', () => {
	expect(next(at(10, 0), at(20, 10))).toBe(30);
});

test('a pace far from the end: 3/4 of the way to the expected end', () => {
	// 10 % → 20 % in 20 s: 0.5 %/s, 80 % left = 160 s; 3/4 of it = 120 s, capped at 6 intervals
	expect(next(at(10, 10), at(30, 20))).toBe(30 + 60);
	// 50 % → 70 % in 20 s: 1 %/s, 30 % left = 30 s (more than two intervals): read after 22.5 s
	expect(next(at(10, 50), at(30, 70))).toBe(30 + 22.5);
});

test('near the expected end: just after it, never sooner than one interval', () => {
	// 1 %/s, 15 % left: the end is due at 45 s; read at 46 s
	expect(next(at(10, 65), at(30, 85))).toBe(46);
	// 2 %/s, 4 % left: due in 2 s, but not sooner than one interval after the last read
	expect(next(at(10, 56), at(30, 96))).toBe(40);
});

test('a wrong guess is corrected on the way: each read re-estimates from the last two', () => {
	const first = next(at(0, 1), at(10, 2)); // 0.1 %/s: 980 s to go, capped
	expect(first).toBe(10 + 60);
	const second = next(at(0, 1), at(10, 2), at(70, 62)); // now 1 %/s: 38 s to go
	expect(second).toBeCloseTo(70 + 28.5);
});

test('needs a reading', () => {
	expect(() => planRead([], settings)).toThrow(RangeError);
});

test('on its own a read may go early (spare budget) from one Poll Interval after the last answer, and ranks by its expected end', () => {
	expect(planRead([at(10)], settings)).toEqual({ dueAt: 20_000, notBefore: 20_000, rank: 20_000 });
	const paced = planRead([at(10, 10), at(30, 20)], settings);
	expect(paced.notBefore).toBe(40_000);
	// 0.5 %/s, 80 % left: the end is expected at 190 s
	expect(paced.rank).toBe(190_000);
});

describe('what the run learned of a kind of task', () => {
	const learned = (createdAt: number, lo: number, mid: number, hi: number): Learned => ({ createdAt: createdAt * 1000, prior: { lo: lo * 1000, mid: mid * 1000, hi: hi * 1000 } });

	test('a task that reports no progress is not read before the earliest a task of its kind ends; then every Poll Interval', () => {
		// created at 0, such tasks take 96–144 s
		expect(planRead([at(0)], settings, learned(0, 96, 120, 144))).toEqual({ dueAt: 96_000, notBefore: 96_000, rank: 120_000 });
		expect(planRead([at(0), at(96)], settings, learned(0, 96, 120, 144)).dueAt).toBe(106_000);
	});

	test('its own pace still counts, but not before the earliest end of its kind', () => {
		// own pace says 190 s; its kind ends from 96 s: the own rule (3/4 of the way, capped) wins
		expect(planRead([at(10, 10), at(30, 20)], settings, learned(0, 96, 120, 144)).dueAt).toBe(96_000);
		expect(planRead([at(10, 10), at(30, 20)], settings, learned(0, 50, 60, 70)).dueAt).toBe(90_000);
	});

	test('with a budget, the read is due when the video is likely done, and may go earlier from the soonest', () => {
		const budget = { ...settings, aimAtDone: true };
		expect(planRead([at(0)], budget, learned(0, 96, 120, 144))).toEqual({ dueAt: 144_000, notBefore: 96_000, rank: 120_000 });
		// with its own pace: just after the expected end
		expect(planRead([at(100, 80), at(110, 90)], budget, learned(0, 96, 120, 144)).dueAt).toBe(121_000);
	});

	test('never within one Poll Interval of the last answer, whatever was learned', () => {
		const plan = planRead([at(0), at(140)], { ...settings, aimAtDone: true }, learned(0, 96, 120, 144));
		expect(plan.dueAt).toBe(150_000);
		expect(plan.notBefore).toBe(150_000);
	});
});

describe('GenerationTimes', () => {
	test('three finished tasks that agree give the range, widened by a third of itself at each end for three samples', () => {
		const times = new GenerationTimes();
		times.finished('sora-2|small|10', 0, 98_000, 102_000);
		times.finished('sora-2|small|10', 0, 108_000, 112_000);
		expect(times.prior('sora-2|small|10')).toBeUndefined();
		times.finished('sora-2|small|10', 1000, 119_000, 123_000);
		// times 100, 110, 120 s: the range 100–120 widened by 10 s at each end
		expect(times.prior('sora-2|small|10')).toEqual({ lo: 90_000, mid: 110_000, hi: 130_000 });
		expect(times.prior('sora-2-pro|large|15')).toBeUndefined();
	});

	test('a time is counted from the create to the middle of the last running read and the first done read, only when those were close', () => {
		const times = new GenerationTimes();
		// seen done by the first read (no running read before it), or after a long gap: not counted
		times.finished('k', 0, undefined, 100_000);
		times.finished('k', 0, 10_000, 100_000);
		for (const done of [100_000, 101_000, 102_000]) times.finished('k', 0, done - 2000, done);
		expect(times.prior('k')?.mid).toBe(100_000);
	});

	test('times that spread wider than half their median are not steady: no prior (today\'s rule)', () => {
		const times = new GenerationTimes();
		for (const done of [10_000, 30_000, 60_000]) times.finished('k', 0, done - 1000, done);
		expect(times.prior('k')).toBeUndefined();
	});
});

describe('the learned schedule, as the gateway sees it (the mock\'s own read times)', () => {
	const mock = useMockServer({ pendingMs: 50, generationMs: 600 });
	const POLL_S = 0.05;

	/** Runs Create (wait) over `prompts`, item i's create answered `i × spreadMs` late (creates spread in time); the reads each task got, from its create. */
	async function readsPerTask(prompts: string[], spreadMs: number, options: Record<string, number> = {}, pollS = POLL_S): Promise<number[][]> {
		prompts.forEach((prompt, i) => {
			if (i > 0) mock.addFault({ path: '/v1/video/create', kind: 'delay', delayMs: i * spreadMs, matchText: prompt, times: 1 });
		});
		const items = prompts.map((_, row) => ({ json: { row } }));
		const ctx = makeContext({ items, params: createParams({ prompt: (i: number) => prompts[i], pollInterval: pollS, maxWait: 30, options: { maxConcurrency: 40, ...options } }), credentials: credentialsFor(mock) });
		const output = await runNode(ctx);
		expect(output.map((item) => item.json.status)).toEqual(prompts.map(() => 'completed'));
		const tasks = [...mock.tasks.values()];
		return prompts.map((prompt) => {
			const task = tasks.find((candidate) => candidate.prompt === prompt);
			return (task?.readTimes ?? []).map((at) => at - (task?.createdAt ?? 0));
		});
	}

	const gaps = (times: number[]) => times.slice(1).map((at, i) => at - times[i]);

	test('a batch with a steady generation time: once three finished, the others are not read before such a task can end', async () => {
		const prompts = Array.from({ length: 14 }, (_, i) => `steady ${i} [noprogress]`);
		const reads = await readsPerTask(prompts, 110);
		// the first ones, before anything was learned: every Poll Interval (today's rule)
		for (const times of reads.slice(0, 3)) expect(times.length).toBeGreaterThanOrEqual(6);
		// created after the third finished (~0.85 s): read first when such a task can be done, then about every interval
		for (const times of reads.slice(9)) {
			expect(times[0]).toBeGreaterThanOrEqual(450);
			expect(times.length).toBeLessThanOrEqual(4);
		}
		const early = reads.slice(0, 3).flat().length;
		const late = reads.slice(9, 12).flat().length;
		expect(late).toBeLessThan(early / 2);
	});

	test('one item: today\'s rule, a read every Poll Interval from one Poll Interval after the create', async () => {
		const [times] = await readsPerTask(['alone [noprogress]'], 0);
		expect(times[0]).toBeGreaterThanOrEqual(50);
		expect(times[0]).toBeLessThan(200);
		expect(times.length).toBeGreaterThanOrEqual(8);
	});

	test('a spread-out batch (times that do not agree): today\'s rule for every task, nothing skipped', async () => {
		// 0.8, 1.6 and 3.2 s in turn, created 0.4 s apart: the first three to finish disagree (0.8, 0.8, 1.6 s)
		const durations = [800, 1600, 3200, 800, 1600, 3200, 800];
		const prompts = durations.map((ms, i) => `spread ${i} [noprogress] [gen:${ms}]`);
		const reads = await readsPerTask(prompts, 400);
		// those created after them (from 2 s on) are read as today: from one interval after their create
		for (const times of reads) {
			expect(times[0]).toBeLessThan(300);
			for (const gap of gaps(times)) expect(gap).toBeLessThan(450);
		}
	});

	test('never two reads of one task closer than Poll Interval at the server, with 120 items', async () => {
		// a Poll Interval (1 s) longer than a round of 120 reads takes here: the interval is what spaces the reads
		// times that do not agree (2 s and 4.4 s), so nothing is skipped: every task is read every interval
		const prompts = Array.from({ length: 120 }, (_, i) => `many ${i} [noprogress] [gen:${i % 2 ? 4400 : 2000}]`);
		const reads = await readsPerTask(prompts, 0, { maxConcurrency: 20 }, 1);
		const all = reads.flatMap(gaps);
		expect(all.length).toBeGreaterThanOrEqual(60);
		expect(Math.min(...all)).toBeGreaterThanOrEqual(1000);
	});
});
