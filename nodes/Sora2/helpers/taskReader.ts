import { settle, unexpectedAnswerError } from '../transport';
import type { CallSite, Sora2Client } from '../transport';
import { snapshotOf } from './task';
import type { TaskSnapshot } from './task';

/** One status read: what it said, and the HTTP attempts it took. */
export interface TaskRead {
	snapshot: TaskSnapshot;
	attempts: number;
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

	/** One read; `dueAt` (when the schedule wanted it) orders it among the run's other reads. */
	async read(taskId: string, site: CallSite, dueAt?: number): Promise<TaskRead> {
		if (this.openAiRoute) return await this.readOpenAi(taskId, site, 0, dueAt);
		const call = { method: 'GET' as const, path: '/video/query', qs: { id: taskId }, kind: 'taskRead' as const, site, dueAt };
		const first = await settle(this.client.call(call));
		if (first.ok) return { snapshot: this.parse(taskId, first.value.body, first.value.text, site), attempts: first.value.attempts };
		if (httpCodeOf(first.error) !== '404') throw first.error;
		const fallback = await settle(this.readOpenAi(taskId, site, 1, dueAt));
		if (!fallback.ok) throw first.error;
		this.openAiRoute = true;
		return fallback.value;
	}

	private async readOpenAi(taskId: string, site: CallSite, attemptsBefore: number, dueAt?: number): Promise<TaskRead> {
		const path = `/videos/${encodeURIComponent(taskId)}`;
		const answer = await this.client.call({ method: 'GET', path, kind: 'taskRead', site, dueAt });
		const snapshot = this.parse(taskId, answer.body, answer.text, site);
		// The OpenAI video object carries no link: the file is at /videos/{id}/content.
		if (snapshot.status === 'completed' && !snapshot.videoUrl) snapshot.videoUrl = `${this.client.baseUrl}${path}/content`;
		return { snapshot, attempts: attemptsBefore + answer.attempts };
	}

	private parse(taskId: string, body: unknown, text: string, site: CallSite): TaskSnapshot {
		const snapshot = snapshotOf(taskId, body, this.client.baseUrl);
		if (!snapshot) throw unexpectedAnswerError(this.client.errors, site, 'the task answer has no status, no video link and no failure reason', text);
		return snapshot;
	}
}
