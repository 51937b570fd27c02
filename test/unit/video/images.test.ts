/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test: the key is a fake one, checked not to leak into errors */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeExecutionData } from 'n8n-workflow';

import { parseImageUrls } from '../../../nodes/Sora2/video/images';
import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { binaryOf, dataUrlOf, imageOf, itemWith, pdfOf, pngOfSize, sha256 } from '../../helpers/images';
import { useMockServer } from '../../helpers/mockServer';
import { runError, runNode, serializeError } from '../../helpers/run';

/**
 * The images of Video → Create: Image URLs (links as users map them, data URLs, base64 text) and
 * Image Files (the item's binary fields), in the order sent, each checked before any request.
 */

const MB = 1024 * 1024;
const LIMIT = 10 * MB;

describe('parseImageUrls: links as users map them', () => {
	const a = 'https://example.com/a.png';
	const b = 'http://cdn.example.com/b.jpg?size=large&x=1';
	const links = (...urls: string[]) => urls.map((url) => ({ kind: 'link', url }));

	test.each([
		['undefined', undefined, []],
		['null', null, []],
		['empty text', '', []],
		['blank text', '  \n ', []],
		['an empty array', [], []],
		['one URL', a, [a]],
		['one URL with spaces around', `  ${a}  `, [a]],
		['an array', [a, b], [a, b]],
		['an array with blank entries', [a, '', '  ', b], [a, b]],
		['a JSON array string', `["${a}", "${b}"]`, [a, b]],
		['an empty JSON array string', '[]', []],
		['comma-separated', `${a},${b}`, [a, b]],
		['comma-separated with spaces and a trailing comma', ` ${a} , ${b} ,`, [a, b]],
		['newline-separated', `${a}\n${b}`, [a, b]],
		['CRLF and blank lines', `${a}\r\n\r\n${b}\r\n`, [a, b]],
		['commas and new lines mixed', `${a},\n${b}`, [a, b]],
	])('accepts %s', (_label, value, images) => {
		expect(parseImageUrls(value, LIMIT)).toEqual({ ok: true, value: links(...images) });
	});

	test.each([
		['an object', { url: a }, 'it is an object; give a URL, a list of URLs, or a comma-separated text'],
		['a number', 42, 'it is number 42; give a URL, a list of URLs, or a comma-separated text'],
		['a boolean', true, 'it is boolean true; give a URL, a list of URLs, or a comma-separated text'],
		['an array holding an object', [a, { url: b }], 'entry 2 is an object, not a URL'],
		['an array holding null', [null], 'entry 1 is null, not a URL'],
		['an array holding a list', [[a]], 'entry 1 is a list, not a URL'],
		['an ftp URL', 'ftp://example.com/a.png', '"ftp://example.com/a.png" is not an http(s) URL'],
		['a file URL in a list', [a, 'file:///etc/passwd'], '"file:///etc/passwd" is not an http(s) URL'],
		['a bare file name', 'photo.png', '"photo.png" is not an http(s) URL'],
		['a URL with a space inside', 'https://example.com/my photo.png', '"https://example.com/my photo.png" is not an http(s) URL'],
		['broken JSON', `["${a}"`, 'it starts with "[" but is not a valid JSON array'],
		['a JSON array of numbers', '[1, 2]', 'entry 1 is number 1, not a URL'],
	])('rejects %s', (_label, value, problem) => {
		expect(parseImageUrls(value, LIMIT)).toEqual({ ok: false, error: { problem, fix: expect.stringContaining('http(s) image URLs') } });
	});
});

describe('parseImageUrls: images given as text (a sheet cell, an expression)', () => {
	const png = pngOfSize(2000);
	const jpeg = imageOf('image/jpeg', 500);
	const link = 'https://example.com/a.png';

	test('a data URL is kept whole inside a comma-separated list, in its place', () => {
		const url = dataUrlOf('image/png', png);
		expect(parseImageUrls(`${link}, ${url}\nhttps://example.com/b.png`, LIMIT)).toEqual({
			ok: true,
			value: [{ kind: 'link', url: link }, { kind: 'data', url }, { kind: 'link', url: 'https://example.com/b.png' }],
		});
	});

	test.each([
		['WebP', 'image/webp'],
		['GIF', 'image/gif'],
		['JPEG', 'image/jpeg'],
	] as const)('a %s data URL', (_label, mime) => {
		const url = dataUrlOf(mime, imageOf(mime));
		expect(parseImageUrls([url], LIMIT)).toEqual({ ok: true, value: [{ kind: 'data', url }] });
	});

	test('the type is told by the bytes: a PNG declared as octet-stream is sent as image/png', () => {
		expect(parseImageUrls([dataUrlOf('application/octet-stream', png)], LIMIT)).toEqual({ ok: true, value: [{ kind: 'data', url: dataUrlOf('image/png', png) }] });
	});

	test('plain base64 (with line breaks, as a sheet cell may hold it) becomes a data URL of its type', () => {
		const wrapped = jpeg.toString('base64').replace(/(.{76})/g, '$1\n');
		expect(parseImageUrls([wrapped], LIMIT)).toEqual({ ok: true, value: [{ kind: 'data', url: dataUrlOf('image/jpeg', jpeg) }] });
	});

	test.each([
		['a PDF declared as a PNG', dataUrlOf('image/png', pdfOf()), 'is not a PNG, JPEG, WebP or GIF image: its first bytes are 25 50 44 46 2d 31 2e 37 ("%PDF-1.7")'],
		['plain base64 of a PDF', pdfOf(300).toString('base64'), 'is not a PNG, JPEG, WebP or GIF image: its first bytes are 25 50 44 46'],
		['a data URL that is not base64', 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>', 'is a data URL, but not a base64 one'],
		['a data URL with characters base64 has not', 'data:image/png;base64,iVBORw0KGgo@@@@', 'is not valid base64'],
		['an empty data URL', 'data:image/png;base64,', 'is not a PNG, JPEG, WebP or GIF image: it is empty'],
	])('refuses %s, naming the entry, without printing its data', (_label, value, problem) => {
		const result = parseImageUrls([link, value], LIMIT);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.error.problem).toContain('entry 2, ');
		expect(result.error.problem).toContain(problem);
		const payload = value.slice(value.indexOf(',') + 1);
		if (payload.length > 40) expect(result.error.problem).not.toContain(payload.slice(0, 40));
	});

	test('an image over Max Image Size is refused with both sizes', () => {
		const result = parseImageUrls([dataUrlOf('image/png', pngOfSize(1.5 * MB))], MB);
		expect(result).toEqual({ ok: false, error: { problem: expect.stringMatching(/^entry 1, the data URL "data:image\/png;base64,…" \(\d+ characters\), is 1\.5 MB, more than Max Image Size \(MB\) allows \(1 MB\)$/), fix: expect.stringContaining('raise Max Image Size (MB)') } });
		expect(parseImageUrls([dataUrlOf('image/png', pngOfSize(1.5 * MB))], 2 * MB).ok).toBe(true);
	});
});

// ---------- through the node: Image Files from binary data ----------

const mock = useMockServer({ pendingMs: 10, generationMs: 30 });
const credentials = () => ({ apiKey: 'test-key', baseUrl: mock.baseUrl });

function context(items: INodeExecutionData[], params: Record<string, ParamValue>, typeVersion = 2) {
	return makeContext({ params: createParams({ waitForCompletion: false, ...params }), items, credentials: credentials(), typeVersion });
}

/** The images of the one task the run created. */
function createdTask() {
	const tasks = [...mock.tasks.values()];
	return tasks[tasks.length - 1];
}

describe('Image Files: the item\'s binary fields, sent as data URLs of exactly their bytes', () => {
	const photo = pngOfSize(300_000);
	const second = imageOf('image/jpeg', 40_000);

	test.each([1, 2])('one field (node version %i): the mock decodes the data URL and finds the same bytes', async (typeVersion) => {
		const ctx = context([itemWith({ data: binaryOf(photo, 'image/png', 'photo.png') })], { imageFiles: 'data' }, typeVersion);
		const [item] = await runNode(ctx);
		const task = mock.tasks.get(String(item.json.taskId));
		expect(task?.imageData).toEqual([{ index: 0, mime: 'image/png', bytes: photo.length, sha256: sha256(photo) }]);
		expect(ctx.requests[0].body).toMatchObject({ images: [dataUrlOf('image/png', photo)] });
	});

	test('several fields, with Image URLs: the URLs first, then the files, each in the order given', async () => {
		const link = 'https://example.com/first.png';
		const inline = dataUrlOf('image/gif', imageOf('image/gif'));
		const items = [itemWith({ data: binaryOf(photo, 'image/png', 'a.png'), image_1: binaryOf(second, 'application/octet-stream', 'b.bin') })];
		await runNode(context(items, { images: `${link},${inline}`, imageFiles: 'image_1, data' }));
		expect(createdTask().images).toEqual([link, `data:image/gif;sha256,${sha256(imageOf('image/gif'))}`, `data:image/jpeg;sha256,${sha256(second)}`, `data:image/png;sha256,${sha256(photo)}`]);
	});

	test('a data URL or plain base64 from an expression is taken as an image', async () => {
		const items = [itemWith({ data: binaryOf(photo, 'image/png', 'a.png') })];
		await runNode(context(items, { imageFiles: () => [dataUrlOf('image/jpeg', second), photo.toString('base64')] }));
		expect(createdTask().imageData.map((image) => image.sha256)).toEqual([sha256(second), sha256(photo)]);
	});

	test('each item sends its own file', async () => {
		const images = [pngOfSize(1000, 1), pngOfSize(1000, 2), pngOfSize(1000, 3)];
		const items = images.map((bytes, i) => itemWith({ data: binaryOf(bytes, 'image/png', `${i}.png`) }, { prompt: `cat ${i}` }));
		const output = await runNode(context(items, { imageFiles: 'data', prompt: (i: number) => `cat ${i}` }));
		expect(output.map((item) => mock.tasks.get(String(item.json.taskId))?.imageData[0].sha256)).toEqual(images.map(sha256));
	});
});

describe('Image Files: every check before any request, naming the item and the field', () => {
	const photo = pngOfSize(5000);

	async function refused(items: INodeExecutionData[], params: Record<string, ParamValue>): Promise<Error & { description?: string | null }> {
		const ctx = context(items, params);
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(ctx.requests).toHaveLength(0);
		expect(mock.stats().total).toBe(0);
		return error;
	}

	test('a missing property: named, with the fields the item has', async () => {
		const items = [itemWith({ data: binaryOf(photo, 'image/png', 'a.png') }), itemWith({ attachment_0: binaryOf(photo, 'image/png', 'b.png') })];
		const error = await refused(items, { imageFiles: 'data' });
		expect(error.message).toBe('Image Files: the item has no binary field "data" (it has "attachment_0") (item 1)');
		expect(error.description).toContain('Name binary fields of the item');
	});

	test('an item without any binary data', async () => {
		const error = await refused([{ json: {} }], { imageFiles: 'data' });
		expect(error.message).toBe('Image Files: the item has no binary field "data" (it has no binary data at all) (item 0)');
	});

	test('not an image, told by its first bytes whatever it declares', async () => {
		const items = [itemWith({ data: binaryOf(pdfOf(4000), 'image/png', 'scan.png') })];
		const error = await refused(items, { imageFiles: 'data' });
		expect(error.message).toBe(
			'Image Files, binary field "data" (declared as image/png, file scan.png) is not a PNG, JPEG, WebP or GIF image: its first bytes are 25 50 44 46 2d 31 2e 37 ("%PDF-1.7") (item 0)',
		);
		expect(error.description).toContain('convert the file first');
	});

	test('too large: over Max Image Size (10 MB unless raised), refused from its size; the option raises it', async () => {
		const big = pngOfSize(10.5 * MB);
		const items = [itemWith({ data: binaryOf(big, 'image/png', 'big.png') })];
		const error = await refused(items, { imageFiles: 'data' });
		expect(error.message).toBe('Image Files, binary field "data" is 10.5 MB, more than Max Image Size (MB) allows (10 MB) (item 0)');
		expect(error.description).toContain('raise Max Image Size (MB)');
		const [item] = await runNode(context(items, { imageFiles: 'data', options: { maxImageSize: 11 } }));
		expect(mock.tasks.get(String(item.json.taskId))?.imageData[0].sha256).toBe(sha256(big));
	});

	test('too large when its metadata gives no size: measured when read', async () => {
		const big = pngOfSize(1.2 * MB);
		const withoutSize = { ...binaryOf(big, 'image/png', 'big.png'), bytes: undefined };
		const error = await refused([itemWith({ data: withoutSize })], { imageFiles: 'data', options: { maxImageSize: 1 } });
		expect(error.message).toBe('Image Files, binary field "data" (declared as image/png, file big.png) is 1.2 MB, more than Max Image Size (MB) allows (1 MB) (item 0)');
	});

	test('a data URL from an expression that is no image', async () => {
		const error = await refused([{ json: {} }], { imageFiles: () => dataUrlOf('image/png', pdfOf(400)) });
		expect(error.message).toMatch(/^Image Files: entry 1, the data URL "data:image\/png;base64,…" \(\d+ characters\), is not a PNG, JPEG, WebP or GIF image: its first bytes are 25 50 44 46/);
	});

	test('Max Image Size that is not a number above 0', async () => {
		const error = await refused([itemWith({ data: binaryOf(photo, 'image/png', 'a.png') })], { imageFiles: 'data', options: { maxImageSize: -1 } });
		expect(error.message).toBe('Max Image Size (MB) must be a number above 0, got -1 (item 0)');
	});

	test('a bad later item stops the run before the first is sent; Continue On Fail gives it its error item', async () => {
		const items = [itemWith({ data: binaryOf(photo, 'image/png', 'a.png') }), { json: {} }];
		const error = await refused(items, { imageFiles: 'data' });
		expect(error.message).toContain('(item 1)');
		const ctx = makeContext({ params: createParams({ waitForCompletion: false, imageFiles: 'data' }), items, credentials: credentials(), typeVersion: 2, continueOnFail: true });
		const output = await runNode(ctx);
		expect(output[0].json.taskId).toEqual(expect.any(String));
		expect(output[1].json).toMatchObject({ error: expect.stringContaining('no binary field "data"'), itemIndex: 1 });
	});
});

describe('a gateway that refuses images as data', () => {
	const photo = pngOfSize(200_000);
	const items = () => [itemWith({ data: binaryOf(photo, 'image/png', 'a.png') })];

	test('its refusal is quoted, with the hint to use a public link or another gateway', async () => {
		mock.addFault({ path: '/v1/video/create', matchText: 'data:image/', status: 400, body: { error: { message: 'images must be URLs', code: 'invalid_image' } } });
		const error = await runError(context(items(), { imageFiles: 'data' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Video → Create, item 0: the API answered 400: images must be URLs');
		expect(error.description).toContain('put the image at a public link and give it in Image URLs, or use another gateway');
	});

	test('a 200 refusal that names no status gets the same hint', async () => {
		mock.addFault({ path: '/v1/video/create', matchText: 'data:image/', status: 200, body: { success: false, msg: 'unsupported image source' } });
		const error = await runError(context(items(), { imageFiles: 'data' }));
		expect(error.message).toBe('Video → Create, item 0: the API answered 200 but refused the request: unsupported image source');
		expect(error.description).toContain('put the image at a public link');
	});

	test('a 400 for a create with links only keeps the general hint', async () => {
		mock.addFault({ path: '/v1/video/create', status: 400, body: { error: { message: 'bad prompt' } } });
		const error = await runError(context([{ json: {} }], { images: 'https://example.com/a.png' }));
		expect(error.description).not.toContain('public link');
	});

	test('a gateway that echoes the request in its error: the message shows no base64, however long', async () => {
		const small = pngOfSize(20_000);
		mock.addFault({ path: '/v1/video/create', status: 422, body: { error: { message: `invalid image: ${dataUrlOf('image/png', small)}` } }, times: 1 });
		const whole = await runError(context([itemWith({ data: binaryOf(small, 'image/png', 'a.png') })], { imageFiles: 'data' }));
		expect(whole.message).toBe(`Video → Create, item 0: the API answered 422: invalid image: data:image/png;base64,… (${small.toString('base64').length} characters)`);
		// an echo longer than the error body the node reads (64 KB) is quoted as far as it was read, cut the same way
		mock.addFault({ path: '/v1/video/create', status: 422, body: { error: { message: `invalid image: ${dataUrlOf('image/png', photo)}` } } });
		const ctx = context(items(), { imageFiles: 'data' });
		const error = await runError(ctx);
		expect(error.message).toMatch(/^Video → Create, item 0: the API answered 422: \{"error":\{"message":"invalid image: data:image\/png;base64,… \(\d+ characters\)$/);
		const everything = serializeError(error);
		expect(everything).not.toContain(photo.toString('base64').slice(1000, 1040));
		expect(everything).not.toContain(photo.toString('base64').slice(0, 40));
		expect(JSON.stringify(ctx.logs)).not.toContain(photo.toString('base64').slice(0, 40));
		expect(JSON.stringify(mock.requestLog())).not.toContain(photo.toString('base64').slice(0, 40));
	});

	test('a connection reset while a multi-MB body is sent: the error carries neither the key nor the data', async () => {
		const big = pngOfSize(3 * MB);
		mock.addFault({ path: '/v1/video/create', kind: 'reset', times: 1 });
		const ctx = makeContext({
			params: createParams({ waitForCompletion: false, imageFiles: 'data' }),
			items: [itemWith({ data: binaryOf(big, 'image/png', 'big.png') })],
			credentials: { apiKey: 'sk-secret-key-0123456789', baseUrl: mock.baseUrl },
			typeVersion: 2,
		});
		const error = await runError(ctx);
		const everything = serializeError(error);
		expect(everything).not.toContain('sk-secret-key-0123456789');
		expect(everything).not.toContain(big.toString('base64').slice(5000, 5040));
	});
});
