/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test fixtures: read from disk with node:fs */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The gateway fixtures (`fixtures/*.json`, each naming its source): what real gateways answer over
 * a task's life, and what the node must make of it. `fixtures/SOURCES.md` says where each came from.
 */

export interface Expectation {
	status: 'completed' | 'failed' | 'running';
	videoUrl: string | null;
	/** The progress the node shows after each read (null: none). */
	progress: Array<number | null>;
	failureReason: string | null;
	maxWaitErrorMentions?: string[];
}

export interface Scenario {
	name: string;
	create?: unknown;
	reads: unknown[];
	expect: Expectation;
}

export interface Gateway {
	file: string;
	gateway: string;
	source: string;
	route: 'query' | 'openai';
	scenarios: Scenario[];
}

export interface CreateAnswers {
	accepted: Array<{ name: string; body: unknown; expectTaskId: string; expectStatus: string; mockTaskId?: string }>;
	refused: Array<{ name: string; body: unknown; expectMessage: string }>;
}

const FIXTURES = path.join(__dirname, 'fixtures');

export function loadGateways(): Gateway[] {
	return fs
		.readdirSync(FIXTURES)
		.filter((file) => file.endsWith('.json') && file !== 'create-answers.json')
		.sort()
		.map((file) => {
			const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as Omit<Gateway, 'file' | 'route'> & { route?: Gateway['route'] };
			return { ...fixture, file, route: fixture.route ?? 'query' };
		});
}

export function loadCreateAnswers(): CreateAnswers {
	return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'create-answers.json'), 'utf8')) as CreateAnswers;
}

/** Fills the placeholders of an expectation for one task of one mock. */
export function expected(text: string, mockUrl: string, taskId: string): string {
	const id = encodeURIComponent(taskId);
	return text
		.split('{{taskId}}').join(taskId)
		.split('{{fileUrl}}').join(`${mockUrl}/files/${id}.mp4`)
		.split('{{contentUrl}}').join(`${mockUrl}/v1/videos/${id}/content`);
}

/** The status word of the last answer, where gateways put it (for the Max Wait error). */
export function lastWord(answer: unknown): string | undefined {
	const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
	const body = record(answer);
	const data = Array.isArray(body?.data) ? record((body?.data as unknown[])[0]) : record(body?.data);
	for (const place of [body, data, record(body?.detail)]) {
		for (const key of ['status', 'state', 'task_status']) if (typeof place?.[key] === 'string') return String(place[key]);
	}
	return undefined;
}

/** The "Works with" table of the README, from the fixtures. */
export function worksWithTable(gateways: Gateway[]): string {
	const rows = gateways.map((gateway) => {
		const words = new Set<string>();
		for (const scenario of gateway.scenarios) for (const read of scenario.reads) {
			const word = lastWord(read);
			if (word) words.add(word);
		}
		const outcomes = [...new Set(gateway.scenarios.map((scenario) => scenario.expect.status))].join(', ');
		return `| ${gateway.gateway} | \`${gateway.file}\` | ${gateway.route === 'openai' ? '`/videos/{id}`' : '`/video/query`'} | ${[...words].map((word) => `\`${word}\``).join(' ')} | ${gateway.scenarios.length} (${outcomes}) |`;
	});
	return ['| Gateway shape | Fixture | Read from | Status words seen | Scenarios |', '|---|---|---|---|---|', ...rows].join('\n');
}
