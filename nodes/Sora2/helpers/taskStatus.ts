import type { IDataObject } from 'n8n-workflow';

import type { TaskAnswer } from './schemas';

export type NormalizedStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** One reading of a task, in the node's own words next to the API's. */
export interface TaskSnapshot {
	taskId: string;
	status: NormalizedStatus;
	rawStatus: string;
	progress?: number;
	videoUrl?: string;
	thumbnailUrl?: string;
	failureReason?: string;
	raw: IDataObject;
}

const STATUS_WORDS: Record<string, NormalizedStatus> = {
	pending: 'pending',
	queued: 'pending',
	submitted: 'pending',
	not_start: 'pending',
	created: 'pending',
	processing: 'processing',
	in_progress: 'processing',
	running: 'processing',
	video_generating: 'processing',
	generating: 'processing',
	completed: 'completed',
	complete: 'completed',
	succeeded: 'completed',
	success: 'completed',
	done: 'completed',
	failed: 'failed',
	failure: 'failed',
	error: 'failed',
	cancelled: 'failed',
	canceled: 'failed',
	expired: 'failed',
};

/** Words the node has never seen mean "still running": the raw word stays visible in `rawStatus`. */
export function normalizeStatus(raw: string): NormalizedStatus {
	return STATUS_WORDS[raw.trim().toLowerCase()] ?? 'processing';
}

export function isFinal(status: NormalizedStatus): boolean {
	return status === 'completed' || status === 'failed';
}

/** `100`, `"0"`, `"36%"` → a number from 0 to 100; anything else → undefined. */
export function parseProgress(value: unknown): number | undefined {
	const number = typeof value === 'string' ? Number.parseFloat(value.replace('%', '').trim()) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) return undefined;
	return Math.min(100, Math.max(0, number));
}

function isHttpUrl(value: unknown): value is string {
	return typeof value === 'string' && /^https?:\/\/\S+$/i.test(value.trim());
}

function firstUrl(source: IDataObject | null | undefined, keys: string[]): string | undefined {
	if (!source) return undefined;
	for (const key of keys) {
		const value = source[key];
		if (isHttpUrl(value)) return value.trim();
	}
	return undefined;
}

const VIDEO_KEYS = ['video_url', 'videoUrl', 'url', 'video', 'output_url', 'result_url'];

function failureReasonOf(answer: TaskAnswer): string | undefined {
	const { error } = answer;
	if (typeof error === 'string' && error.trim()) return error.trim();
	if (error && typeof error === 'object' && typeof error.message === 'string') return error.message;
	const detail = answer.detail ?? undefined;
	for (const key of ['error', 'fail_reason', 'failure_reason', 'reason', 'message']) {
		const value = detail?.[key];
		if (typeof value === 'string' && value.trim()) return value.trim();
		if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return value.message;
	}
	return undefined;
}

export function snapshotFromTaskAnswer(taskId: string, answer: TaskAnswer): TaskSnapshot {
	const detail = (answer.detail ?? undefined) as IDataObject | undefined;
	const status = normalizeStatus(answer.status);
	const snapshot: TaskSnapshot = {
		taskId: answer.id && answer.id.trim() ? answer.id : taskId,
		status,
		rawStatus: answer.status,
		raw: answer as IDataObject,
	};
	const progress = parseProgress(answer.progress);
	if (progress !== undefined) snapshot.progress = progress;
	if (status === 'completed') snapshot.progress = 100;
	const videoUrl = firstUrl(answer as IDataObject, VIDEO_KEYS) ?? firstUrl(detail, VIDEO_KEYS);
	if (videoUrl) snapshot.videoUrl = videoUrl;
	const thumbnailUrl = firstUrl(answer as IDataObject, ['thumbnail_url']) ?? firstUrl(detail, ['thumbnail_url']);
	if (thumbnailUrl) snapshot.thumbnailUrl = thumbnailUrl;
	if (status === 'failed') snapshot.failureReason = failureReasonOf(answer) ?? `the API reported status "${answer.status}" without a reason`;
	return snapshot;
}
