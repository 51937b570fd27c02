import type { INode } from 'n8n-workflow';

import { MAX_POLL_INTERVALS_BETWEEN_READS, UNSEEN_TASK_GRACE_SECONDS } from '../config/defaults';
import { errorMessage, settle } from '../shared/values';
import type { CallSite } from '../transport';
import { maxWaitError } from './ledger';
import type { ReadTiming, TaskRead, TaskReader } from './reader';
import { planRead } from './schedule';
import type { GenerationTimes, Reading, ScheduleSettings } from './schedule';
import type { TaskSnapshot } from './snapshot';
import { isFinal } from './statusWords';

/** The Wait for Completion fields of one item. */
export interface WaitSettings {
	wait: boolean;
	pollIntervalMs: number;
	maxWaitMs: number;
	download: boolean;
	binaryPropertyName: string;
}

export interface TaskWait {
	node: INode;
	reader: TaskReader;
	taskId: string;
	site: CallSite;
	/** Max Wait counts from here (the create, or the start of Get Task), and so does the first Poll Interval. */
	startedAt: number;
	settings: WaitSettings;
	/** Read at once (Get Task) instead of one Poll Interval after `startedAt` (a fresh create). */
	readFirst: boolean;
	/** What the run learns of how long tasks take. */
	times: GenerationTimes;
	/** For a task created in this run: its kind (model, size, duration), and when its create was answered (the task surely existed then). Its reads use what the run learned of that kind. */
	created?: { kind: string; at: number };
	/** The run has a budget (Max Requests per Minute): reads are due when the video is likely done. */
	budgeted: boolean;
}

export interface WaitResult {
	snapshot: TaskSnapshot;
	/** Status reads made. */
	polls: number;
	/** HTTP attempts for those reads (more than `polls` when some were retried). */
	pollAttempts: number;
}

/** What every wait of a run shares (the node, the reader, what the run learned, the budget). */
export function waitOf(run: { fn: { getNode(): INode }; reader: TaskReader; times: GenerationTimes; budgeted: boolean }): Pick<TaskWait, 'node' | 'reader' | 'times' | 'budgeted'> {
	return { node: run.fn.getNode(), reader: run.reader, times: run.times, budgeted: run.budgeted };
}

/**
 * Reads one task until it completes or fails, each read when the task is likely to have moved
 * (`schedule.ts`), the last one at Max Wait (then an error that says what the task last reported
 * and how to pick it up). Many of these run at once, one per item: each read waits in the run's gate
 * until it is due, so the gate bounds and orders them, and a cancel ends every wait at once; the gate
 * asks the plan again just before the read starts, so what the run learned meanwhile counts. A read
 * never starts within one Poll Interval of the previous answer, so the server never sees two reads
 * of a task closer than that.
 */
export async function waitForTask(wait: TaskWait): Promise<WaitResult> {
	const { reader, taskId, site, settings, times, created } = wait;
	const schedule: ScheduleSettings = { pollIntervalMs: settings.pollIntervalMs, maxGapMs: settings.pollIntervalMs * MAX_POLL_INTERVALS_BETWEEN_READS, aimAtDone: wait.budgeted };
	const deadline = wait.startedAt + settings.maxWaitMs;
	// a task this run created: until then a 404 means "not visible yet" (see `TaskReader`)
	const unseenUntil = created && created.at + UNSEEN_TASK_GRACE_SECONDS * 1000;
	// the create (or the read that picked the task up) counts as a reading with nothing to tell: the first read is one Poll Interval after it
	const readings: Reading[] = wait.readFirst ? [] : [{ at: Math.max(wait.created?.at ?? 0, wait.startedAt) }];
	let last: TaskRead | undefined;
	let polls = 0;
	let pollAttempts = 0;
	const timing = (): ReadTiming => {
		if (readings.length === 0) return { dueAt: Date.now() };
		const learned = created && { createdAt: created.at, prior: times.prior(created.kind), typical: times.typical(created.kind) };
		const plan = planRead(readings, schedule, learned);
		return { dueAt: Math.min(plan.dueAt, deadline), notBefore: Math.min(plan.notBefore, deadline), rank: plan.rank };
	};
	for (;;) {
		// the read at Max Wait may take up to one Poll Interval to get its turn
		const read = await settle(reader.read(taskId, site, { ...timing(), replan: timing, deadline: deadline + settings.pollIntervalMs }, unseenUntil));
		if (!read.ok) {
			if (last && Date.now() >= deadline) throw maxWaitError(wait.node, site, last.snapshot, settings.maxWaitMs, errorMessage(read.error));
			throw read.error;
		}
		polls++;
		pollAttempts += read.value.attempts;
		const { snapshot, answeredAt } = read.value;
		if (isFinal(snapshot.status)) {
			if (snapshot.status === 'completed' && created) times.finished(created.kind, created.at, last?.answeredAt, answeredAt);
			return { snapshot, polls, pollAttempts };
		}
		if (Date.now() >= deadline) throw maxWaitError(wait.node, site, snapshot, settings.maxWaitMs);
		last = read.value;
		readings.push({ at: answeredAt, progress: snapshot.progress });
		if (created) times.reading(created.kind, created.at, answeredAt, snapshot.progress);
	}
}
