'use strict';
// Replies: handlers build a plain "reply" value; writeReply() puts it on the wire, normally or
// damaged (reset / cut / drip) as a fault asks.
//   whole reply:  { status, headers, body: Buffer }
//   stream reply: { status, headers, chunks: string[], chunkDelayMs, writeBytes }   (SSE and the like;
//                 writeBytes > 0 writes each chunk in slices of that many bytes, chunkDelayMs apart)

const http = require('node:http');

// ---------- building replies ----------

function bufferReply(status, body, contentType, headers = {}) {
  const head = contentType ? { 'Content-Type': contentType, ...headers } : { ...headers };
  return { status, headers: head, body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)) };
}

function jsonReply(status, value, headers) {
  return bufferReply(status, JSON.stringify(value), 'application/json', headers);
}

function textReply(status, text, contentType = 'text/plain; charset=utf-8', headers) {
  return bufferReply(status, text, contentType, headers);
}

/** OpenAI-style error: {"error":{"message","type","code"}}. */
function errorReply(status, message, code, type = 'invalid_request_error') {
  return jsonReply(status, { error: { message, type, code } });
}

function streamReply(status, headers, chunks, chunkDelayMs = 0, writeBytes = 0) {
  return { status, headers: { ...headers }, chunks, chunkDelayMs, writeBytes };
}

function statusText(status) {
  return http.STATUS_CODES[status] || 'Unknown Status';
}

function withHeaders(reply, headers) {
  return headers ? { ...reply, headers: { ...reply.headers, ...headers } } : reply;
}

// ---------- writing replies ----------

/** Resolves once `chunk` has been handed to the socket (so a destroy() after it cannot drop it). */
function writeFlushed(res, chunk) {
  return new Promise((resolve) => res.write(chunk, () => resolve()));
}

/** Writes half of `body` (at least one byte when there is one), then kills the connection. */
function writePartThenDestroy(res, body) {
  const part = body.subarray(0, Math.max(Math.floor(body.length / 2), Math.min(1, body.length)));
  res.flushHeaders();
  writeFlushed(res, part).then(() => res.destroy());
}

async function writeDrip(res, body, delayMs, wait) {
  res.flushHeaders();
  for (let i = 0; i < body.length; i++) {
    await wait(delayMs);
    if (res.destroyed) return;
    res.write(body.subarray(i, i + 1));
  }
  res.end();
}

/** A chunk as the pieces it is written in: whole, or slices of `writeBytes` bytes (splitting lines and characters). */
function piecesOf(chunk, writeBytes) {
  if (!(writeBytes > 0)) return [chunk];
  const bytes = Buffer.from(chunk);
  const pieces = [];
  for (let at = 0; at < bytes.length; at += writeBytes) pieces.push(bytes.subarray(at, at + writeBytes));
  return pieces;
}

async function writeChunks(res, reply, cutAfterChunks, wait) {
  res.writeHead(reply.status, reply.headers);
  res.flushHeaders();
  let first = true;
  for (let i = 0; i < reply.chunks.length; i++) {
    if (i === cutAfterChunks) return void res.destroy();
    for (const piece of piecesOf(reply.chunks[i], reply.writeBytes)) {
      if (!first) await wait(reply.chunkDelayMs);
      first = false;
      if (res.destroyed) return;
      await writeFlushed(res, piece);
    }
  }
  res.end();
}

/**
 * mode: {} normal | { partial: true } headers + part of the body, then destroy |
 *       { cutAfterChunks: n } a stream reply is cut after n chunks (a whole reply is treated as `partial`) |
 *       { dripMs: n } one byte every n ms.
 * `wait(ms)` is the server's timer helper (cleared on close()).
 */
async function writeReply(res, reply, mode, wait) {
  if (res.destroyed) return;
  const cut = Number.isInteger(mode.cutAfterChunks) ? mode.cutAfterChunks : undefined;
  if (reply.chunks) return writeChunks(res, reply, cut, wait);
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length) });
  if (mode.partial || cut !== undefined) return writePartThenDestroy(res, reply.body);
  if (mode.dripMs) return writeDrip(res, reply.body, mode.dripMs, wait);
  res.end(reply.body);
}

module.exports = {
  jsonReply,
  textReply,
  errorReply,
  streamReply,
  statusText,
  withHeaders,
  writeReply,
};
