/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test harness runs outside n8n: a second HTTP server (node:http) that redirects land on, and the summary line on process.stdout */
import type { IDataObject, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { settle } from '../../nodes/Sora2/shared/values';
import { createParams, makeContext } from '../helpers/context';
import type { ParamValue, TestContext } from '../helpers/context';
import { expectNoSecret, runError, runNode, serializeError } from '../helpers/run';
import type { MockServer } from '../mock-server/server';

/**
 * The fault matrix: each row is one fault, tried twice on a batch of items — once without
 * "Continue On Fail" (the run must reject with the expected error) and once with it (only the
 * row's target item carries an `error`, every other item comes out complete, in input order,
 * paired). Every error is scanned for the API key.
 */

export const KEY = 'sk-dummy-reliability-SECRET-0123456789';

/** A prompt marker: faults with `matchText: MARK` hit only the requests of the item that carries it. */
export const MARK = '@fault-here';

export type Op = 'create' | 'getTask' | 'chat';

export const LABEL: Record<Op, string> = { create: 'Video → Create', getTask: 'Video → Get Task', chat: 'Chat → Completion' };

export type Group = 'API answers' | 'transport' | 'tasks' | 'streams' | 'inputs' | 'credential';

export interface Env {
	mock: MockServer;
	other: Recorder;
	/** The task ids of a Get Task row (made before the faults are added), by item. */
	ids: string[];
	target: number;
	n: number;
}

export interface ExpectError {
	/** The whole message, for the item it is about. */
	message: (itemIndex: number) => RegExp;
	hint: RegExp;
	httpCode?: string;
}

export interface ExpectOk {
	/** Checks the target item's output (it must not be an error). */
	ok: (item: INodeExecutionData, env: Env) => void;
}

export interface Row {
	group: Group;
	name: string;
	op: Op;
	/** 'item' (default): only the target item fails. 'run': every item fails (credential, run-wide option). */
	scope?: 'item' | 'run';
	/** Items in the batch (default 3). */
	items?: number;
	/** The item the fault is aimed at (default 1; 0 for scope 'run'). */
	target?: number;
	/** Text added to the target item's prompt, besides MARK (a mock marker such as "[fail]"). */
	targetPrompt?: string;
	/** Parameter overrides; a function of the item index reads like an expression. */
	params?: (env: Env) => Record<string, ParamValue>;
	baseUrl?: (env: Env) => string;
	/** Adds the faults (after the tasks of a Get Task row exist). */
	arrange?: (env: Env) => void;
	expect: ExpectError | ExpectOk;
	/** Extra checks after each run, on the requests the node sent in it (counted on the client side: exact per run). */
	after?: (env: Env, continueOnFail: boolean, requests: IHttpRequestOptions[]) => void;
}

// ---------- the summary ----------

interface Tally {
	rows: Map<string, { started: number; passed: number }>;
	itemsLost: number;
}

const tally: Tally = { rows: new Map(), itemsLost: 0 };

/** A fault; it counts as passed when every test of it that ran got to its end (both Continue On Fail modes). */
export function register(name: string): void {
	if (tally.rows.has(name)) throw new Error(`two fault rows named "${name}"`);
	tally.rows.set(name, { started: 0, passed: 0 });
}

/** Called first in each of the row's tests (a row whose tests were filtered out was not tried). */
export function started(name: string): void {
	const row = tally.rows.get(name);
	if (row) row.started++;
}

/** Called last in each of the row's tests, after every assertion held. */
export function passed(name: string): void {
	const row = tally.rows.get(name);
	if (row) row.passed++;
}

export function countLost(lost: number): void {
	tally.itemsLost += lost;
}

export function summaryLine(): string {
	const rows = [...tally.rows.values()].filter((row) => row.started > 0);
	const ok = rows.filter((row) => row.passed >= row.started).length;
	return `reliability: ${rows.length} faults tried, ${ok} passed, ${rows.length - ok} failed, items lost: ${tally.itemsLost}`;
}

export function printSummary(): void {
	process.stdout.write(`\n${summaryLine()}\n`);
}

// ---------- a second server (where redirects land) ----------

export interface Recorder {
	url: string;
	/** Requests it received, with their headers. */
	seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
	close(): Promise<void>;
}

export const REDIRECTED_TASK = 'sora-2:task_redirected0000000000000000';
/** Starts like an mp4 (an ISO-BMFF `ftyp` box), so the node's check that a download is a video lets it through. */
export const REDIRECTED_VIDEO = Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d6d703432', 'hex'), Buffer.from('not really an mp4, but from the other host')]);

/** A tiny HTTP server on 127.0.0.1 that records every request: `/video.mp4` gives bytes, anything else a create answer. */
export async function startRecorder(): Promise<Recorder> {
	const seen: Recorder['seen'] = [];
	const server = http.createServer((req, res) => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		req.resume();
		req.on('end', () => {
			if ((req.url ?? '').endsWith('.mp4')) {
				res.writeHead(200, { 'Content-Type': 'video/mp4' }).end(REDIRECTED_VIDEO);
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: REDIRECTED_TASK, status: 'pending', status_update_time: 0 }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		seen,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

// ---------- running a row ----------

/** The create requests of the item whose prompt carries MARK. */
export function targetCreates(requests: IHttpRequestOptions[]): number {
	return requests.filter((request) => request.url.endsWith('/video/create') && String((request.body as IDataObject | undefined)?.prompt ?? '').includes(MARK)).length;
}

/** Create requests sent in a run. */
export function creates(requests: IHttpRequestOptions[]): number {
	return requests.filter((request) => request.url.endsWith('/video/create')).length;
}

export const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `<operation>, item N: <text>` (text is a regular expression source). */
export const apiMessage =
	(op: Op, text: string) =>
	(itemIndex: number): RegExp =>
		new RegExp(`^${escape(LABEL[op])}, item ${itemIndex}: ${text}`);

/** A bad field: `<text> (item N)`. */
export const inputMessage =
	(text: string) =>
	(itemIndex: number): RegExp =>
		new RegExp(`^${text} \\(item ${itemIndex}\\)$`);

const isError = (expected: ExpectError | ExpectOk): expected is ExpectError => 'message' in expected;

/** The input index an output item is paired with (undefined when it has none). */
export function pairedIndex(item: INodeExecutionData | undefined): number | undefined {
	const paired = item?.pairedItem;
	return typeof paired === 'object' && paired !== null && !Array.isArray(paired) ? paired.item : undefined;
}

/** Input indexes without their own output item at their own position. */
export function lostItems(out: INodeExecutionData[], n: number): number {
	return Array.from({ length: n }, (_, i) => i).filter((i) => pairedIndex(out[i]) !== i).length;
}

function promptOf(row: Row, env: Env, itemIndex: number): string {
	if (itemIndex !== env.target) return `row ${itemIndex} of ${env.n}`;
	return [`row ${itemIndex} of ${env.n}`, MARK, row.targetPrompt ?? ''].join(' ').trim();
}

const WAIT_FAST = { waitForCompletion: true, pollInterval: 0.02, maxWait: 10 };

function paramsOf(row: Row, env: Env): Record<string, ParamValue> {
	const prompt = (itemIndex: number) => promptOf(row, env, itemIndex);
	const overrides = row.params?.(env) ?? {};
	if (row.op === 'create') return createParams({ prompt, ...WAIT_FAST, ...overrides });
	if (row.op === 'chat') {
		return {
			resource: 'chat',
			operation: 'completion',
			chatModel: 'sora-2',
			specifyMessages: 'fields',
			messages: (i: number) => ({ values: [{ role: 'user', content: prompt(i) }] }),
			tools: '',
			toolChoice: 'auto',
			options: { stream: true, requestTimeout: 5 },
			...overrides,
		};
	}
	return { resource: 'video', operation: 'getTask', taskId: (i: number) => env.ids[i], waitForCompletion: false, options: {}, ...overrides };
}

/** Makes the tasks a Get Task row reads (through the node, before any fault is added). */
async function makeTasks(row: Row, env: Env): Promise<string[]> {
	const ctx = makeContext({
		items: Array.from({ length: env.n }, (_, row) => ({ json: { row } })),
		params: createParams({ prompt: (i: number) => promptOf(row, env, i), waitForCompletion: false }),
		credentials: { apiKey: KEY, baseUrl: env.mock.baseUrl },
	});
	const out = await runNode(ctx);
	return out.map((item) => String(item.json.taskId));
}

async function prepare(row: Row, mock: MockServer, other: Recorder): Promise<Env> {
	mock.clearFaults();
	const n = row.items ?? 3;
	const env: Env = { mock, other, ids: [], target: row.target ?? (row.scope === 'run' ? 0 : 1), n };
	if (row.op === 'getTask' && n > 0) env.ids = await makeTasks(row, env);
	mock.resetStats();
	other.seen.length = 0;
	row.arrange?.(env);
	return env;
}

function contextOf(row: Row, env: Env, continueOnFail: boolean) {
	return makeContext({
		items: Array.from({ length: env.n }, (_, itemIndex): INodeExecutionData => ({ json: { row: itemIndex } })),
		params: paramsOf(row, env),
		credentials: { apiKey: KEY, baseUrl: row.baseUrl ? row.baseUrl(env) : env.mock.baseUrl },
		continueOnFail,
	});
}

/** An item that came out whole: no error, and the task it names is the one its own input made. */
function expectComplete(row: Row, env: Env, item: INodeExecutionData, itemIndex: number): void {
	expect(item.json.error).toBeUndefined();
	if (row.op === 'chat') {
		// the answer's video link names the task the mock made from this item's own prompt
		const links = item.json.videoUrls as string[];
		expect(links).toHaveLength(1);
		const id = decodeURIComponent(/\/files\/([^/]+)\.mp4$/.exec(links[0])?.[1] ?? '');
		expect(env.mock.tasks.get(id)?.prompt).toBe(promptOf(row, env, itemIndex));
		return;
	}
	const taskId = String(item.json.taskId);
	if (row.op === 'getTask') {
		expect(taskId).toBe(env.ids[itemIndex]);
		return;
	}
	expect(env.mock.tasks.get(taskId)?.prompt).toBe(promptOf(row, env, itemIndex));
	const params = row.params?.(env) ?? {};
	if (params.waitForCompletion !== false) expect(item.json.status).toBe('completed');
}

function expectErrorItem(expected: ExpectError, item: INodeExecutionData, itemIndex: number): void {
	expect(typeof item.json.error).toBe('string');
	expect(String(item.json.error)).toMatch(expected.message(itemIndex));
	expect(item.json.itemIndex).toBe(itemIndex);
	expect(String(item.json.hint ?? '')).toMatch(expected.hint);
	if (expected.httpCode) expect(item.json.httpCode).toBe(expected.httpCode);
}

/** Without Continue On Fail: the run rejects with the target item's error (or, for 'ok' rows, succeeds). */
export async function runWithoutContinue(row: Row, mock: MockServer, other: Recorder): Promise<void> {
	const env = await prepare(row, mock, other);
	const ctx = contextOf(row, env, false);
	const expected = row.expect;
	if (!isError(expected)) {
		const out = await runNode(ctx);
		expect(out).toHaveLength(env.n);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (i === env.target) expected.ok(item, env);
			else expectComplete(row, env, item, i);
		});
		expectNoSecret(out, KEY);
	} else {
		const error = await runError(ctx);
		// A fault that hits every item (scope 'run') fails the run with whichever item failed first.
		const named = /, item (\d+): /.exec(error.message);
		const failed = row.scope === 'run' && named ? Number(named[1]) : env.target;
		expect(error.message).toMatch(expected.message(failed));
		expect(String(error.description ?? '')).toMatch(expected.hint);
		expect(String(error.description ?? '').trim().length).toBeGreaterThan(10);
		if (expected.httpCode) expect(error.httpCode).toBe(expected.httpCode);
		const context = (error.context ?? {}) as IDataObject;
		if (context.itemIndex !== undefined) expect(context.itemIndex).toBe(failed);
		expectNoSecret(error, KEY);
	}
	row.after?.(env, false, ctx.requests);
}

/** Runs under Continue On Fail and counts the items that did not come out in their place (all of them when the run rejects). */
export async function runCounted(ctx: TestContext, n: number): Promise<INodeExecutionData[]> {
	const outcome = await settle(runNode(ctx));
	if (!outcome.ok) {
		countLost(n);
		throw outcome.error;
	}
	countLost(lostItems(outcome.value, n));
	return outcome.value;
}

/** With Continue On Fail: every item comes out, in order and paired; only the target (or, for scope 'run', each) carries the error. */
export async function runWithContinue(row: Row, mock: MockServer, other: Recorder): Promise<void> {
	const env = await prepare(row, mock, other);
	const ctx = contextOf(row, env, true);
	const out = await runCounted(ctx, env.n);
	expect(out).toHaveLength(env.n);
	const expected = row.expect;
	out.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		const failing = row.scope === 'run' || i === env.target;
		if (!failing) expectComplete(row, env, item, i);
		else if (isError(expected)) expectErrorItem(expected, item, i);
		else expected.ok(item, env);
	});
	expectNoSecret(out, KEY);
	expect(serializeError(out)).not.toContain(KEY);
	row.after?.(env, true, ctx.requests);
}
