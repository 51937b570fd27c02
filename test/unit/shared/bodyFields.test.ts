import { parseBodyFields } from '../../../nodes/Sora2/shared/bodyFields';

/** Additional Body Fields read into a body's extra fields (Create and Chat use it through their fields). */

const RESERVED = { model: 'Model', prompt: 'Prompt' };

test.each([
	['nothing', undefined, {}],
	['null', null, {}],
	['empty text', '', {}],
	['blank text', ' \n ', {}],
	['an empty object', '{}', {}],
	['a JSON object', '{"hd": true, "callback_url": "https://example.com/a"}', { hd: true, callback_url: 'https://example.com/a' }],
	['an object from an expression', { remove_watermark: true, nested: { a: [1] } }, { remove_watermark: true, nested: { a: [1] } }],
])('%s', (_label, raw, fields) => {
	expect(parseBodyFields(raw, RESERVED)).toEqual({ ok: true, value: fields });
});

test('a key of the node is refused, naming the field to use; keys are matched exactly', () => {
	expect(parseBodyFields({ prompt: 'x' }, RESERVED)).toEqual({
		ok: false,
		error: { problem: 'Additional Body Fields sets "prompt", which the node sends from its Prompt field', fix: 'Remove "prompt" from Additional Body Fields and set it in Prompt instead.' },
	});
	expect(parseBodyFields({ Model: 'x', toString: 1 }, RESERVED)).toEqual({ ok: true, value: { Model: 'x', toString: 1 } });
});

test.each([
	['a list', [1], 'Additional Body Fields must be a JSON object, but it is a list'],
	['a number', 3, 'Additional Body Fields must be a JSON object, but it is number 3'],
	['JSON text of a list', '[]', 'Additional Body Fields must be a JSON object, but it is a list'],
	['JSON null', 'null', 'Additional Body Fields must be a JSON object, but it is null'],
])('%s is refused', (_label, raw, problem) => {
	expect(parseBodyFields(raw, RESERVED)).toEqual({ ok: false, error: { problem, fix: expect.stringContaining('as a JSON object') } });
});
