/*
 * Server-sent events, read as they arrive (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * The parser keeps only the unfinished line and the data of the current event, never the whole
 * stream, so a long stream costs the same memory as a short one.
 */

export interface SseEvent {
	/** The `event:` field, or "message" when the event named none. */
	event: string;
	/** The `data:` lines of the event, joined with "\n". */
	data: string;
}

/** A line (or the data of one event) longer than this is not a server-sent event stream. */
const MAX_SSE_LINE = 4 * 1024 * 1024;

export class SseFormatError extends Error {}

const LINE_BREAK = /[\r\n]/g;

export class SseParser {
	private partial: string[] = [];

	private partialLength = 0;

	/** The previous text ended in "\r": a "\n" at the start of the next one belongs to it. */
	private skipLineFeed = false;

	private data: string[] = [];

	private dataLength = 0;

	private eventType = '';

	/** Feeds the next piece of decoded text; returns the events it completed. */
	push(text: string): SseEvent[] {
		const events: SseEvent[] = [];
		let start = 0;
		if (this.skipLineFeed && text.startsWith('\n')) start = 1;
		this.skipLineFeed = false;
		LINE_BREAK.lastIndex = start;
		for (let match = LINE_BREAK.exec(text); match; match = LINE_BREAK.exec(text)) {
			const at = match.index;
			this.takeLine(this.partial.length ? this.partial.join('') + text.slice(start, at) : text.slice(start, at), events);
			this.partial = [];
			this.partialLength = 0;
			start = at + 1;
			if (text[at] === '\r') {
				if (at + 1 === text.length) this.skipLineFeed = true;
				else if (text[at + 1] === '\n') start = at + 2;
			}
			LINE_BREAK.lastIndex = start;
		}
		if (start < text.length) {
			this.partialLength += text.length - start;
			if (this.partialLength > MAX_SSE_LINE) throw new SseFormatError(`a line longer than ${MAX_SSE_LINE} characters arrived without a line break`);
			this.partial.push(text.slice(start));
		}
		return events;
	}

	/** The stream ended: a last line without a line break and a last event without a blank line still count. */
	end(): SseEvent[] {
		const events: SseEvent[] = [];
		if (this.partial.length) this.takeLine(this.partial.join(''), events);
		this.partial = [];
		this.partialLength = 0;
		this.dispatch(events);
		return events;
	}

	private takeLine(line: string, events: SseEvent[]): void {
		if (line === '') return this.dispatch(events);
		if (line.startsWith(':')) return;
		const colon = line.indexOf(':');
		const field = colon < 0 ? line : line.slice(0, colon);
		let value = colon < 0 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'data') {
			this.dataLength += value.length + 1;
			if (this.dataLength > MAX_SSE_LINE) throw new SseFormatError(`an event with more than ${MAX_SSE_LINE} characters of data arrived`);
			this.data.push(value);
		} else if (field === 'event') {
			this.eventType = value;
		}
	}

	private dispatch(events: SseEvent[]): void {
		if (this.data.length) events.push({ event: this.eventType || 'message', data: this.data.join('\n') });
		this.data = [];
		this.dataLength = 0;
		this.eventType = '';
	}
}

/** Decodes one chunk of a byte stream as UTF-8; a character split between chunks waits for its end. */
export function decodeChunk(decoder: InstanceType<typeof TextDecoder>, chunk: unknown): string {
	if (typeof chunk === 'string') return chunk;
	if (chunk instanceof Uint8Array) return decoder.decode(chunk, { stream: true });
	throw new SseFormatError(`the stream gave a ${typeof chunk} instead of bytes`);
}
