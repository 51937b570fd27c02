import { searchModels } from '../../../nodes/Sora2/video/modelList';
import { makeLoadOptionsContext } from '../../helpers/context';
import { useMockServer } from '../../helpers/mockServer';

/**
 * Version 2's Model list (the editor's "From List"): GET /models through the node's client, in
 * n8n-core's own load-options context, video models first, searchable, the documented two always there.
 */

const mock = useMockServer();

const list = async (filter?: string, credentials = { apiKey: 'test-key', baseUrl: mock.baseUrl }) =>
	await searchModels.call(makeLoadOptionsContext({ credentials, typeVersion: 2, params: {} }).fn, filter);

test('the gateway\'s models, the documented first, then its other video models, then the rest', async () => {
	const { results } = await list();
	expect(results).toEqual([
		{ name: 'Sora 2 (sora-2)', value: 'sora-2' },
		{ name: 'Sora 2 Pro (sora-2-pro)', value: 'sora-2-pro' },
		{ name: 'sora-2-hd', value: 'sora-2-hd' },
		{ name: 'sora-2-landscape-15s', value: 'sora-2-landscape-15s' },
		{ name: 'sora-2-pro-hd', value: 'sora-2-pro-hd' },
		{ name: 'veo-3-fast', value: 'veo-3-fast' },
		{ name: 'dall-e-3', value: 'dall-e-3' },
		{ name: 'gpt-4o-mini', value: 'gpt-4o-mini' },
		{ name: 'text-embedding-3-small', value: 'text-embedding-3-small' },
	]);
	expect(mock.requestLog()).toEqual([expect.objectContaining({ request: 'GET /v1/models', withKey: true })]);
});

test('a search keeps the models whose id or name holds it (any case)', async () => {
	expect((await list('HD')).results.map((item) => item.value)).toEqual(['sora-2-hd', 'sora-2-pro-hd']);
	expect((await list('pro')).results.map((item) => item.value)).toEqual(['sora-2-pro', 'sora-2-pro-hd']);
	expect((await list('nothing like it')).results).toEqual([]);
});

test('the documented models are offered even when the gateway does not list them', async () => {
	mock.addFault({ path: '/v1/models', status: 200, body: { object: 'list', data: [{ id: 'kling-v2' }, { id: 'whisper-1' }] } });
	expect((await list()).results.map((item) => item.value)).toEqual(['sora-2', 'sora-2-pro', 'kling-v2', 'whisper-1']);
});

test.each([
	{ what: 'a wrong key (401)', credentials: () => ({ apiKey: 'wrong-key', baseUrl: mock.baseUrl }), fault: undefined, why: 'the API answered 401: Invalid API key provided' },
	{ what: 'a gateway without GET /models (404)', credentials: undefined, fault: { path: '/v1/models', status: 404, body: { error: { message: 'not found' } } }, why: 'the API answered 404: not found' },
	{ what: 'an answer that lists nothing', credentials: undefined, fault: { path: '/v1/models', status: 200, body: { ok: true } }, why: 'the answer of GET /models lists no models' },
	{ what: 'no server at the Base URL', credentials: () => ({ apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9/v1' }), fault: undefined, why: 'could not connect to 127.0.0.1:9' },
])('when the list cannot be loaded ($what): a line that cannot be picked says why, then the documented models', async ({ credentials, fault, why }) => {
	if (fault) mock.addFault(fault);
	const { results } = await list(undefined, credentials?.());
	expect(results).toHaveLength(3);
	expect(results[0].value).toBe(false);
	expect(results[0].name).toContain("Could not load the gateway's models (");
	expect(results[0].name).toContain(why);
	expect(results[0].name).not.toContain('item 0');
	expect(results[0].name).not.toContain('wrong-key');
	expect(results.slice(1)).toEqual([
		{ name: 'Sora 2 (sora-2)', value: 'sora-2' },
		{ name: 'Sora 2 Pro (sora-2-pro)', value: 'sora-2-pro' },
	]);
	// a search still shows why
	expect((await list('pro', credentials?.())).results.map((item) => item.value)).toEqual([false, 'sora-2-pro']);
});
