import { REQUEST_PRIORITY, UNSEEN_TASK_GRACE_SECONDS } from '../config/defaults';
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

/** A task this run created that the API still does not show once the grace period is over. */
const CREATED_READ_HINTS: RequestHints = {
	status: (status) =>
		status === 404 || status === 410
			? `The API accepted the create of this task but still did not show it ${UNSEEN_TASK_GRACE_SECONDS} s later: it may serve status reads at another address, or have lost the task. Look for it in your provider dashboard.`
			: undefined,
};

/** A status read: safe to repeat, after creates and downloads, taking turns by task. */
function readTerms(taskId: string, site: CallSite, timing: ReadTiming, hints: RequestHints): RequestTerms {
	return { site, repeatable: true, priority: REQUEST_PRIORITY.statusRead, key: taskId, hints, ...timing };
}

function httpCodeOf(error: unknown): string | undefined {
	if (typeof error === 'object' && error !== null && 'httpCode' in error && typeof error.httpCode === 'string') return error.httpCode;
	return undefined;
}

/** Whether an id can go into a path (`/videos/{id}`) as it is: `.` and `..` would read another address (`/videos/`, `/`), even encoded. */
function fitsInPath(taskId: string): boolean {
	return taskId !== '' && taskId !== '.' && taskId !== '..';
}

/**
 * Reads tasks back: `GET /video/query?id=…`, falling back to the OpenAI video format
 * `GET /videos/{id}` when the first route answers 404 (remembered for the rest of the run). A read
 * changes nothing at the provider, so it is retried freely.
 *
 * Some gateways register a task a moment after accepting its create: for a task this run created,
 * a 404 until `unseenUntil` is a pending read that says the task is not visible yet (and does not
 * switch the route); after that, and for any other task, a 404 is an error.
 */
export class TaskReader {
	private openAiRoute = false;

	constructor(private readonly client: ApiClient) {}

	/** One read, started when `timing` says (the gate holds it until then). */
	async read(taskId: string, site: CallSite, timing: ReadTiming = {}, unseenUntil?: number): Promise<TaskRead> {
		const hints = unseenUntil === undefined ? READ_HINTS : CREATED_READ_HINTS;
		const viaPath = fitsInPath(taskId);
		if (this.openAiRoute && viaPath) {
			const read = await settle(this.readOpenAi(taskId, site, 0, timing, hints));
			if (read.ok) return read.value;
			return unseenOrThrow(read.error, taskId, unseenUntil, 1);
		}
		const first = await settle(this.client.call({ ...readTerms(taskId, site, timing, hints), method: 'GET', path: '/video/query', qs: { id: taskId } }));
		if (first.ok) return { snapshot: this.parse(taskId, first.value.body, first.value.text, site), attempts: first.value.attempts, answeredAt: first.value.answeredAt };
		if (httpCodeOf(first.error) !== '404') throw first.error;
		if (viaPath) {
			const fallback = await settle(this.readOpenAi(taskId, site, 1, {}, hints));
			if (fallback.ok) {
				this.openAiRoute = true;
				return fallback.value;
			}
		}
		return unseenOrThrow(first.error, taskId, unseenUntil, viaPath ? 2 : 1);
	}

	private async readOpenAi(taskId: string, site: CallSite, attemptsBefore: number, timing: ReadTiming, hints: RequestHints): Promise<TaskRead> {
		const path = `/videos/${encodeURIComponent(taskId)}`;
		const answer = await this.client.call({ ...readTerms(taskId, site, timing, hints), method: 'GET', path });
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

/** A 404 within the grace period of a task this run created: pending, not visible yet. Anything else is thrown. */
function unseenOrThrow(error: unknown, taskId: string, unseenUntil: number | undefined, attempts: number): TaskRead {
	if (httpCodeOf(error) !== '404' || unseenUntil === undefined || Date.now() >= unseenUntil) throw error;
	return { snapshot: { taskId, status: 'pending', wordSource: 'none', raw: {}, unseen: true }, attempts, answeredAt: Date.now() };
}
