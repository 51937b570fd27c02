/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test: runs outside n8n and reads process.memoryUsage() to check the stream reader keeps no raw text */
import { ChatAnswerBuilder } from '../../nodes/Sora2/helpers/chatAnswerBuilder';
import { readChatStream } from '../../nodes/Sora2/helpers/chatStream';
import { chatChunkSchema } from '../../nodes/Sora2/helpers/chatSchemas';
import { MAX_SSE_LINE, SseFormatError, SseParser, decodeChunk } from '../../nodes/Sora2/helpers/sse';
import type { SseEvent } from '../../nodes/Sora2/helpers/sse';
import { extractVideoUrls, lastProgress } from '../../nodes/Sora2/helpers/videoLinks';
import type { ErrorContext } from '../../nodes/Sora2/transport';
import { TEST_NODE } from '../helpers/run';

/**
 * The pieces of Chat → Completion that need no server: the SSE parser (however the bytes are
 * split), the joining of deltas, link and progress extraction, and that reading a long stream
 * keeps no more than the answer itself.
 */

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

describe('ChatAnswerBuilder', () => {
	const chunk = (value: unknown) => chatChunkSchema.parse(value);

	test('joins content, other text fields, tool calls (by index) and choices; usage and fields of the first chunk', () => {
		const builder = new ChatAnswerBuilder();
		const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 5, model: 'sora-2', system_fingerprint: 'fp' };
		builder.add(chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }));
		builder.add(chunk({ ...base, choices: [{ index: 0, delta: { reasoning_content: 'think' } }, { index: 1, delta: { role: 'assistant', content: 'B' } }] }));
		builder.add(chunk({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'two', arguments: '' } }] } }] }));
		builder.add(chunk({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'one', arguments: '{"a":' } }] } }] }));
		builder.add(chunk({ ...base, choices: [{ index: 0, delta: { content: 'Hello', tool_calls: [{ index: 0, function: { arguments: '1}' } }] } }] }));
		builder.add(chunk({ ...base, choices: [{ index: 0, delta: { reasoning_content: 'ing' }, finish_reason: 'tool_calls' }, { index: 1, delta: {}, finish_reason: 'stop' }] }));
		builder.add(chunk({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }));
		expect(builder.result()).toEqual({
			id: 'chatcmpl-1',
			object: 'chat.completion',
			created: 5,
			model: 'sora-2',
			system_fingerprint: 'fp',
			choices: [
				{
					index: 0,
					message: {
						role: 'assistant',
						content: 'Hello',
						reasoning_content: 'thinking',
						tool_calls: [
							{ id: 'call_1', type: 'function', function: { name: 'one', arguments: '{"a":1}' } },
							{ id: 'call_2', type: 'function', function: { name: 'two', arguments: '' } },
						],
					},
					finish_reason: 'tool_calls',
				},
				{ index: 1, message: { role: 'assistant', content: 'B' }, finish_reason: 'stop' },
			],
			usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
		});
	});

	test('no content delta at all: content is null, as in a whole answer that only calls a tool', () => {
		const builder = new ChatAnswerBuilder();
		builder.add(chunk({ id: 'x', choices: [{ delta: { tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] } }] }));
		expect(builder.result().choices).toEqual([
			{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: null },
		]);
	});
});

describe('video links and progress', () => {
	test.each([
		['markdown link', 'Done: [video](https://example.com/v/a.mp4)', ['https://example.com/v/a.mp4']],
		['autolink and query', 'See <https://example.com/a.mp4?sig=abc&exp=1>.', ['https://example.com/a.mp4?sig=abc&exp=1']],
		['twice the same link', 'https://x.cdn.net/a https://x.cdn.net/a', ['https://x.cdn.net/a']],
		['images and pages on a CDN are not videos', 'https://cdn.x.com/a.png https://cdn.x.com/index.html https://cdn.x.com/v/123', ['https://cdn.x.com/v/123']],
		['the OpenAI content route', 'at https://api.example.com/v1/videos/video_1/content', ['https://api.example.com/v1/videos/video_1/content']],
		['not http(s)', 'ftp://example.com/a.mp4 and file:///tmp/a.mp4', []],
		['full-width punctuation ends a link', '链接：https://filesystem.site/cdn/x/abc.mp4，请查收', ['https://filesystem.site/cdn/x/abc.mp4']],
	])('%s', (_name, text, urls) => {
		expect(extractVideoUrls(text)).toEqual(urls);
	});

	test.each([
		['> Progress: 12%\n> Progress: 36%', 36],
		['progress 99.5 %', 99.5],
		['🏃 进度：78%\n> 100%', 100],
		['Progress: 150%', null],
		['50% of users like dogs', null],
		['', null],
	])('%p → %p', (text, progress) => {
		expect(lastProgress(text)).toBe(progress);
	});
});

describe('reading a long stream', () => {
	/** What readChatStream needs of a client when nothing goes wrong. */
	const errors: ErrorContext = { node: TEST_NODE, secrets: [] };

	test('30 MB of events: the memory keeps only the answer, not the raw text', async () => {
		const padding = 'p'.repeat(1000);
		const event = (index: number) => `data: ${JSON.stringify({ id: 'chatcmpl-long', object: 'chat.completion.chunk', created: 1, padding, choices: [{ index: 0, delta: { content: index % 1000 === 0 ? '.' : '' } }] })}\n\n`;
		const encoder = new TextEncoder();
		const count = 30_000;
		async function* body(): AsyncGenerator<Uint8Array> {
			for (let i = 0; i < count; i++) yield encoder.encode(event(i));
			yield encoder.encode('data: [DONE]\n\n');
		}
		const before = process.memoryUsage().heapUsed;
		const answer = await readChatStream(errors, { itemIndex: 0, operation: 'Chat → Completion' }, {
			body: body(),
			contentType: 'text/event-stream',
			attempts: 1,
			readWhole: async () => await Promise.reject(new Error('an event stream is not read as one whole answer')),
		});
		const grown = process.memoryUsage().heapUsed - before;
		expect(answer.choices[0].message?.content).toBe('.'.repeat(30));
		// 30 000 events of ~1.1 KB: kept as text that would be more than 30 MB (60 MB as UTF-16).
		expect(grown).toBeLessThan(15 * 1024 * 1024);
	});
});
