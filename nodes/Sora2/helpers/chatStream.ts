import { failureOf } from '../transport';
import type { ApiStream, CallSite, Sora2Client } from '../transport';
import { apiMessageOf } from '../transport/errors';
import { readTextBounded } from '../transport/stream';
import { parseChatAnswer } from './chatAnswer';
import { chatChunkSchema } from './chatSchemas';
import type { ChatChunk, ChatDelta, ToolCallDelta } from './chatSchemas';
import type { ChatCompletionAnswer } from './schemas';
import { settle } from './settle';
import { SseFormatError, SseParser, decodeChunk } from './sse';
import type { SseEvent } from './sse';
import { extractVideoUrls, lastProgress } from './videoLinks';

/**
 * A streamed chat answer (`stream: true`), read event by event as it arrives and joined into the
 * one answer the same request gives without streaming: same fields, same item in the output.
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

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const byIndex = <T>(map: Map<number, T>): T[] => [...map.entries()].sort(([a], [b]) => a - b).map(([, value]) => value);

/** Joins `chat.completion.chunk`s: content deltas, tool-call deltas, finish reasons, usage. */
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
			} else if (typeof value === 'string') {
				const pieces = parts.texts.get(field);
				if (pieces) pieces.push(value);
				else parts.texts.set(field, [value]);
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

const TAIL = 300;
const HEAD = 500;

/** What had arrived, for the error of a stream that broke off: counts, progress, links, the last words. */
function received(events: number, builder: ChatAnswerBuilder, head: string): string {
	if (events === 0) return head.trim() ? `No event had arrived; the body began with: ${JSON.stringify(head.slice(0, HEAD))}` : 'Nothing had arrived.';
	const content = builder.text();
	const progress = lastProgress(content);
	const links = extractVideoUrls(content);
	const facts = [
		`Received ${events} event${events === 1 ? '' : 's'} with ${content.length} characters of content`,
		progress === null ? 'no progress line' : `last progress ${progress}%`,
		links.length ? `video link: ${links.join(' ')}` : 'no video link yet',
	];
	const tail = content.replace(/\s+/g, ' ').trim();
	const shown = tail.length > TAIL ? `…${tail.slice(-TAIL)}` : tail;
	return `${facts.join(', ')}${shown ? `; the content so far ends: "${shown}"` : ''}`;
}

const CUT_HINT =
	'The provider or a proxy on the way ended the stream before the answer was complete. The video may still be made: look in your provider dashboard before running again. If it keeps happening, raise "Request Timeout" or turn Stream off.';
const ERROR_HINT = 'The provider failed while answering. The message above is its own; run again later, or check the request it names.';

/** Why the connection ended, in words. */
function breakReason(error: unknown): string {
	const failure = failureOf(error);
	switch (failure.code) {
		case 'ETIMEDOUT':
			return failure.message;
		case 'ECONNRESET':
		case 'EPIPE':
		case 'ERR_STREAM_PREMATURE_CLOSE':
			return 'the connection was closed';
		default:
			return failure.message;
	}
}

function isNodeError(error: unknown): boolean {
	return error instanceof Error && 'node' in error;
}

/** A JSON answer (the server ignored `stream: true`) is taken whole, up to this size. */
const WHOLE_ANSWER_LIMIT = 32 * 1024 * 1024;

/** Reads a streamed chat answer to its `[DONE]` and returns it as one whole answer. */
export async function readChatStream(client: Sora2Client, site: CallSite, stream: ApiStream): Promise<ChatCompletionAnswer> {
	if (/json/i.test(stream.contentType) && !/event-stream/i.test(stream.contentType)) {
		const text = await readTextBounded(stream.body, WHOLE_ANSWER_LIMIT);
		let body: unknown;
		try {
			body = JSON.parse(text) as unknown;
		} catch {
			throw client.unexpected(site, 'the body is not JSON', text);
		}
		return parseChatAnswer(client, site, body, text);
	}

	const builder = new ChatAnswerBuilder();
	const parser = new SseParser();
	const decoder = new TextDecoder();
	let head = '';
	let events = 0;

	/** Takes one event; true at `[DONE]`. */
	const take = (event: SseEvent): boolean => {
		const data = event.data.trim();
		if (data === '[DONE]') return true;
		let parsed: unknown;
		let json = true;
		try {
			parsed = JSON.parse(data) as unknown;
		} catch {
			json = false;
		}
		if (event.event === 'error' || (json && isRecord(parsed) && parsed.error !== undefined && parsed.error !== null && !('choices' in parsed))) {
			const api = apiMessageOf(data);
			throw client.streamFailed(site, `the API reported an error in the middle of the answer stream: ${api.message}${api.code ? ` (${api.code})` : ''}`, received(events, builder, head), ERROR_HINT);
		}
		if (!json) throw client.unexpected(site, `stream event ${events + 1} is not JSON`, event.data);
		const chunk = chatChunkSchema.safeParse(parsed);
		if (!chunk.success) throw client.unexpected(site, `stream event ${events + 1} is not a chat.completion.chunk`, event.data);
		events++;
		builder.add(chunk.data);
		return false;
	};

	const finish = (): ChatCompletionAnswer => {
		const answer = builder.result();
		return parseChatAnswer(client, site, answer, JSON.stringify(answer), 'the answer stream carried no answer (no choices) before [DONE]');
	};

	/** Reads events until [DONE] (true) or the end of the body (false). */
	const readToDone = async (): Promise<boolean> => {
		for await (const chunk of stream.body) {
			const text = decodeChunk(decoder, chunk);
			if (head.length < HEAD) head += text.slice(0, HEAD - head.length);
			for (const event of parser.push(text)) if (take(event)) return true;
		}
		for (const event of [...parser.push(decoder.decode()), ...parser.end()]) if (take(event)) return true;
		return false;
	};

	const outcome = await settle(readToDone());
	if (outcome.ok) {
		if (outcome.value) return finish();
		throw client.streamFailed(site, 'the answer stream ended without [DONE]', received(events, builder, head), CUT_HINT);
	}
	const error = outcome.error;
	if (isNodeError(error)) throw error;
	if (error instanceof SseFormatError) throw client.unexpected(site, `the answer stream is not server-sent events: ${error.message}`, head);
	throw client.streamFailed(site, `the answer stream was cut before [DONE] (${breakReason(error)})`, received(events, builder, head), CUT_HINT);
}
