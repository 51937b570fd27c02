'use strict';
// Faults: a list of rules (added by mock.addFault or POST /__admin/faults) matched against requests,
// and respondWithFault(), which turns the first matching rule into a damaged answer.

const { jsonReply, textReply, statusText, withHeaders, writeReply } = require('./replies.js');
const { applyStreamFault } = require('./chat.js');

const KINDS = ['status', 'malformed', 'html', 'empty', 'reset', 'hang', 'drip', 'huge', 'delay', 'cut', 'redirect', 'streamError', 'streamMalformed', 'streamNoDone'];
const MALFORMED_BODY = '{"id": "sora-2:task_x", "status": ';
const HUGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_DRIP_MS = 50;

// ---------- the rule list ----------

function checkNonNegativeInt(fault, field) {
  const value = fault[field];
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new TypeError(`fault.${field} must be a non-negative integer`);
  }
}

/** Validates a fault as given by a test and fills in defaults. Throws TypeError when it makes no sense. */
function normalizeFault(fault) {
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) throw new TypeError('a fault must be an object');
  const kind = fault.kind === undefined ? 'status' : fault.kind;
  if (!KINDS.includes(kind)) throw new TypeError(`fault.kind must be one of: ${KINDS.join(', ')}`);
  const times = fault.times === undefined || fault.times === null ? Infinity : fault.times;
  if (times !== Infinity && (!Number.isInteger(times) || times < 1)) throw new TypeError('fault.times must be a positive integer');
  if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599)) {
    throw new TypeError('fault.status must be an HTTP status code');
  }
  ['delayMs', 'afterChunks'].forEach((field) => checkNonNegativeInt(fault, field));
  if (typeof fault.body === 'number' || typeof fault.body === 'boolean') throw new TypeError('fault.body must be a string or an object');
  if (kind === 'redirect' && (typeof fault.location !== 'string' || fault.location === '')) {
    throw new TypeError("fault.location (the Location header) is required for kind 'redirect'");
  }
  if (fault.matchText !== undefined && (typeof fault.matchText !== 'string' || fault.matchText === '')) {
    throw new TypeError('fault.matchText must be a non-empty string');
  }
  return {
    ...fault,
    kind,
    times,
    method: fault.method ? String(fault.method).toUpperCase() : null,
    path: fault.path === undefined || fault.path === null ? null : String(fault.path),
    matchText: fault.matchText === undefined ? null : fault.matchText,
  };
}

function createFaultList() {
  let faults = [];
  return {
    add(fault) {
      faults.push(normalizeFault(fault));
    },
    clear() {
      faults = [];
    },
    get size() {
      return faults.length;
    },
    /**
     * The first rule matching this request; counts one hit against its `times`. `paths` = raw and decoded
     * pathname; `textOf()` = what a `matchText` rule searches (URL, body, prompt of the task the request names).
     */
    take(method, paths, textOf = () => '') {
      let text = null;
      const mentions = (needle) => (text === null ? (text = textOf()) : text).includes(needle);
      const hit = faults.find(
        (f) => (!f.method || f.method === method) && (f.path === null || paths.includes(f.path)) && (f.matchText === null || mentions(f.matchText)),
      );
      if (!hit) return null;
      hit.times -= 1;
      if (hit.times <= 0) faults = faults.filter((f) => f !== hit);
      return hit;
    },
  };
}

// ---------- canned answers ----------

/** The valid body used by drip/reset when the fault gives none: a plausible create answer. */
function stubBody() {
  return JSON.stringify({ id: 'sora-2:task_x', status: 'pending', status_update_time: Date.now() });
}

function faultBodyReply(status, body, fallback) {
  if (body === undefined) return textReply(status, fallback, 'application/json');
  return typeof body === 'string' ? textReply(status, body) : jsonReply(status, body);
}

function statusFaultReply(fault) {
  const status = fault.status || 500;
  const message = `HTTP ${status} ${statusText(status)} (mock fault)`;
  const fallback = JSON.stringify({ error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: 'mock_fault' } });
  return faultBodyReply(status, fault.body, fallback);
}

function htmlPage(status) {
  const title = `${status} ${statusText(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

let hugeBody = null;
function hugeJson() {
  if (!hugeBody) {
    const head = `{"id":"sora-2:task_x","status":"pending","status_update_time":0,"padding":"`;
    hugeBody = Buffer.from(`${head}${'x'.repeat(HUGE_BYTES - head.length - 2)}"}`);
  }
  return hugeBody;
}

/** The answer of a fault kind that answers without reaching the route handler. */
function cannedReply(fault) {
  switch (fault.kind) {
    case 'status':
      return statusFaultReply(fault);
    case 'malformed':
      return textReply(fault.status || 200, MALFORMED_BODY, 'application/json');
    case 'html': {
      const status = fault.status || 502;
      return textReply(status, typeof fault.body === 'string' ? fault.body : htmlPage(status), 'text/html; charset=utf-8');
    }
    case 'empty':
      return textReply(fault.status || 200, '', 'application/json');
    case 'huge':
      return textReply(fault.status || 200, hugeJson(), 'application/json');
    case 'redirect':
      return textReply(fault.status || 302, '', 'text/plain; charset=utf-8', { Location: fault.location });
    default: // reset, drip
      return faultBodyReply(fault.status || 200, fault.body, stubBody());
  }
}

/** For a cut in the middle of an event: event `after` is replaced by its first half (then the cut follows it). */
function withHalfEvent(reply, after) {
  if (!reply.chunks || after >= reply.chunks.length) return reply;
  const bytes = Buffer.from(reply.chunks[after]);
  const half = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
  return { ...reply, chunks: [...reply.chunks.slice(0, after), half, ...reply.chunks.slice(after + 1)] };
}

// ---------- answering ----------

/**
 * Answers one request under `fault` (or normally when fault is null).
 * env: { res, handle: () => Promise<reply>, wait(ms) }  — handle() runs auth + the route (may create a task).
 */
async function respondWithFault(fault, env) {
  const { res, handle, wait } = env;
  const send = (reply, mode = {}) => writeReply(res, withHeaders(reply, fault && fault.headers), mode, wait);
  if (!fault) return send(await handle());
  switch (fault.kind) {
    case 'hang':
      if (fault.afterCreate) await handle();
      return undefined; // never answer; close() destroys the socket
    case 'delay': {
      const early = fault.afterCreate ? await handle() : null;
      await wait(fault.delayMs || 0);
      return send(early || (await handle()));
    }
    case 'streamError':
    case 'streamMalformed':
    case 'streamNoDone':
      return send(applyStreamFault(await handle(), fault));
    case 'cut': {
      const reply = await handle();
      const after = fault.afterChunks || 0;
      return send(fault.midEvent ? withHalfEvent(reply, after) : reply, { cutAfterChunks: fault.midEvent && reply.chunks ? after + 1 : after });
    }
    case 'reset':
      return send(cannedReply(fault), { partial: true });
    case 'drip':
      return send(cannedReply(fault), { dripMs: fault.delayMs || DEFAULT_DRIP_MS });
    default:
      return send(cannedReply(fault));
  }
}

module.exports = { KINDS, normalizeFault, createFaultList, respondWithFault };
