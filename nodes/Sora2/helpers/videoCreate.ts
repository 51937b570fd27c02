import type { INodeExecutionData } from 'n8n-workflow';

import { unexpectedAnswerError } from '../transport';
import type { CallSite } from '../transport';
import { LABELS } from './labels';
import type { Run } from './run';
import { isFinal, taskOfCreateAnswer } from './task';
import { pickUpNote, taskSite } from './taskNotes';
import type { CreateInput } from './videoInput';
import { finishedItem, videoJson } from './videoOutput';
import { waitForTask } from './waitForTask';

/**
 * One item of Video → Create: the create (paid from the moment it is accepted: the ledger logs
 * it at once), then, with Wait for Completion, the wait and the finished item. Every error after
 * the create names the task and how to pick it up.
 */
export async function createVideo(run: Run, input: CreateInput, itemIndex: number): Promise<INodeExecutionData> {
	const { client, ledger } = run;
	const site: CallSite = { itemIndex, operation: LABELS.create };
	const startedAt = Date.now();
	const answer = await client.call({ method: 'POST', path: '/video/create', body: input.body, kind: 'create', site });
	const created = taskOfCreateAnswer(answer.body, client.baseUrl);
	if (!created) throw unexpectedAnswerError(client.errors, site, 'the create answer names no task id (expected {"id": "sora-2:task_…", "status": …})', answer.text);
	ledger.created(itemIndex, created.taskId);
	const attempts = { create: answer.attempts, polls: 0, pollAttempts: 0 };
	if (!input.wait.wait) {
		ledger.settled(itemIndex);
		return { json: videoJson(created, attempts) };
	}
	const taskAt = taskSite(itemIndex, LABELS.create, created.taskId, pickUpNote);
	const final = isFinal(created.status)
		? { snapshot: created, polls: 0, pollAttempts: 0 }
		: await waitForTask({ client, reader: run.reader, taskId: created.taskId, site: taskAt, startedAt, settings: input.wait, readFirst: false });
	if (final.snapshot.status === 'failed') ledger.settled(itemIndex);
	const item = await finishedItem(run, final.snapshot, input.wait, taskAt, { ...attempts, polls: final.polls, pollAttempts: final.pollAttempts });
	ledger.settled(itemIndex);
	return item;
}
