import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, WorkflowExecuteMode } from 'n8n-workflow';

import { createParams, jsonOf, makeContext } from '../../helpers/context';
import type { ParamValue, TestContext } from '../../helpers/context';
import { pngOfSize } from '../../helpers/images';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runError, runNode } from '../../helpers/run';

/**
 * Never pay twice for the same row. Create remembers the tasks it made in n8n's execution context
 * of the node (a retry of the execution inherits it) and, for items with a Unique Key, in the
 * workflow static data of the node (later executions get it); such an item picks its task up
 * instead of creating it again. Each execution here gets what n8n would hand it, as JSON (what n8n
 * saves and loads); creates are counted at the mock.
 */

const mock = useMockServer({ pendingMs: 30, generationMs: 200 });

const rows = (n: number): INodeExecutionData[] => Array.from({ length: n }, (_, row) => ({ json: { row } }));

interface Execution {
	mode: WorkflowExecuteMode;
	executionId: string;
	/** The workflow's static data as n8n hands it to this execution. */
	staticData: IDataObject;
	/** The execution's context data (a retry: the retried execution's); default a new one. */
	contextData?: IDataObject;
	runIndex?: number;
	items?: number;
	params?: Record<string, ParamValue>;
}

function execution(run: Execution): TestContext {
	return makeContext({
		items: rows(run.items ?? 1),
		params: createParams({ pollInterval: 0.03, ...run.params }),
		credentials: credentialsFor(mock),
		mode: run.mode,
		executionId: run.executionId,
		staticData: run.staticData,
		contextData: run.contextData,
		runIndex: run.runIndex,
	});
}

/** What n8n stores after an execution and hands the next one: JSON. */
const savedCopy = (staticData: IDataObject): IDataObject => JSON.parse(JSON.stringify(staticData)) as IDataObject;
const taskOfPrompt = (prompt: string) => [...mock.tasks.values()].filter((task) => task.prompt === prompt).map((task) => task.id);
const promptOfRow = (tag: string) => (i: number) => (i === 2 ? `${tag} row ${i} [failonce]` : `${tag} row ${i}`);
const infoLines = (ctx: TestContext) => ctx.logs.filter((line) => line.level === 'info').map((line) => line.message);

describe('Retry never pays twice', () => {
	// "Retry with original workflow": n8n 2.x hands the retry a blank static data (the execution's
	// workflow snapshot has none); "with currently saved workflow": the workflow's. Both carry the
	// execution's data, its context included.
	test.each([
		['original workflow', false],
		['currently saved workflow', true],
	] as const)('5 rows, row 2 fails and stops the run after 5 creates; a retry (%s) creates only row 2 again and delivers all 5', async (button, savedWorkflow) => {
		const staticData: IDataObject = {};
		const contextData: IDataObject = {};
		const params = { prompt: promptOfRow(`retry ${button}`) };
		const error = await runError(execution({ mode: 'webhook', executionId: '101', staticData, contextData, items: 5, params }));
		expect(error.message).toMatch(/item 2: task sora-2:task_\w+ failed/);
		expect(mock.stats().creates).toBe(5);
		const firstTasks = [0, 1, 3, 4].map((i) => taskOfPrompt(`retry ${button} row ${i}`)[0]);

		const retryStatic = savedWorkflow ? savedCopy(staticData) : {};
		const retry = execution({ mode: 'retry', executionId: '102', staticData: retryStatic, contextData: savedCopy(contextData), items: 5, params });
		const output = jsonOf(await runNode(retry));
		expect(mock.stats().creates).toBe(6);
		expect(output.map((json) => json.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
		expect([0, 1, 3, 4].map((i) => output[i].taskId)).toEqual(firstTasks);
		for (const i of [0, 1, 3, 4]) {
			expect(output[i]).toMatchObject({ reused: true, createdByExecution: '101', attempts: { create: 0 } });
			expect(Date.parse(String(output[i].createdAt))).toBeGreaterThan(Date.now() - 60_000);
		}
		const rowTwo = taskOfPrompt(`retry ${button} row 2 [failonce]`);
		expect(rowTwo).toHaveLength(2);
		expect(output[2]).toMatchObject({ taskId: rowTwo[1], status: 'completed', attempts: { create: 1 } });
		expect(output[2]).not.toHaveProperty('reused');
		expect(output[2]).not.toHaveProperty('createdByExecution');
		// without keys, the workflow's static data is not touched at all
		expect(staticData).toEqual({});
		expect(retryStatic).toEqual({});

		const lines = infoLines(retry);
		for (const id of firstTasks) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Sora2 task picked up, not created again: ${id} \\(created \\S+ by execution 101; now execution 102`)));
		expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Sora2 task ${rowTwo[0]} is not picked up \\(it failed\\): item 2 creates a new one`)));
		expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Sora2 task created: ${rowTwo[1]}`)));
	});

	test('Retry On Fail (the node run again in the same execution) picks up; the next round of a loop (another run index) creates', async () => {
		const contextData: IDataObject = {};
		const params = { prompt: 'same node run' };
		const [first] = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '151', staticData: {}, contextData, params })));
		const [again] = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '151', staticData: {}, contextData, params })));
		expect(mock.stats().creates).toBe(1);
		expect(again).toMatchObject({ taskId: first.taskId, reused: true, createdByExecution: '151' });
		const [nextRound] = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '151', staticData: {}, contextData, params, runIndex: 1 })));
		expect(mock.stats().creates).toBe(2);
		expect(nextRound.taskId).not.toBe(first.taskId);
	});

	test('a retry whose requests changed (another prompt) creates them', async () => {
		const contextData: IDataObject = {};
		await runNode(execution({ mode: 'webhook', executionId: '201', staticData: {}, contextData, items: 2, params: { prompt: (i: number) => `changed row ${i}` } }));
		const output = jsonOf(await runNode(execution({ mode: 'retry', executionId: '202', staticData: {}, contextData: savedCopy(contextData), items: 2, params: { prompt: (i: number) => `changed row ${i}, longer` } })));
		expect(mock.stats().creates).toBe(4);
		expect(output.map((json) => json.reused)).toEqual([undefined, undefined]);
	});

	test('a request names its image files by their bytes: the same file is picked up, another file is created', async () => {
		const withImage = (seed: number): INodeExecutionData[] => [{ json: {}, binary: { data: { data: pngOfSize(2000, seed).toString('base64'), mimeType: 'image/png' } } }];
		const run = (executionId: string, mode: WorkflowExecuteMode, contextData: IDataObject, seed: number) =>
			makeContext({ items: withImage(seed), params: createParams({ pollInterval: 0.03, prompt: 'the picture moves', imageFiles: 'data' }), credentials: credentialsFor(mock), mode, executionId, staticData: {}, contextData });
		const contextData: IDataObject = {};
		await runNode(run('301', 'webhook', contextData, 1));
		const same = jsonOf(await runNode(run('302', 'retry', savedCopy(contextData), 1)));
		expect(same[0]).toMatchObject({ reused: true, createdByExecution: '301' });
		expect(mock.stats().creates).toBe(1);
		const other = jsonOf(await runNode(run('303', 'retry', savedCopy(contextData), 2)));
		expect(other[0].reused).toBeUndefined();
		expect(mock.stats().creates).toBe(2);
	});

	test('Wait for Completion off: the retry returns the task as one read finds it, and creates nothing', async () => {
		const contextData: IDataObject = {};
		const params = { prompt: 'no wait row', waitForCompletion: false };
		const [first] = jsonOf(await runNode(execution({ mode: 'trigger', executionId: '301', staticData: {}, contextData, params })));
		expect(first.status).toBe('pending');
		await sleep(300); // the task completes meanwhile
		const retry = execution({ mode: 'retry', executionId: '302', staticData: {}, contextData: savedCopy(contextData), params });
		const [picked] = jsonOf(await runNode(retry));
		expect(mock.stats().creates).toBe(1);
		expect(picked).toMatchObject({ taskId: first.taskId, status: 'completed', reused: true, createdByExecution: '301', attempts: { create: 0, polls: 1, pollAttempts: 1 } });
	});

	test('a remembered task the provider no longer knows (404) is created again', async () => {
		const contextData: IDataObject = {};
		const params = { prompt: 'forgotten row' };
		const [first] = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '401', staticData: {}, contextData, params })));
		mock.tasks.delete(String(first.taskId));
		const retry = execution({ mode: 'retry', executionId: '402', staticData: {}, contextData: savedCopy(contextData), params });
		const [again] = jsonOf(await runNode(retry));
		expect(mock.stats().creates).toBe(2);
		expect(again.taskId).not.toBe(first.taskId);
		expect(again.status).toBe('completed');
		expect(again).not.toHaveProperty('reused');
		expect(infoLines(retry)).toContainEqual(`Sora2 task ${String(first.taskId)} is not picked up (the provider no longer knows it): item 0 creates a new one`);
	});
});

describe('Unique Key: a second run picks up the key\'s task, in any mode', () => {
	test('3 rows with keys: the second run creates nothing and returns the same videos; a run without keys creates anew', async () => {
		const staticData: IDataObject = {};
		const params = { prompt: (i: number) => `keys row ${i}` };
		// the key is an expression per item in n8n (e.g. {{ $json.id }}): here a function of the item index
		const withKeys = { ...params, 'options.uniqueKey': (i: number) => `sheet-row-${i}` };
		const first = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '501', staticData, items: 3, params: withKeys })));
		expect(mock.stats().creates).toBe(3);
		// n8n saves static data only when it sees a change: the node set it
		expect(staticData.__dataChanged).toBe(true);

		const second = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '502', staticData: savedCopy(staticData), items: 3, params: withKeys })));
		expect(mock.stats().creates).toBe(3);
		expect(second.map((json) => json.taskId)).toEqual(first.map((json) => json.taskId));
		expect(second.map((json) => [json.reused, json.createdByExecution, json.status])).toEqual([[true, '501', 'completed'], [true, '501', 'completed'], [true, '501', 'completed']]);

		const noKeys = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '503', staticData: savedCopy(staticData), items: 3, params })));
		expect(mock.stats().creates).toBe(6);
		expect(noKeys.map((json) => json.reused)).toEqual([undefined, undefined, undefined]);
	});

	test('the key as n8n resolves it: an expression in Options → Unique Key, per item', async () => {
		const staticData: IDataObject = {};
		const params = { prompt: (i: number) => `expression row ${i}`, options: { uniqueKey: '={{ "sheet-" + $json.row }}' } };
		await runNode(execution({ mode: 'webhook', executionId: '551', staticData, items: 2, params }));
		const second = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '552', staticData: savedCopy(staticData), items: 2, params })));
		expect(mock.stats().creates).toBe(2);
		expect(second.map((json) => json.reused)).toEqual([true, true]);
		const swapped = { ...params, options: { uniqueKey: '={{ "sheet-" + (1 - $json.row) }}' } };
		// the keys now name the other row's task, whose prompt differs: new videos
		await runNode(execution({ mode: 'webhook', executionId: '553', staticData: savedCopy(staticData), items: 2, params: swapped }));
		expect(mock.stats().creates).toBe(4);
	});

	test('a key whose prompt changed makes a new video (and says so in the log)', async () => {
		const staticData: IDataObject = {};
		await runNode(execution({ mode: 'trigger', executionId: '601', staticData, params: { prompt: 'a cat', 'options.uniqueKey': () => 'row-7' } }));
		const changed = execution({ mode: 'trigger', executionId: '602', staticData: savedCopy(staticData), params: { prompt: 'a dog', 'options.uniqueKey': () => 'row-7' } });
		const [item] = jsonOf(await runNode(changed));
		expect(mock.stats().creates).toBe(2);
		expect(item).not.toHaveProperty('reused');
		expect(infoLines(changed)).toContainEqual(expect.stringMatching(/is not picked up \(the Unique Key now comes with another request\): item 0 creates a new one$/));
	});

	test('a key whose task failed makes a new video', async () => {
		const staticData: IDataObject = {};
		const params = { prompt: 'keyed [failonce]', 'options.uniqueKey': () => 'row-9' };
		await runError(execution({ mode: 'webhook', executionId: '701', staticData, params }));
		const [item] = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '702', staticData: savedCopy(staticData), params })));
		expect(mock.stats().creates).toBe(2);
		expect(item.status).toBe('completed');
		expect(item).not.toHaveProperty('reused');
	});

	test('a retry with the original workflow (a blank static data) picks up from the execution, and leaves that blank alone', async () => {
		const staticData: IDataObject = {};
		const contextData: IDataObject = {};
		const params = { prompt: (i: number) => `blank row ${i}${i === 1 ? ' [failonce]' : ''}`, 'options.uniqueKey': (i: number) => `blank-${i}` };
		await runError(execution({ mode: 'webhook', executionId: '751', staticData, contextData, items: 2, params }));
		const blank: IDataObject = {};
		const output = jsonOf(await runNode(execution({ mode: 'retry', executionId: '752', staticData: blank, contextData: savedCopy(contextData), items: 2, params })));
		expect(mock.stats().creates).toBe(3);
		expect(output.map((json) => json.reused)).toEqual([true, undefined]);
		// written, n8n would save it over the workflow's static data (other nodes' included): n8n saves
		// only a changed one, and this one is unchanged (opening it leaves n8n's empty node entry)
		expect(blank.__dataChanged).toBe(false);
		expect(JSON.stringify(blank)).not.toContain('createdTasks');
		// with the currently saved workflow the retry's new task is remembered for later runs
		const loaded = savedCopy(staticData);
		await runNode(execution({ mode: 'retry', executionId: '753', staticData: loaded, contextData: savedCopy(contextData), items: 2, params }));
		const later = jsonOf(await runNode(execution({ mode: 'webhook', executionId: '754', staticData: savedCopy(loaded), items: 2, params })));
		expect(mock.stats().creates).toBe(4);
		expect(later.map((json) => json.createdByExecution)).toEqual(['751', '753']);
	});

	test('two items with the same key: refused before anything is sent (it names both items)', async () => {
		const error = await runError(execution({ mode: 'webhook', executionId: '801', staticData: {}, items: 3, params: { prompt: (i: number) => `dup ${i}`, 'options.uniqueKey': (i: number) => (i === 0 ? 'b' : i === 1 ? 'a' : 'b') } }));
		expect(error.message).toBe('Unique Key "b" is also item 0\'s key (item 2)');
		expect(String(error.description)).toMatch(/Give each item its own key/);
		expect(mock.stats().total).toBe(0);
	});

	test('a key that is an object is refused before anything is sent', async () => {
		const error = await runError(execution({ mode: 'webhook', executionId: '802', staticData: {}, params: { 'options.uniqueKey': () => ({ id: 1 }) } }));
		expect(error.message).toBe('Unique Key must be text or a number, but the expression gave an object (item 0)');
		expect(mock.stats().total).toBe(0);
	});
});

describe('manual runs: n8n keeps no static data for them', () => {
	test('a manual run neither picks up what the store holds nor writes to it', async () => {
		const staticData: IDataObject = {};
		const params = { prompt: 'manual row', 'options.uniqueKey': () => 'row-1' };
		await runNode(execution({ mode: 'webhook', executionId: '901', staticData, params }));
		const stored = savedCopy(staticData);
		const manualData = savedCopy(staticData);
		const [item] = jsonOf(await runNode(execution({ mode: 'manual', executionId: '902', staticData: manualData, params })));
		expect(mock.stats().creates).toBe(2);
		expect(item).not.toHaveProperty('reused');
		expect(manualData).toEqual(stored);
		expect(manualData.__dataChanged).toBe(false);
	});
});

describe('a node run without execution data (no execution context)', () => {
	test('creates as before, and the run goes on', async () => {
		const ctx = execution({ mode: 'webhook', executionId: '1101', staticData: {}, items: 2, params: { prompt: (i: number) => `no context ${i}` } });
		Object.assign(ctx.fn, { getContext: () => { throw new Error('`executionData` is not initialized'); } });
		const output = jsonOf(await runNode(ctx));
		expect(output.map((json) => json.status)).toEqual(['completed', 'completed']);
		expect(mock.stats().creates).toBe(2);
	});
});

describe('the store', () => {
	test('holds no API key, prompt, image or key: hashes, task ids, times and states', async () => {
		const staticData: IDataObject = {};
		const params = { prompt: 'a very private prompt', images: 'https://example.com/private-image.png', 'options.uniqueKey': () => 'customer-4711' };
		const contextData: IDataObject = {};
		await runNode(execution({ mode: 'webhook', executionId: '1001', staticData, contextData, params }));
		const text = JSON.stringify({ staticData, contextData });
		for (const secret of ['private prompt', 'private-image', 'customer-4711', 'test-key', mock.baseUrl]) expect(text).not.toContain(secret);
		expect(staticData).toEqual({
			'node:Sora2': { createdTasks: [{ request: expect.stringMatching(/^[0-9a-f]{32}$/), key: expect.stringMatching(/^[0-9a-f]{32}$/), taskId: expect.stringMatching(/^sora-2:task_/), createdAt: expect.any(Number), executionId: '1001', state: 'completed' }] },
		});
	});
});
