import type { INodeExecutionData } from 'n8n-workflow';

import { LABELS } from './labels';
import type { Run } from './run';
import { readAgainNote, taskSite } from './taskNotes';
import type { GetTaskInput } from './videoInput';
import { finishedItem, videoJson } from './videoOutput';
import { waitForTask } from './waitForTask';

/** One item of Video → Get Task: one read as it is, or (with wait) the wait and the finished item. */
export async function getTask(run: Run, input: GetTaskInput, itemIndex: number): Promise<INodeExecutionData> {
	const site = taskSite(itemIndex, LABELS.getTask, input.taskId, readAgainNote);
	if (!input.wait.wait) {
		const read = await run.reader.read(input.taskId, site);
		return { json: videoJson(read.snapshot, { create: 0, polls: 1, pollAttempts: read.attempts }) };
	}
	const final = await waitForTask({ client: run.client, reader: run.reader, taskId: input.taskId, site, startedAt: Date.now(), settings: input.wait, readFirst: true });
	return await finishedItem(run, final.snapshot, input.wait, site, { create: 0, polls: final.polls, pollAttempts: final.pollAttempts });
}
