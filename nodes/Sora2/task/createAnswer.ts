import type { IDataObject } from 'n8n-workflow';

import { contentText } from '../shared/chatContent';
import { isRecord } from '../shared/values';
import { envelopeContent, snapshotOf } from './snapshot';
import type { TaskSnapshot } from './snapshot';

/*
 * The task a create answer names, in every form gateways use: `{id, status}` (the seed),
 * `{id}` alone, `{task_id}`, `{taskId}`, inside an envelope (`data`, a `data` list, `output`),
 * fal's `request_id`, or chat-completion shaped (the documented second variant), whose `id` is the
 * task id or whose message names it (its content a string or a list of parts). An answer without a status is a pending task.
 */

const ID_KEYS = ['task_id', 'taskId', 'id'];
const FALLBACK_ID_KEYS = ['request_id', 'requestId'];

/**
 * A task id in a chat message: "Task ID: abc-123", a `sora-2:task_…` / `task_…` token, or a UUID
 * right after the word "task" ("Task 5f1c2d3e-7a8b-4c9d-8e0f-1a2b3c4d5e6f queued").
 */
const ID_IN_TEXT = [
	/task[\s_-]*id\s*[:：=]\s*`?([^\s`,;"'<>)]+)/i,
	/\b((?:[a-z0-9.-]+:)?task_[A-Za-z0-9_-]+)/,
	/\btask\b[\s:：#`"'(]{0,4}([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i,
];

function idIn(record: Record<string, unknown>, keys: string[]): string | undefined {
	for (const key of keys) {
		const value = record[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	}
	return undefined;
}

function isChatCompletion(body: Record<string, unknown>): boolean {
	return Array.isArray(body.choices);
}

/** A chat-shaped create answer: its id, unless it is a chat id (`chatcmpl-…`); then the id its message names. */
function idOfChat(body: Record<string, unknown>): string | undefined {
	const id = idIn(body, ['id']);
	if (id && !/^chatcmpl[-_]/i.test(id)) return id;
	for (const choice of body.choices as unknown[]) {
		const message = isRecord(choice) && isRecord(choice.message) ? choice.message : undefined;
		const content = contentText(message?.content);
		for (const pattern of ID_IN_TEXT) {
			const found = pattern.exec(content);
			if (found) return found[1];
		}
	}
	return undefined;
}

function taskIdOf(body: Record<string, unknown>): string | undefined {
	if (isChatCompletion(body)) return idOfChat(body);
	const places = [body, envelopeContent(body), body.output, body.result].filter(isRecord);
	for (const place of places) {
		const id = idIn(place, ID_KEYS);
		if (id) return id;
	}
	return idIn(body, FALLBACK_ID_KEYS);
}

export function taskOfCreateAnswer(body: unknown, baseUrl: string): TaskSnapshot | undefined {
	if (!isRecord(body)) return undefined;
	const taskId = taskIdOf(body);
	if (!taskId) return undefined;
	const read = isChatCompletion(body) ? undefined : snapshotOf(taskId, body, baseUrl);
	return read ?? { taskId, status: 'pending', rawStatus: undefined, wordSource: 'none', raw: body as IDataObject };
}
