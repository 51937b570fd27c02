import { createHash } from 'crypto';
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MAX_IMAGE_MB } from '../config/defaults';
import { IMAGE_FIELDS } from '../config/labels';
import { describeValue, errorMessage, fail, isHttpUrl, numberOf, ok } from '../shared/values';
import type { Result } from '../shared/values';
import { inputError } from '../transport';
import type { RequestHints } from '../transport';

/*
 * The images of one Create, in the order they are sent: the Image URLs first, then the Image Files.
 * - Image URLs: public http(s) links as users map them (an array from an expression, a JSON array in
 *   a sheet cell, or a comma/newline separated text); a data URL or plain base64 text is taken too.
 * - Image Files: the item's binary fields named in the field (read through n8n's binary helpers, so
 *   every binary data mode works), sent as `data:<mime>;base64,<bytes>`; an expression may give a
 *   data URL or plain base64 text instead.
 * Every image given as data is checked before anything is sent: an image by its first bytes (PNG,
 * JPEG, WebP, GIF, whatever type it declares) and no larger than Max Image Size. A file's bytes are
 * read again when its create starts, so a run of many large images holds only the bodies being sent.
 */

/** An image as it is sent: a link or a data URL as given (checked), or a binary field of the item (read when sent). */
export type ImageSource = { kind: 'link' | 'data'; url: string } | { kind: 'file'; property: string; mime: string; sha256: string };

/** What is wrong with an image, and how to fix it. */
export interface ImageProblem {
	problem: string;
	fix: string;
}

const problem = (text: string, fix: string): { ok: false; error: ImageProblem } => fail({ problem: text, fix });

// ---------- what an image is, by its first bytes ----------

const SIGNATURES: ReadonlyArray<{ mime: string; test: (head: Uint8Array) => boolean }> = [
	{ mime: 'image/png', test: (head) => startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
	{ mime: 'image/jpeg', test: (head) => startsWith(head, [0xff, 0xd8, 0xff]) },
	{ mime: 'image/webp', test: (head) => ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP' },
	{ mime: 'image/gif', test: (head) => ['GIF87a', 'GIF89a'].includes(ascii(head, 0, 6)) },
];

/** Enough bytes to tell every kind above. */
const HEAD_BYTES = 12;

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
	return bytes.every((byte, at) => head[at] === byte);
}

function ascii(head: Uint8Array, from: number, to: number): string {
	return String.fromCharCode(...head.subarray(from, to));
}

/** The image type the bytes start with, or undefined when they are no PNG, JPEG, WebP or GIF. */
function imageTypeOf(head: Uint8Array): string | undefined {
	return SIGNATURES.find((signature) => signature.test(head))?.mime;
}

/** What the first bytes are, for a message: hex, and the printable ones as text (e.g. `25 50 44 46 "%PDF"`). */
function describeHead(head: Uint8Array): string {
	if (head.length === 0) return 'it is empty';
	const bytes = [...head.subarray(0, 8)];
	const text = bytes.map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
	return `its first bytes are ${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(' ')} ("${text}")`;
}

const KINDS = 'a PNG, JPEG, WebP or GIF image';

const SIZE_FIX = `Send a smaller image (resize or compress it first), or raise ${IMAGE_FIELDS.maxSize} in the node's Options if your gateway takes larger ones.`;
const NOT_IMAGE_FIX = `Give ${KINDS} (the gateway makes videos only from those), or convert the file first (e.g. with the Edit Image node).`;
const URLS_FIX = `Give public http(s) image URLs (or data URLs) separated by commas or new lines, a JSON array of them, or leave ${IMAGE_FIELDS.urls} empty.`;
const FILES_FIX = `Name binary fields of the item (e.g. data) in ${IMAGE_FIELDS.files}, separated by commas, or leave the field empty.`;

function megabytes(bytes: number): string {
	return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

function tooLarge(size: number, maxBytes: number): { ok: false; error: ImageProblem } {
	return problem(`is ${megabytes(size)}, more than ${IMAGE_FIELDS.maxSize} allows (${megabytes(maxBytes)})`, SIZE_FIX);
}

/** An image's type from its first bytes, or what is wrong with it (not an image, too large). */
function checkImage(head: Uint8Array, size: number, maxBytes: number): Result<string, ImageProblem> {
	const mime = imageTypeOf(head);
	if (!mime) return problem(`is not ${KINDS}: ${describeHead(head)}`, NOT_IMAGE_FIX);
	return size > maxBytes ? tooLarge(size, maxBytes) : ok(mime);
}

/** Max Image Size of one item (its Options), in bytes. */
export function maxImageBytes(fn: IExecuteFunctions, itemIndex: number): number {
	const raw = (fn.getNodeParameter('options', itemIndex, {}) as IDataObject).maxImageSize;
	if (raw === undefined || raw === '' || raw === null) return MAX_IMAGE_MB * 1024 * 1024;
	const value = numberOf(raw);
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw inputError(fn.getNode(), itemIndex, `${IMAGE_FIELDS.maxSize} must be a number above 0, got ${JSON.stringify(raw)}`, `Fix "${IMAGE_FIELDS.maxSize}" in the node's Options; ${MAX_IMAGE_MB} is the default.`);
	}
	return Math.round(value * 1024 * 1024);
}

// ---------- images given as text: data URLs and plain base64 ----------

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Plain base64 of at least this many characters (a short word is a name or a typo, not an image). */
const MIN_BASE64_CHARS = 64;

function looksLikeBase64(text: string): boolean {
	return text.length >= MIN_BASE64_CHARS && BASE64.test(text.replace(/\s+/g, ''));
}

function isDataUrl(text: string): boolean {
	return /^data:/i.test(text);
}

/** How many bytes a base64 text decodes to. */
function decodedSize(base64: string): number {
	const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
	return Math.floor((base64.length * 3) / 4) - padding;
}

/** A data URL or plain base64 text, checked, as the data URL to send (with the type its bytes show). */
function dataUrlOf(text: string, maxBytes: number): Result<string, ImageProblem> {
	let payload = text;
	if (isDataUrl(text)) {
		const comma = text.indexOf(',');
		const header = comma === -1 ? '' : text.slice(5, comma);
		if (!/;base64$/i.test(header)) return problem('is a data URL, but not a base64 one (data:<type>;base64,<data>)', NOT_IMAGE_FIX);
		payload = text.slice(comma + 1);
	}
	if (/\s/.test(payload)) payload = payload.replace(/\s+/g, '');
	if (!BASE64.test(payload)) return problem('is not valid base64', NOT_IMAGE_FIX);
	const checked = checkImage(Buffer.from(payload.slice(0, 16), 'base64'), decodedSize(payload), maxBytes);
	return checked.ok ? ok(`data:${checked.value};base64,${payload}`) : checked;
}

/** A short form of an image given as text, for messages (never the data itself). */
function shown(text: string): string {
	if (isDataUrl(text)) return `the data URL "${text.slice(0, Math.max(0, text.indexOf(',') + 1)).slice(0, 60)}…" (${text.length} characters)`;
	if (text.length > 80) return `the text "${text.slice(0, 12)}…" (${text.length} characters)`;
	return `"${text}"`;
}

// ---------- Image URLs ----------

/**
 * Splits a list on commas and new lines, keeping a data URL whole (its own comma comes right after
 * `;base64`).
 */
function splitList(text: string): string[] {
	const parts = text.split(/\r?\n|,/);
	const entries: string[] = [];
	for (let at = 0; at < parts.length; at++) {
		const part = parts[at].trim();
		if (/^data:[^,]*;base64$/i.test(part) && at + 1 < parts.length) entries.push(`${part},${parts[++at].trim()}`);
		else if (part !== '') entries.push(part);
	}
	return entries;
}

/** The entries of a list field: an array from an expression, a JSON array in a text, or a separated text. */
function listEntries(value: unknown, what: string): Result<unknown[], string> {
	if (value === undefined || value === null || value === '') return ok([]);
	if (Array.isArray(value)) return ok(value);
	if (typeof value !== 'string') return fail(`it is ${describeValue(value)}; give ${what}, or a comma-separated text`);
	const text = value.trim();
	if (!text.startsWith('[')) return ok(splitList(text));
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return fail('it starts with "[" but is not a valid JSON array');
	}
	return Array.isArray(parsed) ? ok(parsed) : fail('it is JSON but not an array');
}

/** The Image URLs field: links as they are, data URLs and base64 text checked. */
export function parseImageUrls(value: unknown, maxBytes: number): Result<ImageSource[], ImageProblem> {
	const entries = listEntries(value, 'a URL, a list of URLs');
	if (!entries.ok) return problem(entries.error, URLS_FIX);
	const images: ImageSource[] = [];
	for (const [position, entry] of entries.value.entries()) {
		if (typeof entry !== 'string') return problem(`entry ${position + 1} is ${describeValue(entry)}, not a URL`, URLS_FIX);
		const text = entry.trim();
		if (text === '') continue;
		if (isHttpUrl(text)) {
			images.push({ kind: 'link', url: text });
			continue;
		}
		if (!isDataUrl(text) && !looksLikeBase64(text)) return problem(`"${text.slice(0, 200)}" is not an http(s) URL`, URLS_FIX);
		const data = dataUrlOf(text, maxBytes);
		if (!data.ok) return problem(`entry ${position + 1}, ${shown(text)}, ${data.error.problem}`, data.error.fix);
		images.push({ kind: 'data', url: data.value });
	}
	return ok(images);
}

// ---------- Image Files ----------

/** The names of the item's binary fields, for a message. */
function binaryNames(fn: IExecuteFunctions, itemIndex: number): string {
	const names = Object.keys(fn.getInputData()[itemIndex]?.binary ?? {});
	return names.length ? `it has ${names.map((name) => `"${name}"`).join(', ')}` : 'it has no binary data at all';
}

/**
 * The base64 text a binary field keeps itself: in n8n's default (in-memory) binary data mode the
 * item holds the bytes as base64 (no `id`), which is what a data URL needs, so nothing is decoded
 * or encoded again. In every other mode (filesystem, database, S3) the field holds an id: undefined.
 */
function inItemBase64(binary: IBinaryData): string | undefined {
	return binary.id === undefined && typeof binary.data === 'string' && binary.data !== '' ? binary.data : undefined;
}

/**
 * The first bytes, the size and the sha256 of a binary field (read through n8n's helper unless the
 * item holds them). The sha256 of the bytes names the file in the request's identity (task/memory.ts).
 */
async function fileHead(fn: IExecuteFunctions, itemIndex: number, property: string, binary: IBinaryData): Promise<{ head: Uint8Array; size: number; sha256: string }> {
	const base64 = inItemBase64(binary);
	const buffer = base64 !== undefined ? Buffer.from(base64, 'base64') : await fn.helpers.getBinaryDataBuffer(itemIndex, property);
	return { head: buffer.subarray(0, HEAD_BYTES), size: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') };
}

/** One binary field of the item, checked (found through n8n's helpers: any binary data mode). */
async function checkFile(fn: IExecuteFunctions, itemIndex: number, property: string, maxBytes: number): Promise<ImageSource> {
	const node = fn.getNode();
	const label = `${IMAGE_FIELDS.files}, binary field "${property}"`;
	let binary: IBinaryData;
	try {
		binary = fn.helpers.assertBinaryData(itemIndex, property);
	} catch {
		throw inputError(node, itemIndex, `${IMAGE_FIELDS.files}: the item has no binary field "${property}" (${binaryNames(fn, itemIndex)})`, FILES_FIX);
	}
	// a file far too large is refused from its metadata, without reading it
	if (typeof binary.bytes === 'number' && binary.bytes > maxBytes) {
		const large = tooLarge(binary.bytes, maxBytes).error;
		throw inputError(node, itemIndex, `${label} ${large.problem}`, large.fix);
	}
	let read: { head: Uint8Array; size: number; sha256: string };
	try {
		read = await fileHead(fn, itemIndex, property, binary);
	} catch (error) {
		throw inputError(node, itemIndex, `${label} could not be read: ${errorMessage(error)}`, 'Run the node that made the file again; its binary data may have been removed.');
	}
	const checked = checkImage(read.head, read.size, maxBytes);
	const declared = `declared as ${binary.mimeType || 'no type'}${binary.fileName ? `, file ${binary.fileName}` : ''}`;
	if (!checked.ok) throw inputError(node, itemIndex, `${label} (${declared}) ${checked.error.problem}`, checked.error.fix);
	return { kind: 'file', property, mime: checked.value, sha256: read.sha256 };
}

/**
 * The Image Files field of one item, checked: binary field names (in the order given), or data
 * URLs / base64 text from an expression. Throws an input error naming the item and the field.
 */
export async function readImageFiles(fn: IExecuteFunctions, itemIndex: number, maxBytes: number): Promise<ImageSource[]> {
	const node = fn.getNode();
	const entries = listEntries(fn.getNodeParameter('imageFiles', itemIndex, '') as unknown, 'a binary field name, a list of them');
	if (!entries.ok) throw inputError(node, itemIndex, `${IMAGE_FIELDS.files}: ${entries.error}`, FILES_FIX);
	const binary = fn.getInputData()[itemIndex]?.binary ?? {};
	const images: ImageSource[] = [];
	for (const [position, entry] of entries.value.entries()) {
		if (typeof entry !== 'string') throw inputError(node, itemIndex, `${IMAGE_FIELDS.files}: entry ${position + 1} is ${describeValue(entry)}, not a binary field name`, FILES_FIX);
		const name = entry.trim();
		if (name === '') continue;
		if (isDataUrl(name) || (looksLikeBase64(name) && !Object.prototype.hasOwnProperty.call(binary, name))) {
			const data = dataUrlOf(name, maxBytes);
			if (!data.ok) throw inputError(node, itemIndex, `${IMAGE_FIELDS.files}: entry ${position + 1}, ${shown(name)}, ${data.error.problem}`, data.error.fix);
			images.push({ kind: 'data', url: data.value });
		} else {
			images.push(await checkFile(fn, itemIndex, name, maxBytes));
		}
	}
	return images;
}

/** How an image names itself in the request's identity: a link as it is, data and files by the sha256 of what is sent. */
export function imageIdentity(image: ImageSource): string {
	if (image.kind === 'link') return image.url;
	if (image.kind === 'file') return `file:sha256:${image.sha256}`;
	return `data:sha256:${createHash('sha256').update(image.url).digest('hex')}`;
}

// ---------- when the create is sent ----------

/** The `images` of the body: links and data URLs as they are, each file read now and encoded. */
export async function imageUrls(fn: IExecuteFunctions, itemIndex: number, images: readonly ImageSource[]): Promise<string[]> {
	const urls: string[] = [];
	for (const image of images) {
		if (image.kind !== 'file') {
			urls.push(image.url);
			continue;
		}
		const base64 = inItemBase64(fn.helpers.assertBinaryData(itemIndex, image.property)) ?? (await fn.helpers.getBinaryDataBuffer(itemIndex, image.property)).toString('base64');
		urls.push(`data:${image.mime};base64,${base64}`);
	}
	return urls;
}

const DATA_URL_HINT = `The gateway may not take images as data URLs (the API documents only links): put the image at a public link and give it in ${IMAGE_FIELDS.urls}, or use another gateway.`;

/** The create's hints: a refusal while images go as data says that data URLs may be what it refused. */
export function imageHints(hints: RequestHints, images: readonly ImageSource[]): RequestHints {
	if (!images.some((image) => image.kind !== 'link')) return hints;
	const refusedData = (status: number) => ([400, 413, 415, 422].includes(status) ? `${status === 413 ? 'The request is too large. ' : ''}${DATA_URL_HINT}` : undefined);
	return { ...hints, status: (status) => refusedData(status) ?? hints.status?.(status), refused: DATA_URL_HINT };
}
