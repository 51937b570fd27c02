/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- the keys are fake ones, distinctive so a leak into an error is found */
import { NodeApiError } from 'n8n-workflow';

import { apiMessageOf } from '../../../nodes/Sora2/transport';
import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { TEST_NODE, expectNoSecret, runError, runNode, serializeError } from '../../helpers/run';
import { useMockServer } from '../../helpers/mockServer';

/**
 * HTTP failures: each error carries the HTTP status and the API's own message, and never the
 * API key (checked by serializing the whole error, however deep). 429 is retried (Retry-After
 * honoured), 502 on a status check is retried, a create is never sent twice after a 5xx, a reset
 * or a timeout (the task may exist already).
 */

const KEY = 'sk-test-SECRET-1234567890';
const WRONG_KEY = 'sk-test-WRONG-0987654321';

const mock = useMockServer({ apiKey: KEY, pendingMs: 20, generationMs: 80 });

const context = (params: Record<string, ParamValue> = {}, apiKey = KEY) =>
	makeContext({ params: createParams(params), credentials: { apiKey, baseUrl: mock.baseUrl } });

const createRequests = () => mock.stats().requests['POST /v1/video/create'] ?? 0;
const queryRequests = () => mock.stats().requests['GET /v1/video/query'] ?? 0;

interface Attempts {
	create: number;
	polls: number;
	pollAttempts: number;
}

describe('401', () => {
	test('a wrong key: NodeApiError 401 with the API message; neither key in the error; not retried', async () => {
		const error = await runError(context({}, WRONG_KEY));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('Video → Create, item 0: the API answered 401: Invalid API key provided');
		expect(error.description).toContain('Check the API key in the Sora2 API credential');
		expectNoSecret(error, WRONG_KEY, KEY);
		expect(createRequests()).toBe(1);
		expect(mock.stats().creates).toBe(0);
	});

	test('an API that echoes the key in its message: the key is redacted', async () => {
		mock.addFault({ path: '/v1/video/create', status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, code: 'invalid_api_key' } } });
		const error = await runError(context());
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('Video → Create, item 0: the API answered 401: Incorrect API key provided: ***');
		expectNoSecret(error, KEY);
	});

	test('an API that echoes the key in plain text on a status check: redacted there too', async () => {
		mock.addFault({ path: '/v1/video/query', status: 403, body: `forbidden for key ${KEY}` });
		const error = await runError(context());
		expect(error.httpCode).toBe('403');
		expect(error.message).toBe('Video → Create, item 0: the API answered 403: forbidden for key ***');
		expectNoSecret(error, KEY);
	});
});

describe('429', () => {
	test('on create, without Retry-After: retried after a backoff, then completes', async () => {
		mock.addFault({ path: '/v1/video/create', times: 1, status: 429 });
		const [item] = await runNode(context());
		expect(item.json.status).toBe('completed');
		expect((item.json.attempts as Attempts).create).toBe(2);
		expect(createRequests()).toBe(2);
		expect(mock.stats().creates).toBe(1);
	});

	test('with Retry-After: 0 it is retried at once, as often as needed', async () => {
		mock.addFault({ path: '/v1/video/create', times: 2, status: 429, headers: { 'Retry-After': '0' } });
		const [item] = await runNode(context());
		expect(item.json.status).toBe('completed');
		expect((item.json.attempts as Attempts).create).toBe(3);
		expect(createRequests()).toBe(3);
		expect(mock.stats().creates).toBe(1);
	});

	test('exhausted after Max Retries: the error gives the status, the API message and the attempts', async () => {
		mock.addFault({ path: '/v1/video/create', status: 429, headers: { 'Retry-After': '0' } });
		const error = await runError(context({ options: { maxRetries: 2 } }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('429');
		expect(error.message).toBe('Video → Create, item 0: the API answered 429: HTTP 429 Too Many Requests (mock fault) (after 3 attempts)');
		expect(error.description).toContain('lower "Max Concurrent Requests"');
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(3);
		expect(mock.stats().creates).toBe(0);
	});

	test('Max Retries 0: a 429 is not retried', async () => {
		mock.addFault({ path: '/v1/video/create', status: 429, headers: { 'Retry-After': '0' } });
		const error = await runError(context({ options: { maxRetries: 0 } }));
		expect(error.message).toBe('Video → Create, item 0: the API answered 429: HTTP 429 Too Many Requests (mock fault)');
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(1);
	});

	test('a Retry-After longer than the node waits: fails at once and says how long the API asked', async () => {
		mock.addFault({ path: '/v1/video/create', status: 429, headers: { 'Retry-After': '600' } });
		const error = await runError(context());
		expect(error.httpCode).toBe('429');
		expect(error.message).toBe('Video → Create, item 0: the API answered 429: HTTP 429 Too Many Requests (mock fault)');
		expect(error.description).toContain('The API asked to wait 600 s before retrying');
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(1);
	});
});

describe('5xx', () => {
	test('500 on create is NOT retried: one create request, the status and message in the error', async () => {
		mock.addFault({ path: '/v1/video/create', status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } });
		const error = await runError(context());
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('500');
		expect(error.message).toBe('Video → Create, item 0: the API answered 500: upstream exploded');
		expect(error.description).toContain('The task may exist anyway');
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(1);
		expect(mock.stats().total).toBe(1);
	});

	test('502 on create is not retried either', async () => {
		mock.addFault({ path: '/v1/video/create', kind: 'html', status: 502 });
		const error = await runError(context());
		expect(error.httpCode).toBe('502');
		expect(error.message).toMatch(/^Video → Create, item 0: the API answered 502: an HTML page: 502 Bad Gateway/);
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(1);
	});

	test('502 on a status check is retried, then the task completes', async () => {
		mock.addFault({ path: '/v1/video/query', times: 1, status: 502 });
		const [item] = await runNode(context());
		expect(item.json.status).toBe('completed');
		const attempts = item.json.attempts as Attempts;
		expect(attempts.pollAttempts).toBe(attempts.polls + 1);
		expect(queryRequests()).toBe(attempts.pollAttempts);
		expect(createRequests()).toBe(1);
	});

	test('503 on status checks, exhausted: the status, the message and the attempts in the error', async () => {
		mock.addFault({ path: '/v1/video/query', status: 503, headers: { 'Retry-After': '0' }, body: { error: { message: 'overloaded, try later' } } });
		const error = await runError(context({ options: { maxRetries: 1 } }));
		expect(error.httpCode).toBe('503');
		expect(error.message).toBe('Video → Create, item 0: the API answered 503: overloaded, try later (after 2 attempts)');
		// the task exists (it is being polled): no "the task may exist anyway" here
		expect(error.description).toContain('run again later');
		expect(error.description).not.toContain('may exist');
		expectNoSecret(error, KEY);
		expect(queryRequests()).toBe(2);
	});

	test('400 from the API: its own message is shown', async () => {
		mock.addFault({ path: '/v1/video/create', status: 400, body: { error: { message: "'prompt' is too long", type: 'invalid_request_error' } } });
		const error = await runError(context());
		expect(error.httpCode).toBe('400');
		expect(error.message).toBe("Video → Create, item 0: the API answered 400: 'prompt' is too long");
		expectNoSecret(error, KEY);
	});
});

describe('lost answers to a create are never sent again', () => {
	test('connection reset during the create answer: one create request, error says it was not re-sent', async () => {
		mock.addFault({ path: '/v1/video/create', kind: 'reset' });
		const error = await runError(context());
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Video → Create, item 0: the connection to 127\.0\.0\.1:\d+ was reset before the answer was complete$/);
		expect(error.description).toContain('The create was not sent again');
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(1);
	});

	test('the API took the create but the answer never came (timeout): exactly one task, one request', async () => {
		mock.addFault({ path: '/v1/video/create', kind: 'hang', afterCreate: true });
		const started = Date.now();
		const error = await runError(context({ options: { requestTimeout: 0.5 } }));
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(error.message).toMatch(/^Video → Create, item 0: no complete answer from 127\.0\.0\.1:\d+ within /);
		expect(error.description).toContain('The create was not sent again');
		expectNoSecret(error, KEY);
		expect(createRequests()).toBe(1);
		expect(mock.stats().creates).toBe(1);
	});

	test('a status check that resets is retried (safe to repeat)', async () => {
		mock.addFault({ path: '/v1/video/query', times: 1, kind: 'reset' });
		const [item] = await runNode(context());
		expect(item.json.status).toBe('completed');
		const attempts = item.json.attempts as Attempts;
		expect(attempts.pollAttempts).toBe(attempts.polls + 1);
	});
});

test('a 200 that is not JSON: error quotes what arrived, without the key', async () => {
	mock.addFault({ path: '/v1/video/create', status: 200, body: `<html>proxy login for ${KEY}</html>` });
	const error = await runError(context());
	expect(error.message).toMatch(/^Video → Create, item 0: the API answered 200 but the body is not JSON\. Received: <html>proxy login for \*\*\*<\/html>$/);
	expectNoSecret(error, KEY);
});

test('the leak check itself finds a key hidden deep in an error (circular, non-enumerable, in a cause)', () => {
	const deep = new Error('outer');
	const inner: Record<string, unknown> = { config: { headers: { Authorization: `Bearer ${KEY}` } } };
	inner.self = inner;
	Object.defineProperty(deep, 'cause', { value: { level1: { level2: { level3: inner } } }, enumerable: false });
	expect(serializeError(deep)).toContain(KEY);
	expect(() => expectNoSecret(deep, KEY)).toThrow();
	expect(() => expectNoSecret(new NodeApiError(TEST_NODE, { message: 'x' }, { message: 'nothing secret' }), KEY)).not.toThrow();
});

describe('quoted text never carries image data (a gateway that echoes the request)', () => {
	/** `length` characters of base64-looking noise (xorshift32). */
	const run = (length: number, seed = 1) => {
		const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
		let x = (seed * 2654435761) >>> 0 || 1;
		let out = '';
		for (let i = 0; i < length; i++) {
			x = (x ^ (x << 13)) >>> 0;
			x = (x ^ (x >>> 17)) >>> 0;
			x = (x ^ (x << 5)) >>> 0;
			out += chars[x & 63];
		}
		return out;
	};

	test.each([
		['a data URL in the JSON message', JSON.stringify({ error: { message: `bad image data:image/png;base64,${run(9000)}= rest` } }), 'bad image data:image/png;base64,… (9001 characters) rest'],
		['a data URL with "/" escaped as JSON may (\\/)', `{"error":{"message":"bad data:image\\/jpeg;base64,${run(600).replace(/\//g, '\\/')}"}}`, /^bad data:image\/jpeg;base64,… \(\d+ characters\)$/],
		['a bare base64 run in a plain-text body', `upstream said: ${run(3000)} (end)`, 'upstream said: … (3000 characters of data) (end)'],
		['a short data URL', JSON.stringify({ message: 'x data:image/gif;base64,R0lGODlh y' }), 'x data:image/gif;base64,… (8 characters) y'],
	])('%s is cut to its length', (_label, body, expected) => {
		const { message } = apiMessageOf(body);
		if (typeof expected === 'string') expect(message).toBe(expected);
		else expect(message).toMatch(expected);
	});

	test('a long run of one letter (a padding) is not data: quoted as it is', () => {
		expect(apiMessageOf(JSON.stringify({ message: `pad ${'x'.repeat(300)} end` })).message).toBe(`pad ${'x'.repeat(300)} end`);
	});

	test('words, links and ids are quoted as they are (runs shorter than 256 characters of base64 letters)', () => {
		const text = `task sora-2:task_01k6x15vhrff09dkkqjrzwhm60 failed at https://cdn.example.com/a/b/c.png?sig=${run(120)} ok`;
		expect(apiMessageOf(JSON.stringify({ error: { message: text } })).message).toBe(text);
	});

	test('a key inside an echoed base64 run: removed first, and nothing of the run is kept', async () => {
		const key = 'K9x2Lm8Qp4Rt7Vw1Yz3Bn6Cd5Fg0Hj2';
		const secret = makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: key, baseUrl: mock.baseUrl } });
		mock.addFault({ path: '/v1/video/create', status: 400, body: { error: { message: `echo: ${run(400)}${key}${run(400, 2)}` } } });
		const error = await runError(secret);
		expect(error.message).toMatch(/^Video → Create, item 0: the API answered 400: echo: … \(400 characters of data\)\*\*\*… \(400 characters of data\)$/);
		expectNoSecret(error, key, key.slice(0, 8), key.slice(-8));
	});
});
