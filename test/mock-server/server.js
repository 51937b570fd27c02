'use strict';
// Mock Sora2 server — the contract is SPEC.md beside this file. Plain Node `http`, no dependencies,
// 127.0.0.1 only. This file wires the pieces together:
//   options → startMockServer() (HTTP server, request dispatch, close) → CLI.
// The pieces: routes.js (auth + endpoints), tasks.js (task life cycle), chat.js (chat completions),
// llm.js (a fake OpenAI-compatible chat model under /llm/v1 for AI Agent tests),
// faults.js (fault rules), replies.js (building/writing answers), stats.js (counting), admin.js (/__admin).

const http = require('node:http');
const { createStats } = require('./stats.js');
const { createFaultList, respondWithFault } = require('./faults.js');
const { route, isApiPath } = require('./routes.js');
const { handleAdmin, isAdminPath } = require('./admin.js');
const { newTask, videoBytesFor } = require('./tasks.js');
const { errorReply, writeReply } = require('./replies.js');
const { checkScript } = require('./scripted.js');

const HOST = '127.0.0.1';
/** Large enough for images as data URLs (a 40 MB image is a 53 MB body). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

// ---------- options ----------

const DEFAULTS = {
  port: 0,
  apiKey: 'test-key',
  pendingMs: 100,
  generationMs: 300,
  generationJitterMs: 0,
  latencyMs: 0,
  createShape: 'task',
  videoSize: 64 * 1024,
  chatChunkChars: 24,
  chatChunkDelayMs: 0,
  chatWriteBytes: 0,
};
const INTEGER_OPTIONS = ['port', 'pendingMs', 'generationMs', 'generationJitterMs', 'latencyMs', 'videoSize', 'chatChunkChars', 'chatChunkDelayMs', 'chatWriteBytes'];

/** Defaults filled in and checked; throws TypeError on an unknown or impossible option. */
function resolveOptions(given = {}) {
  const options = { ...DEFAULTS };
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(DEFAULTS, name)) throw new TypeError(`startMockServer: unknown option '${name}'`);
    if (value !== undefined) options[name] = value;
  }
  for (const name of INTEGER_OPTIONS) {
    if (!Number.isInteger(options[name]) || options[name] < 0) throw new TypeError(`startMockServer: ${name} must be a non-negative integer`);
  }
  if (options.chatChunkChars < 1) throw new TypeError('startMockServer: chatChunkChars must be at least 1');
  if (options.generationMs < options.pendingMs) throw new TypeError('startMockServer: generationMs must be >= pendingMs');
  if (!['task', 'chat'].includes(options.createShape)) throw new TypeError("startMockServer: createShape must be 'task' or 'chat'");
  if (options.apiKey !== null && typeof options.apiKey !== 'string') throw new TypeError('startMockServer: apiKey must be a string or null');
  return options;
}

// ---------- timers (all cleared by close(), so nothing keeps the process alive) ----------

function createTimers() {
  const pending = new Set();
  let stopped = false;
  return {
    wait(ms) {
      if (stopped) return new Promise(() => {});
      if (!(ms > 0)) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, ms);
        pending.add(timer);
      });
    },
    stop() {
      stopped = true;
      pending.forEach(clearTimeout);
      pending.clear();
    },
  };
}

// ---------- request plumbing ----------

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The request body, or null when it is larger than MAX_BODY_BYTES. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let size = 0;
    req.on('data', (part) => {
      size += part.length;
      if (size <= MAX_BODY_BYTES) parts.push(part);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(parts) : null));
    req.on('error', reject);
  });
}

function parseJson(buffer) {
  try {
    return { ok: true, value: JSON.parse(buffer.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function requestContext(req, mock) {
  const url = new URL(req.url, `http://${HOST}`);
  return {
    method: req.method,
    rawPathname: url.pathname,
    pathname: safeDecode(url.pathname),
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.alloc(0),
    parseJson() {
      return parseJson(this.body);
    },
    mock,
  };
}

/** One request: admin → answered directly; otherwise counted, latency (/v1), fault or route. */
async function dispatch(req, res, mock, wait) {
  const ctx = requestContext(req, mock);
  if (isAdminPath(ctx.pathname)) {
    ctx.body = (await readBody(req)) || Buffer.alloc(0);
    return writeReply(res, handleAdmin(ctx), {}, wait);
  }
  const api = isApiPath(ctx.pathname);
  mock.counters.count(`${ctx.method} ${ctx.pathname}`, taskIdOf(ctx), Boolean(req.headers.authorization));
  if (api) res.on('close', mock.counters.enter());
  const body = await readBody(req);
  if (body === null) return writeReply(res, errorReply(413, 'Request body too large', 'body_too_large'), {}, wait);
  ctx.body = body;
  if (api) await wait(mock.options.latencyMs);
  const fault = mock.faults.take(ctx.method, [ctx.rawPathname, ctx.pathname], () => matchableText(req, ctx, mock));
  return respondWithFault(fault, { res, wait, handle: async () => route(ctx) });
}

// The task a request names: ?id=<id>, /v1/videos/<id>[/content] or /files/<id>.mp4.
const TASK_IN_PATH = /^(?:\/v1\/videos\/([^/]+)(?:\/content)?|\/files\/([^/]+)\.mp4)$/;

function taskIdOf(ctx) {
  const inPath = TASK_IN_PATH.exec(ctx.pathname);
  return ctx.query.get('id') || (inPath && (inPath[1] || inPath[2])) || undefined;
}

/** What a fault's `matchText` is searched in: the decoded URL, the body, and the prompt of the task the request names. */
function matchableText(req, ctx, mock) {
  const taskId = taskIdOf(ctx);
  const task = taskId ? mock.tasks.get(taskId) : undefined;
  return [safeDecode(req.url), ctx.body.toString('utf8'), task ? task.prompt : ''].join('\n');
}

function failSafely(res, error) {
  if (res.headersSent) return void res.destroy();
  const reply = errorReply(500, `mock server error: ${error && error.message}`, 'mock_error', 'server_error');
  res.writeHead(reply.status, reply.headers).end(reply.body);
}

// ---------- the server ----------

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/** Starts the mock; resolves to its handle (see server.d.ts). */
async function startMockServer(given) {
  const options = resolveOptions(given);
  const timers = createTimers();
  const sockets = new Set();
  const faults = createFaultList();
  const counters = createStats();
  const tasks = new Map();
  const llmRequests = [];
  const scripts = [];
  /** Prompts with `[failonce]` whose first task was made (and failed): their later tasks complete. */
  const failedOnce = new Set();

  /**
   * This task's generation time: a `[gen:MS]` marker in its prompt, else the option spread by up to
   * ± generationJitterMs (never before pending ends).
   */
  const generationFor = (prompt) => {
    const marked = /\[gen:(\d+)\]/i.exec(typeof prompt === 'string' ? prompt : '');
    if (marked) return Math.max(options.pendingMs, Number(marked[1]));
    const jitter = options.generationJitterMs;
    const spread = jitter ? Math.round((Math.random() * 2 - 1) * jitter) : 0;
    return Math.max(options.pendingMs, options.generationMs + spread);
  };

  const mock = {
    options,
    tasks,
    llmRequests,
    faults,
    counters,
    url: '',
    createTask(input, timing = { pendingMs: options.pendingMs, generationMs: generationFor(input.prompt), source: 'create' }) {
      const script = timing.source === 'create' ? scripts.shift() : undefined;
      const task = newTask(input, timing);
      if (task.markers.failOnce && !failedOnce.has(task.prompt)) {
        failedOnce.add(task.prompt);
        task.markers.fail = true;
      }
      if (script) {
        task.script = script;
        if (script.taskId) task.id = script.taskId;
      }
      tasks.set(task.id, task);
      counters.created();
      return task;
    },
    scriptNextCreate: (script) => void scripts.push(checkScript(script)),
    addScriptedTask(script, input = { images: [], imageData: [], extra: {}, model: 'sora-2', orientation: 'portrait', prompt: 'scripted', size: 'small', duration: 10 }) {
      scripts.unshift(checkScript(script));
      return mock.createTask(input);
    },
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    faultCount: () => faults.size,
    stats: () => counters.snapshot(tasks.size),
    resetStats: () => counters.reset(),
    requestLog: () => counters.log(),
  };

  const server = http.createServer((req, res) => {
    dispatch(req, res, mock, timers.wait).catch((error) => failSafely(res, error));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const port = await listen(server, options.port);
  mock.url = `http://${HOST}:${port}`;
  let closing = null;

  return {
    url: mock.url,
    baseUrl: `${mock.url}/v1`,
    port,
    options,
    tasks,
    llmRequests,
    addFault: mock.addFault,
    clearFaults: mock.clearFaults,
    stats: mock.stats,
    resetStats: mock.resetStats,
    requestLog: () => counters.log(),
    scriptNextCreate: mock.scriptNextCreate,
    addScriptedTask: (script, input) => mock.addScriptedTask(script, input),
    /** Stops listening, destroys every socket (hung ones included) and clears every timer. */
    close() {
      if (!closing) {
        timers.stop();
        closing = new Promise((resolve) => server.close(() => resolve()));
        sockets.forEach((socket) => socket.destroy());
      }
      return closing;
    },
  };
}

// ---------- CLI ----------

const CLI_FLAGS = {
  '--port': 'port',
  '--key': 'apiKey',
  '--pending-ms': 'pendingMs',
  '--generation-ms': 'generationMs',
  '--generation-jitter-ms': 'generationJitterMs',
  '--latency-ms': 'latencyMs',
  '--create-shape': 'createShape',
  '--video-size': 'videoSize',
  '--chat-chunk-chars': 'chatChunkChars',
  '--chat-chunk-delay-ms': 'chatChunkDelayMs',
  '--chat-write-bytes': 'chatWriteBytes',
};

function cliValue(name, text) {
  if (name === 'apiKey') return text === '' || text === 'null' ? null : text;
  if (name === 'createShape') return text;
  return Number(text);
}

/** Options from MOCK_SORA2_* env vars (e.g. MOCK_SORA2_PENDING_MS), then flags (`--flag v` or `--flag=v`). */
function parseCli(argv, env) {
  const options = {};
  for (const [flag, name] of Object.entries(CLI_FLAGS)) {
    const envName = `MOCK_SORA2_${flag.slice(2).replace(/-/g, '_').toUpperCase()}`;
    if (env[envName] !== undefined) options[name] = cliValue(name, env[envName]);
  }
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf('=');
    const flag = eq === -1 ? argv[i] : argv[i].slice(0, eq);
    if (!Object.hasOwn(CLI_FLAGS, flag)) throw new TypeError(`unknown flag ${flag}`);
    const value = eq === -1 ? argv[++i] : argv[i].slice(eq + 1);
    if (value === undefined) throw new TypeError(`flag ${flag} needs a value`);
    options[CLI_FLAGS[flag]] = cliValue(CLI_FLAGS[flag], value);
  }
  return options;
}

async function main() {
  let mock;
  try {
    mock = await startMockServer(parseCli(process.argv.slice(2), process.env));
  } catch (error) {
    process.stderr.write(`mock-sora2: ${error.message}\n`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify({ url: mock.url, baseUrl: mock.baseUrl })}\n`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) main();

module.exports = { startMockServer, videoBytesFor };
