import { cancelledError } from '../transport';
import type { CallSite, Sora2Client } from '../transport';
import type { WaitSettings } from './params';
import { MAX_POLL_INTERVALS_BETWEEN_READS } from './defaults';
import { pollUntilDone } from './polling';
import { earliestReadAt, nextReadAt } from './pollSchedule';
import type { Reading } from './pollSchedule';
import { isFinal } from './task';
import type { TaskSnapshot } from './task';
import { maxWaitError } from './taskErrors';
import type { TaskReader } from './taskReader';

export interface TaskWait {
	client: Sora2Client;
	reader: TaskReader;
	taskId: string;
	site: CallSite;
	/** Max Wait counts from here (the create, or the start of Get Task), and so does the first Poll Interval. */
	startedAt: number;
	settings: WaitSettings;
	/** Read at once (Get Task) instead of one Poll Interval after `startedAt` (a fresh create). */
	readFirst: boolean;
}

export interface WaitResult {
	snapshot: TaskSnapshot;
	/** Status reads made. */
	polls: number;
	/** HTTP attempts for those reads (more than `polls` when some were retried). */
	pollAttempts: number;
}

/**
 * Reads one task until it completes or fails, each read when the task is likely to have moved
 * (`pollSchedule.ts`). Many of these run at once (one per item); the client's gate bounds and
 * orders their requests. Ends at once when the run stops; at Max Wait, with an error that says
 * what the task last reported and how to pick it up.
 */
export async function waitForTask(wait: TaskWait): Promise<WaitResult> {
	const { client, reader, taskId, site, settings } = wait;
	const readings: Reading[] = [];
	let polls = 0;
	let pollAttempts = 0;
	let lastStart = wait.startedAt;
	let dueAt = wait.readFirst ? Date.now() : wait.startedAt + settings.pollIntervalMs;
	const schedule = { pollIntervalMs: settings.pollIntervalMs, maxGapMs: settings.pollIntervalMs * MAX_POLL_INTERVALS_BETWEEN_READS };
	const snapshot = await pollUntilDone<TaskSnapshot>({
		read: async () => {
			const read = await reader.read(taskId, site, dueAt);
			polls++;
			pollAttempts += read.attempts;
			readings.push({ at: Date.now(), progress: read.snapshot.progress });
			return read.snapshot;
		},
		isDone: (value) => isFinal(value.status),
		nextReadAt: (_value, startedAt) => {
			lastStart = startedAt;
			dueAt = nextReadAt(readings, schedule, startedAt);
			return dueAt;
		},
		firstReadAt: dueAt,
		deadline: wait.startedAt + settings.maxWaitMs,
		// with a budget, a read may go early when the budget has a start to spare (never within one interval)
		waitUntil: async (at) =>
			await client.gate.restUntil(at, Math.min(at, earliestReadAt(lastStart, schedule))).catch(() => {
				throw cancelledError(client.errors, site, client.scope.cause);
			}),
		timedOut: (last) => maxWaitError(client.errors.node, site, last, settings.maxWaitMs),
	});
	return { snapshot, polls, pollAttempts };
}
