'use strict';
// Counting: requests per "METHOD pathname", /v1 requests in flight (and the peak), tasks created.

function createStats() {
  let requests = {};
  let total = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let creates = 0;
  let log = [];

  return {
    /** One request seen (every request except /__admin ones), logged with its arrival time and the task it names. */
    count(key, taskId, withKey) {
      requests[key] = (requests[key] || 0) + 1;
      total += 1;
      log.push({ at: Date.now(), request: key, taskId, withKey: Boolean(withKey) });
    },
    /** Every request since the last reset, in arrival order: { at (ms), request ("METHOD pathname"), taskId, withKey }. */
    log() {
      return log.slice();
    },
    /** A /v1 request starts being handled; call the returned function once when its response is over. */
    enter() {
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inFlight -= 1;
      };
    },
    created() {
      creates += 1;
    },
    snapshot(taskCount) {
      return { requests: { ...requests }, total, inFlight, peakInFlight, creates, tasks: taskCount };
    },
    /** Forgets counts; requests still in flight stay counted (and are the new peak). */
    reset() {
      requests = {};
      total = 0;
      creates = 0;
      log = [];
      peakInFlight = inFlight;
    },
  };
}

module.exports = { createStats };
