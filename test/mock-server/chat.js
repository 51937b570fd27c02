'use strict';
// POST /v1/chat/completions — the chat flavour of the API. The answer's content shows the generation
// (a JSON block with the prompt, progress lines, a markdown link to the video); the video is a real
// task that is already completed, so the link downloads.
// Non-streaming: an OpenAI chat.completion. `stream: true`: SSE chat.completion.chunk events whose
// deltas split the same content into pieces of `chatChunkChars` characters, `chatChunkDelayMs` apart,
// then `data: [DONE]`. A fault {kind:'cut', afterChunks:n} cuts the stream after n events.

const crypto = require('node:crypto');
const { jsonReply, errorReply, streamReply } = require('./replies.js');
const { MODELS, videoUrlFor } = require('./tasks.js');

const PROGRESS_STEPS = [12, 36, 78, 100];
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' };

// ---------- request ----------

/** What is wrong with a chat body, or null. */
function chatBodyError(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Request body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return "'model' must be a non-empty string";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "'messages' must be a non-empty array";
  return null;
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The prompt: the text of the last user message (or of the last message at all). */
function promptOf(messages) {
  const users = messages.filter((m) => m && m.role === 'user');
  const last = users.length ? users[users.length - 1] : messages[messages.length - 1];
  return textOf(last && last.content);
}

// ---------- answer content ----------

function chatContent(prompt, videoUrl) {
  const progress = PROGRESS_STEPS.map((p) => `> Progress: ${p}%`).join('\n');
  return `\`\`\`\n{"prompt": ${JSON.stringify(prompt)}}\n\`\`\`\n\n${progress}\n\n✅ Video ready: [video](${videoUrl})`;
}

/** Splits text into pieces of `size` characters (code points, so emoji are never split). */
function splitContent(text, size) {
  const chars = Array.from(text);
  const pieces = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

function usageOf(prompt, content) {
  const tokens = (text) => Math.max(1, Math.ceil(text.length / 4));
  const prompt_tokens = tokens(prompt);
  const completion_tokens = tokens(content);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function completion(meta, content, usage) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  };
}

/** SSE events: a role delta, the content deltas, a finish delta, then [DONE]. */
function sseEvents(meta, content, chunkChars) {
  const chunk = (delta, finishReason = null) => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const events = [
    chunk({ role: 'assistant', content: '' }),
    ...splitContent(content, chunkChars).map((piece) => chunk({ content: piece })),
    chunk({}, 'stop'),
  ];
  return [...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n'];
}

// ---------- handler ----------

/** ctx: { parseJson(), mock: { options, url, createTask(input, timing) } } → reply */
function handleChat(ctx) {
  const parsed = ctx.parseJson();
  if (!parsed.ok) return errorReply(400, 'Request body is not valid JSON', 'invalid_parameter');
  const problem = chatBodyError(parsed.value);
  if (problem) return errorReply(400, problem, 'invalid_parameter');

  const body = parsed.value;
  const prompt = promptOf(body.messages);
  const model = MODELS.includes(body.model) ? body.model : 'sora-2';
  const task = ctx.mock.createTask(
    { images: [], model, orientation: 'portrait', prompt, size: 'small', duration: 10 },
    { pendingMs: 0, generationMs: 0, source: 'chat' },
  );
  const content = chatContent(prompt, videoUrlFor(ctx.mock.url, task.id));
  const meta = { id: `chatcmpl-${crypto.randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model: body.model };
  const { chatChunkChars, chatChunkDelayMs } = ctx.mock.options;

  if (body.stream === true) return streamReply(200, SSE_HEADERS, sseEvents(meta, content, chatChunkChars), chatChunkDelayMs);
  return jsonReply(200, completion(meta, content, usageOf(prompt, content)));
}

module.exports = { handleChat, chatContent, splitContent, sseEvents, chatBodyError, promptOf };
