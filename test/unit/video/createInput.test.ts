import { NodeOperationError, sleep } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
import { useMockServer } from '../../helpers/mockServer';

/**
 * Every field of Video → Create (and Get Task's Task ID, and the Options) is checked before any
 * request: a bad value gives a NodeOperationError that names the field and says how to fix it.
 */

const mock = useMockServer({ pendingMs: 20, generationMs: 60 });

const credentials = () => ({ apiKey: 'test-key', baseUrl: mock.baseUrl });

interface BadInput {
	what: string;
	params: Record<string, ParamValue>;
	/** The whole message, exactly. */
	message: string;
	/** A part of the fix (the error's description). */
	fix: string;
}

const createCases: BadInput[] = [
	{ what: 'empty prompt', params: { prompt: '' }, message: 'Prompt is empty (item 0)', fix: 'Describe the video in Prompt' },
	{ what: 'whitespace-only prompt', params: { prompt: ' \n\t  ' }, message: 'Prompt is empty (item 0)', fix: 'Describe the video in Prompt' },
	{
		what: 'prompt from an expression that gave a number',
		params: { prompt: () => 42 },
		message: 'Prompt must be text, but the expression gave number 42 (item 0)',
		fix: 'Map a text column into Prompt',
	},
	{
		what: 'prompt from an expression that gave null',
		params: { prompt: () => null },
		message: 'Prompt must be text, but the expression gave null (item 0)',
		fix: 'wrap the expression in String(',
	},
	{
		what: 'prompt from an expression that gave an object',
		params: { prompt: () => ({ text: 'a cat' }) },
		message: 'Prompt must be text, but the expression gave an object (item 0)',
		fix: 'Map a text column into Prompt',
	},
	{
		what: 'unknown model',
		params: { model: 'sora-3' },
		message: 'Model "sora-3" is not a Sora2 video model (item 0)',
		fix: 'Choose "sora-2" or "sora-2-pro" in Model',
	},
	{
		what: 'sora-2-pro with size small',
		params: { model: 'sora-2-pro', size: 'small', duration: 15 },
		message: 'sora-2-pro does not take size "small" (item 0)',
		fix: 'set Size to large',
	},
	{
		what: 'unknown size',
		params: { size: 'medium' },
		message: 'sora-2 does not take size "medium" (item 0)',
		fix: 'Choose "small" (720p) or "large" (1080p) in Size',
	},
	{
		what: 'sora-2 with duration 5',
		params: { duration: 5 },
		message: 'sora-2 does not take a duration of 5 seconds (item 0)',
		fix: 'Choose 10 or 15 seconds in Duration',
	},
	{
		what: 'sora-2-pro with duration 10',
		params: { model: 'sora-2-pro', size: 'large', duration: 10 },
		message: 'sora-2-pro does not take a duration of 10 seconds (item 0)',
		fix: 'Choose 15 seconds in Duration (Sora 2 Pro makes 15-second videos only)',
	},
	{
		what: 'duration as a non-numeric string',
		params: { duration: 'ten' },
		message: 'sora-2 does not take a duration of "ten" seconds (item 0)',
		fix: 'Choose 10 or 15 seconds in Duration',
	},
	{
		what: 'unknown orientation',
		params: { orientation: 'square' },
		message: 'Orientation "square" is not known (item 0)',
		fix: 'Choose "landscape" or "portrait" in Orientation',
	},
	{
		what: 'image that is an ftp URL',
		params: { images: 'ftp://example.com/first.png' },
		message: 'Image URLs: "ftp://example.com/first.png" is not an http(s) URL (item 0)',
		fix: 'Give public http(s) image URLs',
	},
	{
		what: 'image that is not a URL',
		params: { images: 'first-frame.png' },
		message: 'Image URLs: "first-frame.png" is not an http(s) URL (item 0)',
		fix: 'Give public http(s) image URLs',
	},
	{
		what: 'second of comma-separated images is not http(s)',
		params: { images: 'https://example.com/a.png, file:///etc/passwd' },
		message: 'Image URLs: "file:///etc/passwd" is not an http(s) URL (item 0)',
		fix: 'separated by commas or new lines',
	},
	{
		what: 'images as an object',
		params: { images: { url: 'https://example.com/a.png' } },
		message: 'Image URLs: it is an object; give a URL, a list of URLs, or a comma-separated text (item 0)',
		fix: 'Give public http(s) image URLs',
	},
	{
		what: 'images as an array holding a number',
		params: { images: ['https://example.com/a.png', 7] },
		message: 'Image URLs: entry 2 is number 7, not a URL (item 0)',
		fix: 'Give public http(s) image URLs',
	},
	{
		what: 'images as a JSON array string holding a javascript: URL',
		params: { images: '["https://example.com/a.png", "javascript:alert(1)"]' },
		message: 'Image URLs: "javascript:alert(1)" is not an http(s) URL (item 0)',
		fix: 'a JSON array of them',
	},
	{
		what: 'images as broken JSON',
		params: { images: '["https://example.com/a.png"' },
		message: 'Image URLs: it starts with "[" but is not a valid JSON array (item 0)',
		fix: 'a JSON array of them',
	},
	{
		what: 'poll interval 0',
		params: { pollInterval: 0 },
		message: 'Poll Interval must be more than 0 seconds, got 0 (item 0)',
		fix: 'Set "Poll Interval (Seconds)"',
	},
	{
		what: 'negative poll interval',
		params: { pollInterval: -1 },
		message: 'Poll Interval must be more than 0 seconds, got -1 (item 0)',
		fix: 'Set "Poll Interval (Seconds)"',
	},
	{
		what: 'poll interval that is not a number',
		params: { pollInterval: 'often' },
		message: 'Poll Interval (Seconds) must be a number, got "often" (item 0)',
		fix: 'Enter a number in "Poll Interval (Seconds)"',
	},
	{
		what: 'Max Wait below the poll interval',
		params: { pollInterval: 5, maxWait: 2 },
		message: 'Max Wait (2 s) is shorter than the Poll Interval (5 s) (item 0)',
		fix: 'Raise "Max Wait (Seconds)"',
	},
	{
		what: 'Options: Max Concurrent Requests 0',
		params: { options: { maxConcurrency: 0 } },
		message: 'Max Concurrent Requests must be a whole number of at least 1, got 0 (item 0)',
		fix: 'Fix "Max Concurrent Requests" in the node\'s Options',
	},
	{
		what: 'Options: Max Concurrent Requests 2.5',
		params: { options: { maxConcurrency: 2.5 } },
		message: 'Max Concurrent Requests must be a whole number of at least 1, got 2.5 (item 0)',
		fix: 'Fix "Max Concurrent Requests" in the node\'s Options',
	},
	{
		what: 'Options: Max Retries -1',
		params: { options: { maxRetries: -1 } },
		message: 'Max Retries must be a whole number of at least 0, got -1 (item 0)',
		fix: 'Fix "Max Retries" in the node\'s Options',
	},
	{
		what: 'Options: Request Timeout 0',
		params: { options: { requestTimeout: 0 } },
		message: 'Request Timeout must be more than 0 seconds, got 0 (item 0)',
		fix: 'Fix "Request Timeout (Seconds)" in the node\'s Options',
	},
];

describe('Video → Create: a bad field stops the run before any request', () => {
	test.each(createCases)('$what', async ({ params, message, fix }) => {
		const ctx = makeContext({ params: createParams(params), credentials: credentials() });
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(message);
		expect(error.description).toContain(fix);
		expect(ctx.requests).toHaveLength(0);
		expect(mock.stats().total).toBe(0);
		expect(mock.stats().creates).toBe(0);
	});

	test('a bad third item stops the whole batch before the first two are sent', async () => {
		const ctx = makeContext({
			params: createParams({ prompt: (i: number) => (i === 2 ? '' : `video ${i}`) }),
			items: [{ json: {} }, { json: {} }, { json: {} }],
			credentials: credentials(),
		});
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Prompt is empty (item 2)');
		// nothing was started for items 0 and 1 either (give a late request time to arrive)
		await sleep(200);
		expect(ctx.requests).toHaveLength(0);
		expect(mock.stats().total).toBe(0);
	});
});

describe('Video → Get Task: Task ID is checked before any request', () => {
	const getTaskCases: BadInput[] = [
		{ what: 'empty task id', params: { taskId: '' }, message: 'Task ID is empty (item 0)', fix: 'Map the "taskId" field' },
		{ what: 'whitespace task id', params: { taskId: '   ' }, message: 'Task ID is empty (item 0)', fix: 'Map the "taskId" field' },
		{
			what: 'task id from an expression that gave null',
			params: { taskId: () => null },
			message: 'Task ID must be text, but the expression gave null (item 0)',
			fix: 'Map the "taskId" field',
		},
		{
			what: 'non-positive poll interval while waiting',
			params: { taskId: 'sora-2:task_x', waitForCompletion: true, pollInterval: 0, maxWait: 10 },
			message: 'Poll Interval must be more than 0 seconds, got 0 (item 0)',
			fix: 'Set "Poll Interval (Seconds)"',
		},
	];

	test.each(getTaskCases)('$what', async ({ params, message, fix }) => {
		const ctx = makeContext({
			params: { resource: 'video', operation: 'getTask', waitForCompletion: false, options: {}, ...params },
			credentials: credentials(),
		});
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(message);
		expect(error.description).toContain(fix);
		expect(mock.stats().total).toBe(0);
	});
});

describe('Video → Create: accepted forms of a field', () => {
	const sentBody = async (params: Record<string, ParamValue>) => {
		const ctx = makeContext({ params: createParams({ waitForCompletion: false, ...params }), credentials: credentials() });
		const [item] = await runNode(ctx);
		expect(item.json.status).toBe('pending');
		expect(ctx.requests).toHaveLength(1);
		const task = mock.tasks.get(String(item.json.taskId));
		expect(task).toBeDefined();
		return { body: ctx.requests[0].body as Record<string, unknown>, task };
	};

	test('duration as a numeric string ("15") is accepted and sent as the number 15', async () => {
		const { body, task } = await sentBody({ duration: '15' });
		expect(body.duration).toBe(15);
		expect(task?.duration).toBe(15);
	});

	test('sora-2-pro with large and 15 is accepted', async () => {
		const { body } = await sentBody({ model: 'sora-2-pro', size: 'large', duration: 15 });
		expect(body).toMatchObject({ model: 'sora-2-pro', size: 'large', duration: 15 });
	});

	const a = 'https://example.com/a.png';
	const b = 'http://example.com/b.jpg?x=1';
	test.each([
		{ form: 'empty text', images: '', expected: [] },
		{ form: 'one URL', images: a, expected: [a] },
		{ form: 'an array (from an expression)', images: [a, b], expected: [a, b] },
		{ form: 'a JSON array string', images: JSON.stringify([a, b]), expected: [a, b] },
		{ form: 'a comma-separated string', images: `${a}, ${b}`, expected: [a, b] },
		{ form: 'a newline-separated string', images: `${a}\n${b}\n`, expected: [a, b] },
		{ form: 'CRLF lines with blanks', images: `\r\n${a}\r\n\r\n${b}\r\n`, expected: [a, b] },
	])('images as $form', async ({ images, expected }) => {
		const { body, task } = await sentBody({ images });
		expect(body.images).toEqual(expected);
		expect(task?.images).toEqual(expected);
	});
});

describe('Video → Create, version 2: any model id (the resource locator), the known ones still checked', () => {
	const v2 = (params: Record<string, ParamValue>) => makeContext({ params: createParams({ waitForCompletion: false, ...params }), credentials: credentials(), typeVersion: 2 });
	const fromList = (value: string) => ({ __rl: true, mode: 'list', value, cachedResultName: value });
	const byId = (value: string) => ({ __rl: true, mode: 'id', value });

	test('a model the node does not know, from the list: sent with the size and duration chosen', async () => {
		const ctx = v2({ model: fromList('sora-2-hd'), size: 'large', duration: 25 });
		const [item] = await runNode(ctx);
		expect(ctx.requests[0].body).toEqual({ images: [], model: 'sora-2-hd', orientation: 'portrait', prompt: 'a cat on a skateboard', size: 'large', duration: 25 });
		expect(mock.tasks.get(String(item.json.taskId))).toMatchObject({ model: 'sora-2-hd', size: 'large', duration: 25 });
	});

	test('a model typed By ID (spaces trimmed), or a plain id from an expression', async () => {
		const typed = v2({ model: byId('  veo-3-fast '), duration: 10 });
		await runNode(typed);
		expect((typed.requests[0].body as Record<string, unknown>).model).toBe('veo-3-fast');
		const mapped = v2({ model: () => 'sora-2-pro-hd', duration: '15' });
		await runNode(mapped);
		expect(mapped.requests[0].body).toMatchObject({ model: 'sora-2-pro-hd', duration: 15 });
	});

	test('an id the gateway does not sell: sent, and the gateway\'s refusal quoted', async () => {
		const ctx = v2({ model: byId('sora-9-ultra') });
		const error = await runError(ctx);
		expect(ctx.requests).toHaveLength(1);
		expect(error.message).toBe("Video → Create, item 0: the API answered 400: 'model' must be one of: sora-2, sora-2-pro, sora-2-hd, sora-2-pro-hd, sora-2-landscape-15s, veo-3-fast");
	});

	test.each([
		{ what: 'sora-2-pro typed By ID with size small', params: { model: byId('sora-2-pro'), size: 'small', duration: 15 }, message: 'sora-2-pro does not take size "small" (item 0)' },
		{ what: 'sora-2-pro from an expression with 10 s', params: { model: () => 'sora-2-pro', size: 'large', duration: 10 }, message: 'sora-2-pro does not take a duration of 10 seconds (item 0)' },
		{ what: 'sora-2 from the list with 25 s', params: { model: fromList('sora-2'), duration: 25 }, message: 'sora-2 does not take a duration of 25 seconds (item 0)' },
		{ what: 'an empty model', params: { model: byId('  ') }, message: 'Model is empty (item 0)' },
		{ what: 'a model from an expression that gave a number', params: { model: () => 42 }, message: 'Model must be a model id, but the expression gave number 42 (item 0)' },
		{ what: 'another model with a duration of 0', params: { model: byId('sora-2-hd'), duration: 0 }, message: 'Duration must be a number of seconds above 0, got 0 (item 0)' },
		{ what: 'another model with an empty size', params: { model: byId('sora-2-hd'), size: '' }, message: 'Size must be text such as "small" or "large", got string "" (item 0)' },
	])('refused before any request: $what', async ({ params, message }) => {
		const ctx = v2(params);
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(message);
		expect(ctx.requests).toHaveLength(0);
		expect(mock.stats().total).toBe(0);
	});

	test('version 1 keeps its two models: another id is refused before any request', async () => {
		const ctx = makeContext({ params: createParams({ model: 'sora-2-hd' }), credentials: credentials(), typeVersion: 1 });
		const error = await runError(ctx);
		expect(error.message).toBe('Model "sora-2-hd" is not a Sora2 video model (item 0)');
		expect(ctx.requests).toHaveLength(0);
	});
});

describe('Video → Create: Additional Body Fields', () => {
	const withFields = (bodyFields: ParamValue, typeVersion = 2, items?: Array<{ json: Record<string, string> }>) =>
		makeContext({ params: createParams({ waitForCompletion: false, options: () => ({ bodyFields: typeof bodyFields === 'function' ? undefined : bodyFields }) }), credentials: credentials(), typeVersion, items });

	test.each([1, 2])('a JSON object is added after the documented fields, and the gateway gets it (version %i)', async (typeVersion) => {
		const ctx = withFields('{"remove_watermark": true, "callback_url": "https://example.com/hook"}', typeVersion);
		const [item] = await runNode(ctx);
		expect(Object.keys(ctx.requests[0].body as object)).toEqual(['images', 'model', 'orientation', 'prompt', 'size', 'duration', 'remove_watermark', 'callback_url']);
		expect(mock.tasks.get(String(item.json.taskId))?.extra).toEqual({ remove_watermark: true, callback_url: 'https://example.com/hook' });
	});

	test('per item: an expression gives each item its own fields (an object, not text)', async () => {
		const ctx = makeContext({
			params: createParams({ waitForCompletion: false, options: (i: number) => ({ bodyFields: { character_id: `char-${i}` } }) }),
			items: [{ json: {} }, { json: {} }],
			credentials: credentials(),
			typeVersion: 2,
		});
		const output = await runNode(ctx);
		expect(output.map((item) => mock.tasks.get(String(item.json.taskId))?.extra)).toEqual([{ character_id: 'char-0' }, { character_id: 'char-1' }]);
	});

	test('empty ({} or nothing) sends the documented body only', async () => {
		for (const bodyFields of ['{}', '', undefined]) {
			const ctx = withFields(bodyFields as ParamValue);
			await runNode(ctx);
			expect(Object.keys(ctx.requests[0].body as object)).toEqual(['images', 'model', 'orientation', 'prompt', 'size', 'duration']);
		}
	});

	test.each([
		{ key: 'model', field: 'Model' },
		{ key: 'prompt', field: 'Prompt' },
		{ key: 'images', field: 'Image URLs or Image Files' },
		{ key: 'duration', field: 'Duration' },
	])('"$key" (a field of the node) is refused before any request, naming $field', async ({ key, field }) => {
		const ctx = withFields(JSON.stringify({ hd: true, [key]: 'x' }));
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`Additional Body Fields sets "${key}", which the node sends from its ${field} field (item 0)`);
		expect(error.description).toBe(`Remove "${key}" from Additional Body Fields and set it in ${field} instead.`);
		expect(ctx.requests).toHaveLength(0);
	});

	test.each([
		{ what: 'not JSON', bodyFields: '{hd: true}', message: /^Additional Body Fields is not valid JSON \(.+\) \(item 0\)$/ },
		{ what: 'a JSON array', bodyFields: '[{"hd": true}]', message: /^Additional Body Fields must be a JSON object, but it is a list \(item 0\)$/ },
		{ what: 'a JSON number', bodyFields: '7', message: /^Additional Body Fields must be a JSON object, but it is number 7 \(item 0\)$/ },
	])('$what is refused before any request', async ({ bodyFields, message }) => {
		const ctx = withFields(bodyFields);
		const error = await runError(ctx);
		expect(error.message).toMatch(message);
		expect(ctx.requests).toHaveLength(0);
	});
});
