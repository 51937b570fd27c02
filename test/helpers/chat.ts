import type { IDataObject } from 'n8n-workflow';

import type { ParamValue } from './context';

/** Parameters of a Chat → Completion (the documented example: one user message, generate_animate tool). */
export function chatParams(overrides: Record<string, ParamValue> = {}): Record<string, ParamValue> {
	return {
		resource: 'chat',
		operation: 'completion',
		chatModel: 'sora-2',
		specifyMessages: 'fields',
		messages: { values: [{ role: 'user', content: 'a golden retriever astronaut floats through a space station' }] },
		tools: 'function:generate_animate',
		toolChoice: 'auto',
		options: {},
		...overrides,
	};
}

/**
 * An output item with the values that differ between two answers of the mock (chat id, created,
 * tool-call id, the id of the task behind the video link) replaced by fixed ones, to compare answers.
 */
export function sameAnswer(json: IDataObject): IDataObject {
	const text = JSON.stringify(json)
		.replace(/chatcmpl-[0-9a-f]{24}/g, 'chatcmpl-ID')
		.replace(/call_[0-9a-f]{16}/g, 'call_ID')
		.replace(/task_[0-9a-z]{26}/g, 'task_ID')
		.replace(/"created":\d+/g, '"created":0');
	return JSON.parse(text) as IDataObject;
}
