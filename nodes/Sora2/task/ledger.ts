import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { LABELS } from '../config/labels';
import { operationError } from '../transport';
import type { CallSite, RequestHints } from '../transport';
import type { RememberedTask } from './memory';
import type { TaskSnapshot } from './snapshot';

/*
 * Money is spent at the create. This file keeps what the run owes the user about the tasks it
 * created: each written to n8n's log the moment it exists (found there even when this process dies),
 * the list of those that did not finish when the run stops, and the sentences every error about a
 * task ends with (how to pick it up instead of paying for it again).
 */

export interface LeftBehind {
	itemIndex: number;
	taskId: string;
}

/** The tasks created in one run. */
export class TaskLedger {
	private readonly open = new Map<number, string>();

	constructor(private readonly fn: IExecuteFunctions) {}

	created(itemIndex: number, taskId: string): void {
		this.open.set(itemIndex, taskId);
		const executionId = this.fn.getExecutionId();
		const workflowId = this.fn.getWorkflow().id ?? '';
		this.fn.logger.info(
			`Sora2 task created: ${taskId} (execution ${executionId}, workflow ${workflowId}, node "${this.fn.getNode().name}", item ${itemIndex})`,
			{ taskId, executionId, itemIndex },
		);
	}

	/** A task created before (by the retried execution, an earlier try of this node, or for the same Unique Key), taken by this item instead of a create (see memory.ts). */
	pickedUp(itemIndex: number, task: RememberedTask): void {
		this.open.set(itemIndex, task.taskId);
		const { taskId, executionId: createdByExecution } = task;
		const createdAt = new Date(task.createdAt).toISOString();
		this.fn.logger.info(
			`Sora2 task picked up, not created again: ${taskId} (created ${createdAt} by execution ${createdByExecution}; now execution ${this.fn.getExecutionId()}, node "${this.fn.getNode().name}", item ${itemIndex})`,
			{ taskId, createdAt, createdByExecution, itemIndex },
		);
	}

	/** A remembered task this item does not take (it failed, or is unknown to the provider now): it creates a new one. */
	passedOver(itemIndex: number, taskId: string, why: string): void {
		this.fn.logger.info(`Sora2 task ${taskId} is not picked up (${why}): item ${itemIndex} creates a new one`, { taskId, itemIndex });
	}

	/** The item's task needs nothing more: its output is out, or the provider ended it (failed). */
	settled(itemIndex: number): void {
		this.open.delete(itemIndex);
	}

	leftBehind(): LeftBehind[] {
		return [...this.open.entries()].map(([itemIndex, taskId]) => ({ itemIndex, taskId })).sort((a, b) => a.itemIndex - b.itemIndex);
	}
}

/** The sentence that lists a stopped run's unfinished tasks and how to collect them. */
export function leftBehindNote(tasks: LeftBehind[]): string {
	const list = tasks.map((task) => `item ${task.itemIndex}: ${task.taskId}`).join(', ');
	const count = tasks.length === 1 ? '1 task was' : `${tasks.length} tasks were`;
	return `${count} created in this run and did not finish (paid, still at the provider): ${list}. Collect each with ${LABELS.getTask} (Task ID, Wait for Completion on) instead of creating it again.`;
}

/** A request that may start a paid video (a create, a chat): a failure that leaves it unclear says to look before running again. */
export const PAID_REQUEST_HINTS: RequestHints = {
	status: (status) => (status >= 500 ? 'The provider failed. The task may exist anyway: look for it in your provider dashboard before running again.' : undefined),
	unsure: 'The create was not sent again, because the API may have accepted it: look for the task in your provider dashboard before running again, or you may pay for two videos.',
};

/** What every error after a create says: the task exists, is paid, and how to pick it up. */
export function pickUpNote(taskId: string): string {
	return `Task ${taskId} was created (and is paid for) and goes on at the provider: pick it up with ${LABELS.getTask}, Task ID "${taskId}", Wait for Completion on. Do not create it again, or you pay twice.`;
}

/** What a failed download says: the video is done, and how to fetch it again. */
export function fetchAgainNote(taskId: string): string {
	return `Task ${taskId} is done: ${LABELS.getTask} with Task ID "${taskId}" and Download Video on fetches the video again (with a fresh link if this one expired).`;
}

/** Get Task's own reads: the task is unchanged at the provider. */
export function readAgainNote(taskId: string): string {
	return `Task ${taskId} is unchanged at the provider: run ${LABELS.getTask} again later.`;
}

/** The site of every request about a task: its errors carry the task id and end with `note`. */
export function taskSite(itemIndex: number, operation: string, taskId: string, note: (taskId: string) => string): CallSite {
	return { itemIndex, operation, note: note(taskId), context: { taskId } };
}

/** "processing, 40 %, the last answer said "in_render" (a word the node does not know)". */
function describeState(snapshot: TaskSnapshot): string {
	const parts: string[] = [snapshot.status];
	if (snapshot.progress !== undefined) parts.push(`${snapshot.progress}%`);
	if (snapshot.rawStatus === undefined) parts.push('the last answer had no status word');
	else if (snapshot.wordSource === 'none') parts.push(`the last answer said "${snapshot.rawStatus}", a status word the node does not know`);
	else if (snapshot.rawStatus !== snapshot.status) parts.push(`the last answer said "${snapshot.rawStatus}"`);
	return parts.join(', ');
}

export function maxWaitError(node: INode, site: CallSite, snapshot: TaskSnapshot, maxWaitMs: number): Error {
	const fix = `${site.note ?? ''} Or raise Max Wait.`.trim();
	return operationError(node, site, `task ${snapshot.taskId} was still running after Max Wait (${maxWaitMs / 1000} s): ${describeState(snapshot)}`, fix);
}

/** Throws for a task that failed, or that completed without a link to its video. */
export function assertUsable(node: INode, site: CallSite, snapshot: TaskSnapshot): void {
	if (snapshot.status === 'failed') {
		throw operationError(node, site, `task ${snapshot.taskId} failed: ${snapshot.failureReason ?? snapshot.rawStatus ?? 'no reason given'}`,
			'Nothing to download. Change the prompt or images (the provider\'s reason is above) and create the video again.');
	}
	if (snapshot.status === 'completed' && !snapshot.videoUrl) {
		throw operationError(node, site, `task ${snapshot.taskId} completed, but the API gave no video link`,
			`${site.note ?? ''} Or look for the video in your provider dashboard.`.trim());
	}
}
