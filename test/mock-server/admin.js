'use strict';
// /__admin — lets a test that runs the mock as a separate process (CLI) drive faults and read stats.
// No auth, no latency, no faults, not counted in stats.
//   POST   /__admin/faults  a fault object (or an array of them) → {"faults": <active count>}
//   DELETE /__admin/faults  → {"faults": 0}
//   GET    /__admin/stats   → mock.stats()
//   DELETE /__admin/stats   → mock.resetStats(), then the fresh stats
//   GET    /__admin/tasks   → {"tasks": [{id, prompt, model, images, imageData, extra, createdAt, generationMs, queries, readTimes, finalSeenAt}]}
//   GET    /__admin/log     → {"log": mock.requestLog()}

const { jsonReply, errorReply } = require('./replies.js');
const { normalizeFault } = require('./faults.js');

function addFaults(ctx) {
  const parsed = ctx.parseJson();
  if (!parsed.ok) return errorReply(400, 'Request body is not valid JSON', 'invalid_parameter');
  const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  try {
    list.forEach(normalizeFault); // validate all before adding any
  } catch (error) {
    return errorReply(400, error.message, 'invalid_fault');
  }
  list.forEach((fault) => ctx.mock.addFault(fault));
  return jsonReply(200, { faults: ctx.mock.faultCount() });
}

function handleAdmin(ctx) {
  const { method, pathname, mock } = ctx;
  if (pathname === '/__admin/faults' && method === 'POST') return addFaults(ctx);
  if (pathname === '/__admin/faults' && method === 'DELETE') {
    mock.clearFaults();
    return jsonReply(200, { faults: 0 });
  }
  if (pathname === '/__admin/stats' && method === 'GET') return jsonReply(200, mock.stats());
  if (pathname === '/__admin/stats' && method === 'DELETE') {
    mock.resetStats();
    return jsonReply(200, mock.stats());
  }
  if (pathname === '/__admin/tasks' && method === 'GET') {
    const list = [...mock.tasks.values()].map(({ id, prompt, model, images, imageData, extra, createdAt, generationMs, queries, readTimes, finalSeenAt }) => ({
      id, prompt, model, images, imageData, extra, createdAt, generationMs, queries: queries || 0, readTimes: readTimes || [], finalSeenAt,
    }));
    return jsonReply(200, { tasks: list });
  }
  if (pathname === '/__admin/log' && method === 'GET') return jsonReply(200, { log: mock.requestLog() });
  return errorReply(404, `Unknown admin route: ${method} ${pathname}`, 'not_found');
}

function isAdminPath(pathname) {
  return pathname === '/__admin' || pathname.startsWith('/__admin/');
}

module.exports = { handleAdmin, isAdminPath };
