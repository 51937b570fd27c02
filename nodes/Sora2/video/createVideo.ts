import type { INodeExecutionData } from 'n8n-workflow';

import { REQUEST_PRIORITY } from '../config/defaults';
import { LABELS } from '../config/labels';
import type { Run } from '../run/settings';
import { isRecord, settle } from '../shared/values';
import { taskOfCreateAnswer } from '../task/createAnswer';
import { PAID_REQUEST_HINTS, UNREADABLE_PAID_ANSWER, pickUpNote, taskSite } from '../task/ledger';
import type { RememberedTask, Ticket } from '../task/memory';
import type { TaskSnapshot } from '../task/snapshot';
import { isFinal } from '../task/statusWords';
import { waitForTask, waitOf } from '../task/wait';
import { unexpectedAnswerError } from '../transport';
import type { CallSite, RequestTerms } from '../transport';
import type { CreateInput } from './createInput';
import { imageHints } from './images';
import { finishedItem, reusedFields, videoJson } from './output';
import type { Attempts } from './output';

/** The task an item follows to its end: just created, or picked up from an earlier execution. */
interface Followed {
	snapshot: TaskSnapshot;
	attempts: Attempts;
	/** Max Wait counts from here. */
	startedAt: number;
	/** When the task surely existed (the create's answer, or when an earlier execution created it): the first read is one Poll Interval after it, and the run's learning counts from it. */
	createdAt: number;
	reused?: RememberedTask;
}

/** Tasks of one kind take about as long as each other: the model, size and duration. */
function kindOf(body: CreateInput['identity']): string {
	return `${body.model}|${body.size}|${body.duration}`;
}

/**
 * One item of Video → Create. A task an earlier execution created for the same item (a retry, or
 * the same Unique Key: task/memory.ts) is picked up instead of paying again; otherwise the create
 * (paid from the moment it is accepted: the ledger logs it and the memory keeps it at once). Then,
 * with Wait for Completion, the wait and the finished item. Every error after the create names the
 * task and how to pick it up.
 */
export async function createVideo(run: Run, input: CreateInput, itemIndex: number): Promise<INodeExecutionData> {
	const ticket = run.memory.ticket(input.identity, input.key, run.client.baseUrl);
	if (ticket.passedOver) run.ledger.passedOver(itemIndex, ticket.passedOver.taskId, ticket.passedOver.why);
	const picked = ticket.found && (await pickUp(run, ticket.found, itemIndex));
	const task = picked || (await create(run, input, itemIndex, ticket));
	return await follow(run, input, itemIndex, task);
}

async function create(run: Run, input: CreateInput, itemIndex: number, ticket: Ticket): Promise<Followed> {
	const { client, ledger } = run;
	const site: CallSite = { itemIndex, operation: LABELS.create };
	const startedAt = Date.now();
	// Not repeatable (it is paid); read to its end even when another item fails, so its task is known.
	const terms: RequestTerms = { site, repeatable: false, finishOnStop: true, priority: REQUEST_PRIORITY.create, hints: imageHints(PAID_REQUEST_HINTS, input.images) };
	const answer = await client.call({ ...terms, method: 'POST', path: '/video/create', body: input.body });
	const created = taskOfCreateAnswer(answer.body, client.baseUrl);
	if (!created) throw unexpectedAnswerError(client.errors, site, 'the create answer names no task id (expected {"id": "sora-2:task_…", "status": …})', answer.text, UNREADABLE_PAID_ANSWER);
	ledger.created(itemIndex, created.taskId);
	ticket.created(created.taskId);
	return { snapshot: created, attempts: { create: answer.attempts, polls: 0, pollAttempts: 0 }, startedAt, createdAt: answer.answeredAt };
}

/** A 404 or 410 on a task read: the provider does not know the task (any more). */
function isUnknownTask(error: unknown): boolean {
	return isRecord(error) && (error.httpCode === '404' || error.httpCode === '410');
}

/** A remembered task, read once and then followed like a fresh one; undefined when the provider no longer knows it. */
async function pickUp(run: Run, task: RememberedTask, itemIndex: number): Promise<Followed | undefined> {
	run.ledger.pickedUp(itemIndex, task);
	const read = await settle(run.reader.read(task.taskId, taskSite(itemIndex, LABELS.create, task.taskId, pickUpNote)));
	if (read.ok) {
		const { snapshot, attempts, answeredAt } = read.value;
		return { snapshot, attempts: { create: 0, polls: 1, pollAttempts: attempts }, startedAt: answeredAt, createdAt: task.createdAt, reused: task };
	}
	if (!isUnknownTask(read.error)) throw read.error;
	run.memory.ended(task.taskId, 'failed');
	run.ledger.passedOver(itemIndex, task.taskId, 'the provider no longer knows it');
	run.ledger.settled(itemIndex);
	return undefined;
}

async function follow(run: Run, input: CreateInput, itemIndex: number, task: Followed): Promise<INodeExecutionData> {
	const { ledger } = run;
	const { wait } = input;
	const { taskId } = task.snapshot;
	const withReuse = (item: INodeExecutionData) => (task.reused ? { ...item, json: { ...item.json, ...reusedFields(task.reused) } } : item);
	run.memory.ended(taskId, task.snapshot.status);
	if (!wait.wait) {
		ledger.settled(itemIndex);
		return withReuse({ json: videoJson(task.snapshot, task.attempts) });
	}
	const taskAt = taskSite(itemIndex, LABELS.create, taskId, pickUpNote);
	const final = isFinal(task.snapshot.status)
		? { snapshot: task.snapshot, polls: 0, pollAttempts: 0 }
		: await waitForTask({ ...waitOf(run), taskId, site: taskAt, startedAt: task.startedAt, settings: wait, readFirst: false, created: { kind: kindOf(input.identity), at: task.createdAt } });
	run.memory.ended(taskId, final.snapshot.status);
	if (final.snapshot.status === 'failed') ledger.settled(itemIndex);
	const attempts = { ...task.attempts, polls: task.attempts.polls + final.polls, pollAttempts: task.attempts.pollAttempts + final.pollAttempts };
	const item = await finishedItem(run, final.snapshot, wait, taskAt, attempts);
	ledger.settled(itemIndex);
	return withReuse(item);
}
