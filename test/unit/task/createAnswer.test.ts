import { createParams, makeContext } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
import { startMockServer } from '../../mock-server/server';
import type { CreateShape, MockServer } from '../../mock-server/server';

/**
 * Both documented create answers: task shaped `{id, status, status_update_time}` and
 * chat-completion shaped (the id, and the message, name the task). Either way the node finds
 * the task id, and then answers at once (Wait off) or polls the task to completion (Wait on).
 */

const mocks: Partial<Record<CreateShape, MockServer>> = {};

beforeAll(async () => {
	mocks.task = await startMockServer({ createShape: 'task', pendingMs: 30, generationMs: 120 });
	mocks.chat = await startMockServer({ createShape: 'chat', pendingMs: 30, generationMs: 120 });
});

afterAll(async () => {
	await Promise.all(Object.values(mocks).map(async (mock) => await mock.close()));
});

const TASK_ID = /^sora-2:task_[0-9a-z]{26}$/;

describe.each(['task', 'chat'] as const)('create answer shaped like "%s"', (shape) => {
	const mockOf = (): MockServer => {
		const mock = mocks[shape];
		if (!mock) throw new Error(`no mock for ${shape}`);
		return mock;
	};

	test('Wait off: one request, the task id and a pending status', async () => {
		const mock = mockOf();
		mock.resetStats();
		const ctx = makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
		const [item] = await runNode(ctx);
		expect(item.json.taskId).toMatch(TASK_ID);
		expect(mock.tasks.has(String(item.json.taskId))).toBe(true);
		expect(item.json.status).toBe('pending');
		expect(item.json.attempts).toEqual({ create: 1, polls: 0, pollAttempts: 0 });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(mock.stats().total).toBe(1);
		expect(mock.stats().creates).toBe(1);
		if (shape === 'chat') {
			// the API's own answer is passed through next to the node's fields
			expect(item.json.object).toBe('chat.completion');
			expect(item.json.choices).toBeDefined();
		} else {
			expect(typeof item.json.status_update_time).toBe('number');
		}
	});

	test('Wait on: polls the task to completed, with the video link', async () => {
		const mock = mockOf();
		mock.resetStats();
		const ctx = makeContext({ params: createParams(), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
		const [item] = await runNode(ctx);
		const taskId = String(item.json.taskId);
		expect(taskId).toMatch(TASK_ID);
		expect(item.json).toMatchObject({
			status: 'completed',
			rawStatus: 'completed',
			progress: 100,
			videoUrl: `${mock.url}/files/${encodeURIComponent(taskId)}.mp4`,
		});
		expect(mock.stats().creates).toBe(1);
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
		expect(mock.stats().requests['GET /v1/video/query']).toBeGreaterThanOrEqual(1);
	});
});

test('a chat-shaped answer whose message (not its id) names the task is understood', async () => {
	// Some providers answer with a "chatcmpl-…" id and name the task only in the message.
	const mock = mocks.task;
	if (!mock) throw new Error('no mock');
	const taskId = 'sora-2:task_01k6x15vhrff09dkkqjrzwhm60';
	mock.addFault({
		method: 'POST',
		path: '/v1/video/create',
		times: 1,
		status: 200,
		body: {
			id: 'chatcmpl-123',
			object: 'chat.completion',
			created: 1677652288,
			choices: [{ index: 0, message: { role: 'assistant', content: `Task ${taskId} created, generating…` }, finish_reason: 'stop' }],
			usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
		},
	});
	const ctx = makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
	const [item] = await runNode(ctx);
	expect(item.json.taskId).toBe(taskId);
	expect(item.json.status).toBe('pending');
});

test('a chat-shaped answer that names no task is an error quoting what arrived', async () => {
	const mock = mocks.task;
	if (!mock) throw new Error('no mock');
	mock.addFault({
		method: 'POST',
		path: '/v1/video/create',
		times: 1,
		status: 200,
		body: { id: 'chatcmpl-123', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: '生成动画的参数已配置,正在处理...' } }] },
	});
	const ctx = makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } });
	await expect(runNode(ctx)).rejects.toThrow(/Video → Create, item 0: the API answered 200 but the create answer names no task id.*Received: .*chatcmpl-123/);
});

describe('chat-shaped create answers that name the task only in their text (found, then polled)', () => {
	const UUID = '5f1c2d3e-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
	const chatAnswer = (content: unknown) => ({
		id: 'chatcmpl-9f8e7d6c5b4a',
		object: 'chat.completion',
		created: 1677652288,
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
	});

	test.each([
		['a UUID after "Task"', UUID, `Task ${UUID} queued`],
		['a UUID after "task:" in other prose', UUID, `Your video is being made (task: ${UUID}). Check back soon.`],
		['a sora-2:task_… token, the content given as a list of parts', 'sora-2:task_01k6x15vhrff09dkkqjrzwhm61', [{ type: 'text', text: 'Queued.' }, { type: 'text', text: 'Task sora-2:task_01k6x15vhrff09dkkqjrzwhm61 created' }]],
		['a bare task_… token', 'task_8cbd1a2f', 'Created task_8cbd1a2f, generating…'],
	])('%s: the task is polled to completion', async (_label, taskId, content) => {
		const mock = mocks.task;
		if (!mock) throw new Error('no mock');
		mock.resetStats();
		mock.scriptNextCreate({ taskId, create: chatAnswer(content), reads: [{ id: '{{taskId}}', status: 'processing', progress: 40 }, { id: '{{taskId}}', status: 'completed', video_url: '{{fileUrl}}' }] });
		const [item] = await runNode(makeContext({ params: createParams({ pollInterval: 0.05 }), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } }));
		expect(item.json).toMatchObject({ taskId, status: 'completed', videoUrl: `${mock.url}/files/${encodeURIComponent(taskId)}.mp4` });
		expect(mock.tasks.get(taskId)?.queries).toBe(2);
	});

	test('a UUID that does not follow the word "task" is not taken for the task id', async () => {
		const mock = mocks.task;
		if (!mock) throw new Error('no mock');
		mock.addFault({ method: 'POST', path: '/v1/video/create', times: 1, status: 200, body: chatAnswer(`Request ${UUID} received`) });
		const error = await runError(makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } }));
		expect(error.message).toMatch(/the create answer names no task id/);
	});
});

test('a 200 create answer the node cannot read says that a video may have been created, and how to check before running again', async () => {
	const mock = mocks.task;
	if (!mock) throw new Error('no mock');
	// the seed's own example of the chat-shaped create answer names no task at all
	mock.addFault({ method: 'POST', path: '/v1/video/create', times: 1, status: 200, body: { id: 'chatcmpl-123', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: '生成动画的参数已配置,正在处理...' } }] } });
	const error = await runError(makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: 'test-key', baseUrl: mock.baseUrl } }));
	expect(error.description).toBe(
		'The API accepted the request (it answered 200), so a video may have been created and paid for: look in your provider dashboard (or run Video → Get Task with the task id if you find one) before running again, or you may pay twice. If nothing shows up there, the Base URL may point at something that is not a Sora2 API.',
	);
});
