import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import type { CallSite } from '../transport';
import type { TaskSnapshot } from './task';

/** An error about a task: names the item, the operation and the task, and says what to do. */
function taskError(node: INode, site: CallSite, taskId: string, message: string, fix: string): NodeOperationError {
	const error = new NodeOperationError(node, `${site.operation}, item ${site.itemIndex}: ${message}`, { itemIndex: site.itemIndex, description: fix });
	error.context.taskId = taskId;
	return error;
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

export function maxWaitError(node: INode, site: CallSite, snapshot: TaskSnapshot, maxWaitMs: number): NodeOperationError {
	const fix = `${site.taskNote ?? ''} Or raise Max Wait.`.trim();
	return taskError(node, site, snapshot.taskId, `task ${snapshot.taskId} was still running after Max Wait (${maxWaitMs / 1000} s): ${describeState(snapshot)}`, fix);
}

/** Throws for a task that failed, or that completed without a link to its video. */
export function assertUsable(node: INode, site: CallSite, snapshot: TaskSnapshot): void {
	if (snapshot.status === 'failed') {
		throw taskError(node, site, snapshot.taskId, `task ${snapshot.taskId} failed: ${snapshot.failureReason ?? snapshot.rawStatus ?? 'no reason given'}`,
			'Nothing to download. Change the prompt or images (the provider\'s reason is above) and create the video again.');
	}
	if (snapshot.status === 'completed' && !snapshot.videoUrl) {
		throw taskError(node, site, snapshot.taskId, `task ${snapshot.taskId} completed, but the API gave no video link`,
			`${site.taskNote ?? ''} Or look for the video in your provider dashboard.`.trim());
	}
}
