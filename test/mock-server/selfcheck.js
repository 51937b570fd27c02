'use strict';
// Self-check of the mock Sora2 server over real HTTP: node test/mock-server/selfcheck.js
// Prints one line per failure and then "N passed, M failed"; exits 1 when anything failed.
// The process must also exit by itself: close() has to destroy hung sockets and clear timers.

const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startMockServer, videoBytesFor } = require('./server.js');

const KEY = 'test-key';
const TASK_ID = /^sora-2:task_[0-9a-hjkmnp-tv-z]{26}$/;
const PRO_TASK_ID = /^sora-2-pro:task_[0-9a-hjkmnp-tv-z]{26}$/;
const VALID = { images: [], model: 'sora-2', orientation: 'portrait', prompt: 'make animate', size: 'small', duration: 10 };

// ---------- tiny harness ----------

const checks = [];
const check = (name, fn) => checks.push({ name, fn });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------- HTTP helpers ----------

/** fetch against the mock; returns { status, headers, text, json }. `key: null` sends no Authorization. */
async function call(mock, method, urlPath, { body, key = KEY, raw } = {}) {
  const headers = { Accept: 'application/json' };
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const payload = raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${mock.url}${urlPath}`, { method, headers, body: payload });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const create = (mock, body = VALID) => call(mock, 'POST', '/v1/video/create', { body });
const query = (mock, id) => call(mock, 'GET', `/v1/video/query?id=${encodeURIComponent(id)}`);

/** Resolves when `ms` have passed since the task was created (server clock = our clock). */
const untilAge = (mock, id, ms) => sleep(Math.max(0, mock.tasks.get(id).createdAt + ms - Date.now()));

/** A raw node:http request that resolves with how it ended: { status, body } or { error }. */
function rawRequest(mock, method, urlPath, body) {
  return new Promise((resolve) => {
    const req = http.request(`${mock.url}${urlPath}`, { method, headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' } });
    req.on('response', (res) => {
      const parts = [];
      res.on('data', (part) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString() }));
      res.on('error', (error) => resolve({ status: res.statusCode, error, body: Buffer.concat(parts).toString() }));
      res.on('aborted', () => resolve({ status: res.statusCode, error: new Error('aborted'), body: Buffer.concat(parts).toString() }));
    });
    req.on('error', (error) => resolve({ error }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Parses an SSE body into its data payloads. */
const sseData = (text) => text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));

// ---------- auth, models, routing ----------

check('401 without a key, with a wrong key, on unknown /v1 routes; never echoes the key', async ({ mock }) => {
  const expected = { error: { message: 'Invalid API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } };
  for (const key of [null, 'sk-wrong-secret-123']) {
    const res = await call(mock, 'GET', '/v1/models', { key });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, expected);
    assert.ok(!res.text.includes('sk-wrong-secret-123'));
  }
  assert.equal((await call(mock, 'GET', '/v1/nope', { key: null })).status, 401);
});

check('GET /v1/models lists the documented models among a gateway\'s others, in its own order', async ({ mock }) => {
  const res = await call(mock, 'GET', '/v1/models');
  assert.equal(res.status, 200);
  const ids = ['gpt-4o-mini', 'sora-2', 'dall-e-3', 'sora-2-hd', 'sora-2-pro', 'text-embedding-3-small', 'veo-3-fast', 'sora-2-pro-hd', 'sora-2-landscape-15s'];
  assert.deepEqual(res.json, { object: 'list', data: ids.map((id) => ({ id, object: 'model' })) });
});

check('unknown routes and wrong methods → 404 JSON', async ({ mock }) => {
  for (const [method, urlPath] of [['GET', '/v1/nope'], ['GET', '/v1/video/create'], ['GET', '/elsewhere']]) {
    const res = await call(mock, method, urlPath);
    assert.equal(res.status, 404, `${method} ${urlPath}`);
    assert.equal(res.json.error.code, 'not_found');
  }
});

check('apiKey null accepts requests without a key', async ({ open }) => {
  const mock = await open({ apiKey: null });
  assert.equal((await call(mock, 'GET', '/v1/models', { key: null })).status, 200);
  assert.equal((await call(mock, 'GET', '/v1/models', { key: 'anything' })).status, 200);
});

// ---------- create ----------

check('create validates every field (400 invalid_parameter)', async ({ mock }) => {
  const bad = [
    ...Object.keys(VALID).map((field) => ({ ...VALID, [field]: undefined })),
    { ...VALID, images: 'x' },
    { ...VALID, images: [1] },
    { ...VALID, model: 'sora-3' },
    { ...VALID, orientation: 'square' },
    { ...VALID, orientation: 'toString' },
    { ...VALID, prompt: '' },
    { ...VALID, prompt: 42 },
    { ...VALID, size: 'medium' },
    { ...VALID, model: 'sora-2-pro', size: 'small', duration: 15 },
    { ...VALID, duration: 12 },
    { ...VALID, duration: 'ten' },
    { ...VALID, model: 'sora-2-pro', size: 'large', duration: 10 },
    [VALID],
  ];
  for (const body of bad) {
    const res = await create(mock, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json.error.type, 'invalid_request_error');
    assert.equal(res.json.error.code, 'invalid_parameter');
    assert.ok(res.json.error.message.length > 0);
  }
  const notJson = await call(mock, 'POST', '/v1/video/create', { raw: '{"images": [' });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.json.error.code, 'invalid_parameter');
  assert.equal(mock.stats().creates, 0);
});

check('create answers the task shape; numeric-string duration; pro ids', async ({ mock }) => {
  const before = Date.now();
  const res = await create(mock, { ...VALID, duration: '15', size: 'large' });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.json), ['id', 'status', 'status_update_time']);
  assert.match(res.json.id, TASK_ID);
  assert.equal(res.json.status, 'pending');
  assert.ok(res.json.status_update_time >= before && res.json.status_update_time <= Date.now());
  assert.equal(mock.tasks.get(res.json.id).duration, 15);
  const pro = await create(mock, { ...VALID, model: 'sora-2-pro', size: 'large', duration: 15, orientation: 'landscape' });
  assert.match(pro.json.id, PRO_TASK_ID);
  assert.equal(mock.stats().creates, 2);
});

// a 1×1 PNG, and the first bytes of a JPEG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 7)]);
const dataUrl = (mime, bytes) => `data:${mime};base64,${bytes.toString('base64')}`;
const sha256 = (bytes) => require('node:crypto').createHash('sha256').update(bytes).digest('hex');

check("a gateway's own video models: any size, 10/15/25 s; an id it does not list is refused", async ({ mock }) => {
  const hd = await create(mock, { ...VALID, model: 'sora-2-hd', size: 'large', duration: 25 });
  assert.equal(hd.status, 200);
  assert.match(hd.json.id, /^sora-2-hd:task_/);
  assert.equal((await create(mock, { ...VALID, model: 'sora-2-hd', duration: 12 })).status, 400);
  const unknown = await create(mock, { ...VALID, model: 'sora-9-ultra' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error.message, /'model' must be one of: sora-2, sora-2-pro, sora-2-hd/);
});

check('data-URL images are decoded and checked; a task keeps their type, size and sha256, never the data', async ({ mock }) => {
  const link = 'https://example.com/a.png';
  const res = await create(mock, { ...VALID, images: [link, dataUrl('image/png', PNG), dataUrl('image/jpeg', JPEG)] });
  assert.equal(res.status, 200, res.text);
  const task = mock.tasks.get(res.json.id);
  assert.deepEqual(task.images, [link, `data:image/png;sha256,${sha256(PNG)}`, `data:image/jpeg;sha256,${sha256(JPEG)}`]);
  assert.deepEqual(task.imageData, [
    { index: 1, mime: 'image/png', bytes: PNG.length, sha256: sha256(PNG) },
    { index: 2, mime: 'image/jpeg', bytes: JPEG.length, sha256: sha256(JPEG) },
  ]);
  const read = await query(mock, res.json.id);
  assert.deepEqual(read.json.detail.input.images, task.images);
  assert.ok(!read.text.includes(PNG.toString('base64').slice(0, 40)), 'the query does not echo the data');
  const admin = await call(mock, 'GET', '/__admin/tasks', { key: null });
  assert.deepEqual(admin.json.tasks.find((entry) => entry.id === res.json.id).imageData, task.imageData);
  for (const images of [
    [dataUrl('image/png', JPEG)], // says png, is a jpeg
    [dataUrl('application/pdf', Buffer.from('%PDF-1.4 hello'))],
    ['data:image/png;base64,@@@@'],
    ['data:image/png,rawtext'],
    ['not a link'],
  ]) {
    const bad = await create(mock, { ...VALID, images });
    assert.equal(bad.status, 400, images[0].slice(0, 40));
    assert.match(bad.json.error.message, /images/);
  }
});

check('fields beyond the documented ones are accepted and kept (create and chat); bodies up to 64 MB', async ({ mock }) => {
  const res = await create(mock, { ...VALID, remove_watermark: true, callback_url: 'https://example.com/hook' });
  assert.equal(res.status, 200);
  assert.deepEqual(mock.tasks.get(res.json.id).extra, { remove_watermark: true, callback_url: 'https://example.com/hook' });
  assert.deepEqual(mock.tasks.get((await create(mock)).json.id).extra, {});
  const chat = await call(mock, 'POST', '/v1/chat/completions', { body: { model: 'sora-2', messages: [{ role: 'user', content: 'a cat' }], top_p: 0.5 } });
  assert.equal(chat.status, 200);
  const chatTask = [...mock.tasks.values()].find((task) => task.source === 'chat' && task.prompt === 'a cat');
  assert.deepEqual(chatTask.extra, { top_p: 0.5 });
  const big = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(30 * 1024 * 1024, 1)]);
  const large = await create(mock, { ...VALID, images: [dataUrl('image/png', big)] });
  assert.equal(large.status, 200);
  assert.equal(mock.tasks.get(large.json.id).imageData[0].bytes, big.length);
});

check("createShape 'chat' answers a chat completion whose id is the task id", async ({ open }) => {
  const mock = await open({ createShape: 'chat' });
  const res = await create(mock);
  assert.equal(res.json.object, 'chat.completion');
  assert.match(res.json.id, TASK_ID);
  assert.equal(typeof res.json.created, 'number');
  assert.equal(res.json.choices[0].message.content, `Task ${res.json.id} created, generating…`);
  assert.equal(res.json.choices[0].finish_reason, 'stop');
  assert.deepEqual(res.json.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  assert.equal((await query(mock, res.json.id)).status, 200);
});

// ---------- query, life cycle, markers ----------

check('query: pending → processing → completed, plus every prompt marker', async ({ open }) => {
  const mock = await open({ pendingMs: 500, generationMs: 1000 });
  const prompts = ['plain', '[fail] x', '[stuck] x', 'x [status:video_generating]', '[nourl] x', '[urlindetail] x', '[noprogress] x'];
  const ids = {};
  for (const prompt of prompts) ids[prompt] = (await create(mock, { ...VALID, prompt })).json.id;
  const at = async () => Object.fromEntries(await Promise.all(prompts.map(async (p) => [p, (await query(mock, ids[p])).json])));

  const pending = await at();
  const p = pending.plain;
  assert.deepEqual(
    { status: p.status, progress: p.progress, object: p.object, model: p.model, size: p.size },
    { status: 'pending', progress: '0', object: 'video', model: 'sora-2', size: 'small' },
  );
  assert.equal(p.created_at, Math.floor(mock.tasks.get(ids.plain).createdAt / 1000));
  assert.equal(p.status_update_time, mock.tasks.get(ids.plain).createdAt);
  assert.deepEqual(p.detail, { input: { prompt: 'plain', model: 'sora-2', images: [], aspect_ratio: '9:16' } });
  assert.equal(pending['x [status:video_generating]'].status, 'video_generating');
  assert.equal(mock.tasks.get(ids.plain).status, 'pending');

  await untilAge(mock, ids[prompts.at(-1)], 700);
  const running = await at();
  assert.equal(running.plain.status, 'processing');
  assert.match(running.plain.progress, /^\d{1,2}%$/);
  assert.ok(parseInt(running.plain.progress, 10) > 0);
  assert.equal(running.plain.status_update_time, mock.tasks.get(ids.plain).createdAt + 500);
  assert.equal(running['[fail] x'].status, 'failed');
  assert.deepEqual(running['[fail] x'].error, { message: 'content policy violation', code: 'content_policy' });
  assert.equal(running['x [status:video_generating]'].status, 'video_generating');
  assert.equal(running['[noprogress] x'].status, 'processing');
  assert.ok(!('progress' in running['[noprogress] x']));
  assert.equal(mock.tasks.get(ids.plain).status, 'processing');

  await untilAge(mock, ids[prompts.at(-1)], 1050);
  const done = await at();
  const fileUrl = (id) => `${mock.url}/files/${encodeURIComponent(id)}.mp4`;
  assert.equal(done.plain.status, 'completed');
  assert.equal(done.plain.progress, 100);
  assert.equal(done.plain.video_url, fileUrl(ids.plain));
  assert.equal(typeof done.plain.thumbnail_url, 'string');
  assert.equal(done['[fail] x'].status, 'failed');
  assert.equal(done['[stuck] x'].status, 'processing');
  assert.equal(done['[stuck] x'].progress, '99%');
  assert.equal(done['x [status:video_generating]'].status, 'completed');
  const noUrl = done['[nourl] x'];
  assert.equal(noUrl.status, 'completed');
  assert.ok(!JSON.stringify(noUrl).includes('/files/'));
  const inDetail = done['[urlindetail] x'];
  assert.equal(inDetail.status, 'completed');
  assert.equal(inDetail.detail.video_url, fileUrl(ids['[urlindetail] x']));
  assert.equal(inDetail.video_url, undefined);
  assert.equal(inDetail.url, undefined);
  assert.equal(done['[noprogress] x'].status, 'completed');
  assert.equal(done['[noprogress] x'].progress, 100);
  assert.equal(mock.tasks.get(ids.plain).status, 'completed');
});

check('a [gen:MS] marker sets the task\'s own generation time', async ({ open }) => {
  const mock = await open({ pendingMs: 50, generationMs: 5000, generationJitterMs: 1000 });
  const id = (await create(mock, { ...VALID, prompt: 'quick [gen:250]' })).json.id;
  assert.equal(mock.tasks.get(id).generationMs, 250);
  await untilAge(mock, id, 300);
  assert.equal((await query(mock, id)).json.status, 'completed');
});

check('[failonce]: the first task of a prompt fails, the next create of the same prompt completes; another prompt fails once too', async ({ open }) => {
  const mock = await open({ pendingMs: 50, generationMs: 120 });
  const first = (await create(mock, { ...VALID, prompt: 'row 3 [failonce]' })).json.id;
  const second = (await create(mock, { ...VALID, prompt: 'row 3 [failonce]' })).json.id;
  const other = (await create(mock, { ...VALID, prompt: 'row 4 [failonce]' })).json.id;
  await untilAge(mock, other, 200);
  assert.equal((await query(mock, first)).json.status, 'failed');
  assert.deepEqual((await query(mock, first)).json.error, { message: 'content policy violation', code: 'content_policy' });
  assert.equal((await query(mock, second)).json.status, 'completed');
  assert.equal((await query(mock, other)).json.status, 'failed');
  assert.equal(mock.stats().creates, 3);
});

check('query: unknown id → 404 task_not_found; missing id → 400', async ({ mock }) => {
  const res = await query(mock, 'sora-2:task_00000000000000000000000000');
  assert.equal(res.status, 404);
  assert.deepEqual(res.json, { error: { message: 'task not found', type: 'invalid_request_error', code: 'task_not_found' } });
  assert.equal((await call(mock, 'GET', '/v1/video/query')).status, 400);
});

check('GET /v1/videos/<id>: OpenAI video shape (queued → in_progress → completed | failed)', async ({ open }) => {
  const mock = await open({ pendingMs: 100, generationMs: 200 });
  const id = (await create(mock)).json.id;
  const failId = (await create(mock, { ...VALID, prompt: '[fail]' })).json.id;
  const get = async (taskId, encode = true) => (await call(mock, 'GET', `/v1/videos/${encode ? encodeURIComponent(taskId) : taskId}`)).json;
  assert.deepEqual(await get(id), { id, object: 'video', model: 'sora-2', status: 'queued', progress: 0, created_at: Math.floor(mock.tasks.get(id).createdAt / 1000) });
  await untilAge(mock, failId, 150);
  const running = await get(id, false);
  assert.equal(running.status, 'in_progress');
  assert.equal(typeof running.progress, 'number');
  assert.equal((await get(failId)).status, 'failed');
  await untilAge(mock, failId, 230);
  assert.equal((await get(id)).status, 'completed');
  assert.equal((await get(id)).progress, 100);
  assert.equal((await call(mock, 'GET', '/v1/videos/sora-2%3Atask_unknown')).status, 404);
});

// ---------- files ----------

check('GET /files/<id>.mp4 serves videoBytesFor(id, videoSize) without auth; unknown → 404', async ({ open }) => {
  const mock = await open({ videoSize: 5000, pendingMs: 0, generationMs: 0 });
  const id = (await create(mock)).json.id;
  const videoUrl = (await query(mock, id)).json.video_url;
  const res = await fetch(videoUrl);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.ok(bytes.equals(videoBytesFor(id, 5000)));
  assert.equal(bytes.subarray(4, 8).toString(), 'ftyp');
  assert.equal((await fetch(`${mock.url}/files/sora-2%3Atask_nope.mp4`)).status, 404);
});

check('videoBytesFor is deterministic and per task', async () => {
  assert.ok(videoBytesFor('a', 1000).equals(videoBytesFor('a', 1000)));
  assert.ok(!videoBytesFor('a', 1000).equals(videoBytesFor('b', 1000)));
  assert.equal(videoBytesFor('a', 10).length, 10);
  assert.equal(videoBytesFor('a', 0).length, 0);
});

// ---------- chat ----------

check('chat: validation → 400 OpenAI errors', async ({ mock }) => {
  for (const body of [{ messages: [{ role: 'user', content: 'x' }] }, { model: 'sora-2', messages: [] }, { model: 'sora-2', messages: 'x' }, { model: 7, messages: [{}] }]) {
    const res = await call(mock, 'POST', '/v1/chat/completions', { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json.error.code, 'invalid_parameter');
  }
  assert.equal((await call(mock, 'POST', '/v1/chat/completions', { raw: 'nope' })).status, 400);
  assert.equal((await call(mock, 'POST', '/v1/chat/completions', { key: null, body: {} })).status, 401);
});

const CHAT = { model: 'sora-2', messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'a golden retriever in space' }] };

check('chat: non-streaming completion with progress lines and a downloadable video link', async ({ mock }) => {
  const res = await call(mock, 'POST', '/v1/chat/completions', { body: CHAT });
  assert.equal(res.status, 200);
  assert.match(res.json.id, /^chatcmpl-/);
  assert.equal(res.json.object, 'chat.completion');
  assert.equal(res.json.choices[0].message.role, 'assistant');
  assert.equal(res.json.choices[0].finish_reason, 'stop');
  assert.ok(res.json.usage.total_tokens > 0);
  const content = res.json.choices[0].message.content;
  assert.ok(content.startsWith('```\n{"prompt": "a golden retriever in space"}\n```\n\n'));
  assert.match(content, /> Progress: 36%\n/);
  assert.match(content, /> Progress: 100%\n/);
  const link = /✅ Video ready: \[video\]\((.+)\)$/.exec(content)[1];
  const file = await fetch(link);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('content-type'), 'video/mp4');
  await file.arrayBuffer();
});

check('chat: stream → SSE chunks (chatChunkChars, chatChunkDelayMs) then [DONE]', async ({ open }) => {
  const mock = await open({ chatChunkChars: 10, chatChunkDelayMs: 15 });
  const started = Date.now();
  const res = await call(mock, 'POST', '/v1/chat/completions', { body: { ...CHAT, stream: true } });
  const elapsed = Date.now() - started;
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  assert.ok(res.text.endsWith('data: [DONE]\n\n'));
  const data = sseData(res.text);
  assert.equal(data.at(-1), '[DONE]');
  const events = data.slice(0, -1).map((line) => JSON.parse(line));
  events.forEach((event) => assert.equal(event.object, 'chat.completion.chunk'));
  assert.equal(events[0].choices[0].delta.role, 'assistant');
  assert.equal(events.at(-1).choices[0].finish_reason, 'stop');
  const pieces = events.map((event) => event.choices[0].delta.content).filter((piece) => piece);
  assert.ok(pieces.length > 5);
  pieces.forEach((piece) => assert.ok(Array.from(piece).length <= 10));
  const content = pieces.join('');
  assert.match(content, /^```\n\{"prompt": "a golden retriever in space"\}\n```\n\n> Progress: /);
  assert.match(content, /✅ Video ready: \[video\]\(http:\/\/127\.0\.0\.1:\d+\/files\/sora-2%3Atask_[0-9a-z]{26}\.mp4\)$/);
  assert.ok(elapsed >= (data.length - 1) * 15 - 20, `stream took ${elapsed} ms`);
});

check("fault 'cut' ends a chat stream after afterChunks events; on a whole answer it acts like reset", async ({ mock }) => {
  mock.addFault({ path: '/v1/chat/completions', kind: 'cut', afterChunks: 2, times: 1 });
  const res = await rawRequest(mock, 'POST', '/v1/chat/completions', { ...CHAT, stream: true });
  assert.equal(res.status, 200);
  assert.ok(res.error, 'the stream should break');
  assert.equal(sseData(res.body).length, 2);
  mock.addFault({ path: '/v1/models', kind: 'cut', times: 1 });
  await assert.rejects(call(mock, 'GET', '/v1/models'));
});

/** Joins the chunk events of a streamed chat answer the way a client does (content, tool calls, finish, usage). */
function joinChunks(events) {
  const message = { role: undefined, content: '' };
  const calls = [];
  let finish = null;
  let usage;
  for (const event of events) {
    if (event.usage) usage = event.usage;
    for (const choice of event.choices) {
      if (choice.finish_reason) finish = choice.finish_reason;
      const delta = choice.delta || {};
      if (delta.role) message.role = delta.role;
      if (typeof delta.content === 'string') message.content += delta.content;
      for (const call of delta.tool_calls || []) {
        const slot = (calls[call.index] = calls[call.index] || { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (call.id) slot.id = call.id;
        if (call.function && call.function.name) slot.function.name = call.function.name;
        if (call.function && call.function.arguments) slot.function.arguments += call.function.arguments;
      }
    }
  }
  if (calls.length) message.tool_calls = calls;
  return { message, finish, usage };
}

const TOOL_CHAT = { ...CHAT, tools: ['function:generate_animate'], tool_choice: { type: 'function', function: { name: 'generate_animate' } } };

check('chat: tool_choice naming a function → tool call (whole and as deltas), finish tool_calls; usage on the last chunk', async ({ mock }) => {
  const whole = (await call(mock, 'POST', '/v1/chat/completions', { body: TOOL_CHAT })).json;
  const [choice] = whole.choices;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  assert.match(choice.message.tool_calls[0].id, /^call_[0-9a-f]{16}$/);
  assert.deepEqual(choice.message.tool_calls[0].function, { name: 'generate_animate', arguments: '{"prompt":"a golden retriever in space"}' });
  assert.match(choice.message.content, /Video ready/);

  const streamed = await call(mock, 'POST', '/v1/chat/completions', { body: { ...TOOL_CHAT, stream: true } });
  const events = sseData(streamed.text).slice(0, -1).map((line) => JSON.parse(line));
  assert.ok(events.filter((e) => e.choices[0].delta.tool_calls).length > 2, 'arguments come in pieces');
  const joined = joinChunks(events);
  assert.equal(joined.finish, 'tool_calls');
  assert.equal(joined.message.tool_calls[0].function.arguments, choice.message.tool_calls[0].function.arguments);
  assert.equal(joined.message.content.replace(/task_[0-9a-z]{26}/, 'T'), choice.message.content.replace(/task_[0-9a-z]{26}/, 'T'));
  assert.deepEqual(Object.keys(joined.usage), ['prompt_tokens', 'completion_tokens', 'total_tokens']);
  assert.deepEqual(joined.usage, whole.usage);

  const required = (await call(mock, 'POST', '/v1/chat/completions', { body: { ...CHAT, tools: [{ type: 'function', function: { name: 'f1' } }], tool_choice: 'required' } })).json;
  assert.equal(required.choices[0].message.tool_calls[0].function.name, 'f1');
  const auto = (await call(mock, 'POST', '/v1/chat/completions', { body: { ...TOOL_CHAT, tool_choice: 'auto' } })).json;
  assert.equal(auto.choices[0].message.tool_calls, undefined);
  assert.equal(auto.choices[0].finish_reason, 'stop');
});

check('chat: tools / tool_choice validation → 400', async ({ mock }) => {
  for (const body of [
    { ...CHAT, tools: 'function:x' },
    { ...CHAT, tools: [42] },
    { ...CHAT, tool_choice: 'sometimes' },
    { ...CHAT, tools: ['function:a'], tool_choice: { type: 'function', function: { name: 'b' } } },
  ]) {
    const res = await call(mock, 'POST', '/v1/chat/completions', { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json.error.code, 'invalid_parameter');
  }
  const named = await call(mock, 'POST', '/v1/chat/completions', { body: { ...CHAT, tools: ['function:a'], tool_choice: { type: 'function', function: { name: 'b' } } } });
  assert.match(named.json.error.message, /'b', which is not in 'tools'/);
});

/** The body of a streamed answer as the pieces it arrived in (one per 'data' event of the socket). */
function streamPieces(mock, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' } });
    req.on('response', (res) => {
      const pieces = [];
      res.on('data', (piece) => pieces.push(piece));
      res.on('end', () => resolve(pieces));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

check('chat: chatWriteBytes writes events in byte slices (lines and UTF-8 characters split); same bytes in the end', async ({ open }) => {
  const mock = await open({ chatChunkChars: 200, chatWriteBytes: 7, chatChunkDelayMs: 2 });
  const pieces = await streamPieces(mock, { model: 'sora-2', messages: [{ role: 'user', content: 'dogs 🐕🐕🐕 in München' }], stream: true });
  assert.ok(pieces.length > 20, `${pieces.length} pieces`);
  assert.ok(pieces.every((piece) => piece.length <= 7));
  const text = Buffer.concat(pieces).toString('utf8');
  assert.ok(text.includes('✅ Video ready'));
  assert.ok(pieces.some((piece) => piece.toString('utf8').includes('\ufffd')), 'some multi-byte character is split across pieces');
  assert.ok(text.endsWith('data: [DONE]\n\n'));
});

check("faults 'streamError', 'streamMalformed', 'streamNoDone' change a stream; a whole answer stays as it is", async ({ mock }) => {
  const stream = { ...CHAT, stream: true };
  mock.addFault({ path: '/v1/chat/completions', kind: 'streamError', afterChunks: 2, times: 1 });
  const errored = await call(mock, 'POST', '/v1/chat/completions', { body: stream });
  assert.equal(errored.status, 200);
  const errorEvents = errored.text.split('\n\n').filter(Boolean);
  assert.equal(errorEvents.length, 3);
  assert.match(errorEvents[2], /^event: error\ndata: \{"error":\{"message":"The server had an error/);
  assert.ok(!errored.text.includes('[DONE]'));

  mock.addFault({ path: '/v1/chat/completions', kind: 'streamMalformed', times: 1 });
  const malformed = await call(mock, 'POST', '/v1/chat/completions', { body: stream });
  const data = sseData(malformed.text);
  assert.equal(data[1], '{"id": "chatcmpl-x", "choices": [');
  assert.equal(data.at(-1), '[DONE]');

  mock.addFault({ path: '/v1/chat/completions', kind: 'streamNoDone', times: 1 });
  const noDone = await call(mock, 'POST', '/v1/chat/completions', { body: stream });
  assert.ok(!noDone.text.includes('[DONE]'));
  assert.match(noDone.text, /"finish_reason":"stop"/);
  mock.addFault({ path: '/v1/chat/completions', kind: 'streamNoDone', afterChunks: 3, times: 1 });
  assert.equal(sseData((await call(mock, 'POST', '/v1/chat/completions', { body: stream })).text).length, 3);

  mock.addFault({ path: '/v1/chat/completions', kind: 'streamError', times: 1 });
  const whole = await call(mock, 'POST', '/v1/chat/completions', { body: CHAT });
  assert.equal(whole.json.object, 'chat.completion');
});

// ---------- faults ----------

check("fault 'status': status, headers, default body naming the status, times, method filter", async ({ mock }) => {
  mock.addFault({ method: 'GET', path: '/v1/video/create', status: 503 }); // wrong method: never hits
  mock.addFault({ method: 'post', path: '/v1/video/create', times: 1, status: 429, headers: { 'Retry-After': '1' } });
  const hit = await create(mock);
  assert.equal(hit.status, 429);
  assert.equal(hit.headers.get('retry-after'), '1');
  assert.match(hit.json.error.message, /429/);
  assert.equal(mock.stats().creates, 0, 'a fault that answers creates no task');
  assert.equal((await create(mock)).status, 200, 'times: 1 is used up');
  mock.clearFaults();
  mock.addFault({ path: '/v1/models', status: 500, body: { message: 'bare' } });
  assert.deepEqual((await call(mock, 'GET', '/v1/models')).json, { message: 'bare' });
  assert.deepEqual((await call(mock, 'GET', '/v1/models')).json, { message: 'bare' }, 'times defaults to Infinity');
  mock.clearFaults();
  mock.addFault({ path: '/v1/models', status: 502, body: 'Bad Gateway, plain' });
  const text = await call(mock, 'GET', '/v1/models');
  assert.deepEqual([text.status, text.text], [502, 'Bad Gateway, plain']);
});

check('fault path matches the raw or the decoded pathname', async ({ mock }) => {
  const id = (await create(mock)).json.id;
  const encoded = `/v1/videos/${encodeURIComponent(id)}`;
  mock.addFault({ path: encoded, status: 418, times: 1 });
  assert.equal((await call(mock, 'GET', encoded)).status, 418, 'raw pathname');
  mock.addFault({ path: `/v1/videos/${id}`, status: 418, times: 1 });
  assert.equal((await call(mock, 'GET', encoded)).status, 418, 'decoded pathname');
  assert.equal((await call(mock, 'GET', encoded)).status, 200);
});

check('fault matchText hits only requests that mention it: body, URL, or the prompt of the task named', async ({ mock }) => {
  mock.addFault({ path: '/v1/video/create', matchText: '@me', status: 418 });
  assert.equal((await create(mock, { ...VALID, prompt: 'not this one' })).status, 200);
  assert.equal((await create(mock, { ...VALID, prompt: 'this one @me' })).status, 418, 'in the body');
  const plain = (await create(mock, { ...VALID, prompt: 'plain' })).json.id;
  const marked = (await create(mock, { ...VALID, prompt: 'marked @task' })).json.id;
  mock.clearFaults();
  mock.addFault({ matchText: '@task', status: 418 });
  assert.equal((await query(mock, plain)).status, 200);
  assert.equal((await query(mock, marked)).status, 418, '?id= names a task whose prompt has it');
  assert.equal((await call(mock, 'GET', `/v1/videos/${encodeURIComponent(marked)}`)).status, 418, '/v1/videos/<id>');
  assert.equal((await call(mock, 'GET', `/files/${encodeURIComponent(marked)}.mp4`)).status, 418, '/files/<id>.mp4');
  assert.equal((await call(mock, 'GET', `/files/${encodeURIComponent(plain)}.mp4`)).status, 200);
  mock.clearFaults();
  mock.addFault({ matchText: 'query?id', status: 418, times: 1 });
  assert.equal((await query(mock, plain)).status, 418, 'in the URL');
  assert.throws(() => mock.addFault({ matchText: '' }), TypeError);
});

check("fault 'redirect' answers status (default 302) with the Location given", async ({ mock }) => {
  mock.addFault({ path: '/v1/models', kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere', times: 1 });
  const res = await rawRequest(mock, 'GET', '/v1/models');
  assert.equal(res.status, 302);
  mock.addFault({ path: '/v1/models', kind: 'redirect', status: 307, location: `${mock.url}/v1/models`, times: 1 });
  const followed = await call(mock, 'GET', '/v1/models');
  assert.equal(followed.status, 200, 'fetch follows it back to the mock');
  assert.throws(() => mock.addFault({ kind: 'redirect' }), TypeError, 'location is required');
});

check("fault 'cut' with midEvent: the next event arrives half, then the connection breaks", async ({ mock }) => {
  mock.addFault({ path: '/v1/chat/completions', kind: 'cut', afterChunks: 1, midEvent: true, times: 1 });
  const res = await rawRequest(mock, 'POST', '/v1/chat/completions', { model: 'sora-2', messages: [{ role: 'user', content: 'a cat' }], stream: true });
  assert.ok(res.error, 'the stream breaks');
  const events = res.body.split('\n\n');
  assert.equal(events.length, 2, 'one whole event, then part of the next');
  assert.ok(events[1].startsWith('data: {') && !events[1].endsWith('}'), 'the second event is cut in the middle');
});

check("faults 'malformed', 'html', 'empty', 'huge'", async ({ mock }) => {
  mock.addFault({ path: '/v1/video/create', kind: 'malformed', times: 1 });
  const malformed = await create(mock);
  assert.deepEqual([malformed.status, malformed.text, malformed.json], [200, '{"id": "sora-2:task_x", "status": ', undefined]);
  mock.addFault({ path: '/v1/video/create', kind: 'html', times: 1 });
  const html = await create(mock);
  assert.equal(html.status, 502);
  assert.match(html.headers.get('content-type'), /^text\/html/);
  assert.match(html.text, /<html>/);
  mock.addFault({ path: '/v1/video/create', kind: 'empty', times: 1 });
  assert.deepEqual((await create(mock)).text, '');
  mock.addFault({ path: '/v1/models', kind: 'huge', times: 1 });
  const huge = await call(mock, 'GET', '/v1/models');
  assert.ok(huge.text.length >= 10 * 1024 * 1024 - 100);
  assert.equal(huge.json.id, 'sora-2:task_x');
  assert.equal(mock.stats().creates, 0);
});

check("fault 'reset' breaks the answer mid-body", async ({ mock }) => {
  mock.addFault({ path: '/v1/video/create', kind: 'reset', times: 1 });
  const res = await rawRequest(mock, 'POST', '/v1/video/create', VALID);
  assert.equal(res.status, 200);
  assert.ok(res.error, 'body should break');
  assert.ok(res.body.length > 0 && res.body.startsWith('{"id":'));
  mock.addFault({ path: '/v1/video/create', kind: 'reset', times: 1 });
  await assert.rejects(create(mock));
  assert.equal(mock.stats().creates, 0);
});

check("fault 'drip' writes a valid body one byte every delayMs", async ({ mock }) => {
  mock.addFault({ path: '/v1/models', kind: 'drip', delayMs: 4, body: { ok: true, n: 12345 }, times: 1 });
  const started = Date.now();
  const res = await call(mock, 'GET', '/v1/models');
  assert.deepEqual(res.json, { ok: true, n: 12345 });
  assert.ok(Date.now() - started >= res.text.length * 4 - 10);
});

check("fault 'delay' answers normally after delayMs; afterCreate creates first", async ({ mock }) => {
  mock.addFault({ path: '/v1/video/create', kind: 'delay', delayMs: 120, times: 1 });
  let started = Date.now();
  assert.equal((await create(mock)).status, 200);
  assert.ok(Date.now() - started >= 110);
  mock.resetStats();
  mock.addFault({ path: '/v1/video/create', kind: 'delay', delayMs: 200, afterCreate: true, times: 1 });
  started = Date.now();
  const pending = create(mock);
  await sleep(100);
  assert.equal(mock.stats().creates, 1, 'task exists before the answer');
  const res = await pending;
  assert.ok(Date.now() - started >= 190);
  assert.ok(mock.tasks.has(res.json.id));
  assert.equal(mock.stats().creates, 1);
});

check("fault 'hang' never answers (afterCreate creates); close() frees hung sockets", async ({ open }) => {
  const mock = await open();
  mock.addFault({ path: '/v1/video/create', kind: 'hang', afterCreate: true, times: 1 });
  mock.addFault({ path: '/v1/models', kind: 'hang' });
  const hungCreate = rawRequest(mock, 'POST', '/v1/video/create', VALID);
  const hungModels = rawRequest(mock, 'GET', '/v1/models');
  const aborted = await fetch(`${mock.url}/v1/models`, { headers: { Authorization: `Bearer ${KEY}` }, signal: AbortSignal.timeout(150) }).catch((e) => e);
  assert.equal(aborted.name, 'TimeoutError');
  assert.equal(mock.stats().creates, 1);
  for (let i = 0; i < 20 && mock.stats().inFlight > 2; i++) await sleep(10); // the aborted one leaves when its socket closes
  assert.equal(mock.stats().inFlight, 2);
  const started = Date.now();
  await mock.close();
  assert.ok(Date.now() - started < 500, 'close() must not wait for hung requests');
  for (const res of await Promise.all([hungCreate, hungModels])) assert.ok(res.error, 'hung request ends with an error');
});

check('invalid faults are refused', async ({ mock }) => {
  for (const fault of [{ kind: 'explode' }, { times: 0 }, { status: 42 }, { delayMs: -1 }, null]) {
    assert.throws(() => mock.addFault(fault), TypeError, JSON.stringify(fault));
  }
});

// ---------- admin + stats ----------

check('/__admin: faults (single, array, invalid, delete) and stats (get, reset); not counted', async ({ mock }) => {
  const admin = (method, body) => call(mock, method, '/__admin/faults', { body, key: null });
  assert.deepEqual((await admin('POST', { path: '/v1/models', status: 500, times: 1 })).json, { faults: 1 });
  assert.deepEqual((await admin('POST', [{ path: '/v1/models', status: 501 }, { path: '/x', kind: 'empty' }])).json, { faults: 3 });
  assert.equal((await admin('POST', { kind: 'nope' })).status, 400);
  assert.equal((await call(mock, 'GET', '/v1/models')).status, 500);
  assert.equal((await call(mock, 'GET', '/v1/models')).status, 501);
  assert.deepEqual((await admin('DELETE')).json, { faults: 0 });
  assert.equal((await call(mock, 'GET', '/v1/models')).status, 200);
  const stats = (await call(mock, 'GET', '/__admin/stats', { key: null })).json;
  assert.deepEqual(stats.requests, { 'GET /v1/models': 3 });
  assert.equal(stats.total, 3);
  const reset = (await call(mock, 'DELETE', '/__admin/stats', { key: null })).json;
  assert.deepEqual([reset.requests, reset.total, reset.creates], [{}, 0, 0]);
});

check('stats: per METHOD pathname, inFlight/peakInFlight through latency, resetStats', async ({ open }) => {
  const mock = await open({ latencyMs: 120 });
  const inFlight = Promise.all([1, 2, 3].map(() => call(mock, 'GET', '/v1/models')));
  await sleep(60);
  assert.equal(mock.stats().inFlight, 3);
  await inFlight;
  await create(mock);
  await query(mock, [...mock.tasks.keys()][0]);
  const stats = mock.stats();
  assert.deepEqual(stats.requests, { 'GET /v1/models': 3, 'POST /v1/video/create': 1, 'GET /v1/video/query': 1 });
  assert.deepEqual([stats.total, stats.inFlight, stats.peakInFlight, stats.creates, stats.tasks], [5, 0, 3, 1, 1]);
  mock.resetStats();
  assert.deepEqual(mock.stats(), { requests: {}, total: 0, inFlight: 0, peakInFlight: 0, creates: 0, tasks: 1 });
});

check('options are checked', async () => {
  await assert.rejects(startMockServer({ bogus: 1 }), TypeError);
  await assert.rejects(startMockServer({ pendingMs: 500, generationMs: 100 }), TypeError);
  await assert.rejects(startMockServer({ createShape: 'xml' }), TypeError);
});

// ---------- CLI ----------

function runCli(args, env) {
  return spawn(process.execPath, [path.join(__dirname, 'server.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

const exitOf = (child) => new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

check('CLI: prints {url, baseUrl}, honours flags and MOCK_SORA2_* env, exits 0 on SIGTERM', async () => {
  const child = runCli(['--port', '0', '--key=cli-key', '--pending-ms', '0'], { MOCK_SORA2_GENERATION_MS: '0' });
  const exited = exitOf(child);
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (part) => {
      out += part;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    exited.then(() => reject(new Error('CLI exited early')));
  });
  const info = JSON.parse(line);
  assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(info.baseUrl, `${info.url}/v1`);
  const mock = { url: info.url };
  assert.equal((await call(mock, 'GET', '/v1/models', { key: 'cli-key' })).status, 200);
  assert.equal((await call(mock, 'GET', '/v1/models')).status, 401);
  const id = (await call(mock, 'POST', '/v1/video/create', { key: 'cli-key', body: VALID })).json.id;
  assert.equal((await call(mock, 'GET', `/v1/video/query?id=${encodeURIComponent(id)}`, { key: 'cli-key' })).json.status, 'completed');
  child.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
  const bad = runCli(['--bogus', '1'], {});
  assert.equal((await exitOf(bad)).code, 2);
});

// ---------- scripted tasks, request log, jitter ----------

check('a scripted create answers its script, and its reads follow the script (the last repeats)', async ({ mock }) => {
  mock.scriptNextCreate({
    create: { code: 0, data: { task_id: '{{taskId}}' } },
    reads: [{ state: 'waiting' }, { state: 'success', resultJson: '{"resultUrls":["{{fileUrl}}"]}' }],
  });
  const created = await call(mock, 'POST', '/v1/video/create', { body: VALID });
  assert.equal(created.status, 200);
  const id = created.json.data.task_id;
  assert.match(id, /^sora-2:task_/);
  const first = await call(mock, 'GET', `/v1/video/query?id=${encodeURIComponent(id)}`);
  assert.deepEqual(first.json, { state: 'waiting' });
  const second = await call(mock, 'GET', `/v1/video/query?id=${encodeURIComponent(id)}`);
  assert.equal(JSON.parse(second.json.resultJson).resultUrls[0], `${mock.url}/files/${encodeURIComponent(id)}.mp4`);
  const third = await call(mock, 'GET', `/v1/video/query?id=${encodeURIComponent(id)}`);
  assert.equal(third.json.state, 'success');
  assert.equal(mock.tasks.get(id).queries, 3);
  assert.equal(mock.tasks.get(id).readTimes.length, 3);
  const file = await call(mock, 'GET', `/files/${encodeURIComponent(id)}.mp4`);
  assert.equal(file.status, 200);
});

check("a scripted task on the 'openai' route: 404 on /video/query, its reads on /videos/<id>", async ({ mock }) => {
  const task = mock.addScriptedTask({ route: 'openai', taskId: 'video_abc-123', reads: [{ id: '{{taskId}}', status: 'queued' }] });
  assert.equal(task.id, 'video_abc-123');
  assert.equal((await call(mock, 'GET', '/v1/video/query?id=video_abc-123')).status, 404);
  const read = await call(mock, 'GET', '/v1/videos/video_abc-123');
  assert.deepEqual(read.json, { id: 'video_abc-123', status: 'queued' });
});

check('a script without reads is refused', async ({ mock }) => {
  assert.throws(() => mock.scriptNextCreate({ reads: [] }), TypeError);
  assert.throws(() => mock.addScriptedTask({ reads: [{}], route: 'elsewhere' }), TypeError);
});

check('the request log lists every request with its arrival time and the task it names', async ({ mock }) => {
  const created = await call(mock, 'POST', '/v1/video/create', { body: VALID });
  await call(mock, 'GET', `/v1/video/query?id=${encodeURIComponent(created.json.id)}`);
  const log = mock.requestLog();
  assert.deepEqual(log.map((entry) => entry.request), ['POST /v1/video/create', 'GET /v1/video/query']);
  assert.equal(log[1].taskId, created.json.id);
  assert.ok(log[0].at <= log[1].at && log[1].at <= Date.now());
  mock.resetStats();
  assert.deepEqual(mock.requestLog(), []);
});

check('generationJitterMs spreads the generation time of each task', async ({ open }) => {
  const mock = await open({ pendingMs: 100, generationMs: 1000, generationJitterMs: 400 });
  for (let i = 0; i < 20; i++) await call(mock, 'POST', '/v1/video/create', { body: VALID });
  const times = [...mock.tasks.values()].map((task) => task.generationMs);
  assert.ok(times.every((ms) => ms >= 600 && ms <= 1400), String(times));
  assert.ok(new Set(times).size > 5, 'the times differ');
});

// ---------- hostile-gateway cases: tasks that show up late, the list of videos ----------

check('[unseen:N]: the first N reads on each route answer 404 task_not_found, then the task shows', async ({ mock }) => {
  const created = await create(mock, { ...VALID, prompt: 'late [unseen:2]' });
  const id = created.json.id;
  const openAi = () => call(mock, 'GET', `/v1/videos/${encodeURIComponent(id)}`);
  assert.deepEqual([(await query(mock, id)).json, (await query(mock, id)).status], [{ error: { message: 'task not found', type: 'invalid_request_error', code: 'task_not_found' } }, 404]);
  assert.equal((await openAi()).status, 404);
  assert.equal((await query(mock, id)).status, 200);
  assert.equal((await openAi()).status, 404);
  assert.equal((await openAi()).status, 200);
  // the 404s do not count as reads of the task
  assert.equal(mock.tasks.get(id).queries, 2);
});

check('[textdownload]: the task completes, but its file is a 200 text page', async ({ mock }) => {
  const id = (await create(mock, { ...VALID, prompt: 'locked [textdownload]' })).json.id;
  await untilAge(mock, id, 130);
  const done = await query(mock, id);
  assert.equal(done.json.status, 'completed');
  const file = await call(mock, 'GET', `/files/${encodeURIComponent(id)}.mp4`, { key: null });
  assert.deepEqual([file.status, file.headers.get('content-type'), file.text], [200, 'text/plain; charset=utf-8', 'Please sign in to download this file.\n']);
});

check('GET /v1/videos (and /v1/videos/) lists every task in OpenAI shape, newest first, with the link of finished ones', async ({ mock }) => {
  const first = (await create(mock)).json.id;
  await untilAge(mock, first, 130);
  const second = (await create(mock)).json.id;
  for (const listPath of ['/v1/videos', '/v1/videos/']) {
    const res = await call(mock, 'GET', listPath);
    assert.equal(res.status, 200);
    assert.equal(res.json.object, 'list');
    const ids = res.json.data.map((video) => video.id);
    assert.ok(ids.indexOf(second) < ids.indexOf(first));
    const done = res.json.data.find((video) => video.id === first);
    assert.deepEqual([done.status, done.video_url], ['completed', `${mock.url}/files/${encodeURIComponent(first)}.mp4`]);
    assert.equal(res.json.data.find((video) => video.id === second).video_url, undefined);
  }
  assert.equal((await call(mock, 'GET', '/v1/videos', { key: null })).status, 401);
});

// ---------- runner ----------

async function run() {
  const watchdog = setTimeout(() => {
    console.error('selfcheck: still running after 30 s (a socket or timer keeps the process alive?)');
    process.exit(1);
  }, 30000);
  watchdog.unref();
  const shared = await startMockServer({ apiKey: KEY, pendingMs: 40, generationMs: 120 });
  let passed = 0;
  let failed = 0;
  for (const { name, fn } of checks) {
    const opened = [];
    const open = async (options) => {
      const mock = await startMockServer({ apiKey: KEY, ...options });
      opened.push(mock);
      return mock;
    };
    shared.clearFaults();
    shared.resetStats();
    try {
      await fn({ mock: shared, open });
      passed += 1;
    } catch (error) {
      failed += 1;
      console.error(`FAIL ${name}\n  ${(error && error.stack) || error}`);
    } finally {
      await Promise.all(opened.map((mock) => mock.close()));
    }
  }
  await shared.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

run();
