import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { REQUEST_PRIORITY } from '../config/defaults';
import type { Run } from '../run/settings';
import { fetchAgainNote, taskSite } from '../task/ledger';
import type { TaskSnapshot } from '../task/snapshot';
import { operationError } from '../transport';
import type { CallSite, FileBody, FileHead, RequestHints } from '../transport';

/*
 * The video download, into n8n's binary data, checked: a link that answers 200 with a page (a login,
 * an error, a JSON error) is not stored as a video. Two checks, because the body goes straight from
 * the connection into n8n's binary data (no copy of it is held):
 * - before storing, the Content-Type: a page, JSON, XML or an image is refused at once;
 * - after storing, the first bytes of what was stored, read back through n8n's binary helpers (the
 *   file's stream when the data is kept apart from the item, as in filesystem, S3 and database mode;
 *   the item's own base64 in memory mode): they must start like a video file.
 */

const DEAD_LINK = 'The video link may have expired.';

/** A download: safe to repeat; a refused link is most likely an expired one. */
const DOWNLOAD_HINTS: RequestHints = { status: (status) => ([403, 404, 410].includes(status) ? DEAD_LINK : undefined) };

/** How much of the stored file is read back to see what it is. */
const HEAD_BYTES = 512;

/** Content types a video file is never served as (a video may come as video/*, octet-stream, or a playlist type). */
function isNotVideoType(contentType: string): boolean {
	const type = contentType.split(';')[0].trim().toLowerCase();
	if (['text/html', 'application/xhtml+xml', 'application/json', 'text/json', 'application/xml', 'text/xml', 'text/css', 'text/javascript', 'application/javascript'].includes(type)) return true;
	return type.endsWith('+json') || type.startsWith('image/');
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((byte, index) => bytes[at + index] === byte);

/** ISO-BMFF boxes a file starts with: `ftyp` (mp4, mov, m4v, 3gp), or an older QuickTime file's first box. */
const BMFF_BOXES: ReadonlySet<string> = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

/** MPEG transport stream: the sync byte 0x47 every 188 bytes (or 192, with a 4-byte timestamp first, as in .m2ts). */
function isTransportStream(bytes: Uint8Array): boolean {
	const syncAt = (first: number, packet: number) => bytes[first] === 0x47 && (bytes.length <= first + packet || bytes[first + packet] === 0x47);
	return syncAt(0, 188) || syncAt(4, 192);
}

/** Whether a file starts like a video (or a streaming playlist, which is what some links give). */
function isVideoStart(bytes: Uint8Array): boolean {
	if (bytes.length >= 8 && BMFF_BOXES.has(ascii(bytes, 4, 8))) return true;
	if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return true; // EBML: webm, mkv
	if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) || startsWith(bytes, [0x00, 0x00, 0x01, 0xb3])) return true; // MPEG program stream, MPEG video
	if (startsWith(bytes, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return true; // ASF: wmv
	if (ascii(bytes, 0, 4) === 'OggS' || ascii(bytes, 0, 3) === 'FLV' || (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'AVI ')) return true;
	if (isTransportStream(bytes)) return true;
	const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '').trimStart();
	return text.startsWith('#EXTM3U') || /<MPD[\s>]/.test(text); // HLS and DASH playlists
}

/** The first bytes of a stored file, however n8n keeps binary data. */
async function storedStart(fn: IExecuteFunctions, binary: IBinaryData): Promise<Uint8Array> {
	if (!binary.id) return Uint8Array.from(Buffer.from(binary.data.slice(0, Math.ceil(HEAD_BYTES / 3) * 4), 'base64')).subarray(0, HEAD_BYTES);
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of await fn.helpers.getBinaryStream(binary.id, HEAD_BYTES)) {
		chunks.push(chunk as Uint8Array);
		size += (chunk as Uint8Array).length;
		if (size >= HEAD_BYTES) break;
	}
	return Uint8Array.from(Buffer.concat(chunks)).subarray(0, HEAD_BYTES);
}

/** How a file starts, for a message: its text when it is text (a page), else its first bytes in hex. */
function describeStart(bytes: Uint8Array): string {
	if (bytes.length === 0) return 'it is empty';
	const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 120));
	const printable = [...text].filter((character) => /[\p{L}\p{N}\p{P}\p{S}\s]/u.test(character)).length;
	if (printable >= text.length * 0.9) return `it starts with "${text.replace(/\s+/g, ' ').trim().slice(0, 80)}"`;
	return `its first bytes are ${[...bytes.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')}`;
}

function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4`;
}

/** Downloads the task's video into n8n's binary data; a body that is not a video is an error naming the task, what came, and how to fetch it again. */
export async function downloadVideo(run: Run, snapshot: TaskSnapshot, at: CallSite, url: string): Promise<IBinaryData> {
	const { taskId } = snapshot;
	const site = taskSite(at.itemIndex, at.operation, taskId, fetchAgainNote);
	const node = run.client.errors.node;
	const host = new URL(url).host;
	const fix = `The link gave something else than the video: it may have expired, or need a login the node does not have. ${fetchAgainNote(taskId)}`;
	const notVideo = (what: string) => operationError(node, site, `the download of task ${taskId}'s video from ${host} is not a video: ${what}`, fix);
	const store = async (body: FileBody, head: FileHead) => {
		if (isNotVideoType(head.contentType)) throw notVideo(`it answered 200 with Content-Type "${head.contentType}"`);
		return { binary: await run.fn.helpers.prepareBinaryData(body, videoFileName(taskId), 'video/mp4'), contentType: head.contentType };
	};
	const terms = { site, repeatable: true, priority: REQUEST_PRIORITY.download, hints: DOWNLOAD_HINTS };
	const { binary, contentType } = await run.client.download({ url, terms, what: 'the video download' }, store);
	const start = await storedStart(run.fn, binary);
	if (!isVideoStart(start)) throw notVideo(`it answered 200 with Content-Type "${contentType || 'none'}" and ${describeStart(start)}`);
	return binary;
}
