import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Run } from '../run/settings';
import { assertUsable } from '../task/ledger';
import type { RememberedTask } from '../task/memory';
import type { TaskSnapshot } from '../task/snapshot';
import type { WaitSettings } from '../task/wait';
import type { CallSite } from '../transport';
import { downloadVideo } from './download';

/** What it took to get an item's result: shown in the output as `attempts`. */
export interface Attempts {
	/** HTTP attempts for the create (1 unless a 429 or a refused connection was retried). */
	create: number;
	/** Status reads made. */
	polls: number;
	/** HTTP attempts for those reads (more than `polls` when some were retried). */
	pollAttempts: number;
}

/** The output item: the API's own fields, then the node's normalized ones. */
export function videoJson(snapshot: TaskSnapshot, attempts: Attempts): IDataObject {
	const json: IDataObject = {
		...snapshot.raw,
		taskId: snapshot.taskId,
		status: snapshot.status,
		rawStatus: snapshot.rawStatus ?? null,
		progress: snapshot.progress ?? null,
	};
	if (snapshot.videoUrl) json.videoUrl = snapshot.videoUrl;
	if (snapshot.thumbnailUrl) json.thumbnailUrl = snapshot.thumbnailUrl;
	if (snapshot.failureReason) json.failureReason = snapshot.failureReason;
	json.attempts = { ...attempts };
	return json;
}

/** Set on the output of a task picked up instead of created: when, and by which execution, it was created. */
export function reusedFields(task: RememberedTask): IDataObject {
	return { reused: true, createdAt: new Date(task.createdAt).toISOString(), createdByExecution: task.executionId };
}

/** The output item of a finished task (failed or linkless: an error), with the video downloaded when asked. */
export async function finishedItem(run: Run, snapshot: TaskSnapshot, wait: WaitSettings, site: CallSite, attempts: Attempts): Promise<INodeExecutionData> {
	assertUsable(run.client.errors.node, site, snapshot);
	const item: INodeExecutionData = { json: videoJson(snapshot, attempts) };
	if (wait.download && snapshot.videoUrl) item.binary = { [wait.binaryPropertyName]: await downloadVideo(run, snapshot, site, snapshot.videoUrl) };
	return item;
}
