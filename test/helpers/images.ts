/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test helper: runs outside n8n and builds image files with Node's zlib and crypto */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

/**
 * Image files for tests, the e2e suite and the benchmark: real PNGs of a chosen size (noise pixels,
 * so they do not compress), the first bytes of the other kinds, and items that carry them the way
 * n8n's default binary data mode does (base64 in the item).
 */

function chunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(4);
	head.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([head, body, crc]);
}

/** Deterministic noise (xorshift32) so a file's bytes (and sha256) are the same on every run. */
function noise(size: number, seed: number): Buffer {
	const out = Buffer.alloc(size);
	let x = seed || 1;
	for (let i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}
	return out;
}

/** A valid RGB PNG of about `bytes` bytes (at least a few hundred): square, noise pixels, stored uncompressed by deflate level 0. */
export function pngOfSize(bytes: number, seed = 7): Buffer {
	const side = Math.max(1, Math.floor(Math.sqrt(bytes / 3)));
	const row = 1 + side * 3;
	const raw = noise(row * side, seed);
	for (let y = 0; y < side; y++) raw[y * row] = 0; // filter byte of each row: none
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(side, 0);
	ihdr.writeUInt32BE(side, 4);
	ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 0 })), chunk('IEND', Buffer.alloc(0))]);
}

/** The first bytes of each kind the node takes, then noise: enough for the node and the mock to tell the kind. */
export const IMAGE_HEADS = {
	'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]),
	'image/webp': Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]),
	'image/gif': Buffer.from('GIF89a'),
} as const;

export function imageOf(mime: keyof typeof IMAGE_HEADS, size = 256, seed = 3): Buffer {
	const head = IMAGE_HEADS[mime];
	return Buffer.concat([head, noise(Math.max(0, size - head.length), seed)]);
}

/** Something that is no image: the start of a PDF. */
export function pdfOf(size = 256): Buffer {
	return Buffer.concat([Buffer.from('%PDF-1.7\n'), noise(size, 5)]).subarray(0, size);
}

export function dataUrlOf(mime: string, bytes: Buffer): string {
	return `data:${mime};base64,${bytes.toString('base64')}`;
}

export function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** A binary property as n8n's default binary data mode keeps it (base64 in the item, its size in `bytes`). */
export function binaryOf(bytes: Buffer, mimeType: string, fileName: string): IBinaryData {
	return { data: bytes.toString('base64'), mimeType, fileName, bytes: bytes.length, fileSize: `${bytes.length} B` };
}

/** An item with these binary properties. */
export function itemWith(binary: Record<string, IBinaryData>, json: INodeExecutionData['json'] = {}): INodeExecutionData {
	return { json, binary };
}
