/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- a benchmark run from the shell: prints its table, times with process.hrtime and spawns node for the mock server and the cold-load measurement */
/**
 * `npm run bench`: the node against the mock Sora2 server in its own process (simulated generation
 * time, progress and latency). Three parts, one table each:
 *  1. many items at the classic settings (generation 3 s, pending 0.3 s, latency 20 ms, poll 0.5 s,
 *     Max Concurrent Requests 5), next to the hand-built one-at-a-time peer users build today;
 *  2. a realistic case scaled down ×40: generation 120 s ± 20 % with progress reported as the seed
 *     gateways do, Poll Interval 10 s; the node against fixed-interval polling of the same tasks;
 *  3. a budget case: N=200 with Max Requests per Minute below what fixed polling needs.
 * Plus the node's own overhead per item and its cold load time.
 * Plus: 1,000 items with wait on; a storm of 429s on every status read (10 and 50 items).
 * Per case: requests per video, notice median / max (a video's end to the read that saw it), wall ÷
 * ideal (one generation), and against the budget's limit (budget ÷ 2: one create and one read per
 * video) and the physical bound (the last video's own end, given when its create could start).
 * Env: BENCH_NS ("1,10,50,200"), BENCH_PEER_MAX_N (50), BENCH_PARTS ("classic,thousand,realistic,budget,storm,overhead").
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import type { INodeExecutionData } from 'n8n-workflow';

import { Sora2 } from '../nodes/Sora2/Sora2.node';
import { createParams, makeContext } from '../test/helpers/context';
import { peakInWindow } from '../test/helpers/requestLog';
import type { LoggedRequest, MockStats } from '../test/mock-server/server';

const KEY = 'bench-key';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const NS = (process.env.BENCH_NS ?? '1,10,50,200').split(',').map(Number);
const PEER_MAX_N = Number(process.env.BENCH_PEER_MAX_N ?? 50);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'classic,thousand,realistic,budget,storm,overhead').split(','));

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => ([...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0);

interface TaskRecord {
	id: string;
	prompt: string;
	createdAt: number;
	generationMs: number;
	queries: number;
	readTimes: number[];
	finalSeenAt?: number;
}

interface MockSettings {
	pendingMs: number;
	generationMs: number;
	jitterMs?: number;
	latencyMs: number;
}

/** The mock Sora2 server in a process of its own (as the real API is on another machine), driven through /__admin. */
class RemoteMock {
	private constructor(
		private readonly child: ChildProcess,
		readonly baseUrl: string,
		private readonly url: string,
	) {}

	static async start(settings: MockSettings): Promise<RemoteMock> {
		const flags = { key: KEY, 'pending-ms': settings.pendingMs, 'generation-ms': settings.generationMs, 'generation-jitter-ms': settings.jitterMs ?? 0, 'latency-ms': settings.latencyMs };
		const args = ['test/mock-server/server.js', '--port', '0', ...Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, String(value)])];
		const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
		const first = await new Promise<string>((resolve, reject) => {
			readline.createInterface({ input: child.stdout! }).once('line', resolve);
			child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
		});
		const { url, baseUrl } = JSON.parse(first) as { url: string; baseUrl: string };
		return new RemoteMock(child, baseUrl, url);
	}

	private async admin<T>(method: string, route: string): Promise<T> {
		return (await (await fetch(`${this.url}/__admin/${route}`, { method })).json()) as T;
	}

	stats = async () => await this.admin<MockStats>('GET', 'stats');
	fault = async (fault: Record<string, unknown>) => void (await fetch(`${this.url}/__admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) }));
	reset = async () => void (await this.admin('DELETE', 'stats'));
	tasks = async () => (await this.admin<{ tasks: TaskRecord[] }>('GET', 'tasks')).tasks;
	log = async () => (await this.admin<{ log: LoggedRequest[] }>('GET', 'log')).log;

	async close(): Promise<void> {
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		await exited;
	}
}

async function withMock<T>(settings: MockSettings, work: (mock: RemoteMock) => Promise<T>): Promise<T> {
	const mock = await RemoteMock.start(settings);
	try {
		return await work(mock);
	} finally {
		await mock.close();
	}
}

interface Measured {
	wallMs: number;
	/** From the start to the end of the last video (its create plus its generation): no node can notice it sooner. */
	lastEndMs: number;
	requests: number;
	readsPerTask: number;
	noticeMedianMs: number;
	noticeMaxMs: number;
	peakInFlight: number;
	completed: number;
	log: LoggedRequest[];
}

/** What the mock saw of one run: reads per task, and how long after each task's end its end was read. */
async function measure(mock: RemoteMock, prompts: Set<string>, startedAt: number, wallMs: number, completed: number): Promise<Measured> {
	const stats = await mock.stats();
	const tasks = (await mock.tasks()).filter((task) => prompts.has(task.prompt));
	const notice = tasks.map((task) => (task.finalSeenAt ?? Number.NaN) - (task.createdAt + task.generationMs));
	if (process.env.BENCH_DEBUG) for (const task of tasks) { const n = (task.finalSeenAt ?? 0) - (task.createdAt + task.generationMs); if (n > Number(process.env.BENCH_DEBUG)) console.log(task.createdAt, task.prompt, 'gen', task.generationMs, 'notice', n, 'reads', task.readTimes.map((t) => t - task.createdAt).join(',')); }
	const reads = tasks.reduce((sum, task) => sum + task.queries, 0);
	return {
		wallMs,
		lastEndMs: Math.max(...tasks.map((task) => task.createdAt + task.generationMs)) - startedAt,
		requests: stats.total,
		readsPerTask: reads / tasks.length,
		noticeMedianMs: median(notice),
		noticeMaxMs: Math.max(...notice),
		peakInFlight: stats.peakInFlight,
		completed,
		log: await mock.log(),
	};
}

const rows = (n: number): INodeExecutionData[] => Array.from({ length: n }, (_, i) => ({ json: { row: i } }));

/** The node: Video → Create with wait, all items in one run. */
async function runNode(mock: RemoteMock, n: number, name: string, pollS: number, options: Record<string, number>): Promise<Measured> {
	const prompt = (i: number) => `${name} ${i}`;
	const { fn } = makeContext({ items: rows(n), credentials: { apiKey: KEY, baseUrl: mock.baseUrl }, params: createParams({ prompt, pollInterval: pollS, maxWait: 3600, options }) });
	await mock.reset();
	const startedAt = Date.now();
	const start = now();
	const [out] = await new Sora2().execute.call(fn);
	const wallMs = now() - start;
	return await measure(mock, new Set(rows(n).map((_, i) => prompt(i))), startedAt, wallMs, out.filter((item) => item.json.status === 'completed').length);
}

const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', Accept: 'application/json' };

async function createAndPollEvery(mock: RemoteMock, prompt: string, pollMs: number): Promise<void> {
	const body = { images: [], model: 'sora-2', orientation: 'portrait', prompt, size: 'small', duration: 10 };
	const created = (await (await fetch(`${mock.baseUrl}/video/create`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as { id: string };
	for (;;) {
		await pause(pollMs);
		const task = (await (await fetch(`${mock.baseUrl}/video/query?id=${encodeURIComponent(created.id)}`, { headers })).json()) as { status: string };
		if (task.status === 'completed' || task.status === 'failed') return;
	}
}

/** Fixed-interval polling: every task read every Poll Interval, all at once (the reference for reads and notice). */
async function runFixed(mock: RemoteMock, n: number, name: string, pollS: number): Promise<Measured> {
	await mock.reset();
	const startedAt = Date.now();
	const start = now();
	await Promise.all(rows(n).map(async (_, i) => await createAndPollEvery(mock, `${name} ${i}`, pollS * 1000)));
	return await measure(mock, new Set(rows(n).map((_, i) => `${name} ${i}`)), startedAt, now() - start, n);
}

/** What users build today: Loop Over Items (1) → HTTP create → Wait → HTTP query → IF done, else back to Wait. */
async function runPeer(mock: RemoteMock, n: number, pollS: number): Promise<number> {
	const start = now();
	for (let i = 0; i < n; i++) await createAndPollEvery(mock, `peer ${i}`, pollS * 1000);
	return now() - start;
}

function printTable(header: string[], lines: Array<Array<string | number>>): void {
	console.log(`| ${header.join(' | ')} |`);
	console.log(`|${header.map(() => '---').join('|')}|`);
	for (const line of lines) console.log(`| ${line.join(' | ')} |`);
	console.log('');
}

type Check = [string, boolean];
const checks: Check[] = [];
const results: Record<string, unknown> = {};

const CLASSIC = { pendingMs: 300, generationMs: 3000, latencyMs: 20, pollS: 0.5, concurrency: 5 };

async function classic(): Promise<void> {
	console.log(`## 1. Many items: generation ${CLASSIC.generationMs} ms (pending ${CLASSIC.pendingMs}), latency ${CLASSIC.latencyMs} ms, poll ${CLASSIC.pollS} s, Max Concurrent Requests ${CLASSIC.concurrency}; ideal wall = one generation\n`);
	const table: Array<Array<string | number>> = [];
	for (const n of NS) {
		const run = await withMock(CLASSIC, async (mock) => {
			const node = await runNode(mock, n, `classic-${n}`, CLASSIC.pollS, { maxConcurrency: CLASSIC.concurrency });
			const peer = n <= PEER_MAX_N ? await runPeer(mock, n, CLASSIC.pollS) : undefined;
			return { node, peer };
		});
		const { node, peer } = run;
		if (node.completed !== n) throw new Error(`only ${node.completed} of ${n} videos completed`);
		const ratio = node.wallMs / CLASSIC.generationMs;
		table.push([n, round(node.wallMs / 1000), round(ratio), round(node.wallMs / node.lastEndMs), node.requests, round(node.requests / n), round(node.readsPerTask), `${Math.round(node.noticeMedianMs)} / ${Math.round(node.noticeMaxMs)}`, node.peakInFlight, peer ? round(peer / 1000) : 'skipped', peer ? round(peer / node.wallMs, 1) : '-']);
		if (n === 50) checks.push([`N=50 wall ${round(ratio)} × ideal ≤ 1.2 ×`, ratio <= 1.2]);
		if (n === 200) checks.push([`N=200 wall ${round(ratio)} × ideal ≤ 1.3 ×`, ratio <= 1.3]);
		checks.push([`N=${n}: peak in flight ${node.peakInFlight} ≤ ${CLASSIC.concurrency}`, node.peakInFlight <= CLASSIC.concurrency]);
		checks.push([`N=${n}: never more than one read per Poll Interval per task (${round(node.readsPerTask)} ≤ ${CLASSIC.generationMs / (CLASSIC.pollS * 1000) + 1})`, node.readsPerTask <= CLASSIC.generationMs / (CLASSIC.pollS * 1000) + 1]);
	}
	printTable(['N', 'node wall (s)', '× ideal', '÷ last video\'s end', 'requests', 'requests/video', 'status reads/task', 'notice median / max (ms)', 'peak in flight', 'peer wall (s)', 'peer ÷ node'], table);
	results.classic = table;
}

/** 1,000 items with wait on: generation 1 s, Poll Interval 0.2 s, Max Concurrent Requests 10. */
const THOUSAND = { pendingMs: 100, generationMs: 1000, latencyMs: 20, pollS: 0.2, concurrency: 10 };

async function thousand(): Promise<void> {
	const n = 1000;
	console.log(`## 1b. ${n} items: generation ${THOUSAND.generationMs} ms, latency ${THOUSAND.latencyMs} ms, poll ${THOUSAND.pollS} s, Max Concurrent Requests ${THOUSAND.concurrency}\n`);
	const node = await withMock(THOUSAND, async (mock) => await runNode(mock, n, 'thousand', THOUSAND.pollS, { maxConcurrency: THOUSAND.concurrency }));
	if (node.completed !== n) throw new Error(`only ${node.completed} of ${n} videos completed`);
	printTable(
		['N', 'wall (s)', '× ideal', '÷ last video\'s end', 'requests/video', 'status reads/task', 'notice median / max (ms)', 'peak in flight'],
		[[n, round(node.wallMs / 1000), round(node.wallMs / THOUSAND.generationMs), round(node.wallMs / node.lastEndMs), round(node.requests / n), round(node.readsPerTask), `${Math.round(node.noticeMedianMs)} / ${Math.round(node.noticeMaxMs)}`, node.peakInFlight]],
	);
	checks.push([`N=1000: peak in flight ${node.peakInFlight} ≤ ${THOUSAND.concurrency}`, node.peakInFlight <= THOUSAND.concurrency]);
	results.thousand = { ...node, log: undefined };
}

/** ×40: 120 s of generation in 3 s, a 10 s Poll Interval in 0.25 s, a minute in 1.5 s. */
const SCALE = 40;
const REALISTIC = { pendingMs: 12_000 / SCALE, generationMs: 120_000 / SCALE, jitterMs: 24_000 / SCALE, latencyMs: 20, pollS: 10 / SCALE };
const MINUTE_SCALED = 60_000 / SCALE;
const real = (ms: number) => round((ms * SCALE) / 1000, 1);

async function realistic(): Promise<void> {
	const n = 50;
	console.log(`## 2. Realistic, scaled ×${SCALE}: generation 120 s ± 20 % (pending 12 s, then progress "NN%"), Poll Interval 10 s, N=${n}; times shown as real seconds\n`);
	const node = await withMock(REALISTIC, async (mock) => await runNode(mock, n, 'realistic', REALISTIC.pollS, { maxConcurrency: 5 }));
	const fixed = await withMock(REALISTIC, async (mock) => await runFixed(mock, n, 'fixed', REALISTIC.pollS));
	const line = (name: string, run: Measured) => [name, round(run.wallMs / (REALISTIC.generationMs + REALISTIC.jitterMs)), round(run.readsPerTask, 1), `${real(run.noticeMedianMs)} / ${real(run.noticeMaxMs)}`, peakInWindow(run.log, MINUTE_SCALED)];
	printTable(['polling', 'wall ÷ ideal', 'status reads/task', 'notice median / max (s)', 'peak requests in any 60 s'], [line('the node (adaptive)', node), line('fixed every Poll Interval', fixed)]);
	checks.push([`realistic: reads per task ${round(node.readsPerTask, 1)} ≤ half of fixed polling's ${round(fixed.readsPerTask, 1)}`, node.readsPerTask <= fixed.readsPerTask / 2]);
	checks.push([`realistic: reads per task ${round(node.readsPerTask, 1)} ≤ 3.0`, node.readsPerTask <= 3.0]);
	// the node before the learned schedule (0.1.0 + issue 14, its last measured runs): notice median 2.9–3.0 s
	checks.push([`realistic: notice median ${real(node.noticeMedianMs)} s no worse than the node before the learned schedule (3.0 s)`, real(node.noticeMedianMs) <= 3.0]);
	checks.push([`realistic: notice median ${real(node.noticeMedianMs)} s no worse than fixed polling's ${real(fixed.noticeMedianMs)} s`, node.noticeMedianMs <= fixed.noticeMedianMs]);
	results.realistic = { node: { ...node, log: undefined }, fixed: { ...fixed, log: undefined } };
}

async function budget(): Promise<void> {
	const n = 200;
	const perMinuteReal = 120;
	const fixedNeeds = n * (60 / 10) + n;
	console.log(`## 3. Budget, scaled ×${SCALE}: N=${n}, Max Requests per Minute ${perMinuteReal} (fixed 10 s polling would need ~${fixedNeeds} in the first minute)\n`);
	const node = await withMock(REALISTIC, async (mock) => await runNode(mock, n, 'budget', REALISTIC.pollS, { maxConcurrency: 5, maxRequestsPerMinute: perMinuteReal * SCALE }));
	const peak = peakInWindow(node.log, MINUTE_SCALED);
	const lowerBoundMs = (node.requests / perMinuteReal) * MINUTE_SCALED;
	// videos per (real) minute; the budget allows at most budget ÷ 2 (one create and one read a video)
	const perMinute = (n / real(node.wallMs)) * 60;
	const limit = perMinuteReal / 2;
	// what no node can beat here: every create as early as the budget lets it, each video then done after its own generation
	const clairvoyant = (n / real(node.lastEndMs)) * 60;
	printTable(
		['N', 'completed', 'requests', 'requests/video', 'status reads/task', 'peak in any 60 s', 'wall (real s)', 'videos / min', '÷ (budget ÷ 2)', 'last video\'s end (real s)', 'videos / min at that end', 'wall ÷ requests at the budget', 'notice median / max (s)'],
		[[n, node.completed, node.requests, round(node.requests / n), round(node.readsPerTask, 2), peak, real(node.wallMs), round(perMinute, 1), round(perMinute / limit), real(node.lastEndMs), round(clairvoyant, 1), round(node.wallMs / lowerBoundMs), `${real(node.noticeMedianMs)} / ${real(node.noticeMaxMs)}`]],
	);
	checks.push([`budget: no 60 s window over ${perMinuteReal} (peak ${peak})`, peak <= perMinuteReal]);
	checks.push([`budget: every task completes (${node.completed}/${n})`, node.completed === n]);
	checks.push([`budget: ${round(perMinute, 1)} videos a minute ≥ 0.85 × (budget ÷ 2) = ${0.85 * limit}`, perMinute >= 0.85 * limit]);
	results.budget = { ...node, log: undefined, peak, lowerBoundMs, perMinute, clairvoyant };
}

/** The node's own cost per item with wait off: the same creates over HTTP, and answered in-process (no network). */
async function overhead(): Promise<void> {
	const n = 1000;
	const answered = await withMock({ pendingMs: 100, generationMs: 300, latencyMs: 0 }, async (mock) => {
		const params = createParams({ prompt: (i: number) => `overhead ${i}`, waitForCompletion: false, options: { maxConcurrency: 5 } });
		let counter = 0;
		const instant = async () => {
			counter++;
			const body = JSON.stringify({ id: `sora-2:task_${String(counter).padStart(26, '0')}`, status: 'pending', status_update_time: Date.now() });
			return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
		};
		const time = async (respond?: typeof instant) => {
			const ctx = makeContext({ items: rows(n), credentials: { apiKey: KEY, baseUrl: mock.baseUrl }, params, respond });
			const start = now();
			const [out] = await new Sora2().execute.call(ctx.fn);
			if (out.length !== n || out.some((item) => item.json.status !== 'pending')) throw new Error('overhead run did not create every task');
			return now() - start;
		};
		await time(instant);
		return { httpMs: median([await time(), await time(), await time()]), nodeOnlyMs: median([await time(instant), await time(instant), await time(instant)]) };
	});
	const perItem = answered.nodeOnlyMs / n;
	console.log(`wait off, ${n} items: ${Math.round(answered.httpMs)} ms over HTTP to the mock, ${Math.round(answered.nodeOnlyMs)} ms answered in-process → node overhead ${round(perItem, 3)} ms/item`);
	checks.push([`overhead ${round(perItem, 3)} ms/item < 2 ms`, perItem < 2]);
	const dist = path.join(ROOT, 'dist');
	const script = `const t0 = process.hrtime.bigint(); require('n8n-workflow'); require('zod'); const t1 = process.hrtime.bigint();
		require(${JSON.stringify(path.join(dist, 'nodes/Sora2/Sora2.node.js'))}); require(${JSON.stringify(path.join(dist, 'credentials/Sora2Api.credentials.js'))});
		const t2 = process.hrtime.bigint(); console.log(JSON.stringify({ total: Number(t2 - t0) / 1e6, own: Number(t2 - t1) / 1e6 }));`;
	const loads = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT }).toString()) as { total: number; own: number });
	const own = median(loads.map((load) => load.own));
	console.log(`cold load (fresh process, median of 5): ${round(median(loads.map((load) => load.total)), 1)} ms with n8n-workflow + zod, ${round(own, 1)} ms for the package's own modules`);
	checks.push([`package load ${round(own, 1)} ms < 150 ms`, own < 150]);
	results.overhead = { ...answered, perItem, own };
}

/** Every status read answered 429 + Retry-After: 1 (Max Retries 3): how long until the run ends, and how many reads it made. */
async function storm(): Promise<void> {
	console.log('## 4. A storm of 429s: every status read answers 429 + Retry-After: 1, Max Retries 3 (generation 0.3 s, poll 0.05 s)\n');
	const table: Array<Array<string | number>> = [];
	for (const n of [10, 50]) {
		for (const continueOnFail of [false, true]) {
			const line = await withMock({ pendingMs: 50, generationMs: 300, latencyMs: 20 }, async (mock) => {
				await mock.reset();
				await mock.fault({ path: '/v1/video/query', status: 429, headers: { 'Retry-After': '1' } });
				const ctx = makeContext({ items: rows(n), continueOnFail, credentials: { apiKey: KEY, baseUrl: mock.baseUrl }, params: createParams({ prompt: (i: number) => `storm ${i}`, pollInterval: 0.05, maxWait: 3600, options: { maxRetries: 3 } }) });
				const start = now();
				const ended = await new Sora2().execute.call(ctx.fn).then(
					([out]) => `${out.filter((item) => item.json.httpCode === '429').length} error items (429)`,
					(error: Error) => `the run's error: ${error.message.slice(0, 60)}…`,
				);
				const seconds = (now() - start) / 1000;
				const reads = (await mock.stats()).requests['GET /v1/video/query'] ?? 0;
				return [n, continueOnFail ? 'on' : 'off', round(seconds, 1), reads, round(reads / n, 1), ended];
			});
			table.push(line);
			checks.push([`storm N=${n} (Continue On Fail ${line[1]}): ended in ${line[2]} s ≤ the run's bound on retrying (Max Retries × 30 s = 90 s) + one round`, Number(line[2]) <= 120]);
		}
	}
	printTable(['N', 'Continue On Fail', 'ended after (s)', 'status reads', 'reads/item', 'outcome'], table);
	results.storm = table;
}

async function main() {
	if (!fs.existsSync(path.join(ROOT, 'dist/nodes/Sora2/Sora2.node.js'))) throw new Error('run `npm run build` first');
	if (PARTS.has('classic')) await classic();
	if (PARTS.has('thousand')) await thousand();
	if (PARTS.has('realistic')) await realistic();
	if (PARTS.has('budget')) await budget();
	if (PARTS.has('storm')) await storm();
	if (PARTS.has('overhead')) await overhead();
	console.log('\ntargets:');
	for (const [what, met] of checks) console.log(`  ${met ? 'MET    ' : 'MISSED '} ${what}`);
	fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, 'bench-results', 'latest.json'), JSON.stringify({ results, checks }, null, 2));
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
