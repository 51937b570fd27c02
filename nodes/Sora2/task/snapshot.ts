import type { IDataObject } from 'n8n-workflow';

import { isVideoLink, isVideoUrl } from '../shared/videoLinks';
import { isHttpUrl, isRecord } from '../shared/values';
import { meaningOf } from './statusWords';
import type { StatusMeaning, TaskStatus, WordSource } from './statusWords';

/*
 * Where gateways put a task's status, link, progress and failure reason (`docs/gateways.md`):
 * top level or under `detail` / `metadata`; inside an envelope `{code, message, data: {…task…}}`;
 * the link as a string, a list, `{url}`, `result.videos[].url[]` or a JSON string (`resultJson`).
 * Every function here reads a task record and never throws.
 */

type Json = Record<string, unknown>;

const STATUS_KEYS = ['status', 'state', 'task_status', 'taskStatus'];

/** The status word: top level, or under `detail` (some seed gateways); undefined when there is none. */
function statusWordOf(task: Json): string | undefined {
	for (const source of [task, task.detail]) {
		if (!isRecord(source)) continue;
		for (const key of STATUS_KEYS) {
			const value = source[key];
			if (typeof value === 'string' && value.trim() !== '') return value.trim();
		}
	}
	return undefined;
}

/** Where an envelope keeps the task: `data` (or the first entry of a `data` list). */
export function envelopeContent(body: Json): Json | undefined {
	const data = Array.isArray(body.data) ? (body.data as unknown[])[0] : body.data;
	return isRecord(data) ? data : undefined;
}

/** The task inside an envelope (`{code, msg, data: {…}}`), or the body itself. */
function unwrapTask(body: Json): Json {
	if (statusWordOf(body) !== undefined) return body;
	const inner = envelopeContent(body);
	return inner && (statusWordOf(inner) !== undefined || findLink(inner, { baseUrl: '' }) !== undefined) ? inner : body;
}

/** Keys that may hold the video's link, or a container of it, in the order they are tried. */
const LINK_KEYS = [
	'video_url', 'videoUrl', 'video', 'url', 'download_url', 'downloadUrl', 'output_url', 'outputUrl',
	'result_url', 'resultUrl', 'resultUrls', 'result_urls', 'video_urls', 'videoUrls', 'output', 'outputs',
	'result', 'results', 'videos', 'assets', 'metadata', 'detail', 'response', 'resultJson', 'result_json',
	'data', 'draft_info', 'downloadable_url',
];

const MAX_DEPTH = 6;

/** A root-relative path to a video file (`/files/x.mp4`), resolved against the Base URL. */
function relativeVideoPath(text: string): boolean {
	return text.startsWith('/') && !text.startsWith('//') && isVideoLink(new URL(text, 'http://relative.invalid'));
}

/**
 * Schemes of links the node never fetches (only http and https are): a link in one of them, or any
 * `scheme://…`, is noted so that a task without another link is reported with what was refused.
 * (Task ids like `sora-2:task_…` are neither.)
 */
const REFUSED_SCHEMES: ReadonlySet<string> = new Set(['file', 'ftp', 'ftps', 'sftp', 'data', 'javascript', 'vbscript', 'blob', 's3', 'gs', 'ws', 'wss', 'smb']);

/** The scheme of a link the node refuses (`ftp:`), or undefined when the text is no such link. */
function refusedScheme(text: string): string | undefined {
	// a link has no space after its scheme ("data: none" is prose)
	const scheme = /^([a-z][a-z0-9+.-]*):\S/i.exec(text)?.[1].toLowerCase();
	if (!scheme || scheme === 'http' || scheme === 'https') return undefined;
	return REFUSED_SCHEMES.has(scheme) || text.slice(scheme.length + 1).startsWith('//') ? `${scheme}:` : undefined;
}

/** Where a link is looked for: the Base URL (relative links), and the first refused link seen on the way. */
interface LinkSearch {
	baseUrl: string;
	refused?: string;
}

function linkInText(text: string, search: LinkSearch, depth: number): string | undefined {
	const value = text.trim();
	if (isHttpUrl(value)) return value;
	if (search.baseUrl && relativeVideoPath(value)) return new URL(value, `${search.baseUrl}/`).toString();
	if (value.startsWith('{') || value.startsWith('[')) {
		try {
			return findLink(JSON.parse(value) as unknown, search, depth + 1);
		} catch {
			return undefined;
		}
	}
	search.refused ??= refusedScheme(value);
	return undefined;
}

/** The first video link in a value, looking only under keys that hold links (never in the input echoed back). */
function findLink(value: unknown, search: LinkSearch, depth = 0): string | undefined {
	if (depth > MAX_DEPTH) return undefined;
	if (typeof value === 'string') return linkInText(value, search, depth);
	if (Array.isArray(value)) {
		for (const entry of value) {
			const found = findLink(entry, search, depth + 1);
			if (found) return found;
		}
		return undefined;
	}
	if (!isRecord(value)) return undefined;
	for (const key of LINK_KEYS) {
		if (!(key in value)) continue;
		const found = findLink(value[key], search, depth + 1);
		if (found) return found;
	}
	return undefined;
}

const THUMBNAIL_KEYS = ['thumbnail_url', 'thumbnailUrl', 'cover_url', 'coverUrl', 'poster_url'];

function thumbnailOf(task: Json): string | undefined {
	for (const source of [task, task.detail, task.result, task.metadata]) {
		if (!isRecord(source)) continue;
		const found = THUMBNAIL_KEYS.map((key) => source[key]).find(isHttpUrl);
		if (typeof found === 'string') return found;
	}
	return undefined;
}

const PROGRESS_KEYS = ['progress', 'percent', 'percentage', 'progress_pct', 'progressPct', 'progress_percent', 'progressPercent'];
const PROGRESS_CONTAINERS = ['detail', 'metadata', 'pending_info', 'task_info', 'result'];

/** `42`, `"45%"`, `"0"`, `0.42` (a fraction) → a percentage from 0 to 100; anything else → undefined. */
function parseProgress(value: unknown): number | undefined {
	let number: number;
	if (typeof value === 'number') number = value;
	else if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*%?\s*$/.test(value)) number = Number.parseFloat(value);
	else return undefined;
	if (!Number.isFinite(number)) return undefined;
	// Between 0 and 1 (not 1 itself: "1" is 1 % in integer-percent answers), a fraction.
	const percent = number > 0 && number < 1 && !(typeof value === 'string' && value.includes('%')) ? number * 100 : number;
	return Math.round(Math.min(100, Math.max(0, percent)) * 100) / 100;
}

/** The progress, at the top level first, then in the containers gateways nest it in (two levels deep). */
function progressOf(task: Json, depth = 0): number | undefined {
	for (const key of PROGRESS_KEYS) {
		const progress = parseProgress(task[key]);
		if (progress !== undefined) return progress;
	}
	if (depth >= 2) return undefined;
	for (const key of PROGRESS_CONTAINERS) {
		const inner = task[key];
		const progress = isRecord(inner) ? progressOf(inner, depth + 1) : undefined;
		if (progress !== undefined) return progress;
	}
	return undefined;
}

/** `{code: "moderation_blocked", message: "…"}` → "moderation_blocked: …"; a numeric code adds nothing. */
function composeReason(code: unknown, message: unknown): string | undefined {
	const text = typeof message === 'string' ? message.trim() : '';
	const word = typeof code === 'string' && code.trim() !== '' && !/^\d+$/.test(code.trim()) ? code.trim() : '';
	if (text && word && !text.startsWith(word)) return `${word}: ${text}`;
	return text || word || undefined;
}

function reasonIn(value: unknown): string | undefined {
	if (typeof value === 'string') return value.trim() || undefined;
	if (Array.isArray(value)) return value.map(reasonIn).find((reason) => reason !== undefined);
	if (!isRecord(value)) return undefined;
	return composeReason(value.code ?? value.type, value.message ?? value.msg ?? value.detail);
}

const REASON_KEYS = ['error', 'fail_reason', 'failReason', 'failure_reason', 'failureReason', 'fail_msg', 'failMsg', 'error_message', 'errorMessage', 'errorMsg', 'err_msg', 'reason'];

/**
 * Why a task failed, from the fields that only ever hold a failure (or a FastAPI-style `detail`
 * list of errors). `message` / `msg` are read too when the status already says failed (`loose`):
 * elsewhere they say "ok" or "success".
 */
function failureReasonOf(task: Json, loose: boolean): string | undefined {
	for (const source of [task, task.detail]) {
		if (!isRecord(source)) continue;
		for (const key of REASON_KEYS) {
			const reason = key === 'failMsg' ? composeReason(source.failCode, source.failMsg) : reasonIn(source[key]);
			if (reason && !isHttpUrl(reason)) return reason;
		}
	}
	if (Array.isArray(task.detail)) return reasonIn(task.detail);
	return loose ? (reasonIn(task.message) ?? reasonIn(task.msg)) : undefined;
}

// ---------- the snapshot ----------

/** One reading of a task, in the node's own words next to the API's. */
export interface TaskSnapshot {
	taskId: string;
	status: TaskStatus;
	/** The status word as the API wrote it (undefined when the answer had none). */
	rawStatus?: string;
	/** How the node understood `rawStatus` (a word outside every list is still shown as it came). */
	wordSource: WordSource;
	progress?: number;
	videoUrl?: string;
	thumbnailUrl?: string;
	failureReason?: string;
	/** The task as the API sent it (taken out of an envelope). */
	raw: IDataObject;
	/** The scheme of a link the answer gave that the node does not fetch (`ftp:`, `file:` …), when it gave no other. */
	refusedLink?: string;
	/** The read was answered 404 for a task this run just created: the API does not show it yet. */
	unseen?: boolean;
}

/**
 * The status of a task: its word's meaning; a word the node does not know, carrying a finished
 * video's link, is done. An answer with no word at all is done when it carries a link (a result
 * body) and failed when it carries a reason (an error body); otherwise it tells nothing.
 */
function statusOf(word: string | undefined, link: string | undefined, reason: string | undefined): StatusMeaning | undefined {
	if (word !== undefined) {
		const meaning = meaningOf(word);
		if (meaning.source !== 'known' && meaning.status !== 'failed' && link && isVideoUrl(link)) return { status: 'completed', source: meaning.source };
		return meaning;
	}
	if (link && isVideoUrl(link)) return { status: 'completed', source: 'none' };
	if (reason) return { status: 'failed', source: 'none' };
	return undefined;
}

/**
 * Reads a task answer of any gateway shape. `taskId` is the id the node asked about (answers
 * sometimes carry a database id instead). `baseUrl` resolves a relative link. Undefined when the
 * answer says nothing about a task (no status, no link, no reason).
 */
export function snapshotOf(taskId: string, body: unknown, baseUrl: string): TaskSnapshot | undefined {
	if (!isRecord(body)) return undefined;
	const task = unwrapTask(body);
	const word = statusWordOf(task);
	const search: LinkSearch = { baseUrl };
	let link = findLink(task, search);
	const meaning = statusOf(word, link, word === undefined ? failureReasonOf(task, false) : undefined);
	if (!meaning) return undefined;
	// An old gateway answers a success with the link in `fail_reason`.
	if (meaning.status === 'completed' && !link && typeof task.fail_reason === 'string') link = findLink(task.fail_reason, search);
	const snapshot: TaskSnapshot = { taskId, status: meaning.status, rawStatus: word, wordSource: meaning.source, raw: task as IDataObject };
	if (!link && search.refused) snapshot.refusedLink = search.refused;
	const progress = meaning.status === 'completed' ? 100 : progressOf(task);
	if (progress !== undefined) snapshot.progress = progress;
	if (link && meaning.status !== 'failed') snapshot.videoUrl = link;
	const thumbnail = thumbnailOf(task);
	if (thumbnail) snapshot.thumbnailUrl = thumbnail;
	if (meaning.status === 'failed') snapshot.failureReason = failureReasonOf(task, true) ?? word ?? 'no reason given';
	return snapshot;
}
