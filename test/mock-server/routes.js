'use strict';
// Auth and routes. route(ctx) → reply, for everything except /__admin (see admin.js).
// ctx: { method, pathname (decoded), query (URLSearchParams), parseJson(), mock }

const { jsonReply, errorReply } = require('./replies.js');
const tasks = require('./tasks.js');
const { handleChat } = require('./chat.js');
const { handleLlmChat, listLlmModels } = require('./llm.js');
const { render, scriptedRead } = require('./scripted.js');

const MODEL_LIST = { object: 'list', data: tasks.LISTED_MODELS.map((id) => ({ id, object: 'model' })) };

// ---------- auth ----------

/** True when the request may use /v1. The key sent is never echoed anywhere. */
function authorized(headers, apiKey) {
  if (apiKey === null) return true;
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization || '');
  return Boolean(match) && match[1].trim() === apiKey;
}

function unauthorized() {
  return errorReply(401, 'Invalid API key provided', 'invalid_api_key');
}

function notFound(method, pathname) {
  return errorReply(404, `Unknown route: ${method} ${pathname}`, 'not_found');
}

function taskNotFound() {
  return errorReply(404, 'task not found', 'task_not_found');
}

// ---------- handlers ----------

function listModels() {
  return jsonReply(200, MODEL_LIST);
}

function createVideo(ctx) {
  const parsed = ctx.parseJson();
  if (!parsed.ok) return errorReply(400, 'Request body is not valid JSON', 'invalid_parameter');
  const problem = tasks.createBodyError(parsed.value);
  if (problem) return errorReply(400, problem, 'invalid_parameter');
  const task = ctx.mock.createTask(tasks.createInput(parsed.value));
  if (task.script && task.script.create !== undefined) return jsonReply(200, render(task.script.create, task, ctx.mock.url));
  const chatShaped = ctx.mock.options.createShape === 'chat';
  return jsonReply(200, chatShaped ? tasks.createdChatView(task) : tasks.createdView(task));
}

/** Counts the reads of a task and notes when a final status was first answered (benchmarks read both). */
function noteRead(task, view) {
  task.queries = (task.queries || 0) + 1;
  (task.readTimes || (task.readTimes = [])).push(Date.now());
  const final = ['completed', 'failed'].includes(view.status);
  if (final && task.finalSeenAt === undefined) task.finalSeenAt = Date.now();
  return view;
}

/** A read of a scripted task: its next scripted answer, or 404 on the route it is not served on. */
function scriptedReply(ctx, task, route) {
  const view = scriptedRead(task, route, ctx.mock.url);
  if (view === null) return taskNotFound();
  task.queries = (task.queries || 0) + 1;
  (task.readTimes || (task.readTimes = [])).push(Date.now());
  return jsonReply(200, view);
}

// ---------- tasks that show up late, and the list of videos (hostile-gateway cases) ----------

/**
 * `[unseen:N]` in a task's prompt: its first N reads on each route (`query`, `openai`) answer 404 as
 * for an unknown task, as a gateway that registers a task a moment after accepting its create.
 * Null once it shows.
 */
function unseenReply(task, route) {
  const marker = /\[unseen:(\d+)\]/i.exec(task.prompt || '');
  if (!marker) return null;
  const reads = task.unseenReads || (task.unseenReads = { query: 0, openai: 0 });
  reads[route] += 1;
  return reads[route] <= Number(marker[1]) ? taskNotFound() : null;
}

/** GET /v1/videos (the OpenAI list of videos): every task in OpenAI video shape, newest first, links included. */
function listVideos(ctx) {
  const data = [...ctx.mock.tasks.values()]
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((task) => {
      const view = tasks.openAiVideoView(task);
      if (view.status === 'completed') view.video_url = tasks.videoUrlFor(ctx.mock.url, task.id);
      return view;
    });
  return jsonReply(200, { object: 'list', data });
}

/** `[textdownload]` in a task's prompt: its file answers 200 with a text page (a login portal in front of the CDN), not the video. */
function textDownloadReply(task) {
  if (!/\[textdownload\]/i.test(task.prompt || '')) return null;
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('Please sign in to download this file.\n') };
}

function queryVideo(ctx) {
  const id = ctx.query.get('id');
  if (!id) return errorReply(400, "Missing required query parameter: 'id'", 'invalid_parameter');
  const task = ctx.mock.tasks.get(id);
  if (!task) return taskNotFound();
  const unseen = unseenReply(task, 'query');
  if (unseen) return unseen;
  if (task.script) return scriptedReply(ctx, task, 'query');
  return jsonReply(200, noteRead(task, tasks.queryView(task, ctx.mock.url)));
}

function openAiVideo(ctx, [id]) {
  const task = ctx.mock.tasks.get(id);
  if (!task) return taskNotFound();
  const unseen = unseenReply(task, 'openai');
  if (unseen) return unseen;
  if (task.script) return scriptedReply(ctx, task, 'openai');
  return jsonReply(200, noteRead(task, tasks.openAiVideoView(task)));
}

function openAiVideoContent(ctx, [id]) {
  const task = ctx.mock.tasks.get(id);
  if (!task) return taskNotFound();
  return { status: 200, headers: { 'Content-Type': 'video/mp4' }, body: tasks.videoBytesFor(id, ctx.mock.options.videoSize) };
}

function videoFile(ctx, [id]) {
  const task = ctx.mock.tasks.get(id);
  if (!task) return taskNotFound();
  const textPage = textDownloadReply(task);
  if (textPage) return textPage;
  return { status: 200, headers: { 'Content-Type': 'video/mp4' }, body: tasks.videoBytesFor(id, ctx.mock.options.videoSize) };
}

// ---------- routing ----------

// [method, pattern over the decoded pathname, handler(ctx, captures)]
const ROUTES = [
  ['GET', /^\/v1\/models$/, listModels],
  ['POST', /^\/v1\/video\/create$/, createVideo],
  ['GET', /^\/v1\/video\/query$/, queryVideo],
  ['GET', /^\/v1\/videos\/?$/, listVideos],
  ['GET', /^\/v1\/videos\/([^/]+)$/, openAiVideo],
  ['GET', /^\/v1\/videos\/([^/]+)\/content$/, openAiVideoContent],
  ['POST', /^\/v1\/chat\/completions$/, handleChat],
  ['GET', /^\/files\/([^/]+)\.mp4$/, videoFile],
  // the fake chat model for AI Agent tests (llm.js); no key check
  ['GET', /^\/llm\/v1\/models$/, listLlmModels],
  ['POST', /^\/llm\/v1\/chat\/completions$/, handleLlmChat],
];

function isApiPath(pathname) {
  return pathname === '/v1' || pathname.startsWith('/v1/');
}

async function route(ctx) {
  if (isApiPath(ctx.pathname) && !authorized(ctx.headers, ctx.mock.options.apiKey)) return unauthorized();
  for (const [method, pattern, handler] of ROUTES) {
    const match = method === ctx.method ? pattern.exec(ctx.pathname) : null;
    if (match) return handler(ctx, match.slice(1));
  }
  return notFound(ctx.method, ctx.pathname);
}

module.exports = { route, isApiPath, authorized };
