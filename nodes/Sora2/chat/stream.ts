import { isRecord, settle } from '../shared/values';
import { extractVideoUrls } from '../shared/videoLinks';
import { apiMessageOf, failureOf, isNodeError, streamFailureError, unexpectedAnswerError } from '../transport';
import type { ApiStream, CallSite, ErrorContext } from '../transport';
import { ChatAnswerBuilder, lastProgress, parseChatAnswer } from './answer';
import { chatChunkSchema } from './schemas';
import type { ChatCompletionAnswer } from './schemas';
import { SseFormatError, SseParser, decodeChunk } from './sse';
import type { SseEvent } from './sse';

/*
 * A streamed chat answer (`stream: true`), read event by event as it arrives and joined into the
 * one answer the same request gives without streaming: same fields, same item in the output.
 * A server that ignored `stream: true` answers one JSON document: it is read whole (bounded). The
 * Content-Type decides only when the body agrees: a stream labelled `application/json` is a stream.
 */

const TAIL = 300;
const HEAD = 500;

const CUT_HINT =
	'The provider or a proxy on the way ended the stream before the answer was complete. The video may still be made: look in your provider dashboard before running again. If it keeps happening, raise "Request Timeout" or turn Stream off.';
const ERROR_HINT = 'The provider failed while answering. The message above is its own; run again later, or check the request it names.';

/** Why the connection ended, in words. */
function breakReason(error: unknown): string {
	const failure = failureOf(error);
	return ['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(failure.code ?? '') ? 'the connection was closed' : failure.message;
}

/** The first text of a body and the rest of it, so the start can be looked at before deciding how to read. */
async function peek(body: AsyncIterable<unknown>, decoder: InstanceType<typeof TextDecoder>): Promise<{ head: string; rest: AsyncIterable<unknown> }> {
	const iterator = body[Symbol.asyncIterator]();
	let head = '';
	while (head.trim() === '') {
		const next = await iterator.next();
		if (next.done) return { head, rest: (async function* () {})() };
		head += decodeChunk(decoder, next.value);
	}
	const rest = { [Symbol.asyncIterator]: () => iterator };
	return { head, rest };
}

/** Whether a body that starts with `head` is one JSON document rather than server-sent events. */
function isWholeJson(head: string, contentType: string): boolean {
	const start = head.trimStart();
	if (/^(data|event|id|retry):|^:/.test(start)) return false;
	return /json/i.test(contentType) || start.startsWith('{');
}

class StreamReading {
	readonly builder = new ChatAnswerBuilder();

	readonly parser = new SseParser();

	head = '';

	events = 0;

	constructor(
		private readonly errors: ErrorContext,
		private readonly site: CallSite,
	) {}

	/** What had arrived, for the error of a stream that broke off: counts, progress, links, the last words. */
	received(): string {
		if (this.events === 0) return this.head.trim() ? `No event had arrived; the body began with: ${JSON.stringify(this.head.slice(0, HEAD))}` : 'Nothing had arrived.';
		const content = this.builder.text();
		const progress = lastProgress(content);
		const links = extractVideoUrls(content);
		const facts = [
			`Received ${this.events} event${this.events === 1 ? '' : 's'} with ${content.length} characters of content`,
			progress === null ? 'no progress line' : `last progress ${progress}%`,
			links.length ? `video link: ${links.join(' ')}` : 'no video link yet',
		];
		const tail = content.replace(/\s+/g, ' ').trim();
		const shown = tail.length > TAIL ? `…${tail.slice(-TAIL)}` : tail;
		return `${facts.join(', ')}${shown ? `; the content so far ends: "${shown}"` : ''}`;
	}

	failed(what: string, hint: string): Error {
		return streamFailureError(this.errors, this.site, what, this.received(), hint);
	}

	/** Takes one event; true at `[DONE]`. */
	take(event: SseEvent): boolean {
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
			throw this.failed(`the API reported an error in the middle of the answer stream: ${api.message}${api.code ? ` (${api.code})` : ''}`, ERROR_HINT);
		}
		if (!json) throw unexpectedAnswerError(this.errors, this.site, `stream event ${this.events + 1} is not JSON`, event.data);
		const chunk = chatChunkSchema.safeParse(parsed);
		if (!chunk.success) throw unexpectedAnswerError(this.errors, this.site, `stream event ${this.events + 1} is not a chat.completion.chunk`, event.data);
		this.events++;
		this.builder.add(chunk.data);
		return false;
	}

	/** Reads events until [DONE] (true) or the end of the body (false). */
	async readToDone(texts: AsyncIterable<string>): Promise<boolean> {
		for await (const text of texts) {
			if (this.head.length < HEAD) this.head += text.slice(0, HEAD - this.head.length);
			for (const event of this.parser.push(text)) if (this.take(event)) return true;
		}
		for (const event of this.parser.end()) if (this.take(event)) return true;
		return false;
	}
}

/** The error for a stream that failed while being read: ours as they are, a break or a format fault in words. */
function streamError(errors: ErrorContext, site: CallSite, reading: StreamReading, error: unknown): Error {
	if (isNodeError(error)) return error;
	if (error instanceof SseFormatError) return unexpectedAnswerError(errors, site, `the answer stream is not server-sent events: ${error.message}`, reading.head);
	return reading.failed(`the answer stream was cut before [DONE] (${breakReason(error)})`, CUT_HINT);
}

async function readAnswer(errors: ErrorContext, site: CallSite, stream: ApiStream, reading: StreamReading): Promise<ChatCompletionAnswer> {
	const decoder = new TextDecoder();
	const { head, rest } = await peek(stream.body, decoder);
	const everything = async function* () {
		yield head;
		for await (const chunk of rest) yield decodeChunk(decoder, chunk);
		yield decoder.decode();
	};
	if (isWholeJson(head, stream.contentType)) {
		const whole = await stream.readWhole(everything());
		return parseChatAnswer(errors, site, whole.body, whole.text);
	}
	if (!(await reading.readToDone(everything()))) throw reading.failed('the answer stream ended without [DONE]', CUT_HINT);
	const answer = reading.builder.result();
	return parseChatAnswer(errors, site, answer, JSON.stringify(answer), 'the answer stream carried no answer (no choices) before [DONE]');
}

/** Reads a streamed chat answer to its `[DONE]` and returns it as one whole answer. */
export async function readChatStream(errors: ErrorContext, site: CallSite, stream: ApiStream): Promise<ChatCompletionAnswer> {
	const reading = new StreamReading(errors, site);
	const outcome = await settle(readAnswer(errors, site, stream, reading));
	if (outcome.ok) return outcome.value;
	throw streamError(errors, site, reading, outcome.error);
}
