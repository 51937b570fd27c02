'use strict';
// Task life cycle: ids, create-body validation, status over time, answer shapes, fake video bytes.
// A task's status is never stored: it is derived from the time since create (and its prompt markers),
// so no timers run per task.

const crypto = require('node:crypto');
const { readImages } = require('./images.js');

/** The documented models, with their documented sizes and durations. */
const MODELS = ['sora-2', 'sora-2-pro'];
/** A gateway's own video models (any size, 10/15/25 s): the node knows none of them. */
const GATEWAY_VIDEO_MODELS = ['sora-2-hd', 'sora-2-pro-hd', 'sora-2-landscape-15s', 'veo-3-fast'];
/** GET /v1/models, in the gateway's order: video and other models mixed. */
const LISTED_MODELS = ['gpt-4o-mini', 'sora-2', 'dall-e-3', 'sora-2-hd', 'sora-2-pro', 'text-embedding-3-small', 'veo-3-fast', 'sora-2-pro-hd', 'sora-2-landscape-15s'];
const GATEWAY_DURATIONS = [10, 15, 25];
const ASPECT_RATIOS = { portrait: '9:16', landscape: '16:9' };
const SIZES = ['small', 'large'];
const DURATIONS = [10, 15];
const REQUIRED_FIELDS = ['images', 'model', 'orientation', 'prompt', 'size', 'duration'];
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const FAILURE = { message: 'content policy violation', code: 'content_policy' };
const OPENAI_STATUS = { pending: 'queued', processing: 'in_progress', completed: 'completed', failed: 'failed' };

// ---------- ids ----------

/** `<model>:task_<26 lowercase Crockford base32 chars>` — ULID-like: 10 time chars + 16 random chars. */
function newTaskId(model, now) {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  const random = Array.from(crypto.randomBytes(16), (b) => CROCKFORD[b % 32]).join('');
  return `${model}:task_${time}${random}`;
}

// ---------- create-body validation ----------

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 10, 15, "10" or "15" → number; anything else → NaN. */
function parseDuration(value) {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  return NaN;
}

/** Returns what is wrong with a POST /v1/video/create body, or null when it is valid. */
function createBodyError(body) {
  if (!isPlainObject(body)) return 'Request body must be a JSON object';
  const missing = REQUIRED_FIELDS.find((field) => body[field] === undefined || body[field] === null);
  if (missing) return `Missing required parameter: '${missing}'`;
  const { images, model, orientation, prompt, size } = body;
  const duration = parseDuration(body.duration);
  if (!Array.isArray(images)) return "'images' must be an array of strings (send [] when there is no image)";
  const read = readImages(images);
  if (read.error) return read.error;
  const gatewayModel = GATEWAY_VIDEO_MODELS.includes(model);
  if (!MODELS.includes(model) && !gatewayModel) return `'model' must be one of: ${[...MODELS, ...GATEWAY_VIDEO_MODELS].join(', ')}`;
  if (!Object.hasOwn(ASPECT_RATIOS, orientation)) return "'orientation' must be one of: portrait, landscape";
  if (typeof prompt !== 'string' || prompt.trim() === '') return "'prompt' must be a non-empty string";
  if (!SIZES.includes(size)) return "'size' must be one of: small, large";
  if (gatewayModel) return GATEWAY_DURATIONS.includes(duration) ? null : `model ${model} supports duration ${GATEWAY_DURATIONS.join(', ')}`;
  if (model === 'sora-2-pro' && size !== 'large') return "model sora-2-pro only supports size 'large'";
  if (!DURATIONS.includes(duration)) return "'duration' must be 10 or 15";
  if (model === 'sora-2-pro' && duration !== 15) return 'model sora-2-pro only supports duration 15';
  return null;
}

/**
 * What a task keeps of a valid create body: the fields (duration as a number), the images (links as
 * given, data URLs as `data:<mime>;sha256,<hex>`), each data image's record, and every other field.
 */
function createInput(body) {
  const { images, model, orientation, prompt, size } = body;
  const { images: kept, imageData } = readImages(images);
  const extra = {};
  for (const [key, value] of Object.entries(body)) if (!REQUIRED_FIELDS.includes(key)) extra[key] = value;
  return { images: kept, imageData, extra, model, orientation, prompt, size, duration: parseDuration(body.duration) };
}

// ---------- task records ----------

function parseMarkers(prompt) {
  const statusWord = /\[status:([^\]\s]+)\]/i.exec(prompt);
  return {
    fail: /\[fail\]/i.test(prompt),
    failOnce: /\[failonce\]/i.test(prompt),
    stuck: /\[stuck\]/i.test(prompt),
    nourl: /\[nourl\]/i.test(prompt),
    urlindetail: /\[urlindetail\]/i.test(prompt),
    noprogress: /\[noprogress\]/i.test(prompt),
    status: statusWord ? statusWord[1] : null,
  };
}

/**
 * A task record. `timing` = { pendingMs, generationMs, source }. `status` is a live getter,
 * so `mock.tasks.get(id).status` always tells the status the query endpoint would report now.
 */
function newTask(input, timing, now = Date.now()) {
  return {
    id: newTaskId(input.model, now),
    ...input,
    createdAt: now,
    pendingMs: timing.pendingMs,
    generationMs: timing.generationMs,
    source: timing.source,
    markers: parseMarkers(input.prompt),
    get status() {
      return phaseOf(this, Date.now()).status;
    },
  };
}

// ---------- life cycle ----------

/** progress while processing: 0..99, rising linearly between pendingMs and generationMs. */
function processingPercent(task, elapsed) {
  const span = task.generationMs - task.pendingMs;
  if (span <= 0) return 99;
  return Math.min(99, Math.floor(((elapsed - task.pendingMs) / span) * 100));
}

/**
 * Where the task is at `now`: phase (pending|processing|completed|failed), the status word reported
 * (the phase, or the `[status:WORD]` marker while running), progress as reported, and since when (ms).
 */
function phaseOf(task, now) {
  const { markers, createdAt, pendingMs, generationMs } = task;
  const elapsed = now - createdAt;
  const running = (phase, progress, since) => ({ phase, status: markers.status || phase, progress, since });
  if (elapsed < pendingMs) return running('pending', '0', createdAt);
  if (markers.fail) return { phase: 'failed', status: 'failed', progress: '0', since: createdAt + pendingMs };
  if (markers.stuck || elapsed < generationMs) {
    return running('processing', `${processingPercent(task, elapsed)}%`, createdAt + pendingMs);
  }
  return { phase: 'completed', status: 'completed', progress: 100, since: createdAt + generationMs };
}

// ---------- answer shapes ----------

function videoUrlFor(baseUrl, taskId) {
  return `${baseUrl}/files/${encodeURIComponent(taskId)}.mp4`;
}

function thumbnailUrlFor(baseUrl, taskId) {
  return `${baseUrl}/files/${encodeURIComponent(taskId)}.jpg`;
}

/** Adds the video link(s) of a completed task, honouring [nourl] and [urlindetail]. */
function addLinks(view, task, baseUrl) {
  if (task.markers.nourl) return;
  if (task.markers.urlindetail) {
    view.detail.video_url = videoUrlFor(baseUrl, task.id);
    return;
  }
  view.video_url = videoUrlFor(baseUrl, task.id);
  view.thumbnail_url = thumbnailUrlFor(baseUrl, task.id);
}

/** GET /v1/video/query answer. */
function queryView(task, baseUrl, now = Date.now()) {
  const p = phaseOf(task, now);
  const view = {
    id: task.id,
    object: 'video',
    model: task.model,
    status: p.status,
    progress: p.progress,
    created_at: Math.floor(task.createdAt / 1000),
    size: task.size,
    status_update_time: p.since,
    detail: {
      input: { prompt: task.prompt, model: task.model, images: task.images, aspect_ratio: ASPECT_RATIOS[task.orientation] },
    },
  };
  if (p.phase === 'failed') view.error = { ...FAILURE };
  if (p.phase === 'completed') addLinks(view, task, baseUrl);
  if (task.markers.noprogress && p.phase !== 'completed') delete view.progress;
  return view;
}

/** GET /v1/videos/<id> answer (OpenAI video shape). */
function openAiVideoView(task, now = Date.now()) {
  const p = phaseOf(task, now);
  const view = {
    id: task.id,
    object: 'video',
    model: task.model,
    status: OPENAI_STATUS[p.phase],
    progress: typeof p.progress === 'number' ? p.progress : parseInt(p.progress, 10) || 0,
    created_at: Math.floor(task.createdAt / 1000),
  };
  if (p.phase === 'failed') view.error = { ...FAILURE };
  return view;
}

/** POST /v1/video/create answer, createShape 'task'. */
function createdView(task) {
  return { id: task.id, status: 'pending', status_update_time: task.createdAt };
}

/** POST /v1/video/create answer, createShape 'chat' (the id is the task id). */
function createdChatView(task) {
  return {
    id: task.id,
    object: 'chat.completion',
    created: Math.floor(task.createdAt / 1000),
    choices: [
      { index: 0, message: { role: 'assistant', content: `Task ${task.id} created, generating…` }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

// ---------- fake video bytes ----------

// An ISO-BMFF `ftyp` box (24 bytes) so the file at least starts like an mp4.
const FTYP = Buffer.from('000000186674797069736f6d0000020069736f6d6d703432', 'hex');

/** The deterministic bytes served at /files/<taskId>.mp4: ftyp header, then xorshift32 noise seeded by the id. */
function videoBytesFor(taskId, size) {
  if (!Number.isInteger(size) || size < 0) throw new TypeError('videoBytesFor: size must be a non-negative integer');
  const out = Buffer.alloc(size);
  FTYP.copy(out, 0, 0, Math.min(size, FTYP.length));
  let x = crypto.createHash('sha256').update(String(taskId)).digest().readUInt32LE(0) || 1;
  for (let i = FTYP.length; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

module.exports = {
  MODELS,
  LISTED_MODELS,
  createBodyError,
  createInput,
  newTask,
  phaseOf,
  queryView,
  openAiVideoView,
  createdView,
  createdChatView,
  videoUrlFor,
  videoBytesFor,
};
