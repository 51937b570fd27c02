import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { CallSite, Sora2Client } from '../transport';
import { settle } from './settle';
import type { WaitSettings } from './params';
import { taskAnswerSchema } from './schemas';
import { isFinal, snapshotFromTaskAnswer } from './taskStatus';
import type { TaskSnapshot } from './taskStatus';

/** What it took to get an item's result: shown in the output as `attempts`. */
export interface Attempts {
	/** HTTP attempts for the create (1 unless a 429 or a refused connection was retried). */
	create: number;
	/** Status checks made. */
	polls: number;
	/** HTTP attempts for those checks (more than `polls` when some were retried). */
	pollAttempts: number;
}

export function newAttempts(create = 0): Attempts {
	return { create, polls: 0, pollAttempts: 0 };
}

function httpCodeOf(error: unknown): string | undefined {
	if (typeof error === 'object' && error !== null && 'httpCode' in error && typeof error.httpCode === 'string') return error.httpCode;
	return undefined;
}

/**
 * Reads tasks back: `GET /video/query?id=…`, falling back to the OpenAI video format
 * `GET /videos/{id}` when the first route answers 404 (remembered for the rest of the run).
 */
export class TaskReader {
	private openAiRoute = false;

	constructor(private readonly client: Sora2Client) {}

	async read(taskId: string, site: CallSite, attempts: Attempts): Promise<TaskSnapshot> {
		attempts.polls++;
		if (this.openAiRoute) return await this.readOpenAi(taskId, site, attempts);
		const first = await settle(this.client.call({ method: 'GET', path: '/video/query', qs: { id: taskId }, mode: 'idempotent', site }));
		if (first.ok) {
			attempts.pollAttempts += first.value.attempts;
			return this.parse(taskId, first.value.body, first.value.text, site);
		}
		if (httpCodeOf(first.error) !== '404') throw first.error;
		attempts.pollAttempts++;
		const fallback = await settle(this.readOpenAi(taskId, site, attempts));
		if (!fallback.ok) throw first.error;
		this.openAiRoute = true;
		return fallback.value;
	}

	private async readOpenAi(taskId: string, site: CallSite, attempts: Attempts): Promise<TaskSnapshot> {
		const answer = await this.client.call({ method: 'GET', path: `/videos/${encodeURIComponent(taskId)}`, mode: 'idempotent', site });
		attempts.pollAttempts += answer.attempts;
		const snapshot = this.parse(taskId, answer.body, answer.text, site);
		if (snapshot.status === 'completed' && !snapshot.videoUrl) {
			snapshot.videoUrl = `${this.client.baseUrl}/videos/${encodeURIComponent(taskId)}/content`;
		}
		return snapshot;
	}

	private parse(taskId: string, body: unknown, text: string, site: CallSite): TaskSnapshot {
		const parsed = taskAnswerSchema.safeParse(body);
		if (!parsed.success) throw this.client.unexpected(site, 'the task answer has no "status"', text);
		return snapshotFromTaskAnswer(taskId, parsed.data);
	}
}

function taskError(fn: IExecuteFunctions, site: CallSite, taskId: string, message: string, fix: string): NodeOperationError {
	const error = new NodeOperationError(fn.getNode(), `${site.operation}, item ${site.itemIndex}: ${message}`, {
		itemIndex: site.itemIndex,
		description: fix,
	});
	error.context.taskId = taskId;
	return error;
}

function describeProgress(snapshot: TaskSnapshot): string {
	const raw = snapshot.rawStatus === snapshot.status ? snapshot.status : `${snapshot.status} ("${snapshot.rawStatus}")`;
	return snapshot.progress === undefined ? raw : `${raw}, ${snapshot.progress}%`;
}

/**
 * Polls one task until it completes or fails. Many of these run at once (one per item); the
 * client's limiter bounds the requests in flight. Max Wait counts from `startedAt`.
 */
export async function waitUntilFinal(
	fn: IExecuteFunctions,
	reader: TaskReader,
	client: Sora2Client,
	taskId: string,
	startedAt: number,
	wait: WaitSettings,
	site: CallSite,
	attempts: Attempts,
	pollFirst: boolean,
): Promise<TaskSnapshot> {
	const deadline = startedAt + wait.maxWaitMs;
	// Reads start one Poll Interval apart (counted from the start of the previous read, or of the
	// create): the time a read takes, or waits for a free request slot, does not add up into drift.
	let lastStart = startedAt;
	for (let first = true; ; first = false) {
		if (!(first && pollFirst)) {
			const nextStart = Math.min(lastStart + wait.pollIntervalMs, deadline);
			try {
				await client.scope.sleep(Math.max(0, nextStart - Date.now()));
			} catch {
				throw client.cancelled(site);
			}
		}
		lastStart = Date.now();
		const snapshot = await reader.read(taskId, site, attempts);
		if (isFinal(snapshot.status)) return snapshot;
		if (Date.now() >= deadline) {
			throw taskError(
				fn,
				site,
				taskId,
				`task ${taskId} was still ${describeProgress(snapshot)} after Max Wait (${wait.maxWaitMs / 1000} s)`,
				`The task goes on at the provider. Pick it up later with Video → Get Task, Task ID "${taskId}", Wait for Completion on; or raise Max Wait.`,
			);
		}
	}
}

/** Throws for a task that failed, or that completed without a link to its video. */
export function assertUsable(fn: IExecuteFunctions, snapshot: TaskSnapshot, site: CallSite): void {
	if (snapshot.status === 'failed') {
		throw taskError(fn, site, snapshot.taskId, `task ${snapshot.taskId} failed: ${snapshot.failureReason ?? snapshot.rawStatus}`,
			'Nothing to download. Change the prompt or images (the provider\'s reason is above) and create the video again.');
	}
	if (snapshot.status === 'completed' && !snapshot.videoUrl) {
		throw taskError(fn, site, snapshot.taskId, `task ${snapshot.taskId} completed, but the API gave no video link`,
			'Run Video → Get Task for this Task ID later, or look for the video in your provider dashboard.');
	}
}

/** The output item: the API's own fields, then the node's normalized ones. */
export function videoJson(snapshot: TaskSnapshot, attempts: Attempts): IDataObject {
	const json: IDataObject = { ...snapshot.raw, taskId: snapshot.taskId, status: snapshot.status, rawStatus: snapshot.rawStatus };
	if (snapshot.progress !== undefined) json.progress = snapshot.progress;
	if (snapshot.videoUrl) json.videoUrl = snapshot.videoUrl;
	if (snapshot.thumbnailUrl) json.thumbnailUrl = snapshot.thumbnailUrl;
	if (snapshot.failureReason) json.failureReason = snapshot.failureReason;
	json.attempts = { ...attempts };
	return json;
}

export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4`;
}

/** Builds the output item of a finished task, downloading the video when asked. */
export async function finishedItem(
	fn: IExecuteFunctions,
	client: Sora2Client,
	snapshot: TaskSnapshot,
	wait: WaitSettings,
	site: CallSite,
	attempts: Attempts,
): Promise<INodeExecutionData> {
	assertUsable(fn, snapshot, site);
	const item: INodeExecutionData = { json: videoJson(snapshot, attempts) };
	if (wait.download && snapshot.videoUrl) {
		const body = await client.download(snapshot.videoUrl, site);
		const binary = await fn.helpers.prepareBinaryData(body, videoFileName(snapshot.taskId), 'video/mp4');
		item.binary = { [wait.binaryPropertyName]: binary };
	}
	return item;
}
