import type { INodeExecutionData } from 'n8n-workflow';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { peakInWindow } from '../../helpers/requestLog';
import { runNode } from '../../helpers/run';
import type { LoggedRequest } from '../../mock-server/server';

/**
 * Max Requests per Minute, as the gateway sees it (the mock's request log, not the node's own
 * count): the budget holds in every window, creates go first, and a 429 with Retry-After slows the
 * rest of the run. (Which reads a binding budget goes to: test/unit/task/schedule.test.ts.)
 */

const mock = useMockServer({ pendingMs: 100, generationMs: 1500 });

const rows = (n: number): INodeExecutionData[] => Array.from({ length: n }, (_, row) => ({ json: { row } }));

async function runRows(n: number, name: string, params: Record<string, ParamValue>): Promise<INodeExecutionData[]> {
	const ctx = makeContext({ items: rows(n), params: createParams({ prompt: (i: number) => `${name} ${i}`, pollInterval: 0.05, maxWait: 60, ...params }), credentials: credentialsFor(mock) });
	return await runNode(ctx);
}

test('the budget holds in every window; creates go first; every task completes', async () => {
	// 300 a minute = 5 a second: 8 creates and their status reads must queue for it
	const output = await runRows(8, 'budget', { options: { maxRequestsPerMinute: 300, maxConcurrency: 8 } });
	expect(output.map((item) => item.json.status)).toEqual(Array(8).fill('completed'));
	const log = mock.requestLog();
	// windows of seconds, not of a minute (the budget's own), so the margin for arrival jitter is 2 % of 5 s
	for (const windowMs of [5000, 6000]) expect(peakInWindow(log, windowMs)).toBeLessThanOrEqual((300 * windowMs) / 60_000);
	const firstRead = log.findIndex((entry) => entry.request === 'GET /v1/video/query');
	expect(log.slice(0, firstRead).map((entry) => entry.request)).toEqual(Array(8).fill('POST /v1/video/create'));
	// without the budget the same run is far denser (the check above is not met by accident)
	mock.resetStats();
	await runRows(8, 'unpaced', { options: { maxConcurrency: 8 } });
	expect(peakInWindow(mock.requestLog(), 1000)).toBeGreaterThan(5);
});

test('a 429 with Retry-After pauses every request for that long and slows the rest of the run', async () => {
	mock.addFault({ path: '/v1/video/query', times: 1, status: 429, headers: { 'Retry-After': '1' }, matchText: 'slowed 0' });
	const started = Date.now();
	const output = await runRows(4, 'slowed', { options: { maxConcurrency: 4 } });
	expect(output.map((item) => item.json.status)).toEqual(Array(4).fill('completed'));
	const log = mock.requestLog();
	const refused = log.findIndex((entry) => entry.taskId !== undefined && entry.request === 'GET /v1/video/query' && mock.tasks.get(entry.taskId)?.prompt === 'slowed 0');
	// requests already on their way when the 429 came may still arrive; nothing new for the second the API asked for
	const after = log.slice(refused + 1).filter((entry) => entry.at - log[refused].at > 100);
	expect(after[0].at - log[refused].at).toBeGreaterThanOrEqual(950);
	// then a slower pace than before the 429
	const gaps = (entries: LoggedRequest[]) => entries.slice(1).map((entry, at) => entry.at - entries[at].at).sort((a, b) => a - b);
	const median = (values: number[]) => values[Math.floor(values.length / 2)];
	const before = log.slice(0, refused + 1);
	expect(median(gaps(after))).toBeGreaterThan(3 * Math.max(1, median(gaps(before))));
	expect(Date.now() - started).toBeLessThan(15_000);
});
