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

	/** Every task id the run's creates were answered with, and the item that got it first. */
	private readonly owners = new Map<string, number>();

	constructor(private readonly fn: IExecuteFunctions) {}

	/**
	 * Logs a task the moment it exists. A gateway that answers two creates with the same task id
	 * would give two rows one video: the later row fails (its error names both rows and the id, and
	 * is logged), the first goes on with the task.
	 */
	created(itemIndex: number, taskId: string): void {
		const owner = this.owners.get(taskId);
		if (owner !== undefined && owner !== itemIndex) throw this.duplicate(itemIndex, taskId, owner);
		this.owners.set(taskId, itemIndex);
		this.open.set(itemIndex, taskId);
		const executionId = this.fn.getExecutionId();
		const workflowId = this.fn.getWorkflow().id ?? '';
		this.fn.logger.info(
			`Sora2 task created: ${taskId} (execution ${executionId}, workflow ${workflowId}, node "${this.fn.getNode().name}", item ${itemIndex})`,
			{ taskId, executionId, itemIndex },
		);
	}

	private duplicate(itemIndex: number, taskId: string, owner: number): Error {
		const executionId = this.fn.getExecutionId();
		this.fn.logger.warn(
			`Sora2: the API answered the create of item ${itemIndex} with task ${taskId}, which it had already given item ${owner} in this run (execution ${executionId}, node "${this.fn.getNode().name}"): item ${itemIndex} fails, item ${owner} keeps the task`,
			{ taskId, executionId, itemIndex, firstItemIndex: owner },
		);
		const fix = `Item ${owner} goes on with task ${taskId}. This row's create may have started a second video the API did not name: look in your provider dashboard before creating this row again, and tell your provider that its API gave two creates one task id.`;
		const site = taskSite(itemIndex, LABELS.create, taskId, () => fix);
		return operationError(this.fn.getNode(), site, `the API answered this create with task ${taskId}, the task it already gave item ${owner} in this run: two rows would share one video`, fix);
	}

	/** A task created before (by the retried execution, an earlier try of this node, or for the same Unique Key), taken by this item instead of a create (see memory.ts). */
	pickedUp(itemIndex: number, task: RememberedTask): void {
		this.owners.set(task.taskId, itemIndex);
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

/** A 200 to a request that may start a paid video, which the node cannot read: the video may exist anyway. */
export const UNREADABLE_PAID_ANSWER = `The API accepted the request (it answered 200), so a video may have been created and paid for: look in your provider dashboard (or run ${LABELS.getTask} with the task id if you find one) before running again, or you may pay twice. If nothing shows up there, the Base URL may point at something that is not a Sora2 API.`;

/** A request that may start a paid video (a create, a chat): a failure that leaves it unclear says to look before running again. */
export const PAID_REQUEST_HINTS: RequestHints = {
	status: (status) => (status >= 500 ? 'The provider failed. The task may exist anyway: look for it in your provider dashboard before running again.' : undefined),
	unsure: 'The create was not sent again, because the API may have accepted it: look for the task in your provider dashboard before running again, or you may pay for two videos.',
	unreadable: UNREADABLE_PAID_ANSWER,
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
	if (snapshot.unseen) parts.push('the API answered 404 to the last read: it did not show the task yet');
	else if (snapshot.rawStatus === undefined) parts.push('the last answer had no status word');
	else if (snapshot.wordSource === 'none') parts.push(`the last answer said "${snapshot.rawStatus}", a status word the node does not know`);
	else if (snapshot.rawStatus !== snapshot.status) parts.push(`the last answer said "${snapshot.rawStatus}"`);
	return parts.join(', ');
}

/** The wait ran out: what the task last reported, and (when the last status check failed) why. */
export function maxWaitError(node: INode, site: CallSite, snapshot: TaskSnapshot, maxWaitMs: number, lastCheckFailed?: string): Error {
	const fix = `${site.note ?? ''} Or raise Max Wait.`.trim();
	const failed = lastCheckFailed ? `; the last status check failed: ${lastCheckFailed}` : '';
	return operationError(node, site, `task ${snapshot.taskId} was still running after Max Wait (${maxWaitMs / 1000} s): ${describeState(snapshot)}${failed}`, fix);
}

/** Throws for a task that failed, or that completed without a link to its video. */
export function assertUsable(node: INode, site: CallSite, snapshot: TaskSnapshot): void {
	if (snapshot.status === 'failed') {
		throw operationError(node, site, `task ${snapshot.taskId} failed: ${snapshot.failureReason ?? snapshot.rawStatus ?? 'no reason given'}`,
			'Nothing to download. Change the prompt or images (the provider\'s reason is above) and create the video again.');
	}
	if (snapshot.status === 'completed' && !snapshot.videoUrl) {
		const what = snapshot.refusedLink
			? `its only video link is a ${snapshot.refusedLink} link, which the node does not fetch (only http:// and https:// links)`
			: 'the API gave no video link';
		throw operationError(node, site, `task ${snapshot.taskId} completed, but ${what}`, `${site.note ?? ''} Or look for the video in your provider dashboard.`.trim());
	}
}
