import { SseFormatError, SseParser, decodeChunk } from '../../../nodes/Sora2/chat/sse';
import type { SseEvent } from '../../../nodes/Sora2/chat/sse';

/** The SSE parser: the same events however the bytes are split, and bounded lines. */

/** The longest line (or event data) the parser takes: 4 MiB. */
const MAX_SSE_LINE = 4 * 1024 * 1024;

/** Feeds `text` to a parser in pieces of `size` characters. */
function parseInPieces(text: string, size: number): SseEvent[] {
	const parser = new SseParser();
	const events: SseEvent[] = [];
	for (let at = 0; at < text.length; at += size) events.push(...parser.push(text.slice(at, at + size)));
	return [...events, ...parser.end()];
}

describe('SseParser', () => {
	const stream = ': comment\n\nevent: progress\ndata: line one\ndata: line two\n\ndata:no-space\n\ndata: {"a":1}\n\nid: 7\nretry: 10\n\ndata: [DONE]\n\n';
	const expected: SseEvent[] = [
		{ event: 'progress', data: 'line one\nline two' },
		{ event: 'message', data: 'no-space' },
		{ event: 'message', data: '{"a":1}' },
		{ event: 'message', data: '[DONE]' },
	];

	test.each([1, 2, 3, 7, 1000])('the same events whatever the pieces (%i characters)', (size) => {
		expect(parseInPieces(stream, size)).toEqual(expected);
		expect(parseInPieces(stream.replace(/\n/g, '\r\n'), size)).toEqual(expected);
		expect(parseInPieces(stream.replace(/\n/g, '\r'), size)).toEqual(expected);
	});

	test('a last event without its blank line, or without its line break, still counts at the end', () => {
		expect(parseInPieces('data: a\n\ndata: [DONE]\n', 4)).toEqual([
			{ event: 'message', data: 'a' },
			{ event: 'message', data: '[DONE]' },
		]);
		expect(parseInPieces('data: [DONE]', 3)).toEqual([{ event: 'message', data: '[DONE]' }]);
	});

	test('a line that never ends is refused instead of filling the memory', () => {
		const parser = new SseParser();
		const piece = 'x'.repeat(1024 * 1024);
		expect(() => {
			for (let i = 0; i <= MAX_SSE_LINE / piece.length; i++) parser.push(piece);
		}).toThrow(SseFormatError);
	});

	test('decodeChunk: UTF-8 characters split between chunks come out whole', () => {
		const bytes = new TextEncoder().encode('data: 🐕 München 進度\n\n');
		const decoder = new TextDecoder();
		let text = '';
		for (let at = 0; at < bytes.length; at += 1) text += decodeChunk(decoder, bytes.subarray(at, at + 1));
		expect(text + decoder.decode()).toBe('data: 🐕 München 進度\n\n');
		expect(() => decodeChunk(decoder, 42)).toThrow(SseFormatError);
	});
});
