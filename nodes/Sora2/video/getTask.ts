import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { LABELS } from '../config/labels';
import { readWaitSettings } from '../run/settings';
import type { Run } from '../run/settings';
import { describeValue } from '../shared/values';
import { readAgainNote, taskSite } from '../task/ledger';
import { waitForTask, waitOf } from '../task/wait';
import type { WaitSettings } from '../task/wait';
import { inputError } from '../transport';
import { finishedItem, videoJson } from './output';

export interface GetTaskInput {
	taskId: string;
	wait: WaitSettings;
}

/** Reads one item's Video → Get Task fields, before anything is sent. */
export function readGetTaskInput(fn: IExecuteFunctions, itemIndex: number): GetTaskInput {
	const raw = fn.getNodeParameter('taskId', itemIndex, '') as unknown;
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		throw inputError(fn.getNode(), itemIndex, `Task ID must be text, but the expression gave ${describeValue(raw)}`, 'Map the "taskId" field of the Create output into Task ID.');
	}
	const taskId = String(raw).trim();
	if (taskId === '') {
		throw inputError(fn.getNode(), itemIndex, 'Task ID is empty', `Map the "taskId" field of the ${LABELS.create} output (e.g. {{ $json.taskId }}) into Task ID.`);
	}
	// "." and ".." would change the address they are put in (/videos/. reads the list of videos)
	if (taskId === '.' || taskId === '..') {
		throw inputError(fn.getNode(), itemIndex, `Task ID "${taskId}" is not a task id`, `Map the "taskId" field of the ${LABELS.create} output (e.g. {{ $json.taskId }}) into Task ID; it looks like sora-2:task_….`);
	}
	return { taskId, wait: readWaitSettings(fn, itemIndex) };
}

/** One item of Video → Get Task: one read as it is, or (with wait) the wait and the finished item. */
export async function getTask(run: Run, input: GetTaskInput, itemIndex: number): Promise<INodeExecutionData> {
	const site = taskSite(itemIndex, LABELS.getTask, input.taskId, readAgainNote);
	if (!input.wait.wait) {
		const read = await run.reader.read(input.taskId, site);
		return { json: videoJson(read.snapshot, { create: 0, polls: 1, pollAttempts: read.attempts }) };
	}
	const final = await waitForTask({ ...waitOf(run), taskId: input.taskId, site, startedAt: Date.now(), settings: input.wait, readFirst: true });
	return await finishedItem(run, final.snapshot, input.wait, site, { create: 0, polls: final.polls, pollAttempts: final.pollAttempts });
}
