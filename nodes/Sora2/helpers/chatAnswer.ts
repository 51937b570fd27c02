import type { IDataObject } from 'n8n-workflow';

import { unexpectedAnswerError } from '../transport';
import type { CallSite, ErrorContext } from '../transport';
import { chatCompletionAnswerSchema } from './chatSchemas';
import type { ChatCompletionAnswer } from './chatSchemas';
import { extractVideoUrls, lastProgress } from './videoLinks';

/** A chat answer (whole, or joined from a stream), checked; throws an error quoting it when it is none. */
export function parseChatAnswer(
	errors: ErrorContext,
	site: CallSite,
	body: unknown,
	text: string,
	what = 'the answer is not a chat completion (expected {"choices": [{"message": …}]})',
): ChatCompletionAnswer {
	const parsed = chatCompletionAnswerSchema.safeParse(body);
	if (!parsed.success) throw unexpectedAnswerError(errors, site, what, text);
	return parsed.data;
}

/**
 * The output json: the API's answer (`choices`, `usage` …) plus `videoUrls` (every video link in
 * the content) and `progress` (the last percentage it reported, or null). Simplified: the text,
 * the tool calls and the finish reason of the first choice, with the same two additions.
 */
export function chatItemJson(answer: ChatCompletionAnswer, simplify: boolean): IDataObject {
	const texts = answer.choices.map((choice) => choice.message?.content ?? '').filter((content) => content !== '');
	const all = texts.join('\n');
	const videoUrls = extractVideoUrls(all);
	const progress = lastProgress(all);
	if (!simplify) return { ...(answer as IDataObject), videoUrls, progress };
	const first = answer.choices[0];
	const toolCalls: unknown = first.message?.tool_calls;
	return {
		content: first.message?.content ?? null,
		toolCalls: Array.isArray(toolCalls) ? (toolCalls as IDataObject[]) : [],
		finishReason: first.finish_reason ?? null,
		videoUrls,
		progress,
	};
}
