/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- the key is a fake one, with / + = so that its escaped and encoded forms differ from it */
import { redactValue, secretForms } from '../../../nodes/Sora2/transport/secrets';
import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { useMockServer } from '../../helpers/mockServer';
import { expectNoSecret, runError, runNode } from '../../helpers/run';

/**
 * The key never leaves the node in any form it can take: as stored (with a stray space or newline),
 * as sent (trimmed), JSON-escaped and URL-encoded; not in errors, not in error items, not in output
 * items that echo what the API answered.
 */

const KEY = 'sk-live/abc+123=XYZ';
const mock = useMockServer({ apiKey: KEY, pendingMs: 10, generationMs: 40 });

const context = (params: Record<string, ParamValue>, apiKey = KEY, continueOnFail = false) =>
	makeContext({ params: createParams(params), credentials: { apiKey, baseUrl: mock.baseUrl }, continueOnFail });

/** Every form the key may take in text, for the scans. */
const FORMS = [KEY, JSON.stringify(KEY).slice(1, -1).replace(/\//g, '\\/'), encodeURIComponent(KEY)];

test('the forms of a key: as stored, trimmed, JSON-escaped, URL-encoded', () => {
	expect(secretForms(` ${KEY}\n`)).toEqual(expect.arrayContaining([` ${KEY}\n`, KEY, 'sk-live\\/abc+123=XYZ', 'sk-live%2Fabc%2B123%3DXYZ', ` ${KEY}\\n`]));
	expect(secretForms('abc')).toEqual([]);
});

test('a key saved with a trailing space and newline works, and is not printed back when the API echoes it', async () => {
	mock.addFault({ path: '/v1/video/create', status: 403, body: { error: { message: `key ${KEY} may not use sora-2-pro` } } });
	const error = await runError(context({}, `${KEY} \n`));
	expect(error.message).toBe('Video → Create, item 0: the API answered 403: key *** may not use sora-2-pro');
	expectNoSecret(error, ...FORMS);
});

test('a key echoed JSON-escaped (\\/) in an answer that is quoted: redacted', async () => {
	const escaped = JSON.stringify({ note: `auth ${KEY}` });
	expect(escaped).not.toContain(KEY.replace(/\//g, '\\/'));
	mock.addFault({ path: '/v1/video/create', status: 200, body: `{"unexpected":"auth ${KEY.replace(/\//g, '\\/')}"}` });
	const error = await runError(context({}));
	expect(error.message).toMatch(/names no task id/);
	expectNoSecret(error, ...FORMS);
});

test('a key echoed URL-encoded in an error page: redacted', async () => {
	mock.addFault({ path: '/v1/video/create', status: 400, body: `bad request to /v1/video/create?key=${encodeURIComponent(KEY)}` });
	const error = await runError(context({}));
	expect(error.message).toContain('key=***');
	expectNoSecret(error, ...FORMS);
});

test('an output item that would echo the key (a gateway that copies request headers into its answer) is scrubbed', async () => {
	const task = mock.addScriptedTask({ reads: [{ status: 'completed', video_url: '{{fileUrl}}', request: { headers: { authorization: `Bearer ${KEY}` } } }] });
	const ctx = makeContext({ params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: false, options: {} }, credentials: { apiKey: KEY, baseUrl: mock.baseUrl } });
	const [item] = await runNode(ctx);
	expect(item.json.status).toBe('completed');
	expect(item.json.request).toEqual({ headers: { authorization: 'Bearer ***' } });
	expectNoSecret(item, ...FORMS);
});

test('under Continue On Fail the error item is scrubbed as well', async () => {
	mock.addFault({ path: '/v1/video/create', status: 401, body: `invalid key "${KEY}"` });
	const [item] = await runNode(context({}, `${KEY}\n`, true));
	expect(item.json.error).toBe('Video → Create, item 0: the API answered 401: invalid key "***"');
	expectNoSecret(item, ...FORMS);
});

test('the forms an echo of a key can take: HTML-escaped, JSON with \\u escapes, Latin-1 bytes read as UTF-8 or percent-encoded', () => {
	const forms = secretForms(`sk-a&b<c>"d'é-1`);
	expect(forms).toEqual(expect.arrayContaining([
		`sk-a&amp;b&lt;c&gt;&quot;d&#39;é-1`,
		`sk-a&b<c>\\"d'\\u00e9-1`,
		`sk-a&b<c>\\"d'\\u00E9-1`,
		`sk-a&b<c>"d'\uFFFD-1`,
		'sk-a%26b%3Cc%3E%22d\'%E9-1',
	]));
	// a broken surrogate pair cannot be URL-encoded: its other forms are still there
	expect(secretForms('sk-\ud800-1234')).toEqual(expect.arrayContaining(['sk-\ud800-1234', 'sk-\\ud800-1234']));
});

test('a value nested deeper than an item may nest is cut, never passed on unredacted', () => {
	let deep: unknown = { auth: `Bearer ${KEY}` };
	for (let level = 0; level < 60; level++) deep = { inner: deep };
	const text = JSON.stringify(redactValue(deep, secretForms(KEY)));
	expect(text).not.toContain(KEY);
	expect(text).toContain('[cut by the Sora2 node: nested more than 32 levels deep]');
});
