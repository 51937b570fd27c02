/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test: the wrong key is a fake one, checked not to leak into errors */
import { NodeApiError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { chatParams, sameAnswer } from '../../helpers/chat';
import { makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
import type { MockServer } from '../../mock-server/server';
import { useMockServer, withMock } from '../../helpers/mockServer';

/**
 * Chat → Completion against the mock server over real HTTP (n8n's own request code): the whole
 * answer and the streamed one give the same output item, tool calls included; video links and
 * progress are taken from the content; API errors, retries and Continue On Fail.
 */

const mock = useMockServer({ chatChunkChars: 16 });

const PATH = '/v1/chat/completions';
const credentials = (server: MockServer = mock) => ({ apiKey: 'test-key', baseUrl: server.baseUrl });

async function answer(overrides: Record<string, ParamValue> = {}, server: MockServer = mock): Promise<IDataObject> {
	const [item] = await runNode(makeContext({ params: chatParams(overrides), credentials: credentials(server) }));
	expect(item.pairedItem).toEqual({ item: 0 });
	return item.json;
}

const streamed = (overrides: Record<string, ParamValue> = {}) => ({ ...overrides, options: { ...(overrides.options as object | undefined), stream: true } });

/** The body of a whole chat answer, for faults that answer in place of the mock's own. */
function completionBody(content: string): IDataObject {
	return {
		id: 'chatcmpl-fixed',
		object: 'chat.completion',
		created: 1700000000,
		model: 'sora-2',
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
	};
}

describe('Chat → Completion: answers', () => {
	test('a whole answer: the API fields, plus the video link and the last progress from the content', async () => {
		const json = await answer();
		const [task] = [...mock.tasks.values()];
		const link = `${mock.url}/files/${encodeURIComponent(task.id)}.mp4`;
		expect(json).toEqual({
			id: expect.stringMatching(/^chatcmpl-[0-9a-f]{24}$/),
			object: 'chat.completion',
			created: expect.any(Number),
			model: 'sora-2',
			choices: [{ index: 0, message: { role: 'assistant', content: expect.stringContaining(`[video](${link})`) }, finish_reason: 'stop' }],
			usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
			videoUrls: [link],
			progress: 100,
		});
		expect(mock.stats().requests).toEqual({ [`POST ${PATH}`]: 1 });
	});

	test('streamed and whole answers give the same item', async () => {
		const whole = await answer();
		const stream = await answer(streamed());
		expect(sameAnswer(stream)).toEqual(sameAnswer(whole));
		expect(mock.stats().requests).toEqual({ [`POST ${PATH}`]: 2 });
	});

	test('with a named tool choice: the tool call, whole and joined from its deltas, is the same', async () => {
		const tools = { toolChoice: 'function', toolChoiceFunction: 'generate_animate' };
		const whole = await answer(tools);
		const stream = await answer(streamed(tools));
		const choices = whole.choices as IDataObject[];
		expect(choices[0]).toMatchObject({
			finish_reason: 'tool_calls',
			message: {
				tool_calls: [
					{
						id: expect.stringMatching(/^call_/),
						type: 'function',
						function: { name: 'generate_animate', arguments: JSON.stringify({ prompt: 'a golden retriever astronaut floats through a space station' }) },
					},
				],
			},
		});
		expect(sameAnswer(stream)).toEqual(sameAnswer(whole));
	});

	test('a stream read in 5-byte pieces (lines and UTF-8 characters split), 1 character per event, is joined right', async () => {
		await withMock({ chatChunkChars: 1, chatWriteBytes: 5 }, async (server) => {
			const messages = { values: [{ role: 'user', content: 'dogs 🐕🐕 in München, 進度 test' }] };
			const whole = await answer({ messages }, server);
			const stream = await answer(streamed({ messages }), server);
			expect(sameAnswer(stream)).toEqual(sameAnswer(whole));
			expect(JSON.stringify(stream.choices)).toContain('dogs 🐕🐕 in München, 進度 test');
		});
	});

	test('slow chunks: the stream is read as it comes, the item is the same', async () => {
		await withMock({ chatChunkChars: 40, chatChunkDelayMs: 20 }, async (server) => {
			const started = Date.now();
			const stream = await answer(streamed(), server);
			expect(Date.now() - started).toBeGreaterThanOrEqual(100);
			expect(stream.progress).toBe(100);
			expect(stream.videoUrls).toHaveLength(1);
		});
	});

	test('Simplify Output: text, tool calls, finish reason, links and progress only; the same streamed', async () => {
		const options = { simplify: true };
		const whole = await answer({ options });
		const stream = await answer(streamed({ options }));
		expect(Object.keys(whole)).toEqual(['content', 'toolCalls', 'finishReason', 'videoUrls', 'progress']);
		expect(whole).toMatchObject({ toolCalls: [], finishReason: 'stop', progress: 100 });
		expect(whole.content).toMatch(/✅ Video ready: \[video\]\(http/);
		expect(sameAnswer(stream)).toEqual(sameAnswer(whole));
	});

	test('a server that answers a stream request with whole JSON gives the same item', async () => {
		mock.addFault({ path: PATH, status: 200, body: completionBody('Done: https://cdn.example.com/v/abc.mp4'), times: 2 });
		const whole = await answer();
		const stream = await answer(streamed());
		expect(stream).toEqual(whole);
		expect(stream.videoUrls).toEqual(['https://cdn.example.com/v/abc.mp4']);
	});

	test('many items: one request each, output in input order', async () => {
		const messages = (itemIndex: number) => ({ values: [{ role: 'user', content: `video number ${itemIndex}` }] });
		const items = [0, 1, 2].map(() => ({ json: {} }));
		const output = await runNode(makeContext({ params: chatParams(streamed({ messages })), credentials: credentials(), items }));
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		output.forEach((item, index) => expect(JSON.stringify(item.json.choices)).toContain(`video number ${index}`));
	});
});

describe('Chat → Completion: video links and progress in the content', () => {
	test.each([
		[
			'markdown: links, an image, a page, a link in bold',
			'![first frame](https://filesystem.site/cdn/20250612/a.png)\n> Progress: 36%\n> Progress: 81.5%\n[watch](https://filesystem.site/cdn/download/20251006/xyz.mp4) or **https://example.com/v/clip.webm**, see [the docs](https://example.com/docs.html)',
			['https://filesystem.site/cdn/download/20251006/xyz.mp4', 'https://example.com/v/clip.webm'],
			81.5,
		],
		[
			'plain text: a CDN link without extension, Chinese progress, a full stop after the link',
			'进度：45%\n进度：100%\n视频已生成：https://cdn.sora2-provider.com/videos/abc123。 Thumbnail https://cdn.sora2-provider.com/videos/abc123.jpg. Also at https://files.example.org/out/abc123.MOV.',
			['https://cdn.sora2-provider.com/videos/abc123', 'https://files.example.org/out/abc123.MOV'],
			100,
		],
		['no link, no progress', 'The animation parameters are configured, processing...', [], null],
	])('%s', async (_name, content, videoUrls, progress) => {
		mock.addFault({ path: PATH, status: 200, body: completionBody(content), times: 1 });
		const json = await answer();
		expect(json.videoUrls).toEqual(videoUrls);
		expect(json.progress).toBe(progress);
	});
});

describe('Chat → Completion: API errors', () => {
	const badRequest = { error: { message: "Unsupported parameter: 'temperature'", type: 'invalid_request_error', code: 'unsupported_parameter' } };

	test.each([
		['whole', {}],
		['streamed', streamed()],
	])('a 400 (%s) shows the API\'s own message, and is not retried', async (_name, overrides) => {
		mock.addFault({ path: PATH, status: 400, body: badRequest });
		const error = await runError(makeContext({ params: chatParams(overrides), credentials: credentials() }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe("Chat → Completion, item 0: the API answered 400: Unsupported parameter: 'temperature'");
		expect(error.description).toBe('The API rejected the request: check the fields its message names.');
		expect(error.httpCode).toBe('400');
		expect(mock.stats().requests).toEqual({ [`POST ${PATH}`]: 1 });
	});

	test.each([
		['whole', {}],
		['streamed', streamed()],
	])('a 429 (%s) is retried after Retry-After; the answer then comes', async (_name, overrides) => {
		mock.addFault({ path: PATH, status: 429, headers: { 'Retry-After': '0' }, times: 1 });
		const json = await answer(overrides);
		expect(json.progress).toBe(100);
		expect(mock.stats().requests).toEqual({ [`POST ${PATH}`]: 2 });
	});

	test('a 502 is not retried: a chat may have started a video (the API may have taken it)', async () => {
		mock.addFault({ path: PATH, status: 502, times: 1 });
		const error = await runError(makeContext({ params: chatParams(streamed()), credentials: credentials() }));
		expect(error.message).toBe('Chat → Completion, item 0: the API answered 502: HTTP 502 Bad Gateway (mock fault)');
		expect(error.description).toMatch(/The task may exist anyway/);
		expect(mock.stats().requests).toEqual({ [`POST ${PATH}`]: 1 });
	});

	test('a wrong key: 401, and the key is not in the error', async () => {
		const ctx = makeContext({ params: chatParams(streamed()), credentials: { apiKey: 'sk-wrong-SECRET-999', baseUrl: mock.baseUrl } });
		const error = await runError(ctx);
		expect(error.message).toBe('Chat → Completion, item 0: the API answered 401: Invalid API key provided');
		expect(JSON.stringify({ message: error.message, description: error.description })).not.toContain('sk-wrong-SECRET-999');
	});

	test('a 200 that is not a chat completion quotes what arrived', async () => {
		mock.addFault({ path: PATH, status: 200, body: { id: 'x', status: 'pending' }, times: 1 });
		const error = await runError(makeContext({ params: chatParams(), credentials: credentials() }));
		expect(error.message).toBe(
			'Chat → Completion, item 0: the API answered 200 but the answer is not a chat completion (expected {"choices": [{"message": …}]}). Received: {"id":"x","status":"pending"}',
		);
	});
});

describe('Chat → Completion: continue on fail', () => {
	test('a failing item (a 400, streamed) becomes an error item; the others are answered', async () => {
		mock.addFault({ path: PATH, status: 400, body: badRequestFor('item 1'), matchText: 'video number 1', times: 1 });
		const messages = (itemIndex: number) => ({ values: [{ role: 'user', content: `video number ${itemIndex}` }] });
		const items = [0, 1, 2].map(() => ({ json: {} }));
		const ctx = makeContext({ params: chatParams(streamed({ messages })), credentials: credentials(), items, continueOnFail: true });
		const output = await runNode(ctx);
		expect(output).toHaveLength(3);
		expect(output[0].json.progress).toBe(100);
		expect(output[2].json.progress).toBe(100);
		expect(output[1].json).toEqual({
			error: 'Chat → Completion, item 1: the API answered 400: bad prompt in item 1',
			hint: 'The API rejected the request: check the fields its message names.',
			httpCode: '400',
			itemIndex: 1,
		});
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});
});

function badRequestFor(what: string): IDataObject {
	return { error: { message: `bad prompt in ${what}`, type: 'invalid_request_error', code: 'invalid_parameter' } };
}

describe('Chat → Completion: answers gateways send', () => {
	test.each([
		['without an id', undefined],
		['with an empty id', ''],
	])('an answer %s is still an answer (its video link is kept)', async (_name, id) => {
		const body = completionBody('✅ Video ready: https://cdn.example/videos/abc.mp4');
		if (id === undefined) delete body.id;
		else body.id = id;
		mock.addFault({ path: PATH, status: 200, body });
		const json = await answer();
		expect(json.videoUrls).toEqual(['https://cdn.example/videos/abc.mp4']);
		expect(json.choices).toEqual(body.choices);
	});

	test('a whole answer over the size limit is refused while it is read, not after', async () => {
		mock.addFault({ path: PATH, kind: 'huge' });
		const error = await runError(makeContext({ params: chatParams(), credentials: credentials() }));
		expect(error.message).toMatch(/the body is larger than an API answer can be \(more than 4 MB; reading stopped there\)\. Received: .*… \(4194304 characters\)$/);
	});

	test.each([
		['whole', {}],
		['asked as a stream', streamed()],
	])('a 200 whose body is an error (%s) is the API\'s refusal, quoted, with the hint that fits it', async (_name, overrides) => {
		mock.addFault({ path: PATH, status: 200, body: { error: { message: 'insufficient quota', type: 'billing' } } });
		const error = await runError(makeContext({ params: chatParams(overrides), credentials: credentials() }));
		expect(error.message).toBe('Chat → Completion, item 0: the API answered 200 but refused the request: insufficient quota');
		expect(error.description).toBe('Your provider account has no credit or quota left: top it up, then run again.');
		expect(mock.stats().requests[`POST ${PATH}`]).toBe(1);
	});

	test('a stream labelled application/json is read as the stream it is', async () => {
		const plain = sameAnswer(await answer(streamed()));
		mock.addFault({ path: PATH, kind: 'delay', delayMs: 0, headers: { 'Content-Type': 'application/json' } });
		const labelled = sameAnswer(await answer(streamed()));
		expect(labelled).toEqual(plain);
		expect(mock.stats().requests[`POST ${PATH}`]).toBe(2);
	});
});

describe('content given as a list of parts (newer OpenAI-compatible servers)', () => {
	const parts = (url: string) => [
		{ type: 'text', text: '> Progress: 36%' },
		{ type: 'text', text: `✅ Video ready: ${url}` },
		{ type: 'image_url', image_url: { url: 'https://cdn.example.com/poster.png' } },
		{ type: 'text', text: 'Enjoy!' },
	];
	const answerWith = (content: unknown) => ({
		id: 'chatcmpl-parts',
		object: 'chat.completion',
		created: 1,
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
	});
	const VIDEO = 'https://cdn.example.com/v/abc.mp4';

	test('a whole answer: accepted, its text parts read for links and progress, the parts kept as the API sent them', async () => {
		mock.addFault({ path: PATH, status: 200, body: answerWith(parts(VIDEO)) });
		const json = await answer();
		expect(json.choices).toEqual(answerWith(parts(VIDEO)).choices);
		expect(json.videoUrls).toEqual([VIDEO]);
		expect(json.progress).toBe(36);
	});

	test('Simplify Output: the content is the text of the parts, one per line', async () => {
		mock.addFault({ path: PATH, status: 200, body: answerWith(parts(VIDEO)) });
		const json = await answer({ options: { simplify: true } });
		expect(json).toEqual({ content: `> Progress: 36%\n✅ Video ready: ${VIDEO}\nEnjoy!`, toolCalls: [], finishReason: 'stop', videoUrls: [VIDEO], progress: 36 });
	});

	test('a streamed answer whose content deltas are lists of parts is joined the same way', async () => {
		const event = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'chatcmpl-parts', object: 'chat.completion.chunk', created: 1, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
		const body = [event({ role: 'assistant', content: '' }), event({ content: [{ type: 'text', text: 'Video ready: ' }] }), event({ content: [{ type: 'text', text: VIDEO }] }), event({}, 'stop'), 'data: [DONE]\n\n'].join('');
		mock.addFault({ path: PATH, status: 200, body, headers: { 'Content-Type': 'text/event-stream' } });
		const json = await answer(streamed({ options: { simplify: true } }));
		expect(json.content).toBe(`Video ready: ${VIDEO}`);
		expect(json.videoUrls).toEqual([VIDEO]);
	});
});
