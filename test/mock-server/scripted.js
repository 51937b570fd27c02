'use strict';
// Scripted tasks: a task whose answers are given by a test (a gateway fixture in test/conformance)
// instead of derived from time. Its create answers `script.create`; its n-th status read answers
// `script.reads[n]` (the last one repeats). `script.route` says where the reads are served:
// 'query' (GET /v1/video/query?id=…, the default) or 'openai' (GET /v1/videos/<id> only; the query
// route then answers 404). Placeholders in the answers are filled in per task:
//   {{taskId}} {{fileUrl}} (absolute link to the task's mp4) {{filePath}} (the same, root-relative)
//   {{contentUrl}} (<base>/v1/videos/<id>/content) {{now}} (s) {{nowMs}} (ms)

function render(value, task, mockUrl) {
  const id = encodeURIComponent(task.id);
  const now = Date.now();
  const text = JSON.stringify(value)
    .split('{{taskId}}').join(task.id)
    .split('{{fileUrl}}').join(`${mockUrl}/files/${id}.mp4`)
    .split('{{filePath}}').join(`/files/${id}.mp4`)
    .split('{{contentUrl}}').join(`${mockUrl}/v1/videos/${id}/content`)
    .split('{{nowMs}}').join(String(now))
    .split('{{now}}').join(String(Math.floor(now / 1000)));
  return JSON.parse(text);
}

/** Checks a script as a test gives it; throws TypeError when it makes no sense. */
function checkScript(script) {
  if (typeof script !== 'object' || script === null) throw new TypeError('a script must be an object');
  if (!Array.isArray(script.reads) || script.reads.length === 0) throw new TypeError('script.reads must be a non-empty array');
  if (script.route !== undefined && !['query', 'openai'].includes(script.route)) throw new TypeError("script.route must be 'query' or 'openai'");
  if (script.taskId !== undefined && (typeof script.taskId !== 'string' || script.taskId === '')) throw new TypeError('script.taskId must be a non-empty string');
  return { route: 'query', ...script };
}

/** The answer of the task's next read on `route`, or null when the task is not served there. */
function scriptedRead(task, route, mockUrl) {
  if (task.script.route !== route) return null;
  const reads = task.script.reads;
  const at = Math.min(task.queries || 0, reads.length - 1);
  return render(reads[at], task, mockUrl);
}

module.exports = { checkScript, render, scriptedRead };
