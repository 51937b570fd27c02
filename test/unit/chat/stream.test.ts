/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test: runs outside n8n and reads process.memoryUsage() to check the stream reader keeps no raw text */
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { readChatStream } from '../../../nodes/Sora2/chat/stream';
import type { ErrorContext } from '../../../nodes/Sora2/transport';
import { chatParams } from '../../helpers/chat';
import { makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { TEST_NODE, runError, runNode } from '../../helpers/run';
import type { MockServer } from '../../mock-server/server';
import { useMockServer, withMock } from '../../helpers/mockServer';

/**
 * Chat → Completion with Stream on, when the stream goes wrong: cut before [DONE], ended without
 * [DONE], an SSE error event, a `data:` line that is not JSON, silence longer than Request Timeout,
 * a cancelled execution. Every error says what had arrived. And an open stream holds its slot of
 * "Max Concurrent Requests" until it is read to the end. And reading a long stream keeps no more
 * than the answer itself.
 */

const mock = useMockServer({ chatChunkChars: 24 });

const PATH = '/v1/chat/completions';

function streamParams(options: Record<string, ParamValue> = {}, overrides: Record<string, ParamValue> = {}) {
	return chatParams({ ...overrides, options: { stream: true, ...options } });
}

async function streamError(server: MockServer = mock, options: Record<string, ParamValue> = {}) {
	const error = await runError(makeContext({ params: streamParams(options), credentials: { apiKey: 'test-key', baseUrl: server.baseUrl } }));
	return { error, message: error.message, hint: String(error.description) };
}

describe('Chat → Completion: a stream that breaks', () => {
	test('cut before [DONE]: says so, with the events and the content that had arrived', async () => {
		mock.addFault({ path: PATH, kind: 'cut', afterChunks: 4, times: 1 });
		const { error, message, hint } = await streamError();
		expect(error).toBeInstanceOf(NodeApiError);
		expect(message).toBe(
			'Chat → Completion, item 0: the answer stream was cut before [DONE] (the connection was closed). ' +
				'Received 4 events with 72 characters of content, no progress line, no video link yet; ' +
				'the content so far ends: "``` {"prompt": "a golden retriever astronaut floats through a space stat"',
		);
		expect(hint).toMatch(/ended the stream before the answer was complete\. The video may still be made/);
		expect(mock.stats().requests).toEqual({ [`POST ${PATH}`]: 1 });
	});

	test('cut before the first event', async () => {
		mock.addFault({ path: PATH, kind: 'cut', afterChunks: 0, times: 1 });
		const { message } = await streamError();
		expect(message).toBe('Chat → Completion, item 0: the answer stream was cut before [DONE] (the connection was closed). Nothing had arrived.');
	});

	test('ended (cleanly) without [DONE]: an error too, naming the progress and the link that had come', async () => {
		mock.addFault({ path: PATH, kind: 'streamNoDone', times: 1 });
		const { message } = await streamError();
		expect(message).toMatch(
			/^Chat → Completion, item 0: the answer stream ended without \[DONE\]\. Received \d+ events with \d+ characters of content, last progress 100%, video link: http:\/\/127\.0\.0\.1:\d+\/files\/sora-2%3Atask_[0-9a-z]{26}\.mp4; the content so far ends: "(…)?```.*✅ Video ready: \[video\]\(http.*\.mp4\)"$/,
		);
	});

	test('an SSE error event: the API\'s own message, with what had arrived', async () => {
		mock.addFault({ path: PATH, kind: 'streamError', afterChunks: 2, times: 1 });
		const { message, hint } = await streamError();
		expect(message).toBe(
			'Chat → Completion, item 0: the API reported an error in the middle of the answer stream: The server had an error while processing your request (mock fault) (mock_fault). ' +
				'Received 2 events with 24 characters of content, no progress line, no video link yet; the content so far ends: "``` {"prompt": "a golden"',
		);
		expect(hint).toMatch(/^The provider failed while answering/);
	});

	test('an error event with a plain-text body', async () => {
		mock.addFault({ path: PATH, kind: 'streamError', afterChunks: 1, body: 'quota exceeded', times: 1 });
		const { message } = await streamError();
		expect(message).toMatch(/the API reported an error in the middle of the answer stream: quota exceeded\. Received 1 event with 0 characters/);
	});

	test('an error as a plain data event ({"error": …}, OpenAI style), in CRLF framing with comment lines', async () => {
		const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'sora-2', choices: [{ index: 0, delta: { role: 'assistant', content: '> Progress: 40%' } }] };
		const error = { error: { message: 'Rate limit reached for sora-2', type: 'requests', code: 'rate_limit_exceeded' } };
		const body = `: keep-alive\r\n\r\ndata: ${JSON.stringify(chunk)}\r\n\r\ndata: ${JSON.stringify(error)}\r\n\r\n`;
		mock.addFault({ path: PATH, status: 200, body, times: 1 });
		const { message } = await streamError();
		expect(message).toBe(
			'Chat → Completion, item 0: the API reported an error in the middle of the answer stream: Rate limit reached for sora-2 (rate_limit_exceeded). ' +
				'Received 1 event with 15 characters of content, last progress 40%, no video link yet; the content so far ends: "> Progress: 40%"',
		);
	});

	test('a 200 that is not an event stream at all (an HTML page): says nothing came, and how it began', async () => {
		mock.addFault({ path: PATH, kind: 'html', status: 200, times: 1 });
		const { message } = await streamError();
		expect(message).toMatch(/^Chat → Completion, item 0: the answer stream ended without \[DONE\]\. No event had arrived; the body began with: "<html>/);
	});

	test('a data line that is not JSON: an unexpected answer quoting it', async () => {
		mock.addFault({ path: PATH, kind: 'streamMalformed', afterChunks: 3, times: 1 });
		const { message } = await streamError();
		expect(message).toBe('Chat → Completion, item 0: the API answered 200 but stream event 4 is not JSON. Received: {"id": "chatcmpl-x", "choices": [');
	});

	test('silence longer than Request Timeout ends the stream with an error saying so', async () => {
		await withMock({ chatChunkChars: 24, chatChunkDelayMs: 1500 }, async (server) => {
			const started = Date.now();
			const { message } = await streamError(server, { requestTimeout: 0.3 });
			expect(Date.now() - started).toBeLessThan(1400);
			expect(message).toMatch(/^Chat → Completion, item 0: the answer stream was cut before \[DONE\] \(no data arrived for 0\.3 s\)\. Received 1 event with 0 characters/);
		});
	});

	test('a cancelled execution stops the stream at once and closes the connection', async () => {
		await withMock({ chatChunkChars: 8, chatChunkDelayMs: 100 }, async (server) => {
			const controller = new AbortController();
			const ctx = makeContext({ params: streamParams(), credentials: { apiKey: 'test-key', baseUrl: server.baseUrl }, cancelSignal: controller.signal });
			const run = runError(ctx);
			await sleep(250);
			expect(server.stats().inFlight).toBe(1);
			controller.abort();
			const error = await run;
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe('Chat → Completion, item 0: stopped because the execution was cancelled');
			for (let i = 0; i < 100 && server.stats().inFlight > 0; i++) await sleep(5);
			expect(server.stats().inFlight).toBe(0);
		});
	});

	test('continue on fail: a cut stream becomes that item\'s error item', async () => {
		mock.addFault({ path: PATH, kind: 'cut', afterChunks: 2, matchText: 'second', times: 1 });
		const messages = (itemIndex: number) => ({ values: [{ role: 'user', content: itemIndex === 1 ? 'the second video' : 'the first video' }] });
		const ctx = makeContext({
			params: streamParams({}, { messages }),
			credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl },
			items: [{ json: {} }, { json: {} }],
			continueOnFail: true,
		});
		const [first, second] = await runNode(ctx);
		expect(first.json.progress).toBe(100);
		expect(second.json).toMatchObject({
			error: expect.stringMatching(/^Chat → Completion, item 1: the answer stream was cut before \[DONE\] \(the connection was closed\)\. Received 2 events/),
			hint: expect.stringMatching(/The video may still be made/),
			itemIndex: 1,
		});
	});
});

describe('Chat → Completion: an open stream is a request in flight', () => {
	test('with Max Concurrent Requests 1, three streams are read one after the other', async () => {
		await withMock({ chatChunkChars: 40, chatChunkDelayMs: 10 }, async (server) => {
			const items = [0, 1, 2].map(() => ({ json: {} }));
			const ctx = makeContext({ params: streamParams({ maxConcurrency: 1 }), credentials: { apiKey: 'test-key', baseUrl: server.baseUrl }, items });
			const output = await runNode(ctx);
			expect(output.map((item) => item.json.progress)).toEqual([100, 100, 100]);
			expect(server.stats().peakInFlight).toBe(1);
		});
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
