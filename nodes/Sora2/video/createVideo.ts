import type { INodeExecutionData } from 'n8n-workflow';

import { REQUEST_PRIORITY } from '../config/defaults';
import { LABELS } from '../config/labels';
import type { Run } from '../run/settings';
import { taskOfCreateAnswer } from '../task/createAnswer';
import { PAID_REQUEST_HINTS, pickUpNote, taskSite } from '../task/ledger';
import { isFinal } from '../task/statusWords';
import { waitForTask } from '../task/wait';
import { unexpectedAnswerError } from '../transport';
import type { CallSite, RequestTerms } from '../transport';
import type { CreateInput } from './createInput';
import { imageHints } from './images';
import { finishedItem, videoJson } from './output';

/**
 * One item of Video → Create: the create (paid from the moment it is accepted: the ledger logs
 * it at once), then, with Wait for Completion, the wait and the finished item. Every error after
 * the create names the task and how to pick it up.
 */
export async function createVideo(run: Run, input: CreateInput, itemIndex: number): Promise<INodeExecutionData> {
	const { client, ledger } = run;
	const site: CallSite = { itemIndex, operation: LABELS.create };
	const startedAt = Date.now();
	// Not repeatable (it is paid); read to its end even when another item fails, so its task is known.
	const terms: RequestTerms = { site, repeatable: false, finishOnStop: true, priority: REQUEST_PRIORITY.create, hints: imageHints(PAID_REQUEST_HINTS, input.images) };
	const answer = await client.call({ ...terms, method: 'POST', path: '/video/create', body: input.body });
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
		: await waitForTask({ node: client.errors.node, reader: run.reader, taskId: created.taskId, site: taskAt, startedAt, settings: input.wait, readFirst: false });
	if (final.snapshot.status === 'failed') ledger.settled(itemIndex);
	const item = await finishedItem(run, final.snapshot, input.wait, taskAt, { ...attempts, polls: final.polls, pollAttempts: final.pollAttempts });
	ledger.settled(itemIndex);
	return item;
}
