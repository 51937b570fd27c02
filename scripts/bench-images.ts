/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- a benchmark run from the shell: prints its table, reads process memory, times with timers, spawns the mock server, and uses a made-up key to measure redaction */
/**
 * `npm run bench:images`: images sent as data (Image Files), measured against the mock Sora2 server
 * in its own process (it decodes every data URL and hashes its bytes, as a gateway would read it).
 *  1. "sizes": one Create with one PNG of 1 … 40 MB: the request size and how long the create took.
 *  2. "batch": 50 items each with a 5 MB PNG, in n8n's default binary data mode (the bytes in the
 *     items) and in filesystem mode (only ids in the items): the run's time and the process's peak
 *     RSS and heap (sampled every 10 ms), above what the items already held before the run.
 *  3. "redaction": the key scrubbed from, and data runs cut out of, a multi-MB text, as errors do.
 * Env: BENCH_SIZES_MB ("1,5,10,25,40"), BENCH_ITEMS (50), BENCH_ITEM_MB (5), BENCH_PARTS ("sizes,batch,redaction").
 */
import './benchEnv';

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { Sora2 } from '../nodes/Sora2/Sora2.node';
import { apiMessageOf } from '../nodes/Sora2/transport';
import { redact, secretForms } from '../nodes/Sora2/transport/secrets';
import { createParams, makeContext } from '../test/helpers/context';
import { binaryOf, pngOfSize } from '../test/helpers/images';

const KEY = 'bench-key';
const MB = 1024 * 1024;
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '1,5,10,25,40').split(',').map(Number);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 50);
const ITEM_MB = Number(process.env.BENCH_ITEM_MB ?? 5);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'sizes,batch,redaction').split(','));

const now = () => Number(process.hrtime.bigint()) / 1e6;
const mb = (bytes: number) => (bytes / MB).toFixed(1);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** The mock in a process of its own, on a free port. */
async function startMock(): Promise<{ baseUrl: string; child: ChildProcess }> {
	const args = ['test/mock-server/server.js', '--port', '0', '--key', KEY, '--pending-ms', '50', '--generation-ms', '100'];
	const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
	const line = await new Promise<string>((resolve, reject) => {
		readline.createInterface({ input: child.stdout! }).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
	});
	return { baseUrl: (JSON.parse(line) as { baseUrl: string }).baseUrl, child };
}

function printTable(header: string[], lines: Array<Array<string | number>>): void {
	const cells = [header, ...lines.map((line) => line.map(String))];
	const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
	for (const [i, row] of cells.entries()) {
		console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
		if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
	}
}

/** Runs Create (no wait) over `items`; the wall time, the body bytes of the first request, and the peaks sampled meanwhile. */
async function runCreate(baseUrl: string, items: INodeExecutionData[], maxImageSize: number) {
	const params = createParams({ waitForCompletion: false, imageFiles: 'data', prompt: (i: number) => `image bench ${i}`, options: { maxImageSize } });
	const ctx = makeContext({ params, items, credentials: { apiKey: KEY, baseUrl }, typeVersion: 2 });
	// the test context keeps every request it sees (bodies included): here only the first body's size is kept
	let firstBody = 0;
	ctx.requests.push = (...requests) => {
		const body = requests.find((request) => String(request.url).endsWith('/video/create'))?.body;
		if (firstBody === 0 && body) firstBody = JSON.stringify(body).length;
		return 0;
	};
	gc();
	const before = process.memoryUsage();
	const peak = { rss: before.rss, heapUsed: before.heapUsed, external: before.external + before.arrayBuffers };
	const sampler = setInterval(() => {
		const usage = process.memoryUsage();
		peak.rss = Math.max(peak.rss, usage.rss);
		peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
		peak.external = Math.max(peak.external, usage.external + usage.arrayBuffers);
	}, 10);
	const start = now();
	const [out] = await new Sora2().execute.call(ctx.fn);
	const wallMs = now() - start;
	clearInterval(sampler);
	const failed = out.filter((item) => item.json.error !== undefined || typeof item.json.taskId !== 'string');
	if (failed.length) throw new Error(`${failed.length} items failed: ${JSON.stringify(failed[0].json).slice(0, 300)}`);
	return { wallMs, firstBody, before, peak };
}

async function sizes(baseUrl: string): Promise<void> {
	const lines: Array<Array<string | number>> = [];
	for (const size of SIZES_MB) {
		const png = pngOfSize(size * MB, size);
		const run = await runCreate(baseUrl, [{ json: {}, binary: { data: binaryOf(png, 'image/png', 'frame.png') } }], size + 1);
		lines.push([`${mb(png.length)} MB`, `${mb(run.firstBody)} MB`, Math.round(run.wallMs), `${mb(run.peak.rss - run.before.rss)} MB`]);
	}
	console.log('\n1. one Create with one PNG (Max Image Size raised above it), the mock in its own process');
	printTable(['image', 'request body', 'create ms', 'RSS growth'], lines);
}

/** Items whose binary data is stored by n8n's BinaryDataService in filesystem mode (only ids in the items). */
async function filesystemItems(pngs: Buffer[], dir: string): Promise<INodeExecutionData[]> {
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH = dir;
	// n8n-core's own service, as a worker in filesystem mode has it, from n8n-core's own container (its copy of @n8n/di)
	const { BinaryDataService } = await import('n8n-core');
	const di = (await import(require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }))) as typeof import('@n8n/di');
	const service = di.Container.get(BinaryDataService);
	await service.init();
	const items: INodeExecutionData[] = [];
	for (const [i, png] of pngs.entries()) {
		const meta: IBinaryData = { data: '', mimeType: 'image/png', fileName: `frame-${i}.png` };
		items.push({ json: {}, binary: { data: await service.store({ type: 'execution', workflowId: 'bench', executionId: String(i) }, png, meta) } });
	}
	return items;
}

async function batch(baseUrl: string): Promise<void> {
	const pngs = Array.from({ length: ITEMS }, (_, i) => pngOfSize(ITEM_MB * MB, 1000 + i));
	const lines: Array<Array<string | number>> = [];
	const row = (mode: string, run: Awaited<ReturnType<typeof runCreate>>) => [
		mode,
		Math.round(run.wallMs),
		`${mb(run.before.rss)} MB`,
		`${mb(run.peak.rss)} MB (+${mb(run.peak.rss - run.before.rss)})`,
		`${mb(run.peak.heapUsed)} MB (+${mb(run.peak.heapUsed - run.before.heapUsed)})`,
		`${mb(run.peak.external)} MB`,
	];
	let items: INodeExecutionData[] = pngs.map((png, i) => ({ json: {}, binary: { data: binaryOf(png, 'image/png', `frame-${i}.png`) } }));
	lines.push(row('default (bytes in the items)', await runCreate(baseUrl, items, ITEM_MB + 1)));
	items = [];
	gc();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'sora2-bench-binary-'));
	try {
		items = await filesystemItems(pngs, dir);
		lines.push(row('filesystem (ids in the items)', await runCreate(baseUrl, items, ITEM_MB + 1)));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	console.log(`\n2. ${ITEMS} items, each a ${ITEM_MB} MB PNG: one run of Create (no wait), Max Concurrent Requests 5; RSS/heap sampled every 10 ms`);
	printTable(['binary data mode', 'run ms', 'RSS before', 'RSS peak', 'heap used peak', 'external+buffers peak'], lines);
}

function redaction(): void {
	const key = 'sk-bench-0123456789abcdefABCDEF';
	const forms = secretForms(key);
	const data = pngOfSize(5 * MB).toString('base64');
	const echo = JSON.stringify({ error: { message: `invalid image data:image/png;base64,${data} (key ${key})` } });
	let start = now();
	const clean = redact(echo, forms);
	const redactMs = now() - start;
	start = now();
	const quoted = apiMessageOf(clean).message;
	const cutMs = now() - start;
	console.log(`\n3. an error body of ${mb(echo.length)} MB echoing a 5 MB image and the key: redaction ${redactMs.toFixed(1)} ms (${forms.length} forms), data cut ${cutMs.toFixed(1)} ms → "${quoted.slice(0, 90)}…" (${quoted.length} characters, key gone: ${!quoted.includes(key)})`);
}

async function main(): Promise<void> {
	console.log(`Node ${process.version}, ${os.cpus().length} CPUs; gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed'}`);
	const mock = await startMock();
	try {
		if (PARTS.has('sizes')) await sizes(mock.baseUrl);
		if (PARTS.has('batch')) await batch(mock.baseUrl);
		if (PARTS.has('redaction')) redaction();
	} finally {
		mock.child.kill('SIGTERM');
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
