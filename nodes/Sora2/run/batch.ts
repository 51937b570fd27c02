import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { depthBounded } from '../shared/depth';
import { errorMessage, isRecord, settle } from '../shared/values';
import type { Result } from '../shared/values';
import { leftBehindNote } from '../task/ledger';
import { isNodeError, itemError, redactError, redactValue } from '../transport';
import { openRun } from './settings';
import type { Run } from './settings';

/** One operation, as the batch runner runs it. */
export interface BatchJob<Input> {
	/** The chat waits longer by default than the video operations. */
	timeoutSeconds?: number;
	prepare(itemIndex: number): Input;
	run(run: Run, input: Input, itemIndex: number): Promise<INodeExecutionData>;
}

/**
 * The error item "Continue On Fail" puts in place of the item's output:
 * `{ error, hint, httpCode, taskId, itemIndex }` (the last four when known).
 *
 * Under "On Error: Continue (using error output)" (`errorOutput`), n8n moves an item to the error
 * output only when its json holds nothing but `error`, `message` and `details` (it then adds the
 * input item's fields to it), so there the rest goes into `details`: `{ error, details: {…} }`.
 */
function errorItem(error: unknown, itemIndex: number, errorOutput = false): INodeExecutionData {
	const details: IDataObject = {};
	if (isRecord(error)) {
		if (typeof error.description === 'string' && error.description) details.hint = error.description;
		if (typeof error.httpCode === 'string' && error.httpCode) details.httpCode = error.httpCode;
		const context = isRecord(error.context) ? (error.context as JsonObject) : undefined;
		if (context && typeof context.taskId === 'string') details.taskId = context.taskId;
	}
	details.itemIndex = itemIndex;
	const message = errorMessage(error);
	const json: IDataObject = errorOutput ? { error: message, details } : { error: message, ...details };
	return { json, pairedItem: { item: itemIndex } };
}

/** Whether the node is set to "On Error: Continue (using error output)". */
function usesErrorOutput(fn: IExecuteFunctions): boolean {
	return fn.getNode().onError === 'continueErrorOutput';
}

const READ_HINT = "Check the expressions in this item's fields and the values they give.";
const RUN_HINT = 'Run the node again; if this keeps happening, report it together with this message.';

/** The run's error, with every task it created that did not finish listed in its hint and context. */
function withLeftBehind(error: Error, run: Run): Error {
	const tasks = run.ledger.leftBehind();
	if (tasks.length === 0 || !isNodeError(error)) return error;
	const note = leftBehindNote(tasks);
	error.description = error.description ? `${error.description} ${note}` : note;
	error.context.taskIds = tasks.map((task) => task.taskId);
	run.fn.logger.warn(`Sora2: ${note}`, { taskIds: tasks.map((task) => task.taskId) });
	return error;
}

async function runAll<Input>(fn: IExecuteFunctions, run: Run, items: INodeExecutionData[], job: BatchJob<Input>): Promise<INodeExecutionData[]> {
	const continueOnFail = fn.continueOnFail();
	const errorOutput = continueOnFail && usesErrorOutput(fn);
	const secrets = run.client.errors.secrets;
	const node = fn.getNode();

	// Our own errors already name the item and say what to do; anything else gets the item and a hint.
	const prepared = items.map((_, itemIndex): Result<Input, Error> => {
		try {
			return { ok: true, value: job.prepare(itemIndex) };
		} catch (error) {
			const failure = itemError(node, error, itemIndex, READ_HINT);
			if (!continueOnFail) throw redacted(failure, secrets);
			return { ok: false, error: failure };
		}
	});

	let first: Error | undefined;
	const outcomes = await Promise.all(
		prepared.map(async (entry, itemIndex): Promise<Result<INodeExecutionData, Error>> => {
			if (!entry.ok) return entry;
			const done = await settle(job.run(run, entry.value, itemIndex));
			if (done.ok) return { ok: true, value: { ...done.value, json: redactValue(depthBounded(done.value.json), secrets), pairedItem: { item: itemIndex } } };
			const error = itemError(node, done.error, itemIndex, RUN_HINT);
			if (!continueOnFail && !first) {
				first = error;
				run.client.stop(error);
			}
			return { ok: false, error };
		}),
	);
	if (first) throw redacted(withLeftBehind(first, run), secrets);
	return outcomes.map((outcome, itemIndex) => (outcome.ok ? outcome.value : errorItem(redacted(outcome.error, secrets), itemIndex, errorOutput)));
}

function redacted(error: Error, secrets: readonly string[]): Error {
	redactError(error, secrets);
	return error;
}

/**
 * Runs one operation over all items of a run at once.
 *
 * 1. `openRun` reads the run-wide Options and the credential; `prepare` then reads and checks
 *    every item's fields, so a bad row stops the run before any request is sent (or, under
 *    "Continue On Fail", becomes that row's error item).
 * 2. `run` starts for every prepared item concurrently: the client's gate, not this loop, bounds
 *    the requests. Output comes back in input order, each with its `pairedItem`.
 * 3. Without "Continue On Fail", the first failure stops the others (their waits end; creates
 *    already sent are still read, so their tasks are known), and is thrown once every item has
 *    settled, listing every task the run created that did not finish.
 * Everything that leaves the node (output items, errors) has the API key removed, and output items
 * are bounded in depth (`shared/depth.ts`).
 */
export async function runBatch<Input>(fn: IExecuteFunctions, items: INodeExecutionData[], job: BatchJob<Input>): Promise<INodeExecutionData[]> {
	const opened = await settle(openRun(fn, job.timeoutSeconds));
	if (opened.ok) return await runAll(fn, opened.value, items, job);
	// Failed before any item ran (the credential, the run-wide Options): it is every item's error.
	// Under Continue On Fail each item gets it in its place rather than the whole run being lost.
	if (!fn.continueOnFail()) throw opened.error;
	const errorOutput = usesErrorOutput(fn);
	return items.map((_, itemIndex) => errorItem(opened.error, itemIndex, errorOutput));
}
