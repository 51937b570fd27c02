import { REQUEST_PRIORITY } from '../config/defaults';
import { settle } from '../shared/values';
import { unexpectedAnswerError } from '../transport';
import type { ApiClient, CallSite, RequestHints, RequestTerms } from '../transport';
import { snapshotOf } from './snapshot';
import type { TaskSnapshot } from './snapshot';

/** One status read: what it said, the HTTP attempts it took, and when its answer came. */
export interface TaskRead {
	snapshot: TaskSnapshot;
	attempts: number;
	/** When the answer's head arrived (the server had the read before this). */
	answeredAt: number;
}

/** When a read is due, how it ranks among the run's other reads, how it is re-planned, and when it gives up (Max Wait). */
export type ReadTiming = Pick<RequestTerms, 'dueAt' | 'notBefore' | 'rank' | 'replan' | 'deadline'>;

const READ_HINTS: RequestHints = {
	status: (status) => (status === 404 || status === 410 ? 'No task with this id: check the Task ID (it looks like sora-2:task_…).' : undefined),
	// a read has a deadline only while it is waited for
	deadline: 'Max Wait ends before the next retry.',
};

/** A status read: safe to repeat, after creates and downloads, taking turns by task. */
function readTerms(taskId: string, site: CallSite, timing: ReadTiming): RequestTerms {
	return { site, repeatable: true, priority: REQUEST_PRIORITY.statusRead, key: taskId, hints: READ_HINTS, ...timing };
}

function httpCodeOf(error: unknown): string | undefined {
	if (typeof error === 'object' && error !== null && 'httpCode' in error && typeof error.httpCode === 'string') return error.httpCode;
	return undefined;
}

/**
 * Reads tasks back: `GET /video/query?id=…`, falling back to the OpenAI video format
 * `GET /videos/{id}` when the first route answers 404 (remembered for the rest of the run). A read
 * changes nothing at the provider, so it is retried freely.
 */
export class TaskReader {
	private openAiRoute = false;

	constructor(private readonly client: ApiClient) {}

	/** One read, started when `timing` says (the gate holds it until then). */
	async read(taskId: string, site: CallSite, timing: ReadTiming = {}): Promise<TaskRead> {
		if (this.openAiRoute) return await this.readOpenAi(taskId, site, 0, timing);
		const first = await settle(this.client.call({ ...readTerms(taskId, site, timing), method: 'GET', path: '/video/query', qs: { id: taskId } }));
		if (first.ok) return { snapshot: this.parse(taskId, first.value.body, first.value.text, site), attempts: first.value.attempts, answeredAt: first.value.answeredAt };
		if (httpCodeOf(first.error) !== '404') throw first.error;
		const fallback = await settle(this.readOpenAi(taskId, site, 1, {}));
		if (!fallback.ok) throw first.error;
		this.openAiRoute = true;
		return fallback.value;
	}

	private async readOpenAi(taskId: string, site: CallSite, attemptsBefore: number, timing: ReadTiming): Promise<TaskRead> {
		const path = `/videos/${encodeURIComponent(taskId)}`;
		const answer = await this.client.call({ ...readTerms(taskId, site, timing), method: 'GET', path });
		const snapshot = this.parse(taskId, answer.body, answer.text, site);
		// The OpenAI video object carries no link: the file is at /videos/{id}/content.
		if (snapshot.status === 'completed' && !snapshot.videoUrl) snapshot.videoUrl = `${this.client.baseUrl}${path}/content`;
		return { snapshot, attempts: attemptsBefore + answer.attempts, answeredAt: answer.answeredAt };
	}

	private parse(taskId: string, body: unknown, text: string, site: CallSite): TaskSnapshot {
		const snapshot = snapshotOf(taskId, body, this.client.baseUrl);
		if (!snapshot) throw unexpectedAnswerError(this.client.errors, site, 'the task answer has no status, no video link and no failure reason', text);
		return snapshot;
	}
}
