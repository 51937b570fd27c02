import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

/**
 * Runs one operation over all items of a run at once.
 *
 * 1. `prepare` reads and checks every item's parameters first, so a bad row stops the run
 *    before any request is sent (or, under "Continue On Fail", becomes that row's error item).
 * 2. `run` then starts for every prepared item concurrently: the client's limiter, not this loop,
 *    bounds the requests in flight. Output comes back in input order, each with its `pairedItem`.
 * 3. Without "Continue On Fail", the first failure calls `stopAll` (so the others stop waiting)
 *    and is thrown.
 */
export interface BatchJob<Input> {
	prepare(itemIndex: number): Input;
	run(input: Input, itemIndex: number): Promise<INodeExecutionData>;
	stopAll(reason: unknown): void;
}

type Prepared<Input> = { ok: true; input: Input } | { ok: false; error: unknown };

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * The error item "Continue On Fail" puts in place of the item's output:
 * `{ error, hint, httpCode, taskId, itemIndex }` (the last four when known).
 *
 * Under "On Error: Continue (using error output)" (`errorOutput`), n8n moves an item to the error
 * output only when its json holds nothing but `error`, `message` and `details` (it then adds the
 * input item's fields to it), so there the rest goes into `details`: `{ error, details: {…} }`.
 * (An item's own `error` property would route it too, but n8n then cuts its json down to the message.)
 */
export function errorItem(error: unknown, itemIndex: number, errorOutput = false): INodeExecutionData {
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
export function usesErrorOutput(fn: IExecuteFunctions): boolean {
	return fn.getNode().onError === 'continueErrorOutput';
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

const READ_HINT = "Check the expressions in this item's fields and the values they give.";
const RUN_HINT = 'Run the node again; if this keeps happening, report it together with this message.';

/**
 * Our own errors already name the item and say what to do. Anything else (an expression n8n could not
 * resolve, a bug) gets the item index and a hint, so the user still learns which row it was.
 */
function asNodeError(fn: IExecuteFunctions, error: unknown, itemIndex: number, hint: string): Error {
	if (error instanceof Error && 'node' in error) return error;
	const description = isRecord(error) && typeof error.description === 'string' && error.description ? error.description : hint;
	return new NodeOperationError(fn.getNode(), `${errorMessage(error)} (item ${itemIndex})`, { itemIndex, description });
}

export async function runBatch<Input>(
	fn: IExecuteFunctions,
	items: INodeExecutionData[],
	job: BatchJob<Input>,
): Promise<INodeExecutionData[]> {
	const continueOnFail = fn.continueOnFail();
	const errorOutput = continueOnFail && usesErrorOutput(fn);

	const prepared: Array<Prepared<Input>> = items.map((_, itemIndex) => {
		try {
			return { ok: true, input: job.prepare(itemIndex) };
		} catch (error) {
			if (!continueOnFail) throw asNodeError(fn, error, itemIndex, READ_HINT);
			return { ok: false, error: asNodeError(fn, error, itemIndex, READ_HINT) };
		}
	});

	const outputs = prepared.map(async (entry, itemIndex): Promise<INodeExecutionData> => {
		if (!entry.ok) return errorItem(entry.error, itemIndex, errorOutput);
		try {
			const output = await job.run(entry.input, itemIndex);
			return { ...output, pairedItem: { item: itemIndex } };
		} catch (error) {
			if (continueOnFail) return errorItem(asNodeError(fn, error, itemIndex, RUN_HINT), itemIndex, errorOutput);
			job.stopAll(error);
			throw asNodeError(fn, error, itemIndex, RUN_HINT);
		}
	});
	return await Promise.all(outputs);
}
