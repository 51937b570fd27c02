import type { IDataObject } from 'n8n-workflow';

import type { CallSite, Sora2Client } from '../transport';
import { chatCompletionAnswerSchema } from './schemas';
import type { ChatCompletionAnswer } from './schemas';
import { extractVideoUrls, lastProgress } from './videoLinks';

/** A chat answer (whole, or joined from a stream) checked, and turned into the output item. */

export function parseChatAnswer(
	client: Sora2Client,
	site: CallSite,
	body: unknown,
	text: string,
	what = 'the answer is not a chat completion (expected {"id": …, "choices": [{"message": …}]})',
): ChatCompletionAnswer {
	const parsed = chatCompletionAnswerSchema.safeParse(body);
	if (!parsed.success) throw client.unexpected(site, what, text);
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
