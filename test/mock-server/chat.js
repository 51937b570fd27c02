'use strict';
// POST /v1/chat/completions — the chat flavour of the API. The answer's content shows the generation
// (a JSON block with the prompt, progress lines, a markdown link to the video); the video is a real
// task that is already completed, so the link downloads.
// Non-streaming: an OpenAI chat.completion. `stream: true`: SSE chat.completion.chunk events whose
// deltas split the same content into pieces of `chatChunkChars` characters, `chatChunkDelayMs` apart
// (each event's bytes written `chatWriteBytes` at a time when that is set), the last one carrying
// finish_reason and usage, then `data: [DONE]`.
// When tool_choice names a function ({"type":"function","function":{"name":…}}, or "required" with
// tools), the answer also calls it: message.tool_calls, or tool-call deltas (id + name, then the
// arguments in pieces), finish_reason "tool_calls".
// Stream faults (faults.js): 'cut' (connection destroyed after n events), 'streamError' (an SSE error
// event), 'streamMalformed' (a `data:` line that is not JSON), 'streamNoDone' (ends without [DONE]).

const crypto = require('node:crypto');
const { jsonReply, errorReply, streamReply } = require('./replies.js');
const { MODELS, videoUrlFor } = require('./tasks.js');

const PROGRESS_STEPS = [12, 36, 78, 100];
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' };

// ---------- request ----------

const FUNCTION_TOOL = /^function:(.+)$/;

/** The function names of `tools`: "function:NAME" strings or {type:"function",function:{name}} objects; null when malformed. */
function toolNamesOf(tools) {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) return null;
  const names = [];
  for (const tool of tools) {
    const fromString = typeof tool === 'string' ? FUNCTION_TOOL.exec(tool) : null;
    const fromObject = tool && typeof tool === 'object' && tool.type === 'function' && tool.function && typeof tool.function.name === 'string';
    if (fromString) names.push(fromString[1]);
    else if (fromObject) names.push(tool.function.name);
    else return null;
  }
  return names;
}

/** The function tool_choice makes the model call, or null (auto/none/absent). */
function calledFunction(body, names) {
  const choice = body.tool_choice;
  if (choice && typeof choice === 'object' && choice.function && typeof choice.function.name === 'string') return choice.function.name;
  if (choice === 'required' && names.length) return names[0];
  return null;
}

/** The fields of the documented chat body; any other field is kept on the task as `extra`. */
const CHAT_FIELDS = ['model', 'messages', 'tools', 'tool_choice', 'stream', 'max_tokens', 'temperature'];

/** What is wrong with a chat body, or null. */
function chatBodyError(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Request body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return "'model' must be a non-empty string";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "'messages' must be a non-empty array";
  const names = toolNamesOf(body.tools);
  if (names === null) return "'tools' must be an array of \"function:NAME\" strings or function objects";
  const choice = body.tool_choice;
  if (choice !== undefined && !['auto', 'none', 'required'].includes(choice) && !(choice && typeof choice === 'object' && choice.type === 'function')) {
    return "'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}";
  }
  const called = calledFunction(body, names);
  if (called !== null && !names.includes(called)) return `'tool_choice' names the function '${called}', which is not in 'tools'`;
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

/** The tool call the answer makes: `{id, name, arguments}` (arguments = JSON text with the prompt), or null. */
function toolCallFor(name, prompt) {
  if (name === null) return null;
  return { id: `call_${crypto.randomBytes(8).toString('hex')}`, name, arguments: JSON.stringify({ prompt }) };
}

function completion(meta, content, usage, toolCall = null) {
  const message = { role: 'assistant', content };
  if (toolCall) message.tool_calls = [{ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: toolCall.arguments } }];
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
    usage,
  };
}

/**
 * SSE events: a role delta, the tool-call deltas (when a function is called), the content deltas,
 * a finish delta carrying `usage`, then [DONE].
 */
function sseEvents(meta, content, chunkChars, usage = null, toolCall = null) {
  const chunk = (delta, finishReason = null) => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const toolDeltas = toolCall
    ? [
        chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] }),
        ...splitContent(toolCall.arguments, chunkChars).map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
      ]
    : [];
  const finish = chunk({}, toolCall ? 'tool_calls' : 'stop');
  if (usage) finish.usage = usage;
  const events = [
    chunk({ role: 'assistant', content: '' }),
    ...toolDeltas,
    ...splitContent(content, chunkChars).map((piece) => chunk({ content: piece })),
    finish,
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
  const extra = {};
  for (const [key, value] of Object.entries(body)) if (!CHAT_FIELDS.includes(key)) extra[key] = value;
  const task = ctx.mock.createTask(
    { images: [], imageData: [], extra, model, orientation: 'portrait', prompt, size: 'small', duration: 10 },
    { pendingMs: 0, generationMs: 0, source: 'chat' },
  );
  const content = chatContent(prompt, videoUrlFor(ctx.mock.url, task.id));
  const meta = { id: `chatcmpl-${crypto.randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model: body.model };
  const { chatChunkChars, chatChunkDelayMs, chatWriteBytes } = ctx.mock.options;
  const toolCall = toolCallFor(calledFunction(body, toolNamesOf(body.tools)), prompt);
  const usage = usageOf(prompt, content);

  if (body.stream === true) {
    return streamReply(200, SSE_HEADERS, sseEvents(meta, content, chatChunkChars, usage, toolCall), chatChunkDelayMs, chatWriteBytes);
  }
  return jsonReply(200, completion(meta, content, usage, toolCall));
}

// ---------- stream faults ----------

const MALFORMED_EVENT = 'data: {"id": "chatcmpl-x", "choices": [\n\n';

function streamErrorEvent(body) {
  const error = body === undefined ? { error: { message: 'The server had an error while processing your request (mock fault)', type: 'server_error', code: 'mock_fault' } } : body;
  return `event: error\ndata: ${typeof error === 'string' ? error : JSON.stringify(error)}\n\n`;
}

/**
 * The events of a stream reply as a stream fault changes them (a whole reply is left as it is):
 * - streamError:     `afterChunks` events (default 1), an `event: error` whose data is `body` (default an OpenAI error), then the end
 * - streamMalformed: `afterChunks` events (default 1), a `data:` line that is not JSON, then the rest of the stream
 * - streamNoDone:    `afterChunks` events (default: all of them), then the end, without `data: [DONE]`
 */
function applyStreamFault(reply, fault) {
  if (!reply.chunks) return reply;
  const events = reply.chunks;
  const at = (fallback) => Math.min(fault.afterChunks === undefined ? fallback : fault.afterChunks, events.length);
  switch (fault.kind) {
    case 'streamError':
      return { ...reply, chunks: [...events.slice(0, at(1)), streamErrorEvent(fault.body)] };
    case 'streamMalformed':
      return { ...reply, chunks: [...events.slice(0, at(1)), MALFORMED_EVENT, ...events.slice(at(1))] };
    case 'streamNoDone':
      return { ...reply, chunks: events.filter((event) => event !== 'data: [DONE]\n\n').slice(0, at(events.length - 1)) };
    default:
      return reply;
  }
}

module.exports = { handleChat, chatContent, splitContent, sseEvents, chatBodyError, promptOf, applyStreamFault, MALFORMED_EVENT };
