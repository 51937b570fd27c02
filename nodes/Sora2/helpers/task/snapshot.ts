import type { IDataObject } from 'n8n-workflow';

import { isVideoUrl } from '../videoLinks';
import { isRecord } from '../values';
import { failureReasonOf, findLink, progressOf, statusWordOf, thumbnailOf, unwrapTask } from './answerFields';
import { meaningOf } from './statusWords';
import type { StatusMeaning, TaskStatus, WordSource } from './statusWords';

/** One reading of a task, in the node's own words next to the API's. */
export interface TaskSnapshot {
	taskId: string;
	status: TaskStatus;
	/** The status word as the API wrote it (undefined when the answer had none). */
	rawStatus?: string;
	/** How the node understood `rawStatus` (a word outside every list is still shown as it came). */
	wordSource: WordSource;
	progress?: number;
	videoUrl?: string;
	thumbnailUrl?: string;
	failureReason?: string;
	/** The task as the API sent it (taken out of an envelope). */
	raw: IDataObject;
}

/**
 * The status of a task: its word's meaning; a word the node does not know, carrying a finished
 * video's link, is done. An answer with no word at all is done when it carries a link (a result
 * body) and failed when it carries a reason (an error body); otherwise it tells nothing.
 */
function statusOf(word: string | undefined, link: string | undefined, reason: string | undefined): StatusMeaning | undefined {
	if (word !== undefined) {
		const meaning = meaningOf(word);
		if (meaning.source !== 'known' && meaning.status !== 'failed' && link && isVideoUrl(link)) return { status: 'completed', source: meaning.source };
		return meaning;
	}
	if (link && isVideoUrl(link)) return { status: 'completed', source: 'none' };
	if (reason) return { status: 'failed', source: 'none' };
	return undefined;
}

/**
 * Reads a task answer of any gateway shape. `taskId` is the id the node asked about (answers
 * sometimes carry a database id instead). `baseUrl` resolves a relative link. Undefined when the
 * answer says nothing about a task (no status, no link, no reason).
 */
export function snapshotOf(taskId: string, body: unknown, baseUrl: string): TaskSnapshot | undefined {
	if (!isRecord(body)) return undefined;
	const task = unwrapTask(body);
	const word = statusWordOf(task);
	let link = findLink(task, baseUrl);
	const meaning = statusOf(word, link, word === undefined ? failureReasonOf(task, false) : undefined);
	if (!meaning) return undefined;
	// An old gateway answers a success with the link in `fail_reason`.
	if (meaning.status === 'completed' && !link && typeof task.fail_reason === 'string') link = findLink(task.fail_reason, baseUrl);
	const snapshot: TaskSnapshot = { taskId, status: meaning.status, rawStatus: word, wordSource: meaning.source, raw: task as IDataObject };
	const progress = meaning.status === 'completed' ? 100 : progressOf(task);
	if (progress !== undefined) snapshot.progress = progress;
	if (link && meaning.status !== 'failed') snapshot.videoUrl = link;
	const thumbnail = thumbnailOf(task);
	if (thumbnail) snapshot.thumbnailUrl = thumbnail;
	if (meaning.status === 'failed') snapshot.failureReason = failureReasonOf(task, true) ?? word ?? 'no reason given';
	return snapshot;
}
