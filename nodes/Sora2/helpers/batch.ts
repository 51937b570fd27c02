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

/** The error item "Continue On Fail" puts in place of the item's output. */
export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: errorMessage(error) };
	if (isRecord(error)) {
		if (typeof error.description === 'string' && error.description) json.hint = error.description;
		if (typeof error.httpCode === 'string' && error.httpCode) json.httpCode = error.httpCode;
		const context = isRecord(error.context) ? (error.context as JsonObject) : undefined;
		if (context && typeof context.taskId === 'string') json.taskId = context.taskId;
	}
	json.itemIndex = itemIndex;
	return { json, pairedItem: { item: itemIndex } };
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

	const prepared: Array<Prepared<Input>> = items.map((_, itemIndex) => {
		try {
			return { ok: true, input: job.prepare(itemIndex) };
		} catch (error) {
			if (!continueOnFail) throw asNodeError(fn, error, itemIndex, READ_HINT);
			return { ok: false, error: asNodeError(fn, error, itemIndex, READ_HINT) };
		}
	});

	const outputs = prepared.map(async (entry, itemIndex): Promise<INodeExecutionData> => {
		if (!entry.ok) return errorItem(entry.error, itemIndex);
		try {
			const output = await job.run(entry.input, itemIndex);
			return { ...output, pairedItem: { item: itemIndex } };
		} catch (error) {
			if (continueOnFail) return errorItem(asNodeError(fn, error, itemIndex, RUN_HINT), itemIndex);
			job.stopAll(error);
			throw asNodeError(fn, error, itemIndex, RUN_HINT);
		}
	});
	return await Promise.all(outputs);
}
