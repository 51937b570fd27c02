/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- the keys are fake ones the mock server accepts or refuses */
import { Expression, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { Sora2Api } from '../../../credentials/Sora2Api.credentials';
import { createParams, makeContext } from '../../helpers/context';
import { runError, runNode } from '../../helpers/run';
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
