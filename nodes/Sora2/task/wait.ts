import type { INode } from 'n8n-workflow';

import { MAX_POLL_INTERVALS_BETWEEN_READS } from '../config/defaults';
import type { CallSite } from '../transport';
import { maxWaitError } from './ledger';
import type { TaskReader } from './reader';
import { nextReadAt } from './schedule';
import type { Reading } from './schedule';
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
	/** A task this run created: until then a 404 means "not visible yet" (see `TaskReader`). */
	unseenUntil?: number;
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
 * (`schedule.ts`), the last one at Max Wait (then an error that says what the task last reported
 * and how to pick it up). Many of these run at once, one per item: each read waits in the run's gate
 * until it is due, so the gate bounds and orders them, and a cancel ends every wait at once. A read
 * never starts within one Poll Interval of the previous answer, so the server never sees two reads
 * of a task closer than that.
 */
export async function waitForTask(wait: TaskWait): Promise<WaitResult> {
	const { reader, taskId, site, settings } = wait;
	const schedule = { pollIntervalMs: settings.pollIntervalMs, maxGapMs: settings.pollIntervalMs * MAX_POLL_INTERVALS_BETWEEN_READS };
	const deadline = wait.startedAt + settings.maxWaitMs;
	const readings: Reading[] = [];
	let polls = 0;
	let pollAttempts = 0;
	let dueAt = wait.readFirst ? Date.now() : wait.startedAt + settings.pollIntervalMs;
	let notBefore = dueAt;
	for (;;) {
		const read = await reader.read(taskId, site, { dueAt: Math.min(dueAt, deadline), notBefore: Math.min(notBefore, deadline) }, wait.unseenUntil);
		polls++;
		pollAttempts += read.attempts;
		if (isFinal(read.snapshot.status)) return { snapshot: read.snapshot, polls, pollAttempts };
		if (Date.now() >= deadline) throw maxWaitError(wait.node, site, read.snapshot, settings.maxWaitMs);
		readings.push({ at: read.answeredAt, progress: read.snapshot.progress });
		notBefore = read.answeredAt + settings.pollIntervalMs;
		dueAt = nextReadAt(readings, schedule);
	}
}
