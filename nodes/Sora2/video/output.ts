import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { REQUEST_PRIORITY } from '../config/defaults';
import type { Run } from '../run/settings';
import { assertUsable, fetchAgainNote, taskSite } from '../task/ledger';
import type { RememberedTask } from '../task/memory';
import type { TaskSnapshot } from '../task/snapshot';
import type { WaitSettings } from '../task/wait';
import type { CallSite, RequestHints } from '../transport';

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

const DEAD_LINK = 'The video link may have expired.';

/** A download: safe to repeat; a refused link is most likely an expired one. */
const DOWNLOAD_HINTS: RequestHints = { status: (status) => ([403, 404, 410].includes(status) ? DEAD_LINK : undefined) };

function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4`;
}

/** The output item of a finished task (failed or linkless: an error), with the video downloaded when asked. */
export async function finishedItem(run: Run, snapshot: TaskSnapshot, wait: WaitSettings, site: CallSite, attempts: Attempts): Promise<INodeExecutionData> {
	assertUsable(run.client.errors.node, site, snapshot);
	const item: INodeExecutionData = { json: videoJson(snapshot, attempts) };
	if (wait.download && snapshot.videoUrl) {
		const terms = { site: taskSite(site.itemIndex, site.operation, snapshot.taskId, fetchAgainNote), repeatable: true, priority: REQUEST_PRIORITY.download, hints: DOWNLOAD_HINTS };
		const file = { url: snapshot.videoUrl, terms, what: 'the video download' };
		const binary = await run.client.download(file, async (body) => await run.fn.helpers.prepareBinaryData(body, videoFileName(snapshot.taskId), 'video/mp4'));
		item.binary = { [wait.binaryPropertyName]: binary };
	}
	return item;
}
