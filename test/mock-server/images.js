'use strict';
// The images of a create body: http(s) links, or data URLs (`data:image/<type>;base64,<bytes>`) that are
// decoded and checked (the declared type must be what the bytes are). A task keeps what it got, never
// the data itself: links as given, and per data URL its type, size and the sha256 of its bytes.

const crypto = require('node:crypto');

const SIGNATURES = {
  'image/png': (b) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  'image/gif': (b) => b.length >= 6 && ['GIF87a', 'GIF89a'].includes(b.toString('latin1', 0, 6)),
};

const DATA_URL = /^data:([^;,]+);base64,/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** One entry of `images`: { link } or { data: {mime, bytes, sha256} }, or { error }. */
function readImage(entry, at) {
  if (typeof entry !== 'string') return { error: "'images' must be an array of strings (send [] when there is no image)" };
  if (!entry.startsWith('data:')) return isHttpUrl(entry) ? { link: entry } : { error: `'images[${at}]' must be an http(s) URL or a data URL` };
  const head = DATA_URL.exec(entry);
  if (!head) return { error: `'images[${at}]' is a data URL but not data:<type>;base64,<data>` };
  const payload = entry.slice(head[0].length);
  if (!BASE64.test(payload)) return { error: `'images[${at}]' is not valid base64` };
  const mime = head[1].toLowerCase();
  const signature = SIGNATURES[mime];
  if (!signature) return { error: `'images[${at}]' has the type ${mime}; images must be image/png, image/jpeg, image/webp or image/gif` };
  const bytes = Buffer.from(payload, 'base64');
  if (!signature(bytes)) return { error: `'images[${at}]' says ${mime}, but its bytes are not one` };
  return { data: { mime, bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') } };
}

/** { error } for the first bad entry, else { images, imageData }: links as given and `data:<mime>;sha256,<hex>` for data; the data's record. */
function readImages(list) {
  const images = [];
  const imageData = [];
  for (const [at, entry] of list.entries()) {
    const read = readImage(entry, at);
    if (read.error) return { error: read.error };
    if (read.link) images.push(read.link);
    else {
      images.push(`data:${read.data.mime};sha256,${read.data.sha256}`);
      imageData.push({ index: at, ...read.data });
    }
  }
  return { images, imageData };
}

module.exports = { readImages };
