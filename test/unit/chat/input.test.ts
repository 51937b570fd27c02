import { NodeOperationError } from 'n8n-workflow';

import { chatParams } from '../../helpers/chat';
import { makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';

/**
 * Chat → Completion checks every item's fields before any request: each bad field is a
 * NodeOperationError naming the field, the item and the fix, and nothing is sent. Valid fields
 * become the documented body (checked here on the request the node sends).
 * The Base URL points at a closed port: a request would fail with a network error instead.
 */

const credentials = { apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9/v1' };

async function rejected(overrides: Record<string, ParamValue>, items = 1) {
	const ctx = makeContext({ params: chatParams(overrides), credentials, items: Array.from({ length: items }, () => ({ json: {} })) });
	const error = await runError(ctx);
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(ctx.requests).toHaveLength(0);
	return { message: error.message, fix: String(error.description) };
}

/** A "Messages" fixedCollection value (as a parameter function, like an expression of the item). */
const rows = (...values: Array<Record<string, unknown>>): ParamValue => () => ({ values });

describe('Chat → Completion: validation before any request', () => {
	test.each([
		['no rows', { messages: rows() }],
		['no messages field', { messages: {} }],
	])('Messages with %s', async (_name, overrides) => {
		const { message, fix } = await rejected(overrides);
		expect(message).toBe('Messages is empty (item 0)');
		expect(fix).toMatch(/Add a message/);
	});

	test('an empty content names the message and its role', async () => {
		const { message, fix } = await rejected({ messages: rows({ role: 'system', content: 'be brief' }, { role: 'user', content: '   ' }) });
		expect(message).toBe('Messages, message 2 (user) has an empty Content (item 0)');
		expect(fix).toMatch(/Write the text of the message in Content/);
	});

	test('a content that is not text', async () => {
		const { message } = await rejected({ messages: rows({ role: 'user', content: { text: 'x' } }) });
		expect(message).toMatch(/^Messages, message 1 \(user\): Content must be text, but the expression gave an object/);
	});

	test('an unknown role', async () => {
		const { message, fix } = await rejected({ messages: rows({ role: 'robot', content: 'hi' }) });
		expect(message).toBe('Messages, message 1: the role "robot" is not known (item 0)');
		expect(fix).toBe('Use one of the roles system, user or assistant.');
	});

	test.each([2.5, -0.1, 'hot'])('temperature %p outside 0–2', async (temperature) => {
		const { message, fix } = await rejected({ options: { temperature } });
		expect(message).toBe(`Temperature must be a number from 0 to 2, got ${JSON.stringify(temperature)} (item 0)`);
		expect(fix).toMatch(/between 0 \(focused\) and 2/);
	});

	test.each([0, -5, 1.5, 'many'])('max tokens %p (not a whole number above 0)', async (maxTokens) => {
		const { message, fix } = await rejected({ options: { maxTokens } });
		expect(message).toBe(`Max Tokens must be a whole number above 0, got ${JSON.stringify(maxTokens)} (item 0)`);
		expect(fix).toMatch(/whole number such as 1000/);
	});

	test('a tool choice naming a function that is not in Tools', async () => {
		const { message, fix } = await rejected({ toolChoice: 'function', toolChoiceFunction: 'make_video', tools: 'function:generate_animate, function:upscale' });
		expect(message).toBe('Tool Choice names the function "make_video", which is not in Tools (Tools lists generate_animate, upscale) (item 0)');
		expect(fix).toBe('Add function:make_video to Tools, or name one of its functions in Function Name.');
	});

	test('a named tool choice with an empty function name, and Required without tools', async () => {
		expect((await rejected({ toolChoice: 'function', toolChoiceFunction: ' ' })).message).toMatch(/^Tool Choice is "Function", but Function Name is empty/);
		expect((await rejected({ toolChoice: 'required', tools: '' })).message).toBe('Tool Choice is "Required", but Tools is empty (item 0)');
	});

	test.each([
		['a name with a space', 'generate animate', 'Tools: "generate animate" is not a tool name'],
		['broken JSON', '[{"type": "function"', 'Tools is not valid JSON'],
		['an object without a name', '[{"type": "function", "function": {}}]', 'Tools, entry 1, is not an OpenAI function object'],
	])('Tools with %s', async (_name, tools, expected) => {
		const { message, fix } = await rejected({ tools });
		expect(message.startsWith(expected)).toBe(true);
		expect(fix).toMatch(/function:NAME/);
	});

	test.each([
		['not JSON', 'role: user', /^Messages \(JSON\) is not valid JSON/],
		['an object', '{"role": "user", "content": "hi"}', /^Messages \(JSON\) must be an array of \{role, content\} objects, but it is an object/],
		['an empty array', '[]', /^Messages \(JSON\) is an empty array/],
		['a list of strings', '["hi"]', /^Messages \(JSON\), message 1 is string "hi", not a \{role, content\} object/],
		['a message without role', '[{"content": "hi"}]', /^Messages \(JSON\), message 1: the role null is not known/],
		['a message without content', '[{"role": "user"}]', /^Messages \(JSON\), message 1 \(user\): "content" must be text/],
		['an empty content', '[{"role": "user", "content": ""}]', /^Messages \(JSON\), message 1 \(user\) has an empty content/],
		['a number', 42, /^Messages \(JSON\) must be an array of \{role, content\} objects, but it is number 42/],
	])('Messages (JSON) that is %s', async (_name, messagesJson, expected) => {
		const { message } = await rejected({ specifyMessages: 'json', messagesJson });
		expect(message).toMatch(expected);
	});

	test('Messages (JSON) given an object with a "messages" list says to map that list', async () => {
		const { fix } = await rejected({ specifyMessages: 'json', messagesJson: { messages: [{ role: 'user', content: 'hi' }] } });
		expect(fix).toMatch(/map that list/);
	});

	test('an empty model', async () => {
		expect((await rejected({ chatModel: '  ' })).message).toBe('Model is empty (item 0)');
	});

	test('a bad second item stops the run before the first is sent, and is named', async () => {
		const messages = (itemIndex: number) => ({ values: [{ role: 'user', content: itemIndex === 1 ? '' : 'fine' }] });
		const { message } = await rejected({ messages }, 2);
		expect(message).toBe('Messages, message 1 (user) has an empty Content (item 1)');
	});
});

describe('Chat → Completion: the body sent', () => {
	/** The body of the one request a run sends (the run itself fails: nothing listens on port 9). */
	async function sentBody(overrides: Record<string, ParamValue>): Promise<unknown> {
		const options = { ...(overrides.options as object | undefined), maxRetries: 0 };
		const ctx = makeContext({ params: chatParams({ ...overrides, options }), credentials });
		await runError(ctx);
		expect(ctx.requests).toHaveLength(1);
		expect(ctx.requests[0].url).toBe('http://127.0.0.1:9/v1/chat/completions');
		expect(ctx.requests[0].method).toBe('POST');
		return ctx.requests[0].body;
	}

	test('the documented example: model, messages, tools as strings, a named tool choice, stream, max_tokens', async () => {
		const body = await sentBody({
			messages: rows({ role: 'system', content: 'You make short videos.' }, { role: 'user', content: 'a cat' }),
			toolChoice: 'function',
			toolChoiceFunction: 'generate_animate',
			options: { stream: true, maxTokens: 1000, temperature: 0.7 },
		});
		expect(body).toEqual({
			model: 'sora-2',
			messages: [
				{ role: 'system', content: 'You make short videos.' },
				{ role: 'user', content: 'a cat' },
			],
			tools: ['function:generate_animate'],
			tool_choice: { type: 'function', function: { name: 'generate_animate' } },
			stream: true,
			max_tokens: 1000,
			temperature: 0.7,
		});
	});

	test('defaults: tool choice auto, stream false, no max_tokens or temperature; a free-text model is kept', async () => {
		expect(await sentBody({ chatModel: 'sora-2-hd-proxy' })).toEqual({
			model: 'sora-2-hd-proxy',
			messages: [{ role: 'user', content: 'a golden retriever astronaut floats through a space station' }],
			tools: ['function:generate_animate'],
			tool_choice: 'auto',
			stream: false,
		});
	});

	test('no tools: neither tools nor tool_choice is sent', async () => {
		const body = await sentBody({ tools: '', toolChoice: 'none' });
		expect(body).not.toHaveProperty('tools');
		expect(body).not.toHaveProperty('tool_choice');
	});

	test('OpenAI function objects are sent as given; names next to them become objects too', async () => {
		const tool = { type: 'function', function: { name: 'upscale', description: 'Upscale a video', parameters: { type: 'object', properties: {} } } };
		const body = await sentBody({ tools: JSON.stringify([tool, 'function:generate_animate']), toolChoice: 'function', toolChoiceFunction: 'upscale' });
		expect(body).toMatchObject({
			tools: [tool, { type: 'function', function: { name: 'generate_animate' } }],
			tool_choice: { type: 'function', function: { name: 'upscale' } },
		});
	});

	test('names: separated by commas or new lines, a bare name gets function:, an expression may give a list', async () => {
		expect(await sentBody({ tools: 'function:a,\n b ,function:c' })).toMatchObject({ tools: ['function:a', 'function:b', 'function:c'] });
		expect(await sentBody({ tools: ['function:a', 'b'] })).toMatchObject({ tools: ['function:a', 'function:b'] });
	});

	test('Messages (JSON): text or an array from an expression; extra fields and content parts are kept', async () => {
		const messages = [
			{ role: 'system', content: 'short videos only', name: 'director' },
			{ role: 'user', content: [{ type: 'text', text: 'animate this' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
		];
		expect(await sentBody({ specifyMessages: 'json', messagesJson: JSON.stringify(messages) })).toMatchObject({ messages });
		expect(await sentBody({ specifyMessages: 'json', messagesJson: messages })).toMatchObject({ messages });
	});

	test('a numeric content from an expression is sent as text', async () => {
		expect(await sentBody({ messages: rows({ role: 'user', content: 42 }) })).toMatchObject({ messages: [{ role: 'user', content: '42' }] });
	});

	test('Additional Body Fields: added after the documented fields (JSON text, or an object from an expression)', async () => {
		const body = await sentBody({ options: { bodyFields: '{"top_p": 0.9, "user": "crm-42"}' } });
		expect(Object.keys(body as object)).toEqual(['model', 'messages', 'stream', 'tools', 'tool_choice', 'top_p', 'user']);
		expect(body).toMatchObject({ top_p: 0.9, user: 'crm-42' });
		expect(await sentBody({ options: { bodyFields: { seed: 7 } } })).toMatchObject({ seed: 7 });
	});
});

describe('Chat → Completion: Additional Body Fields that take a field of the node are refused', () => {
	test.each([
		['model', 'Model'],
		['messages', 'Messages'],
		['tools', 'Tools'],
		['tool_choice', 'Tool Choice'],
		['stream', 'Stream option'],
		['max_tokens', 'Max Tokens option'],
		['temperature', 'Temperature option'],
	])('"%s" names %s', async (key, field) => {
		const { message, fix } = await rejected({ options: { bodyFields: JSON.stringify({ top_p: 1, [key]: 1 }) } });
		expect(message).toBe(`Additional Body Fields sets "${key}", which the node sends from its ${field} field (item 0)`);
		expect(fix).toBe(`Remove "${key}" from Additional Body Fields and set it in ${field} instead.`);
	});

	test('text that is not a JSON object', async () => {
		expect((await rejected({ options: { bodyFields: '"hd"' } })).message).toBe('Additional Body Fields must be a JSON object, but it is string "hd" (item 0)');
	});
});

describe('Chat → Completion: continue on fail', () => {
	test('a bad item becomes an error item naming it, the good one is not held back', async () => {
		const messages = (itemIndex: number) => ({ values: [{ role: itemIndex === 0 ? 'narrator' : 'user', content: 'hi' }] });
		const ctx = makeContext({ params: chatParams({ messages }), credentials, items: [{ json: {} }], continueOnFail: true });
		const [item] = await runNode(ctx);
		expect(item.json).toEqual({
			error: 'Messages, message 1: the role "narrator" is not known (item 0)',
			hint: 'Use one of the roles system, user or assistant.',
			itemIndex: 0,
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(ctx.requests).toHaveLength(0);
	});
});
