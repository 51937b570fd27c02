/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- a benchmark run from the shell: prints its table, times with process.hrtime and spawns node for the cold-load measurement */
/**
 * `npm run bench`: the node against the mock Sora2 server (simulated generation time and latency),
 * next to the hand-built peer that users make today (one item at a time: create → wait → query loop).
 * Settings come from env: BENCH_GENERATION_MS (3000), BENCH_PENDING_MS (300), BENCH_LATENCY_MS (20),
 * BENCH_POLL_S (0.5), BENCH_CONCURRENCY (5), BENCH_NS ("1,10,50,200"), BENCH_PEER_MAX_N (50).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import { Sora2 } from '../nodes/Sora2/Sora2.node';
import { createParams, makeContext } from '../test/helpers/context';
import type { MockStats } from '../test/mock-server/server';

const env = (name: string, fallback: number) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const GENERATION_MS = env('BENCH_GENERATION_MS', 3000);
const PENDING_MS = env('BENCH_PENDING_MS', 300);
const LATENCY_MS = env('BENCH_LATENCY_MS', 20);
const POLL_S = env('BENCH_POLL_S', 0.5);
const CONCURRENCY = env('BENCH_CONCURRENCY', 5);
const PEER_MAX_N = env('BENCH_PEER_MAX_N', 50);
const NS = (process.env.BENCH_NS ?? '1,10,50,200').split(',').map(Number);
const KEY = 'bench-key';
const ROOT = path.resolve(__dirname, '..', '..', '..');

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

interface TaskRecord {
	id: string;
	prompt: string;
	createdAt: number;
	generationMs: number;
	queries: number;
	finalSeenAt?: number;
}

/**
 * The mock Sora2 server in a process of its own (as the real API is on another machine), so its
 * work does not share the node's event loop; driven through its /__admin routes.
 */
class RemoteMock {
	private constructor(
		private readonly child: ChildProcess,
		readonly url: string,
		readonly baseUrl: string,
	) {}

	static async start(options: Record<string, number | string>): Promise<RemoteMock> {
		const args = ['test/mock-server/server.js', '--port', '0'];
		for (const [flag, value] of Object.entries(options)) args.push(`--${flag}`, String(value));
		const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
		const lines = readline.createInterface({ input: child.stdout! });
		const first = await new Promise<string>((resolve, reject) => {
			lines.once('line', resolve);
			child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
		});
		const { url, baseUrl } = JSON.parse(first) as { url: string; baseUrl: string };
		return new RemoteMock(child, url, baseUrl);
	}

	private async admin<T>(method: string, route: string): Promise<T> {
		return (await (await fetch(`${this.url}/__admin/${route}`, { method })).json()) as T;
	}

	async stats(): Promise<MockStats> {
		return await this.admin<MockStats>('GET', 'stats');
	}

	async resetStats(): Promise<void> {
		await this.admin('DELETE', 'stats');
	}

	async tasks(): Promise<TaskRecord[]> {
		return (await this.admin<{ tasks: TaskRecord[] }>('GET', 'tasks')).tasks;
	}

	async close(): Promise<void> {
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		await exited;
	}
}

const startMock = async (latencyMs: number) =>
	await RemoteMock.start({ key: KEY, 'pending-ms': PENDING_MS, 'generation-ms': GENERATION_MS, 'latency-ms': latencyMs });

interface NodeRun {
	wallMs: number;
	requests: number;
	queriesPerTask: number;
	pollsIdeal: number;
	noticeMaxMs: number;
	noticeMedianMs: number;
	peakInFlight: number;
	completed: number;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
}

function items(n: number): INodeExecutionData[] {
	return Array.from({ length: n }, (_, i) => ({ json: { row: i } }));
}

async function runNode(mock: RemoteMock, n: number): Promise<NodeRun> {
	const { fn } = makeContext({
		items: items(n),
		credentials: { apiKey: KEY, baseUrl: mock.baseUrl },
		params: createParams({
			prompt: (i: number) => `bench video ${i}`,
			pollInterval: POLL_S,
			maxWait: 600,
			options: { maxConcurrency: CONCURRENCY },
		}),
	});
	await mock.resetStats();
	const before = new Set((await mock.tasks()).map((task) => task.id));
	const start = now();
	const [out] = await new Sora2().execute.call(fn);
	const wallMs = now() - start;
	const stats = await mock.stats();
	const created = (await mock.tasks()).filter((task) => !before.has(task.id));
	const notice = created.map((task) => (task.finalSeenAt ?? Number.NaN) - (task.createdAt + task.generationMs));
	const queries = created.reduce((sum, task) => sum + (task.queries ?? 0), 0);
	return {
		wallMs,
		requests: stats.total,
		queriesPerTask: queries / n,
		pollsIdeal: Math.ceil(GENERATION_MS / (POLL_S * 1000)),
		noticeMaxMs: Math.max(...notice),
		noticeMedianMs: median(notice),
		peakInFlight: stats.peakInFlight,
		completed: out.filter((item) => item.json.status === 'completed').length,
	};
}

/** What users build today: Loop Over Items (1) → HTTP create → Wait → HTTP query → IF done, else back to Wait. */
async function runPeer(mock: RemoteMock, n: number): Promise<{ wallMs: number; requests: number }> {
	await mock.resetStats();
	const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', Accept: 'application/json' };
	const start = now();
	for (let i = 0; i < n; i++) {
		const body = { images: [], model: 'sora-2', orientation: 'portrait', prompt: `peer video ${i}`, size: 'small', duration: 10 };
		const created = (await (await fetch(`${mock.baseUrl}/video/create`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as { id: string };
		for (;;) {
			await sleep(POLL_S * 1000);
			const task = (await (await fetch(`${mock.baseUrl}/video/query?id=${encodeURIComponent(created.id)}`, { headers })).json()) as { status: string };
			if (task.status === 'completed' || task.status === 'failed') break;
		}
	}
	return { wallMs: now() - start, requests: (await mock.stats()).total };
}

/**
 * The node's own cost per item with wait off: the same creates once over real HTTP, and once answered
 * in-process (no network at all), so the second run's time is the node's own work.
 */
async function overheadPerItem(): Promise<{ httpMs: number; nodeOnlyMs: number; perItemMs: number; n: number }> {
	const n = 1000;
	const mock = await startMock(0);
	try {
		const params = createParams({ prompt: (i: number) => `overhead ${i}`, waitForCompletion: false, options: { maxConcurrency: CONCURRENCY } });
		const credentials = { apiKey: KEY, baseUrl: mock.baseUrl };
		let counter = 0;
		const instant = async () => {
			counter++;
			const body = JSON.stringify({ id: `sora-2:task_${String(counter).padStart(26, '0')}`, status: 'pending', status_update_time: Date.now() });
			return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
		};
		const node = new Sora2();
		const time = async (respond?: typeof instant) => {
			const ctx = makeContext({ items: items(n), credentials, params, respond });
			const start = now();
			const [out] = await node.execute.call(ctx.fn);
			if (out.length !== n || out.some((item) => item.json.status !== 'pending')) throw new Error('overhead run did not create every task');
			return now() - start;
		};
		await time(instant); // warm-up
		const httpMs = median([await time(), await time(), await time()]);
		const nodeOnlyMs = median([await time(instant), await time(instant), await time(instant)]);
		return { httpMs, nodeOnlyMs, perItemMs: nodeOnlyMs / n, n };
	} finally {
		await mock.close();
	}
}

/** Cold `require` of the built node and credential in a fresh process: all of it, and the package's own share. */
function coldLoad(): { totalMs: number; ownMs: number } {
	const dist = path.join(ROOT, 'dist');
	const script = `
		const t0 = process.hrtime.bigint();
		require('n8n-workflow'); require('zod');
		const t1 = process.hrtime.bigint();
		require(${JSON.stringify(path.join(dist, 'nodes/Sora2/Sora2.node.js'))});
		require(${JSON.stringify(path.join(dist, 'credentials/Sora2Api.credentials.js'))});
		const t2 = process.hrtime.bigint();
		console.log(JSON.stringify({ total: Number(t2 - t0) / 1e6, own: Number(t2 - t1) / 1e6 }));`;
	const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT }).toString()) as { total: number; own: number });
	return { totalMs: median(runs.map((r) => r.total)), ownMs: median(runs.map((r) => r.own)) };
}

async function main() {
	if (!fs.existsSync(path.join(ROOT, 'dist/nodes/Sora2/Sora2.node.js'))) throw new Error('run `npm run build` first');
	console.log(`Sora2 node benchmark: generation ${GENERATION_MS} ms (pending ${PENDING_MS} ms), latency ${LATENCY_MS} ms/request, poll ${POLL_S} s, Max Concurrent Requests ${CONCURRENCY}`);
	console.log(`ideal wall time = one task's generation time = ${GENERATION_MS} ms\n`);
	const header = '| N | node wall (s) | × ideal | requests | req/task | queries/task (ideal ≤ ' + Math.ceil(GENERATION_MS / (POLL_S * 1000)) + ') | notice median / max (ms) | peak in flight | peer wall (s) | peer ÷ node |';
	console.log(header);
	console.log('|' + header.split('|').slice(1, -1).map(() => '---').join('|') + '|');
	const rows: Array<Record<string, number | string>> = [];
	for (const n of NS) {
		const mock = await startMock(LATENCY_MS);
		try {
			const node = await runNode(mock, n);
			if (node.completed !== n) throw new Error(`only ${node.completed} of ${n} videos completed`);
			const peer = n <= PEER_MAX_N ? await runPeer(mock, n) : undefined;
			const row = {
				n,
				nodeWallS: round(node.wallMs / 1000),
				xIdeal: round(node.wallMs / GENERATION_MS),
				requests: node.requests,
				reqPerTask: round(node.requests / n),
				queriesPerTask: round(node.queriesPerTask),
				noticeMedianMs: Math.round(node.noticeMedianMs),
				noticeMaxMs: Math.round(node.noticeMaxMs),
				peakInFlight: node.peakInFlight,
				peerWallS: peer ? round(peer.wallMs / 1000) : 'skipped',
				ratio: peer ? round(peer.wallMs / node.wallMs, 1) : '-',
			};
			rows.push(row);
			console.log(`| ${n} | ${row.nodeWallS} | ${row.xIdeal} | ${row.requests} | ${row.reqPerTask} | ${row.queriesPerTask} | ${row.noticeMedianMs} / ${row.noticeMaxMs} | ${row.peakInFlight} | ${row.peerWallS} | ${row.ratio} |`);
		} finally {
			await mock.close();
		}
	}
	const overhead = await overheadPerItem();
	const load = coldLoad();
	console.log(`\nwait off, ${overhead.n} items: ${Math.round(overhead.httpMs)} ms over HTTP to the mock, ${Math.round(overhead.nodeOnlyMs)} ms with requests answered in-process → node overhead ${round(overhead.perItemMs, 3)} ms/item (target < 2)`);
	console.log(`cold load (fresh process, median of 5): ${round(load.totalMs, 1)} ms with n8n-workflow + zod, ${round(load.ownMs, 1)} ms for the package's own modules (target < 150)`);

	const at50 = rows.find((row) => row.n === 50);
	const pollMs = POLL_S * 1000;
	const checks: Array<[string, boolean]> = [];
	if (at50) checks.push([`N=50 wall ${at50.nodeWallS} s ≤ 1.2 × ${GENERATION_MS / 1000} s`, Number(at50.xIdeal) <= 1.2]);
	checks.push([`completion noticed within one poll interval (${pollMs} ms + latency) for every N`, rows.every((row) => Number(row.noticeMaxMs) <= pollMs + 2 * LATENCY_MS + 50)]);
	checks.push(['≤ 1 query per poll interval per task', rows.every((row) => Number(row.queriesPerTask) <= Math.ceil(GENERATION_MS / pollMs) + 1)]);
	checks.push([`peak in flight ≤ ${CONCURRENCY}`, rows.every((row) => Number(row.peakInFlight) <= CONCURRENCY)]);
	checks.push([`overhead ${round(overhead.perItemMs, 3)} ms/item < 2 ms`, overhead.perItemMs < 2]);
	checks.push([`package load ${round(load.ownMs, 1)} ms < 150 ms`, load.ownMs < 150]);
	console.log('\ntargets:');
	for (const [what, met] of checks) console.log(`  ${met ? 'MET    ' : 'MISSED '} ${what}`);
	fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, 'bench-results', 'latest.json'), JSON.stringify({ settings: { GENERATION_MS, PENDING_MS, LATENCY_MS, POLL_S, CONCURRENCY }, rows, overhead, load }, null, 2));
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
