/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- the keys are fake ones the mock server accepts or refuses; an echoing server made with node:http */
import { Expression, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { Sora2Api } from '../../../credentials/Sora2Api.credentials';
import { createParams, makeContext } from '../../helpers/context';
import { expectNoSecret, runError, runNode, serializeError } from '../../helpers/run';
import { useMockServer } from '../../helpers/mockServer';
import { startMockServer } from '../../mock-server/server';

/**
 * The Sora2 API credential: how it authenticates (Bearer header), its test request
 * (GET <base URL without trailing slash>/models), and how the node's client checks the Base URL.
 */

const KEY = 'sk-test-SECRET-1234567890';

const mock = useMockServer({ apiKey: KEY, pendingMs: 20, generationMs: 60 });

const credential = new Sora2Api();

/** Resolves an n8n parameter value (`=…{{ }}…`) the way n8n does for credentials, without a workflow. */
function resolve(template: string, credentials: IDataObject): string {
	expect(template.startsWith('=')).toBe(true);
	const value = Expression.resolveWithoutWorkflow(template.slice(1), { $credentials: credentials });
	if (typeof value !== 'string') throw new Error(`"${template}" did not resolve to text`);
	return value;
}

/** The credential's test request as n8n would send it for these credential values. */
function testRequest(credentials: { apiKey: string; baseUrl: string }): IHttpRequestOptions {
	const { request } = credential.test;
	const headers = credential.authenticate.properties.headers ?? {};
	const authorization = headers.Authorization;
	if (typeof authorization !== 'string' || typeof request.baseURL !== 'string' || typeof request.url !== 'string') {
		throw new Error('unexpected credential shape');
	}
	return {
		method: request.method ?? 'GET',
		url: `${resolve(request.baseURL, credentials)}${request.url}`,
		headers: { ...(request.headers as IDataObject), Authorization: resolve(authorization, credentials) },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: true,
		sendCredentialsOnCrossOriginRedirect: request.sendCredentialsOnCrossOriginRedirect,
	};
}

describe('the credential', () => {
	test('authenticates with an "Authorization: Bearer <key>" header', () => {
		expect(credential.name).toBe('sora2Api');
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
		});
		expect(resolve('=Bearer {{$credentials.apiKey}}', { apiKey: KEY })).toBe(`Bearer ${KEY}`);
	});

	test('the API key field is a password field; the Base URL defaults to the documented root', () => {
		const apiKey = credential.properties.find((property) => property.name === 'apiKey');
		expect(apiKey?.typeOptions?.password).toBe(true);
		expect(apiKey?.required).toBe(true);
		const baseUrl = credential.properties.find((property) => property.name === 'baseUrl');
		expect(baseUrl?.default).toBe('https://api.6ai.chat/v1');
	});

	test.each([
		['https://api.6ai.chat/v1', 'https://api.6ai.chat/v1/models'],
		['https://api.6ai.chat/v1/', 'https://api.6ai.chat/v1/models'],
		['https://api.6ai.chat/v1///', 'https://api.6ai.chat/v1/models'],
	])('test request for Base URL %s is GET %s', (baseUrl, url) => {
		const request = testRequest({ apiKey: KEY, baseUrl });
		expect(request.method).toBe('GET');
		expect(request.url).toBe(url);
		expect(request.headers).toEqual({ Accept: 'application/json', Authorization: `Bearer ${KEY}` });
	});

	test('the test request succeeds against the API with the right key (trailing slash or not)', async () => {
		const { fn } = makeContext({ params: {} });
		for (const baseUrl of [mock.baseUrl, `${mock.baseUrl}/`]) {
			const response = (await fn.helpers.httpRequest(testRequest({ apiKey: KEY, baseUrl }))) as { statusCode: number; body: { data: Array<{ id: string }> } };
			expect(response.statusCode).toBe(200);
			expect(response.body.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'sora-2', 'dall-e-3', 'sora-2-hd', 'sora-2-pro', 'text-embedding-3-small', 'veo-3-fast', 'sora-2-pro-hd', 'sora-2-landscape-15s']);
		}
		expect(mock.stats().requests['GET /v1/models']).toBe(2);
		expect(mock.stats().creates).toBe(0);
	});

	test('a redirect to another host is followed without the key (n8n\'s own request code, the test request\'s options)', async () => {
		const other = await startMockServer({ apiKey: null });
		try {
			mock.addFault({ path: '/v1/models', kind: 'redirect', status: 302, location: `${other.url}/v1/models` });
			const { fn } = makeContext({ params: {} });
			const response = (await fn.helpers.httpRequest(testRequest({ apiKey: KEY, baseUrl: mock.baseUrl }))) as { statusCode: number };
			expect(response.statusCode).toBe(200);
			expect(other.stats().requests['GET /v1/models']).toBe(1);
			// the other host answers without a key check, but must not have been sent one
			expect(other.requestLog().map((entry) => entry.withKey)).toEqual([false]);
			expect(mock.requestLog().map((entry) => entry.withKey)).toEqual([true]);
		} finally {
			await other.close();
		}
	});

	test('the test request fails (401) with a wrong key', async () => {
		const { fn } = makeContext({ params: {} });
		const response = (await fn.helpers.httpRequest(testRequest({ apiKey: 'sk-wrong', baseUrl: mock.baseUrl }))) as { statusCode: number };
		expect(response.statusCode).toBe(401);
	});
});

describe('the Base URL, as the node checks it before any request', () => {
	test.each([
		['ftp://api.example.com/v1', 'The Base URL in the Sora2 API credential must start with http:// or https:// (got ftp:)'],
		['https://user:pass@api.example.com/v1', 'The Base URL in the Sora2 API credential must not contain a user name or password: put the key in the API Key field'],
		['api.6ai.chat/v1', 'The Base URL in the Sora2 API credential is not a URL: "api.6ai.chat/v1"'],
		['', 'The Base URL in the Sora2 API credential is not a URL: ""'],
		['https://api.example.com/v1?key=abc', 'The Base URL in the Sora2 API credential must not contain a query (?…) or a fragment (#…)'],
	])('%j is refused', async (baseUrl, message) => {
		const ctx = makeContext({ params: createParams(), credentials: { apiKey: KEY, baseUrl } });
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(message);
		expect(error.description).toContain('https://api.6ai.chat/v1');
		expect(error.message).not.toContain('pass@');
		expect(ctx.requests).toHaveLength(0);
	});

	test.each([
		['without a trailing slash', ''],
		['with a trailing slash', '/'],
		['with several trailing slashes and spaces', '//  '],
	])('works %s', async (_label, suffix) => {
		const ctx = makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: KEY, baseUrl: `${mock.baseUrl}${suffix}` } });
		const [item] = await runNode(ctx);
		expect(item.json.status).toBe('pending');
		expect(ctx.requests.map((request) => request.url)).toEqual([`${mock.baseUrl}/video/create`]);
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
	});
});

describe('the API key, as the node checks it before any request', () => {
	// n8n's HTTP code would send these altered (line breaks, NUL, DEL and characters beyond Latin-1
	// dropped: `Bearer sk-abcX-Injected: 1`), or they never belong in a key (a tab, other controls)
	test.each([
		['a line break (LF)', 'sk-abc\nX-Injected: 1', 'a line break (character 7)'],
		['a line break (CRLF)', 'sk-abcdefghijklmnopq\r\nX', 'a line break (character 21)'],
		['a NUL', 'sk-a\0bc-1234', 'a NUL character (character 5)'],
		['a tab', 'sk-ab\tc-1234', 'a tab (character 6)'],
		['DEL', 'sk-ab\u007fc-1234', 'a control character (character 6)'],
		['a C1 control (NEL)', 'sk-ab\u0085c-1234', 'a control character (character 6)'],
		['a euro sign', 'sk-abc€x-1234', 'a character that cannot be sent in an HTTP header (beyond Latin-1, e.g. a typographic quote, a dash or an emoji) (character 7)'],
		['an emoji, counted as one character, after leading spaces', '  sk-😀😀x\n', 'a character that cannot be sent in an HTTP header (beyond Latin-1, e.g. a typographic quote, a dash or an emoji) (character 6)'],
		['a typographic quote (pasted from a document)', '“sk-abc-1234”', 'a character that cannot be sent in an HTTP header (beyond Latin-1, e.g. a typographic quote, a dash or an emoji) (character 1)'],
	])('%s: refused before any request, naming the problem and the fix, never the key', async (_label, apiKey, problem) => {
		const ctx = makeContext({ params: createParams(), credentials: { apiKey, baseUrl: mock.baseUrl } });
		const error = await runError(ctx);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`The API key in the Sora2 API credential contains ${problem}`);
		expect(error.description).toBe(
			"Open the credential, clear the API Key field and paste the key again as one line, copied straight from your provider's dashboard (only the key: no line breaks, quotes or other text inside it).",
		);
		expect(ctx.requests).toHaveLength(0);
		expect(mock.stats().total).toBe(0);
		const text = serializeError(error);
		for (const part of apiKey.trim().split(/[^A-Za-z0-9-]+/).filter((piece) => piece.length >= 4)) expect(text).not.toContain(part);
	});

	test('under Continue On Fail every row gets the key error as its error item; nothing is sent', async () => {
		const ctx = makeContext({ items: [{ json: {} }, { json: {} }], params: createParams(), credentials: { apiKey: 'sk-abc\nX-Injected: 1', baseUrl: mock.baseUrl }, continueOnFail: true });
		const items = await runNode(ctx);
		expect(items.map((item) => item.json.error)).toEqual(['The API key in the Sora2 API credential contains a line break (character 7)', 'The API key in the Sora2 API credential contains a line break (character 7)']);
		expect(ctx.requests).toHaveLength(0);
	});

	test('spaces, tabs and line breaks around the key are trimmed and the key is sent as it is', async () => {
		const ctx = makeContext({ params: createParams({ waitForCompletion: false }), credentials: { apiKey: `\t ${KEY} \r\n`, baseUrl: mock.baseUrl } });
		const [item] = await runNode(ctx);
		expect(item.json.status).toBe('pending');
		expect(ctx.requests.map((request) => (request.headers as IDataObject).Authorization)).toEqual([`Bearer ${KEY}`]);
	});

	test('a key with Latin-1 letters goes out byte for byte, and every form an echo of it can take is redacted', async () => {
		const key = 'sk-café-ÄÖÜ-1234';
		const seen: string[] = [];
		// echoes what it got, the way servers do: the header's bytes read as UTF-8, JSON with \u escapes, its bytes percent-encoded
		const server = http.createServer((request, response) => {
			const raw = request.rawHeaders[request.rawHeaders.findIndex((name) => name.toLowerCase() === 'authorization') + 1];
			seen.push(raw);
			const bytes = Buffer.from(raw, 'latin1');
			const echo = `${bytes.toString('utf8')} | ${JSON.stringify(raw).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)} | ${[...bytes].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase()}`)).join('')}`;
			response.writeHead(401, { 'Content-Type': 'text/plain' }).end(`bad key: ${echo}`);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		try {
			const { port } = server.address() as AddressInfo;
			const error = await runError(makeContext({ params: createParams(), credentials: { apiKey: key, baseUrl: `http://127.0.0.1:${port}/v1` } }));
			expect(seen).toEqual([`Bearer ${key}`]);
			expect(error.message).toBe('Video → Create, item 0: the API answered 401: bad key: Bearer *** | "Bearer ***" | Bearer%20***');
			expectNoSecret(error, 'caf', 'ÄÖÜ', '\\u00e9', '%E9');
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});
