/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test: runs n8n-core's binary data service in filesystem mode in a scratch folder (env, node:fs) */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import { imageOf, pdfOf, pngOfSize, sha256 } from '../../helpers/images';
import { useMockServer } from '../../helpers/mockServer';
import { runError, runNode } from '../../helpers/run';

/**
 * Image Files when n8n keeps binary data in files (filesystem mode; database and S3 are alike: the
 * item holds only an id): the node reads the bytes through n8n's helper, so the same checks hold
 * and the mock gets the very bytes stored. n8n-core's own BinaryDataService, in a scratch folder.
 */

const storage = mkdtempSync(path.join(os.tmpdir(), 'sora2-binary-'));
process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
process.env.N8N_BINARY_DATA_STORAGE_PATH = storage;

const mock = useMockServer({ pendingMs: 10, generationMs: 30 });
let service: BinaryDataService;

beforeAll(async () => {
	// n8n-core's own container (its copy of @n8n/di), where its helpers look the service up
	const di = (await import(require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }))) as typeof import('@n8n/di');
	service = di.Container.get(BinaryDataService);
	await service.init();
});

afterAll(() => rmSync(storage, { recursive: true, force: true }));

async function stored(bytes: Buffer, mimeType: string, fileName: string): Promise<IBinaryData> {
	return await service.store({ type: 'execution', workflowId: 'test-workflow', executionId: 'test-execution' }, bytes, { data: '', mimeType, fileName });
}

const run = (items: INodeExecutionData[], options = {}) =>
	makeContext({ params: createParams({ waitForCompletion: false, imageFiles: 'data, second', options }), items, credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl }, typeVersion: 2 });

test('the item holds ids only; the mock gets exactly the stored bytes, in order', async () => {
	const png = pngOfSize(400_000, 41);
	const webp = imageOf('image/webp', 30_000);
	const item = { json: {}, binary: { data: await stored(png, 'image/png', 'a.png'), second: await stored(webp, 'application/octet-stream', 'b') } };
	expect(item.binary.data.id).toMatch(/^filesystem(-v2)?:/);
	expect(item.binary.data.data).not.toBe(png.toString('base64'));
	const [out] = await runNode(run([item]));
	expect(mock.tasks.get(String(out.json.taskId))?.imageData).toEqual([
		{ index: 0, mime: 'image/png', bytes: png.length, sha256: sha256(png) },
		{ index: 1, mime: 'image/webp', bytes: webp.length, sha256: sha256(webp) },
	]);
});

test('not an image, told by the stored bytes', async () => {
	const item = { json: {}, binary: { data: await stored(pdfOf(5000), 'image/png', 'scan.png'), second: await stored(imageOf('image/gif'), 'image/gif', 'c.gif') } };
	const ctx = run([item]);
	const error = await runError(ctx);
	expect(error.message).toBe('Image Files, binary field "data" (declared as image/png, file scan.png) is not a PNG, JPEG, WebP or GIF image: its first bytes are 25 50 44 46 2d 31 2e 37 ("%PDF-1.7") (item 0)');
	expect(ctx.requests).toHaveLength(0);
});

test('too large, measured from the stored file when the item gives no size', async () => {
	const big = await stored(pngOfSize(1.5 * 1024 * 1024, 42), 'image/png', 'big.png');
	const item = { json: {}, binary: { data: { ...big, bytes: undefined }, second: await stored(imageOf('image/gif'), 'image/gif', 'c.gif') } };
	const error = await runError(run([item], { maxImageSize: 1 }));
	expect(error.message).toBe('Image Files, binary field "data" (declared as image/png, file big.png) is 1.5 MB, more than Max Image Size (MB) allows (1 MB) (item 0)');
});

test('a stored file that is gone: the error names the field, before any request', async () => {
	const gone = await stored(pngOfSize(10_000, 43), 'image/png', 'gone.png');
	unlinkSync(service.getPath(String(gone.id)));
	const item = { json: {}, binary: { data: gone, second: await stored(imageOf('image/gif'), 'image/gif', 'c.gif') } };
	const ctx = run([item]);
	const error = await runError(ctx);
	expect(error.message).toMatch(new RegExp(`^Image Files, binary field "data" could not be read: .+ \\(item 0\\)$`));
	expect(ctx.requests).toHaveLength(0);
});
