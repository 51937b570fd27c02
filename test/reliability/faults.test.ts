import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { createParams, makeContext } from '../helpers/context';
import { expectNoSecret, runError, runNode } from '../helpers/run';
import { startMockServer, videoBytesFor } from '../mock-server/server';
import type { MockServer } from '../mock-server/server';
import {
	KEY,
	MARK,
	REDIRECTED_TASK,
	REDIRECTED_VIDEO,
	apiMessage,
	closedPort,
	creates,
	escape,
	inputMessage,
	pairedIndex,
	passed,
	printSummary,
	register,
	runCounted,
	runWithContinue,
	runWithoutContinue,
	started,
	startRecorder,
	targetCreates,
} from './harness';
import type { Recorder, Row } from './harness';

/**
 * Issue 6: every failure gives a clear, item-scoped error (item index, operation, HTTP status,
 * the API's own message, a hint), nothing is lost under Continue On Fail, and the key never leaks.
 * Each row is tried with Continue On Fail off and on (see harness.ts); the last line printed is
 * the summary: faults tried, passed, failed, items lost.
 */

let mock: MockServer;
let other: Recorder;
let deadPort = 0;

beforeAll(async () => {
	mock = await startMockServer({ apiKey: KEY, pendingMs: 20, generationMs: 60 });
	other = await startRecorder();
	deadPort = await closedPort();
});

afterAll(async () => {
	await mock.close();
	await other.close();
	printSummary();
});

const CREATE = '/v1/video/create';
const QUERY = '/v1/video/query';
const HOST = String.raw`127\.0\.0\.1:\d+`;
/** The hint of a 200 to a create that cannot be read: the video may have been made and paid for anyway. */
const PAID_200_HINT = /The API accepted the request \(it answered 200\), so a video may have been created and paid for: look in your provider dashboard \(or run Video → Get Task with the task id if you find one\) before running again, or you may pay twice\. If nothing shows up there, the Base URL may point at something that is not a Sora2 API\./;
const on = (fault: Parameters<MockServer['addFault']>[0]) => (env: { mock: MockServer }) => env.mock.addFault({ matchText: MARK, ...fault });

/** A 5xx on a create: the status and the API's message, not retried (the task may exist). */
const createStatus = (status: number, reason: string): Row => ({
	group: 'API answers',
	name: `${status} on create`,
	op: 'create',
	arrange: on({ path: CREATE, status }),
	expect: {
		message: apiMessage('create', `the API answered ${status}: HTTP ${status} ${reason} \\(mock fault\\)$`),
		hint: /The task may exist anyway: look for it in your provider dashboard/,
		httpCode: String(status),
	},
	after: (_env, _cof, requests) => expect(targetCreates(requests)).toBe(1),
});

const API_ROWS: Row[] = [
	{
		group: 'API answers',
		name: '400 with {error:{message,type,code}}',
		op: 'create',
		arrange: on({
			path: CREATE,
			status: 400,
			body: { error: { message: "'prompt' mentions a real person", type: 'invalid_request_error', code: 'content_filter' } },
		}),
		expect: {
			message: apiMessage('create', "the API answered 400: 'prompt' mentions a real person$"),
			hint: /The API rejected the request: check the fields its message names/,
			httpCode: '400',
		},
	},
	{
		group: 'API answers',
		name: '401 whose message echoes the key',
		op: 'create',
		arrange: on({ path: CREATE, status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } } }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 401: Incorrect API key provided: \*\*\*$`),
			hint: /Check the API key in the Sora2 API credential/,
			httpCode: '401',
		},
	},
	{
		group: 'API answers',
		name: '403 in plain text that names the key',
		op: 'create',
		arrange: on({ path: CREATE, status: 403, body: `key ${KEY} may not use sora-2` }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 403: key \*\*\* may not use sora-2$`),
			hint: /may not use this model or endpoint/,
			httpCode: '403',
		},
	},
	{
		group: 'API answers',
		name: '404 unknown task (Get Task)',
		op: 'getTask',
		params: (env) => ({ taskId: (i: number) => (i === env.target ? 'sora-2:task_00000000000000000000000000' : env.ids[i]) }),
		expect: {
			message: apiMessage('getTask', 'the API answered 404: task not found$'),
			hint: /No task with this id: check the Task ID/,
			httpCode: '404',
		},
	},
	{
		group: 'API answers',
		name: '413 request too large',
		op: 'create',
		arrange: on({ path: CREATE, status: 413, body: { error: { message: 'Request Entity Too Large', type: 'invalid_request_error' } } }),
		expect: {
			message: apiMessage('create', 'the API answered 413: Request Entity Too Large$'),
			hint: /too large: shorten the prompt or send fewer images/,
			httpCode: '413',
		},
	},
	{
		group: 'API answers',
		name: '429 without Retry-After (retried with backoff, then exhausted)',
		op: 'create',
		params: () => ({ options: { maxRetries: 1 } }),
		arrange: on({ path: CREATE, status: 429 }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 429: HTTP 429 Too Many Requests \(mock fault\) \(after 2 attempts\)$`),
			hint: /Rate limited: set "Max Requests per Minute" to your plan's limit, or lower "Max Concurrent Requests"/,
			httpCode: '429',
		},
		after: (_env, _cof, requests) => expect(targetCreates(requests)).toBe(2),
	},
	{
		group: 'API answers',
		name: '429 with Retry-After: 1 (waited for, then exhausted)',
		op: 'create',
		params: () => ({ options: { maxRetries: 1 } }),
		arrange: on({ path: CREATE, status: 429, headers: { 'Retry-After': '1' } }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 429: HTTP 429 Too Many Requests \(mock fault\) \(after 2 attempts\)$`),
			hint: /Rate limited/,
			httpCode: '429',
		},
		after: (_env, _cof, requests) => expect(targetCreates(requests)).toBe(2),
	},
	{
		group: 'API answers',
		name: '429 with a Retry-After longer than the node waits',
		op: 'create',
		arrange: on({ path: CREATE, status: 429, headers: { 'Retry-After': '900' } }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 429: HTTP 429 Too Many Requests \(mock fault\)$`),
			hint: /The API asked to wait 900 s before retrying, longer than the node waits/,
			httpCode: '429',
		},
		after: (_env, _cof, requests) => expect(targetCreates(requests)).toBe(1),
	},
	createStatus(500, 'Internal Server Error'),
	createStatus(502, 'Bad Gateway'),
	createStatus(503, 'Service Unavailable'),
	createStatus(504, 'Gateway Timeout'),
	{
		group: 'API answers',
		name: '503 on a status check (retried, then exhausted)',
		op: 'getTask',
		params: () => ({ options: { maxRetries: 2 } }),
		arrange: on({ path: QUERY, status: 503, headers: { 'Retry-After': '0' }, body: { error: { message: 'overloaded, try later', type: 'server_error' } } }),
		expect: {
			message: apiMessage('getTask', String.raw`the API answered 503: overloaded, try later \(after 3 attempts\)$`),
			hint: /^The provider failed: run again later\. Task sora-2:task_\w+ is unchanged at the provider: run Video → Get Task again later\.$/,
			httpCode: '503',
		},
	},
	{
		group: 'API answers',
		name: 'a 200 whose body is not JSON',
		op: 'create',
		arrange: on({ path: CREATE, status: 200, body: `upstream busy (key ${KEY}), please retry` }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 200 but the body is not JSON\. Received: upstream busy \(key \*\*\*\), please retry$`),
			hint: PAID_200_HINT,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'a 200 with truncated JSON',
		op: 'create',
		arrange: on({ path: CREATE, kind: 'malformed' }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 200 but the body is not JSON\. Received: \{"id": "sora-2:task_x", "status":$`),
			hint: PAID_200_HINT,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'an HTML error page (502)',
		op: 'create',
		arrange: on({ path: CREATE, kind: 'html', status: 502 }),
		expect: {
			message: apiMessage('create', 'the API answered 502: an HTML page: 502 Bad Gateway 502 Bad Gateway nginx$'),
			hint: /The provider failed/,
			httpCode: '502',
		},
	},
	{
		group: 'API answers',
		name: 'an HTML page with status 200 (a login portal)',
		op: 'getTask',
		arrange: on({ path: QUERY, kind: 'html', status: 200, body: '<!DOCTYPE html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>' }),
		expect: {
			message: apiMessage('getTask', String.raw`the API answered 200 but the body is not JSON\. Received: <!DOCTYPE html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>$`),
			hint: /The Base URL may point/,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'an empty 200',
		op: 'create',
		arrange: on({ path: CREATE, kind: 'empty' }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 200 but the body is empty\. Received: \(empty body\)$`),
			hint: PAID_200_HINT,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'a 200 create answer without id and status',
		op: 'create',
		arrange: on({ path: CREATE, status: 200, body: { object: 'video', progress: 0 } }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 200 but the create answer names no task id .*Received: \{"object":"video","progress":0\}$`),
			hint: PAID_200_HINT,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'a 200 task answer without status',
		op: 'getTask',
		arrange: on({ path: QUERY, status: 200, body: { id: 'sora-2:task_x', progress: '10%' } }),
		expect: {
			message: apiMessage('getTask', String.raw`the API answered 200 but the task answer has no status, no video link and no failure reason\. Received: \{"id":"sora-2:task_x","progress":"10%"\}$`),
			hint: /The Base URL may point/,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'a huge (10 MB) 200 answer to a create',
		op: 'create',
		arrange: on({ path: CREATE, kind: 'huge' }),
		expect: {
			message: apiMessage('create', String.raw`the API answered 200 but the body is larger than an API answer can be \(more than 4 MB; reading stopped there\)\. Received: \{"id":"sora-2:task_x".{400,520}… \(4194304 characters\)$`),
			hint: PAID_200_HINT,
			httpCode: '200',
		},
	},
	{
		group: 'API answers',
		name: 'a huge (10 MB) 500 answer to a status check',
		op: 'getTask',
		params: () => ({ options: { maxRetries: 0 } }),
		arrange: on({ path: QUERY, kind: 'huge', status: 500 }),
		expect: {
			message: apiMessage('getTask', String.raw`the API answered 500: \{"id":"sora-2:task_x".{400,520}… \(65536 characters\)$`),
			hint: /The provider failed: run again later/,
			httpCode: '500',
		},
	},
];

const TRANSPORT_ROWS: Row[] = [
	{
		group: 'transport',
		name: 'connection refused',
		op: 'create',
		scope: 'run',
		baseUrl: () => `http://127.0.0.1:${deadPort}/v1`,
		params: () => ({ options: { maxRetries: 1 } }),
		expect: {
			message: apiMessage('create', String.raw`could not connect to ${HOST} \(connection refused\) \(after 2 attempts\)$`),
			hint: /Check the Base URL in the credential and that the server is up/,
		},
	},
	{
		group: 'transport',
		name: 'DNS failure for a bad Base URL',
		op: 'create',
		scope: 'run',
		baseUrl: () => 'http://sora2-mock.invalid/v1',
		expect: {
			message: apiMessage('create', String.raw`could not resolve the host sora2-mock\.invalid$`),
			hint: /^Check the Base URL in the credential\.$/,
		},
	},
	{
		group: 'transport',
		name: 'connection reset in the middle of a create answer',
		op: 'create',
		arrange: on({ path: CREATE, kind: 'reset' }),
		expect: {
			message: apiMessage('create', `the connection to ${HOST} was reset before the answer was complete$`),
			hint: /The create was not sent again, because the API may have accepted it/,
		},
		after: (_env, _cof, requests) => expect(targetCreates(requests)).toBe(1),
	},
	{
		group: 'transport',
		name: 'connection reset in the middle of a status check (retried, then exhausted)',
		op: 'getTask',
		params: () => ({ options: { maxRetries: 1 } }),
		arrange: on({ path: QUERY, kind: 'reset' }),
		expect: {
			message: apiMessage('getTask', String.raw`the connection to ${HOST} was reset before the answer was complete \(after 2 attempts\)$`),
			hint: /^Run again; if it keeps happening, the provider is unstable\. Task sora-2:task_\w+ is unchanged at the provider/,
		},
	},
	{
		group: 'transport',
		name: 'a create that never answers (Request Timeout)',
		op: 'create',
		params: () => ({ options: { requestTimeout: 0.5 } }),
		arrange: on({ path: CREATE, kind: 'hang', afterCreate: true }),
		expect: {
			message: apiMessage('create', `no complete answer from ${HOST} within 0\\.5 s$`),
			hint: /Raise "Request Timeout" in the options.*The create was not sent again/,
		},
		after: (_env, _cof, requests) => expect(targetCreates(requests)).toBe(1),
	},
	{
		group: 'transport',
		name: 'a status check that never answers (retried, then exhausted)',
		op: 'getTask',
		params: () => ({ options: { requestTimeout: 0.3, maxRetries: 1 } }),
		arrange: on({ path: QUERY, kind: 'hang' }),
		expect: {
			message: apiMessage('getTask', String.raw`no complete answer from ${HOST} within 0\.3 s \(after 2 attempts\)$`),
			hint: /Raise "Request Timeout"/,
		},
	},
	{
		group: 'transport',
		name: 'a slow drip that outlasts the Request Timeout',
		op: 'create',
		params: () => ({ options: { requestTimeout: 0.5 } }),
		arrange: on({ path: CREATE, kind: 'drip', delayMs: 40 }),
		expect: {
			message: apiMessage('create', `no complete answer from ${HOST} within 0\\.5 s$`),
			hint: /Raise "Request Timeout"/,
		},
	},
	{
		group: 'transport',
		name: 'a video download that fails (403)',
		op: 'getTask',
		params: () => ({ waitForCompletion: true, pollInterval: 0.02, maxWait: 10, downloadVideo: true, binaryPropertyName: 'data' }),
		arrange: (env) => env.mock.addFault({ path: `/files/${env.ids[env.target]}.mp4`, status: 403, body: 'expired' }),
		expect: {
			message: apiMessage('getTask', `the video download from ${HOST} answered 403: expired$`),
			hint: /The video link may have expired\. Task sora-2:task_\w+ is done: Video → Get Task with Task ID "sora-2:task_\w+" and Download Video on fetches the video again/,
			httpCode: '403',
		},
	},
	{
		group: 'transport',
		name: 'a create answered by a 302 to another host: followed without the key',
		op: 'create',
		params: () => ({ waitForCompletion: false }),
		arrange: (env) => env.mock.addFault({ path: CREATE, matchText: MARK, kind: 'redirect', status: 302, location: `${env.other.url}/v1/video/create` }),
		expect: {
			ok: ({ json }, env) => {
				expect(json.taskId).toBe(REDIRECTED_TASK);
				expect(env.other.seen).toHaveLength(1);
				expect(env.other.seen[0].headers.authorization).toBeUndefined();
				expect(JSON.stringify(env.other.seen)).not.toContain(KEY);
			},
		},
	},
	{
		group: 'transport',
		name: 'a video download redirected (307) to another host: followed without the key',
		op: 'getTask',
		params: () => ({ waitForCompletion: true, pollInterval: 0.02, maxWait: 10, downloadVideo: true, binaryPropertyName: 'data' }),
		arrange: (env) => env.mock.addFault({ path: `/files/${env.ids[env.target]}.mp4`, kind: 'redirect', status: 307, location: `${env.other.url}/cdn/video.mp4` }),
		expect: {
			ok: ({ json, binary }, env) => {
				expect(json.status).toBe('completed');
				expect(Buffer.from((binary as Record<string, IBinaryData>).data.data, 'base64').equals(REDIRECTED_VIDEO)).toBe(true);
				expect(env.other.seen).toHaveLength(1);
				expect(env.other.seen[0].headers.authorization).toBeUndefined();
				expect(JSON.stringify(env.other.seen)).not.toContain(KEY);
			},
		},
	},
	{
		group: 'transport',
		name: 'a status check redirected within the API origin keeps the key',
		op: 'getTask',
		arrange: (env) => env.mock.addFault({ path: QUERY, matchText: MARK, kind: 'redirect', status: 302, location: `${env.mock.baseUrl}/videos/${encodeURIComponent(env.ids[env.target])}` }),
		expect: {
			// the mock answers /v1/videos/<id> only with the key: a status means the key went along
			ok: ({ json }, env) => {
				expect(json.taskId).toBe(env.ids[env.target]);
				expect(['pending', 'processing', 'completed']).toContain(json.status);
				expect(env.mock.stats().requests[`GET /v1/videos/${env.ids[env.target]}`]).toBe(1);
			},
		},
	},
];

const TASK_ROWS: Row[] = [
	{
		group: 'tasks',
		name: 'a task that failed with a reason',
		op: 'create',
		targetPrompt: '[fail]',
		expect: {
			message: apiMessage('create', String.raw`task sora-2:task_\w+ failed: content_policy: content policy violation$`),
			hint: /Change the prompt or images .* and create the video again/,
		},
	},
	{
		group: 'tasks',
		name: 'a task stuck in processing past Max Wait',
		op: 'create',
		targetPrompt: '[stuck]',
		params: () => ({ maxWait: 0.4 }),
		expect: {
			message: apiMessage('create', String.raw`task sora-2:task_\w+ was still running after Max Wait \(0\.4 s\): processing, \d+%$`),
			hint: /pick it up with Video → Get Task, Task ID "sora-2:task_\w+", Wait for Completion on\. Do not create it again, or you pay twice\. Or raise Max Wait/,
		},
	},
	{
		group: 'tasks',
		name: 'a status word never seen before is kept as processing (no error)',
		op: 'getTask',
		targetPrompt: '[status:rendering_in_the_cloud] [stuck]',
		expect: {
			ok: ({ json }) => {
				expect(json.error).toBeUndefined();
				expect(json.status).toBe('processing');
				expect(json.rawStatus).toBe('rendering_in_the_cloud');
			},
		},
	},
	{
		group: 'tasks',
		name: 'a status word never seen before, stuck past Max Wait: the raw word is shown',
		op: 'create',
		targetPrompt: '[status:rendering_in_the_cloud] [stuck]',
		params: () => ({ maxWait: 0.3 }),
		expect: {
			message: apiMessage('create', String.raw`task sora-2:task_\w+ was still running after Max Wait \(0\.3 s\): processing, \d+%, the last answer said "rendering_in_the_cloud"$`),
			hint: /pick it up with Video → Get Task/,
		},
	},
	{
		group: 'tasks',
		name: 'a completed task without a video link',
		op: 'create',
		targetPrompt: '[nourl]',
		expect: {
			message: apiMessage('create', String.raw`task sora-2:task_\w+ completed, but the API gave no video link$`),
			hint: /pick it up with Video → Get Task, Task ID "sora-2:task_\w+"/,
		},
	},
];

/** A field value the node refuses before sending anything: no request for that item. */
const bad = (name: string, params: Row['params'], message: string, hint: RegExp, op: Row['op'] = 'create'): Row => ({
	group: 'inputs',
	name,
	op,
	params,
	expect: { message: inputMessage(message), hint },
	// the bad item is never sent; without Continue On Fail nothing is sent at all
	after: (env, continueOnFail, requests) => {
		const good = continueOnFail ? env.n - 1 : 0;
		// a create per good item (then its polls); a Get Task without wait reads each good item once
		if (op === 'create') expect(creates(requests)).toBe(good);
		else expect(requests).toHaveLength(good);
		if (!continueOnFail) expect(requests).toHaveLength(0);
	},
});

/** The value for the target item only (an expression that reads the row). */
const forTarget =
	(name: string, value: unknown, fallback: unknown = undefined): NonNullable<Row['params']> =>
	(env) => ({ [name]: (i: number) => (i === env.target ? value : fallback) });

/** Task ID for a Get Task row: `value` for the target item, the real task id for the others. */
const taskIdForTarget =
	(value: unknown): NonNullable<Row['params']> =>
	(env) => ({ taskId: (i: number) => (i === env.target ? value : env.ids[i]) });

const INPUT_ROWS: Row[] = [
	bad('model not a Sora2 model', forTarget('model', 'sora-3', 'sora-2'), 'Model "sora-3" is not a Sora2 video model', /Choose "sora-2" or "sora-2-pro"/),
	bad('model from an expression that gave null', forTarget('model', null, 'sora-2'), 'Model "null" is not a Sora2 video model', /Choose "sora-2"/),
	bad('empty prompt', (env) => ({ prompt: (i: number) => (i === env.target ? '   ' : `row ${i} of ${env.n}`) }), 'Prompt is empty', /Describe the video in Prompt/),
	bad('prompt expression gave a number', (env) => ({ prompt: (i: number) => (i === env.target ? 42 : `row ${i} of ${env.n}`) }), 'Prompt must be text, but the expression gave number 42', /wrap the expression in String/),
	bad('prompt expression gave null', (env) => ({ prompt: (i: number) => (i === env.target ? null : `row ${i} of ${env.n}`) }), 'Prompt must be text, but the expression gave null', /Map a text column into Prompt/),
	bad('prompt expression gave an object', (env) => ({ prompt: (i: number) => (i === env.target ? { text: 'a cat' } : `row ${i} of ${env.n}`) }), 'Prompt must be text, but the expression gave an object', /Map a text column/),
	bad('orientation not known', forTarget('orientation', 'square', 'portrait'), 'Orientation "square" is not known', /Choose "landscape" or "portrait"/),
	bad('size not known', forTarget('size', 'medium', 'small'), 'sora-2 does not take size "medium"', /Choose "small" \(720p\) or "large"/),
	bad(
		'sora-2-pro with size small',
		(env) => ({ model: (i: number) => (i === env.target ? 'sora-2-pro' : 'sora-2'), size: 'small', duration: (i: number) => (i === env.target ? 15 : 10) }),
		'sora-2-pro does not take size "small"',
		/Sora 2 Pro renders only "large"/,
	),
	bad('duration not offered', forTarget('duration', 12, 10), 'sora-2 does not take a duration of 12 seconds', /Choose 10 or 15 seconds/),
	bad('duration expression gave text', forTarget('duration', 'ten', 10), 'sora-2 does not take a duration of "ten" seconds', /Choose 10 or 15 seconds/),
	bad('images expression gave an object', forTarget('images', { url: 'https://example.com/a.png' }, ''), 'Image URLs: it is an object; give a URL, a list of URLs, or a comma-separated text', /public http\(s\) image URLs/),
	bad('images list with a number in it', forTarget('images', ['https://example.com/a.png', 7], ''), 'Image URLs: entry 2 is number 7, not a URL', /public http\(s\) image URLs/),
	bad('images not http(s)', forTarget('images', 'ftp://example.com/a.png', ''), 'Image URLs: "ftp://example.com/a.png" is not an http\\(s\\) URL', /public http\(s\) image URLs/),
	bad('images broken JSON array', forTarget('images', '["https://example.com/a.png"', ''), 'Image URLs: it starts with "\\[" but is not a valid JSON array', /a JSON array of them/),
	bad('poll interval 0', forTarget('pollInterval', 0, 0.02), 'Poll Interval must be more than 0 seconds, got 0', /Set "Poll Interval \(Seconds\)" to 5 or more/),
	bad('poll interval not a number', forTarget('pollInterval', 'often', 0.02), 'Poll Interval \\(Seconds\\) must be a number, got "often"', /Enter a number in "Poll Interval \(Seconds\)"/),
	bad('max wait shorter than the poll interval', forTarget('maxWait', 0.01, 10), 'Max Wait \\(0\\.01 s\\) is shorter than the Poll Interval \\(0\\.02 s\\)', /Raise "Max Wait \(Seconds\)"/),
	bad('download on, binary field empty', (env) => ({ downloadVideo: (i: number) => i === env.target, binaryPropertyName: '  ' }), 'Put Output File in Field is empty', /Name the binary field/),
	bad('Task ID empty', taskIdForTarget('  '), 'Task ID is empty', /Map the "taskId" field of the Video → Create output/, 'getTask'),
	bad('Task ID expression gave null', taskIdForTarget(null), 'Task ID must be text, but the expression gave null', /Map the "taskId" field/, 'getTask'),
	bad('Task ID expression gave an object', taskIdForTarget({ id: 'sora-2:task_x' }), 'Task ID must be text, but the expression gave an object', /Map the "taskId" field/, 'getTask'),
	{
		group: 'inputs',
		name: 'an expression that fails to resolve',
		op: 'create',
		params: (env) => ({
			prompt: (i: number) => {
				if (i === env.target) throw new Error('invalid syntax in {{ $json.prompt. }}');
				return `row ${i} of ${env.n}`;
			},
		}),
		expect: { message: inputMessage(escape('invalid syntax in {{ $json.prompt. }}')), hint: /Check the expressions in this item's fields/ },
	},
	{
		group: 'inputs',
		name: 'Max Concurrent Requests 0 (a run-wide option)',
		op: 'create',
		scope: 'run',
		params: () => ({ options: { maxConcurrency: 0 } }),
		expect: { message: () => /^Max Concurrent Requests must be a whole number of at least 1, got 0 \(item 0\)$/, hint: /Fix "Max Concurrent Requests" in the node's Options/ },
		after: (_env, _cof, requests) => expect(requests).toHaveLength(0),
	},
	{
		group: 'inputs',
		name: 'Request Timeout not a number (a run-wide option)',
		op: 'getTask',
		scope: 'run',
		params: () => ({ options: { requestTimeout: 'soon' } }),
		expect: { message: () => /^Request Timeout must be more than 0 seconds, got "soon" \(item 0\)$/, hint: /Fix "Request Timeout \(Seconds\)"/ },
		after: (_env, _cof, requests) => expect(requests).toHaveLength(0),
	},
	{
		group: 'inputs',
		name: 'a very long prompt (200 000 characters) is sent whole',
		op: 'create',
		params: (env) => ({ prompt: (i: number) => (i === env.target ? `${MARK} ${'a slow pan over a misty valley, '.repeat(6250)}` : `row ${i} of ${env.n}`) }),
		expect: {
			ok: ({ json }, env) => {
				expect(json.status).toBe('completed');
				expect(env.mock.tasks.get(String(json.taskId))?.prompt).toHaveLength(MARK.length + 1 + 200_000);
			},
		},
	},
	{
		group: 'inputs',
		name: 'a unicode and emoji prompt arrives intact',
		op: 'create',
		params: (env) => ({ prompt: (i: number) => (i === env.target ? UNICODE_PROMPT : `row ${i} of ${env.n}`) }),
		expect: {
			ok: ({ json }, env) => {
				expect(json.status).toBe('completed');
				expect(env.mock.tasks.get(String(json.taskId))?.prompt).toBe(UNICODE_PROMPT);
			},
		},
	},
];

const UNICODE_PROMPT = `${MARK} 一只猫在滑板上 🐱🛹 — Ünïcödé, עברית, العربية, 👩🏽‍🚀 zero\u200bwidth, 𝔣𝔯𝔞𝔨𝔱𝔲𝔯`;

const CREDENTIAL_ROWS: Row[] = [
	{
		group: 'credential',
		name: 'a Base URL that is not http(s)',
		op: 'create',
		scope: 'run',
		baseUrl: () => 'ftp://127.0.0.1/v1',
		expect: { message: () => /^The Base URL in the Sora2 API credential must start with http:\/\/ or https:\/\/ \(got ftp:\)$/, hint: /enter the API root, for example https:\/\/api\.6ai\.chat\/v1/ },
		after: (_env, _cof, requests) => expect(requests).toHaveLength(0),
	},
	{
		group: 'credential',
		name: 'the API key typed into Base URL (fields swapped)',
		op: 'create',
		scope: 'run',
		baseUrl: () => KEY,
		expect: { message: () => /^The Base URL in the Sora2 API credential is not a URL: "\*\*\*"$/, hint: /enter the API root/ },
		after: (_env, _cof, requests) => expect(requests).toHaveLength(0),
	},
	{
		group: 'credential',
		name: 'a Base URL with the key in it as a password',
		op: 'create',
		scope: 'run',
		baseUrl: (env) => env.mock.baseUrl.replace('http://', `http://user:${KEY}@`),
		expect: { message: () => /^The Base URL in the Sora2 API credential must not contain a user name or password/, hint: /enter the API root/ },
		after: (_env, _cof, requests) => expect(requests).toHaveLength(0),
	},
];

const CHAT = '/v1/chat/completions';
const CUT_HINT = /ended the stream before the answer was complete\. The video may still be made: look in your provider dashboard/;

const STREAM_ROWS: Row[] = [
	{
		group: 'streams',
		name: 'a stream cut in the middle of an event',
		op: 'chat',
		arrange: on({ path: CHAT, kind: 'cut', afterChunks: 3, midEvent: true }),
		expect: {
			message: apiMessage('chat', String.raw`the answer stream was cut before \[DONE\] \(.+\)\. Received 3 events with \d+ characters of content, `),
			hint: CUT_HINT,
		},
	},
	{
		group: 'streams',
		name: 'a stream cut before its first event',
		op: 'chat',
		arrange: on({ path: CHAT, kind: 'cut', afterChunks: 0 }),
		expect: {
			message: apiMessage('chat', String.raw`the answer stream was cut before \[DONE\] \(.+\)\. Nothing had arrived\.$`),
			hint: CUT_HINT,
		},
	},
	{
		group: 'streams',
		name: 'a malformed data: line',
		op: 'chat',
		arrange: on({ path: CHAT, kind: 'streamMalformed', afterChunks: 2 }),
		expect: {
			message: apiMessage('chat', String.raw`the API answered 200 but stream event 3 is not JSON\. Received: \{"id": "chatcmpl-x", "choices": \[$`),
			hint: /The Base URL may point/,
			httpCode: '200',
		},
	},
	{
		group: 'streams',
		name: 'a stream that ends without [DONE]',
		op: 'chat',
		arrange: on({ path: CHAT, kind: 'streamNoDone', afterChunks: 4 }),
		expect: {
			message: apiMessage('chat', String.raw`the answer stream ended without \[DONE\]\. Received 4 events with \d+ characters of content`),
			hint: CUT_HINT,
		},
	},
	{
		group: 'streams',
		name: 'an error event (whose message names the key)',
		op: 'chat',
		arrange: on({ path: CHAT, kind: 'streamError', afterChunks: 2, body: { error: { message: `upstream overloaded for key ${KEY}`, type: 'server_error', code: 'overloaded' } } }),
		expect: {
			message: apiMessage('chat', String.raw`the API reported an error in the middle of the answer stream: upstream overloaded for key \*\*\* \(overloaded\)\. Received 2 events`),
			hint: /The provider failed while answering/,
		},
	},
];

const ROWS: Row[] = [...API_ROWS, ...TRANSPORT_ROWS, ...TASK_ROWS, ...STREAM_ROWS, ...INPUT_ROWS, ...CREDENTIAL_ROWS];

for (const row of ROWS) register(row.name);

describe.each(['API answers', 'transport', 'tasks', 'streams', 'inputs', 'credential'])('%s', (group) => {
	const rows = ROWS.filter((row) => row.group === group);
	describe.each(rows.map((row) => [row.name, row] as const))('%s', (name, row) => {
		const fails = 'message' in row.expect;
		const offName = fails ? 'the run fails with the expected error' : 'the run completes';
		const onName = row.scope === 'run' ? 'every item carries the error, in order' : fails ? 'only that item carries the error, the others complete in order' : 'every item completes, in order';
		test(`Continue On Fail off: ${offName}`, async () => {
			started(name);
			await runWithoutContinue(row, mock, other);
			passed(name);
		});
		test(`Continue On Fail on: ${onName}`, async () => {
			started(name);
			await runWithContinue(row, mock, other);
			passed(name);
		});
	});
});

describe('batch sizes', () => {
	register('0 items');
	test('0 items: nothing out, nothing sent (both modes)', async () => {
		mock.resetStats();
		for (const continueOnFail of [false, true]) {
			started('0 items');
			const ctx = makeContext({ items: [], params: createParams(), credentials: { apiKey: KEY, baseUrl: mock.baseUrl }, continueOnFail });
			expect(await runNode(ctx)).toEqual([]);
			passed('0 items');
		}
		expect(mock.stats().total).toBe(0);
	});

	const N = 1000;
	const TARGET = 737;
	const thousand = (continueOnFail: boolean) =>
		makeContext({
			items: Array.from({ length: N }, (_, row): INodeExecutionData => ({ json: { row } })),
			params: createParams({
				prompt: (i: number) => `bulk ${i}${i === TARGET ? ` ${MARK}` : ''}`,
				pollInterval: 0.01,
				maxWait: 30,
				options: { maxConcurrency: 25 },
			}),
			credentials: { apiKey: KEY, baseUrl: mock.baseUrl },
			continueOnFail,
		});

	register('1000 items, one 500 among them');
	test('1000 items, Continue On Fail off: the run fails with item 737 named', async () => {
		started('1000 items, one 500 among them');
		mock.clearFaults();
		mock.addFault({ path: CREATE, matchText: MARK, status: 500 });
		const error = await runError(thousand(false));
		expect(error.message).toBe('Video → Create, item 737: the API answered 500: HTTP 500 Internal Server Error (mock fault)');
		expectNoSecret(error, KEY);
		passed('1000 items, one 500 among them');
	}, 60_000);

	test('1000 items, Continue On Fail on: all 1000 out, in order, paired; only item 737 is an error', async () => {
		started('1000 items, one 500 among them');
		mock.clearFaults();
		mock.addFault({ path: CREATE, matchText: MARK, status: 500 });
		const out = await runCounted(thousand(true), N);
		expect(out).toHaveLength(N);
		const wrong = out.filter((item, i) => {
			const paired = pairedIndex(item) === i;
			if (i === TARGET) return !paired || !String(item.json.error).startsWith(`Video → Create, item ${TARGET}: the API answered 500`);
			return !paired || item.json.status !== 'completed' || mock.tasks.get(String(item.json.taskId))?.prompt !== `bulk ${i}`;
		});
		expect(wrong).toEqual([]);
		expectNoSecret(out, KEY);
		passed('1000 items, one 500 among them');
	}, 60_000);
});

describe('transport settings', () => {
	test('Request Timeout defaults to 60 s, and every request refuses to carry the key to another origin', async () => {
		mock.clearFaults();
		const ctx = makeContext({ params: createParams({ downloadVideo: true, binaryPropertyName: 'data', pollInterval: 0.02 }), credentials: { apiKey: KEY, baseUrl: mock.baseUrl } });
		const [item] = await runNode(ctx);
		const binary = (item.binary as Record<string, IBinaryData>).data;
		expect(Buffer.from(binary.data, 'base64').equals(videoBytesFor(String(item.json.taskId), mock.options.videoSize))).toBe(true);
		expect(ctx.requests.length).toBeGreaterThanOrEqual(3);
		for (const request of ctx.requests) {
			expect(request.timeout).toBe(60_000);
			expect(request.sendCredentialsOnCrossOriginRedirect).toBe(false);
		}
	});
});
