'use strict';
// A fake OpenAI-compatible chat model under /llm/v1, for AI Agent workflows that use the Sora2 node as
// a tool (there is no LLM and no internet here). Deterministic, two turns:
//   1. the conversation has no `tool` message yet and the request offers tools → the answer calls the
//      first offered tool once, its arguments filled from the tool's JSON schema (every string property
//      gets the last user message, numbers 1, booleans true), finish_reason "tool_calls";
//   2. the conversation has a `tool` message → the final answer: "Done. The tool answered: <its content>".
// Without tools it answers the last user message back. `stream: true` gets the same answer as SSE
// chat.completion.chunk events. Every request body is kept in order (mock.llmRequests) for assertions.
// Any Bearer key (or none) is accepted.

const crypto = require('node:crypto');
const { jsonReply, errorReply, streamReply } = require('./replies.js');

const LLM_MODEL = 'fake-llm';
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' };

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part.text === 'string' ? part.text : '')).join('');
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** Arguments for a function tool from its JSON schema: strings get `text`, numbers 1, booleans true. */
function argumentsFor(parameters, text) {
  const args = {};
  const properties = parameters && typeof parameters === 'object' && parameters.properties ? parameters.properties : {};
  for (const [key, schema] of Object.entries(properties)) {
    const type = schema && schema.type;
    if (type === 'number' || type === 'integer') args[key] = 1;
    else if (type === 'boolean') args[key] = true;
    else if (type === 'object') args[key] = {};
    else if (type === 'array') args[key] = [];
    else args[key] = text;
  }
  return args;
}

/** The assistant message for this turn of the conversation. */
function answerFor(body) {
  const messages = body.messages;
  const toolMessages = messages.filter((message) => message && message.role === 'tool');
  const lastUser = [...messages].reverse().find((message) => message && message.role === 'user');
  const userText = lastUser ? textOf(lastUser.content) : '';
  const tools = Array.isArray(body.tools) ? body.tools.filter((tool) => tool && tool.type === 'function' && tool.function) : [];
  if (toolMessages.length > 0) {
    const content = textOf(toolMessages[toolMessages.length - 1].content);
    return { message: { role: 'assistant', content: `Done. The tool answered: ${content}` }, finishReason: 'stop' };
  }
  if (tools.length > 0) {
    const tool = tools[0].function;
    const call = {
      id: `call_${crypto.randomBytes(8).toString('hex')}`,
      type: 'function',
      function: { name: tool.name, arguments: JSON.stringify(argumentsFor(tool.parameters, userText)) },
    };
    return { message: { role: 'assistant', content: null, tool_calls: [call] }, finishReason: 'tool_calls' };
  }
  return { message: { role: 'assistant', content: `You said: ${userText}` }, finishReason: 'stop' };
}

const USAGE = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };

function streamChunks(id, created, model, { message, finishReason }) {
  const chunk = (delta, finish = null, extra = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  const chunks = [chunk({ role: 'assistant', content: '' })];
  if (message.tool_calls) {
    message.tool_calls.forEach((call, index) => chunks.push(chunk({ tool_calls: [{ index, ...call }] })));
  } else {
    chunks.push(chunk({ content: message.content }));
  }
  chunks.push(chunk({}, finishReason, { usage: USAGE }));
  chunks.push('data: [DONE]\n\n');
  return chunks;
}

/** POST /llm/v1/chat/completions */
function handleLlmChat(ctx) {
  const parsed = ctx.parseJson();
  if (!parsed.ok) return errorReply(400, 'Request body is not valid JSON', 'invalid_parameter');
  const body = parsed.value;
  if (!body || typeof body !== 'object' || !Array.isArray(body.messages) || body.messages.length === 0) {
    return errorReply(400, "'messages' must be a non-empty array", 'invalid_parameter');
  }
  ctx.mock.llmRequests.push(body);
  const id = `chatcmpl-${crypto.randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const model = typeof body.model === 'string' && body.model ? body.model : LLM_MODEL;
  const answer = answerFor(body);
  if (body.stream === true) return streamReply(200, SSE_HEADERS, streamChunks(id, created, model, answer));
  return jsonReply(200, {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: answer.message, finish_reason: answer.finishReason }],
    usage: USAGE,
  });
}

/** GET /llm/v1/models */
function listLlmModels() {
  return jsonReply(200, { object: 'list', data: [{ id: LLM_MODEL, object: 'model', owned_by: 'mock' }] });
}

module.exports = { handleLlmChat, listLlmModels, LLM_MODEL };
