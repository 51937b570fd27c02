import type { IDataObject } from 'n8n-workflow';

import { contentText } from '../shared/chatContent';
import { extractVideoUrls } from '../shared/videoLinks';
import { unexpectedAnswerError } from '../transport';
import type { CallSite, ErrorContext } from '../transport';
import { chatCompletionAnswerSchema } from './schemas';
import type { ChatChunk, ChatCompletionAnswer, ChatDelta, ToolCallDelta } from './schemas';

/*
 * A chat answer: checked, read for what its prose says about the video (links, progress), and,
 * when it came streamed, joined from its chunks into the one answer the same request gives whole.
 * The Sora2 chat answers in prose: progress lines ("> Progress: 36%", "进度：36%") while it renders,
 * then the finished video as a markdown link or a plain URL.
 */

/** "Progress: 36%", "progress 36.5 %", "进度：36%", or a quoted line that is only a percentage ("> 36%"). */
const PROGRESS_PATTERN = /(?:progress|进度)[^\d\n%]{0,12}?(\d{1,3}(?:\.\d+)?)\s*%|^[ \t]*>[ \t]*(\d{1,3}(?:\.\d+)?)\s*%[ \t]*$/gim;

/** The last progress percentage the text reports (0–100), or null when it reports none. */
export function lastProgress(text: string): number | null {
	let last: number | null = null;
	for (const match of text.matchAll(PROGRESS_PATTERN)) {
		const value = Number(match[1] ?? match[2]);
		if (Number.isFinite(value) && value >= 0 && value <= 100) last = value;
	}
	return last;
}

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
 * the content, a string or a list of parts) and `progress` (the last percentage it reported, or
 * null). Simplified: the text, the tool calls and the finish reason of the first choice, with the
 * same two additions.
 */
export function chatItemJson(answer: ChatCompletionAnswer, simplify: boolean): IDataObject {
	const texts = answer.choices.map((choice) => contentText(choice.message?.content)).filter((content) => content !== '');
	const all = texts.join('\n');
	const videoUrls = extractVideoUrls(all);
	const progress = lastProgress(all);
	if (!simplify) return { ...(answer as IDataObject), videoUrls, progress };
	const first = answer.choices[0];
	const toolCalls: unknown = first.message?.tool_calls;
	const content = first.message?.content;
	return {
		// content given as a list of parts is simplified to its text
		content: Array.isArray(content) ? contentText(content) : (content ?? null),
		toolCalls: Array.isArray(toolCalls) ? (toolCalls as IDataObject[]) : [],
		finishReason: first.finish_reason ?? null,
		videoUrls,
		progress,
	};
}

/*
 * Joins the `chat.completion.chunk`s of a streamed answer (content deltas, tool-call deltas, finish
 * reasons, usage) into the one answer the same request gives without streaming.
 */

interface ToolCallParts {
	id?: string;
	type?: string;
	name: string;
	args: string[];
}

interface ChoiceParts {
	role?: string;
	/** Text fields of the deltas (content, and e.g. reasoning_content), in pieces. */
	texts: Map<string, string[]>;
	toolCalls: Map<number, ToolCallParts>;
	finishReason: string | null;
}

const byIndex = <T>(map: Map<number, T>): T[] => [...map.entries()].sort(([a], [b]) => a - b).map(([, value]) => value);

export class ChatAnswerBuilder {
	private readonly top: Record<string, unknown> = {};

	private readonly choices = new Map<number, ChoiceParts>();

	private usage: Record<string, unknown> | undefined;

	add(chunk: ChatChunk): void {
		for (const [key, value] of Object.entries(chunk)) {
			if (key === 'choices' || key === 'usage' || key === 'object' || value === undefined || value === null) continue;
			if (!(key in this.top)) this.top[key] = value;
		}
		if (chunk.usage) this.usage = chunk.usage;
		for (const [position, choice] of (chunk.choices ?? []).entries()) {
			const parts = this.choice(choice.index ?? position);
			if (choice.finish_reason) parts.finishReason = choice.finish_reason;
			if (choice.delta) this.addDelta(parts, choice.delta);
		}
	}

	/** The text of one field (content by default) of the first choice, as far as it arrived. */
	text(field = 'content'): string {
		const first = byIndex(this.choices)[0];
		return first?.texts.get(field)?.join('') ?? '';
	}

	/** The answer in the shape of a whole (non-streamed) chat completion. */
	result(): Record<string, unknown> {
		const { id, created, model, ...rest } = this.top;
		const choices = [...this.choices.entries()]
			.sort(([a], [b]) => a - b)
			.map(([index, parts]) => {
				const content = parts.texts.get('content');
				const message: Record<string, unknown> = { role: parts.role ?? 'assistant', content: content ? content.join('') : null };
				for (const [field, pieces] of parts.texts) if (field !== 'content') message[field] = pieces.join('');
				if (parts.toolCalls.size) {
					message.tool_calls = byIndex(parts.toolCalls).map((call) => ({
						id: call.id ?? '',
						type: call.type ?? 'function',
						function: { name: call.name, arguments: call.args.join('') },
					}));
				}
				return { index, message, finish_reason: parts.finishReason };
			});
		const answer: Record<string, unknown> = { id, object: 'chat.completion', created, model, ...rest, choices };
		if (this.usage) answer.usage = this.usage;
		for (const key of Object.keys(answer)) if (answer[key] === undefined) delete answer[key];
		return answer;
	}

	private choice(index: number): ChoiceParts {
		let parts = this.choices.get(index);
		if (!parts) {
			parts = { texts: new Map(), toolCalls: new Map(), finishReason: null };
			this.choices.set(index, parts);
		}
		return parts;
	}

	private addDelta(parts: ChoiceParts, delta: ChatDelta): void {
		for (const [field, value] of Object.entries(delta)) {
			if (field === 'role') {
				if (typeof value === 'string' && value !== '') parts.role = value;
			} else if (field === 'tool_calls') {
				this.addToolCalls(parts, delta.tool_calls ?? []);
			} else if (typeof value === 'string' || (field === 'content' && Array.isArray(value))) {
				// a content delta may come as a list of parts too: its text is the piece
				const piece = contentText(value);
				const pieces = parts.texts.get(field);
				if (pieces) pieces.push(piece);
				else parts.texts.set(field, [piece]);
			}
		}
	}

	/** The first delta of a call names it (id, type, function name); the next ones add argument text. */
	private addToolCalls(parts: ChoiceParts, calls: ToolCallDelta[]): void {
		for (const [position, call] of calls.entries()) {
			const index = call.index ?? position;
			let tool = parts.toolCalls.get(index);
			if (!tool) {
				tool = { name: '', args: [] };
				parts.toolCalls.set(index, tool);
			}
			if (call.id) tool.id = call.id;
			if (call.type) tool.type = call.type;
			if (call.function?.name) tool.name = call.function.name;
			if (call.function?.arguments) tool.args.push(call.function.arguments);
		}
	}
}
