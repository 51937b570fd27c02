import { ChatAnswerBuilder, lastProgress } from '../../../nodes/Sora2/chat/answer';
import { chatChunkSchema } from '../../../nodes/Sora2/chat/schemas';

/** The pieces of a chat answer that need no server: joining streamed deltas, and the progress the prose reports. */

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

describe('lastProgress: the last percentage a text reports', () => {
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
