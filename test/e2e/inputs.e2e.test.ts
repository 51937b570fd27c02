/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- e2e test: runs outside n8n, writes image files and fixtures with node:fs, reads an env switch and prints timings */
/**
 * What users bring, in a REAL n8n (2.41.1, package installed from its npm pack tarball), against the
 * mock server:
 * - an image file read from disk (Read/Write Files from Disk) becomes the video's first frame: the
 *   mock decodes the data URL the node sent and its sha256 must be the file's, in n8n's default
 *   (in-memory) binary data mode and in filesystem mode (queue mode's database mode: test/queue);
 * - a saved version-1 workflow (example 01, unmodified) gives the same output as before version 2.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { MockServer, MockTask } from '../mock-server/server';
import { pngOfSize, sha256 } from '../helpers/images';
import { exampleCredential, loadExample, prepareExample } from './examples';
import { MOCK_API_KEY, N8nSession, describeResult, linearWorkflow, nodeType, outputItems, startMock, stopMock } from './harness';
import type { ExecuteResult, N8nItem } from './harness';

const POLL_SECONDS = 0.2;
const MB = 1024 * 1024;

/**
 * Example 01's output item, recorded with the package as it was before version 2 (commit 91cfc4e),
 * with what differs per run (task id, mock port, times, how many reads it took) replaced by markers.
 * `E2E_RECORD_V1=1` writes it again (only ever do that on a commit before version 2).
 */
const V1_FIXTURE = path.join(__dirname, 'fixtures', 'example-01-v1-output.json');

function expectSuccess(result: ExecuteResult): void {
	if (!result.ok) throw new Error(`the workflow did not run cleanly\n${describeResult(result)}`);
}

/** The item with the per-run values replaced (their type kept), keys in their order. */
function normalized(value: unknown, taskId: string, mockUrl: string): unknown {
	if (typeof value === 'string') {
		return value.split(encodeURIComponent(taskId)).join('<taskId, encoded>').split(taskId).join('<taskId>').split(mockUrl).join('<mock>');
	}
	if (Array.isArray(value)) return value.map((entry) => normalized(entry, taskId, mockUrl));
	if (typeof value === 'object' && value !== null) {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) {
			const perRun = ['created_at', 'status_update_time', 'polls', 'pollAttempts'].includes(key) && typeof entry === 'number';
			out[key] = perRun ? '<number>' : normalized(entry, taskId, mockUrl);
		}
		return out;
	}
	return value;
}

/** What the mock kept of the task an output item names. */
function taskOf(mock: MockServer, item: N8nItem): MockTask {
	const task = mock.tasks.get(String(item.json.taskId));
	if (!task) throw new Error(`the mock has no task ${String(item.json.taskId)}`);
	return task;
}

type BinaryMode = 'default' | 'filesystem';

describe.each<BinaryMode>(['default', 'filesystem'])('images from files, binary data mode "%s"', (mode) => {
	let mock: MockServer;
	let session: N8nSession;
	let files: string;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 600 });
		files = mkdtempSync(path.join(os.tmpdir(), 'sora2-e2e-images-'));
		session = await N8nSession.create({
			staging: 'installed',
			env: { N8N_DEFAULT_BINARY_DATA_MODE: mode, N8N_RESTRICT_FILE_ACCESS_TO: files },
		});
		await session.importCredentials([exampleCredential({ baseUrl: mock.baseUrl, apiKey: MOCK_API_KEY })]);
	});

	afterAll(async () => {
		if (session) await session.dispose();
		await stopMock(mock);
		if (files) rmSync(files, { recursive: true, force: true });
	});

	test('example 07: a PNG read from disk is the first frame, byte for byte; the video comes back as a file', async () => {
		const png = pngOfSize(1.5 * MB, 11);
		const file = path.join(files, 'first-frame.png');
		writeFileSync(file, png);
		const workflow = prepareExample(loadExample('imageFileToVideo'), { mode: 'installed', pollIntervalSeconds: POLL_SECONDS, readFile: file, id: `sora2ex07${mode}`.padEnd(16, '0').slice(0, 16) });
		await session.importWorkflows([workflow]);
		const started = Date.now();
		const result = await session.execute(workflow.id);
		expectSuccess(result);
		// the file went through n8n in the mode under test: bytes in the item, or an id of the stored file
		const [read] = outputItems(result, 'Read the first frame');
		if (mode === 'default') expect(read.binary?.data.data).toBe(png.toString('base64'));
		else expect(read.binary?.data.id).toMatch(/^filesystem(-v2)?:/);
		const [video] = outputItems(result, 'Create video from the image');
		expect(video.json.status).toBe('completed');
		expect(video.binary?.data.mimeType).toBe('video/mp4');
		const task = taskOf(mock, video);
		expect(task.imageData).toEqual([{ index: 0, mime: 'image/png', bytes: png.length, sha256: sha256(png) }]);
		expect(task.images).toEqual([`data:image/png;sha256,${sha256(png)}`]);
		console.log(`[e2e inputs] ${mode}: example 07 with a ${(png.length / MB).toFixed(1)} MB PNG ran in ${Date.now() - started} ms (n8n start included)`);
	});

	test('three files (a glob): each item sends its own file', async () => {
		const pngs = [1, 2, 3].map((seed) => pngOfSize(200_000, 100 + seed));
		pngs.forEach((png, i) => writeFileSync(path.join(files, `frame-${i}.png`), png));
		const bySha = new Map(pngs.map((png, i) => [sha256(png), `frame-${i}.png`]));
		const workflow = prepareExample(loadExample('imageFileToVideo'), {
			mode: 'installed',
			pollIntervalSeconds: POLL_SECONDS,
			readFile: path.join(files, 'frame-*.png'),
			id: `sora2ex07glob${mode}`.padEnd(16, '0').slice(0, 16),
		});
		await session.importWorkflows([workflow]);
		const result = await session.execute(workflow.id);
		expectSuccess(result);
		const read = outputItems(result, 'Read the first frame');
		const videos = outputItems(result, 'Create video from the image');
		expect(videos).toHaveLength(3);
		videos.forEach((video, i) => {
			const [image] = taskOf(mock, video).imageData;
			expect(bySha.get(image.sha256)).toBe(read[i].binary?.data.fileName);
		});
	});

	if (mode === 'filesystem') {
		test('a 25 MB PNG, Max Image Size raised to 30 MB: sent whole (the time is printed)', async () => {
			const png = pngOfSize(25 * MB, 12);
			const file = path.join(files, 'large.png');
			writeFileSync(file, png);
			const sora2 = {
				name: 'Create',
				type: nodeType('installed', 'sora2'),
				typeVersion: 2,
				parameters: {
					resource: 'video',
					operation: 'create',
					model: { __rl: true, mode: 'id', value: 'sora-2' },
					prompt: 'a large first frame',
					orientation: 'landscape',
					size: 'large',
					duration: 10,
					imageFiles: 'data',
					waitForCompletion: false,
					options: { maxImageSize: 30 },
				},
				credentials: { sora2Api: { id: 'sora2ApiAccount1', name: 'Sora2 API account' } },
			};
			const read = { name: 'Read', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1, parameters: { operation: 'read', fileSelector: file, options: {} } };
			const workflow = linearWorkflow('Sora2 e2e: a large image', [read, sora2]);
			await session.importWorkflows([workflow]);
			const result = await session.execute(workflow.id, 240_000);
			expectSuccess(result);
			const [created] = outputItems(result, 'Create');
			const task = taskOf(mock, created);
			expect(task.imageData).toEqual([{ index: 0, mime: 'image/png', bytes: png.length, sha256: sha256(png) }]);
			const runTime = result.resultData?.runData.Create?.[0]?.executionTime;
			const requestBytes = Math.ceil(png.length / 3) * 4 + 'data:image/png;base64,'.length + 200;
			console.log(`[e2e inputs] filesystem: a ${(png.length / MB).toFixed(1)} MB PNG (a ~${(requestBytes / MB).toFixed(1)} MB request): the Create node ran ${String(runTime)} ms`);
		});

		test('example 01 (typeVersion 1, the file unmodified) gives the output recorded before version 2', async () => {
			const example = loadExample('createVideo');
			expect(example.nodes.find((node) => node.name === 'Create video')?.typeVersion).toBe(1);
			const workflow = prepareExample(example, { mode: 'installed', pollIntervalSeconds: POLL_SECONDS });
			await session.importWorkflows([workflow]);
			const result = await session.execute(workflow.id);
			expectSuccess(result);
			const [item] = outputItems(result, 'Create video');
			const taskId = String(item.json.taskId);
			const shape = { json: normalized(item.json, taskId, mock.url), binary: Object.keys(item.binary ?? {}) };
			if (process.env.E2E_RECORD_V1 === '1') {
				writeFileSync(V1_FIXTURE, `${JSON.stringify(shape, null, 2)}\n`, 'utf8');
				console.log(`[e2e inputs] recorded ${V1_FIXTURE}`);
			}
			expect(existsSync(V1_FIXTURE)).toBe(true);
			expect(shape).toEqual(JSON.parse(readFileSync(V1_FIXTURE, 'utf8')));
			// the create sent exactly the documented body, nothing more
			const task = taskOf(mock, item);
			expect(task.prompt).toBe(example.nodes[1].parameters.prompt);
			expect(task.extra).toEqual({});
		});
	}
});
