import { nextReadAt } from '../../../nodes/Sora2/task/schedule';
import type { Reading } from '../../../nodes/Sora2/task/schedule';

/** When a task is read next: at Poll Interval until its progress gives a pace, then towards its expected end. */

const P = 10_000;
const settings = { pollIntervalMs: P, maxGapMs: 6 * P };
const at = (seconds: number, progress?: number): Reading => ({ at: seconds * 1000, progress });
const next = (...readings: Reading[]) => nextReadAt(readings, settings) / 1000;

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
	expect(() => nextReadAt([], settings)).toThrow(RangeError);
});
