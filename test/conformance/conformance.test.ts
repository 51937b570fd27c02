/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test: runs outside n8n, reads the README with node:fs */
import fs from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { createParams, makeContext } from '../helpers/context';
import type { ParamValue } from '../helpers/context';
import { credentialsFor, useMockServer } from '../helpers/mockServer';
import { runNode } from '../helpers/run';
import type { MockTask } from '../mock-server/server';
import { expected, lastWord, loadCreateAnswers, loadGateways, worksWithTable } from './gateways';
import type { Gateway, Scenario } from './gateways';

/**
 * Every gateway shape of `docs/gateways.md`, as its fixture shows it, served by the mock and run
 * through the node: Get Task without wait (read by read: status and progress at each answer), Get
 * Task and Create with wait (each ends in the right status, link and reason at the very read whose
 * answer ends it), and Max Wait (a task that has not ended: the error names its last word and
 * progress). Plus every create-answer form and every 200 refusal.
 */

const mock = useMockServer({ pendingMs: 10, generationMs: 50 });
const gateways = loadGateways();
const FAST = { pollInterval: 0.02, maxWait: 20 };

const getTask = (taskId: string, params: Record<string, ParamValue> = {}) =>
	makeContext({
		params: { resource: 'video', operation: 'getTask', taskId, waitForCompletion: false, options: {}, ...params },
		credentials: credentialsFor(mock),
		continueOnFail: true,
	});

const createWith = (params: Record<string, ParamValue>) => makeContext({ params: createParams({ ...FAST, ...params }), credentials: credentialsFor(mock), continueOnFail: true });

function scriptOf(gateway: Gateway, scenario: Scenario, reads = scenario.reads) {
	return { create: scenario.create, reads, route: gateway.route };
}

/** Checks a final item against the scenario: the output of a done task, or the error item of a failed one. */
function expectEnd(json: IDataObject, scenario: Scenario, task: MockTask): void {
	const want = scenario.expect;
	if (want.status === 'completed') {
		expect(json).toMatchObject({ taskId: task.id, status: 'completed', progress: 100, videoUrl: expected(String(want.videoUrl), mock.url, task.id) });
	} else {
		expect(json.taskId).toBe(task.id);
		expect(String(json.error)).toBe(`${String(json.error).split(': task ')[0]}: task ${task.id} failed: ${want.failureReason ?? ''}`);
	}
}

const ending = gateways.flatMap((gateway) => gateway.scenarios.filter((scenario) => scenario.expect.status !== 'running').map((scenario) => [gateway.file, scenario.name, gateway, scenario] as const));
const endless = gateways.flatMap((gateway) => gateway.scenarios.filter((scenario) => scenario.expect.status === 'running').map((scenario) => [gateway.file, scenario.name, gateway, scenario] as const));

describe('Get Task without wait: each answer read as it comes', () => {
	test.each(gateways.flatMap((gateway) => gateway.scenarios.map((scenario) => [gateway.file, scenario.name, gateway, scenario] as const)))('%s › %s', async (_file, _name, gateway, scenario) => {
		const task = mock.addScriptedTask(scriptOf(gateway, scenario));
		for (const [at, progress] of scenario.expect.progress.entries()) {
			const [item] = await runNode(getTask(task.id));
			const last = at === scenario.reads.length - 1;
			expect(item.json.progress ?? null).toBe(progress);
			expect(item.json.rawStatus ?? null).toBe(lastWord(scenario.reads[at]) ?? null);
			if (!last || scenario.expect.status === 'running') expect(['pending', 'processing']).toContain(item.json.status);
			else if (scenario.expect.status === 'failed') expect(item.json).toMatchObject({ status: 'failed', failureReason: scenario.expect.failureReason });
			else expect(item.json).toMatchObject({ status: 'completed', videoUrl: expected(String(scenario.expect.videoUrl), mock.url, task.id) });
		}
	});
});

describe('Get Task with wait: ends at the answer that ends the task', () => {
	test.each(ending)('%s › %s', async (_file, _name, gateway, scenario) => {
		const task = mock.addScriptedTask(scriptOf(gateway, scenario));
		const [item] = await runNode(getTask(task.id, { waitForCompletion: true, ...FAST }));
		expectEnd(item.json, scenario, task);
		expect(mock.tasks.get(task.id)?.queries).toBe(scenario.reads.length);
	});
});

describe('Create with wait: ends at the answer that ends the task', () => {
	test.each(ending)('%s › %s', async (_file, _name, gateway, scenario) => {
		mock.scriptNextCreate(scriptOf(gateway, scenario));
		const [item] = await runNode(createWith({}));
		const task = mock.tasks.get(String(item.json.taskId));
		if (!task) throw new Error(`no task for ${JSON.stringify(item.json)}`);
		expectEnd(item.json, scenario, task);
		expect(task.queries).toBe(scenario.reads.length);
	});
});

describe('Max Wait: a task that has not ended names its last word and progress', () => {
	const cases = [
		...endless,
		// every ending scenario, stopped one answer before its end
		...ending.filter(([, , , scenario]) => scenario.reads.length > 1).map(([file, name, gateway, scenario]) => [file, `${name}, before its end`, gateway, { ...scenario, reads: scenario.reads.slice(0, -1) }] as const),
	];
	test.each(cases)('%s › %s', async (_file, _name, gateway, scenario) => {
		mock.scriptNextCreate(scriptOf(gateway, scenario));
		const [item] = await runNode(createWith({ pollInterval: 0.02, maxWait: 0.15 }));
		const error = String(item.json.error);
		expect(error).toMatch(/was still running after Max Wait \(0\.15 s\)/);
		const progress = scenario.expect.progress[scenario.reads.length - 1];
		if (progress !== null && progress !== undefined) expect(error).toContain(`, ${progress}%`);
		const word = lastWord(scenario.reads.at(-1));
		if (word && !['pending', 'processing'].includes(word)) expect(error).toContain(`"${word}"`);
		for (const mention of scenario.expect.maxWaitErrorMentions ?? []) expect(error).toContain(mention);
		expect(item.json.taskId).toMatch(/\S/);
	});
});

describe('create answers', () => {
	const { accepted, refused } = loadCreateAnswers();

	test.each(accepted.map((entry) => [entry.name, entry] as const))('accepted: %s', async (_name, entry) => {
		mock.scriptNextCreate({ create: entry.body, reads: [{ status: 'pending' }], taskId: entry.mockTaskId });
		const [item] = await runNode(createWith({ waitForCompletion: false }));
		const task = [...mock.tasks.values()].at(-1);
		expect(item.json).toMatchObject({ taskId: task?.id, status: 'pending' });
	});

	test.each(refused.map((entry) => [entry.name, entry] as const))('refused (HTTP 200): %s', async (_name, entry) => {
		mock.scriptNextCreate({ create: entry.body, reads: [{ status: 'pending' }] });
		const [item] = await runNode(createWith({ waitForCompletion: false }));
		expect(String(item.json.error)).toBe(`Video → Create, item 0: the API answered 200 but refused the request: ${entry.expectMessage}`);
		expect(String(item.json.hint)).not.toMatch(/Base URL/);
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
	});
});

test('the README\'s "Works with" table is the one these fixtures give', () => {
	const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
	expect(readme).toContain(worksWithTable(gateways));
});
