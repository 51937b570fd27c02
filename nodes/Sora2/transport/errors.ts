import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';
import { z } from 'zod';

import { errorMessage, isObject, isRecord } from '../shared/values';
import { redact } from './secrets';

/*
 * Every error the node raises is built here, one builder per kind:
 * - `inputError`: a field of an item is wrong (before anything is sent); names the item and the fix.
 * - `configError`: the credential or the node's set-up is wrong (no item to blame).
 * - `operationError`: something the operation found (a task failed, ran out of time…), at a site.
 * - `stoppedError`: the run stopped (cancelled, or another item failed).
 * - `apiStatusError`: the API answered something other than a success (or a 200 that says no).
 * - `unexpectedAnswerError`: a 200 that is not what the API documents; quotes what arrived.
 * - `streamFailureError`: a 200 stream that broke off or reported an error.
 * - `networkError`: no (complete) answer at all.
 * - `itemError`: anything else that escaped an item, given the item and a hint.
 * The API's own words in an error body are read here too (`apiMessageOf`, `refusalOf`).
 */

/** Where a request was made from: shown in every error so the user knows which row (and what) failed. */
export interface CallSite {
	itemIndex: number;
	/** e.g. "Video → Create". */
	operation: string;
	/** Said after every error of this site (written by the caller, who knows what to do next). */
	note?: string;
	/** Put into every error of this site, where error items read it (e.g. the id of what was paid for). */
	context?: Readonly<Record<string, string>>;
}

/** What the error builders about an answer need: the node, and the secrets to keep out of the text. */
export interface ErrorContext {
	node: INode;
	secrets: readonly string[];
}

/** An error n8n made or we made for n8n (it knows its node): it already names what went wrong. */
export function isNodeError(error: unknown): error is Error & { context: Record<string, unknown>; description?: string | null } {
	return error instanceof Error && 'node' in error && 'context' in error;
}

/**
 * NodeApiError replaces a message that mentions a common network code (ETIMEDOUT …) with a
 * generic sentence of its own; ours names the item, the operation and the cause, so it stays.
 */
function keepMessage<E extends Error>(error: E, message: string): E {
	error.message = message;
	return error;
}

function prefix(site: CallSite): string {
	return `${site.operation}, item ${site.itemIndex}`;
}

/** The hint, with the site's note after it. */
function hintFor(site: CallSite, hint: string): string {
	return site.note ? `${hint} ${site.note}` : hint;
}

function withContext<E extends NodeApiError | NodeOperationError>(error: E, site: CallSite): E {
	if (site.context) Object.assign(error.context, site.context);
	return error;
}

/** A bad field: names the item and says how to fix it. */
export function inputError(node: INode, itemIndex: number, message: string, fix: string): NodeOperationError {
	return new NodeOperationError(node, `${message} (item ${itemIndex})`, { itemIndex, description: fix });
}

/** The set-up is wrong (the credential, an operation that does not exist): nothing was sent. */
export function configError(node: INode, message: string, fix: string): NodeOperationError {
	return new NodeOperationError(node, message, { description: fix });
}

/** What an operation found at a site (a failed task, a wait that ran out): the message and the fix. */
export function operationError(node: INode, site: CallSite, message: string, fix: string): NodeOperationError {
	return withContext(new NodeOperationError(node, `${prefix(site)}: ${message}`, { itemIndex: site.itemIndex, description: fix }), site);
}

/** Anything else that escaped an item (an expression n8n could not resolve, a bug): given the item and a hint. */
export function itemError(node: INode, error: unknown, itemIndex: number, hint: string): Error {
	if (isNodeError(error)) return error;
	const description = isRecord(error) && typeof error.description === 'string' && error.description ? error.description : hint;
	return new NodeOperationError(node, `${errorMessage(error)} (item ${itemIndex})`, { itemIndex, description });
}

/** Why a run stopped: the user cancelled the execution, or an item failed without Continue On Fail. */
export type StopCause = 'cancelled' | 'failed';

const STOPPED: Record<StopCause, string> = {
	cancelled: 'stopped because the execution was cancelled',
	failed: 'stopped because another item failed',
};

export function stoppedError(node: INode, site: CallSite, cause: StopCause = 'cancelled'): NodeOperationError {
	return withContext(new NodeOperationError(node, `${prefix(site)}: ${STOPPED[cause]}`, { itemIndex: site.itemIndex, description: site.note }), site);
}

function apiError(ctx: ErrorContext, site: CallSite, message: string, hint: string, response: JsonObject, httpCode?: string): NodeApiError {
	const text = redact(message, ctx.secrets);
	const error = new NodeApiError(ctx.node, response, {
		message: text,
		description: redact(hintFor(site, hint), ctx.secrets),
		httpCode,
		itemIndex: site.itemIndex,
	});
	return withContext(keepMessage(error, text), site);
}

// ---------- the API's own words ----------

const QUOTE_LIMIT = 500;

const codeSchema = z.union([z.string(), z.number()]).nullish();

const openAiErrorSchema = z
	.object({
		error: z.union([
			z.object({ message: z.string().optional(), type: z.string().nullish(), code: codeSchema }).passthrough(),
			z.string().min(1),
		]),
	})
	.passthrough();

const envelopeErrorSchema = z
	.object({
		code: codeSchema,
		msg: z.string().optional(),
		message: z.string().optional(),
		error_msg: z.string().optional(),
		success: z.boolean().optional(),
	})
	.passthrough();

export interface ApiMessage {
	message: string;
	type?: string;
	code?: string;
}

/** A base64 character (A–Z a–z 0–9 + / =), or the backslash of a "/" that JSON escaped (`\/`). */
function isBase64Char(code: number): boolean {
	return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47 || code === 61 || code === 92;
}

/** The head of a data URL, at the end of the text before its payload. */
const DATA_URL_HEAD = /data:[\w.+-]+\\?\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,$/;

/** A bare base64 run this long, of this many different characters, cannot be words: it is binary data. */
const LONG_RUN = 256;
const ENCODED_VARIETY = 16;

/** Whether the run from `at` to `end` is long and varied like encoded data (a padding of one letter is not). */
function isEncodedRun(text: string, at: number, end: number): boolean {
	return end - at >= LONG_RUN && new Set(text.slice(at, at + LONG_RUN)).size >= ENCODED_VARIETY;
}

/**
 * Text with the payload of every data URL and every long, varied base64 run cut to its length: a gateway
 * that echoes the request would otherwise put megabytes of image into the message. None of a run is
 * kept, so a cut never leaves part of a key behind. A scan, not a regular expression: linear on
 * megabytes, and no backtracking stack.
 */
function withoutBinary(text: string): string {
	const parts: string[] = [];
	let kept = 0;
	for (let at = 0; at < text.length; ) {
		if (!isBase64Char(text.charCodeAt(at))) {
			at++;
			continue;
		}
		let end = at + 1;
		while (end < text.length && isBase64Char(text.charCodeAt(end))) end++;
		const dataUrl = text.charCodeAt(at - 1) === 44 && DATA_URL_HEAD.test(text.slice(Math.max(kept, at - 200), at));
		if (dataUrl || isEncodedRun(text, at, end)) {
			parts.push(text.slice(kept, at), dataUrl ? `… (${end - at} characters)` : `… (${end - at} characters of data)`);
			kept = end;
		}
		at = end;
	}
	return kept === 0 ? text : parts.join('') + text.slice(kept);
}

/** How much of a text is scanned for data runs before it is quoted (a 4 MB answer is not scanned whole). */
const SCAN_LIMIT = 64 * 1024;

/** A text as an error quotes it: one line, data runs cut, at most QUOTE_LIMIT characters, and its length when cut. */
function quote(text: string): string {
	const clean = text.replace(/\s+/g, ' ').trim();
	const scanned = withoutBinary(clean.length > SCAN_LIMIT ? clean.slice(0, SCAN_LIMIT) : clean);
	if (scanned.length <= QUOTE_LIMIT && clean.length <= SCAN_LIMIT) return scanned;
	return `${scanned.slice(0, QUOTE_LIMIT)}… (${clean.length} characters)`;
}

function codeText(code: string | number | null | undefined): string | undefined {
	return code === undefined || code === null || code === '' ? undefined : String(code);
}

/** The message of a parsed error body, or undefined when it carries none. */
function messageOfValue(parsed: unknown): ApiMessage | undefined {
	const wrapped = openAiErrorSchema.safeParse(parsed);
	if (wrapped.success) {
		const { error } = wrapped.data;
		if (typeof error === 'string') return { message: withoutBinary(error) };
		const code = codeText(error.code);
		const message = error.message ?? code;
		if (message) return { message: withoutBinary(message), type: error.type ?? undefined, code };
	}
	const envelope = envelopeErrorSchema.safeParse(parsed);
	if (envelope.success) {
		const message = envelope.data.msg ?? envelope.data.message ?? envelope.data.error_msg;
		if (message) return { message: withoutBinary(message), code: codeText(envelope.data.code) };
	}
	return undefined;
}

/** The API's own message from an error body in any of the shapes seen; plain text is quoted. */
export function apiMessageOf(body: string): ApiMessage {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		if (/^\s*<(!doctype|html)/i.test(body)) return { message: `an HTML page: ${quote(body.replace(/<[^>]*>/g, ' '))}` };
		return { message: body.trim() ? quote(body) : '(empty body)' };
	}
	return messageOfValue(parsed) ?? { message: quote(body) };
}

/** Codes an envelope uses for "all is well". */
const SUCCESS_CODES: ReadonlySet<string> = new Set(['0', '200', 'success', 'ok', 'SUCCESS', 'OK']);

/** Fields only a real answer carries (a task, a chat completion, an envelope with data). */
function carriesAnswer(body: Record<string, unknown>): boolean {
	const data = body.data;
	const hasData = data !== undefined && data !== null && !(typeof data === 'object' && Object.keys(data).length === 0);
	return ['id', 'task_id', 'taskId', 'status', 'state', 'choices'].some((key) => body[key] !== undefined && body[key] !== null) || hasData;
}

export interface Refusal extends ApiMessage {
	/** The HTTP-like status the body names (`"code": 500`), when it names one. */
	status?: number;
}

/** A 200 body that is the API saying no (an error envelope with no answer in it), or undefined. */
export function refusalOf(body: unknown): Refusal | undefined {
	if (!isRecord(body)) return undefined;
	if (carriesAnswer(body)) return undefined;
	const hasError = body.error !== undefined && body.error !== null && body.error !== '';
	const code = codeText(envelopeErrorSchema.safeParse(body).data?.code ?? undefined);
	const failedCode = code !== undefined && !SUCCESS_CODES.has(code);
	if (!hasError && !failedCode && body.success !== false) return undefined;
	const api = messageOfValue(body) ?? { message: quote(JSON.stringify(body)) };
	const numeric = Number(api.code ?? code);
	return Number.isInteger(numeric) && numeric >= 400 && numeric <= 599 ? { ...api, status: numeric } : api;
}

// ---------- answers other than a success ----------

/** Hints that fit one kind of request better than the general ones (e.g. a 404 of a status read). */
export interface RequestHints {
	/** The hint for an answer with this status, or undefined for the general one. */
	status?: (status: number) => string | undefined;
	/** Said when a request that is not safe to repeat failed in a way that leaves unclear whether the API took it. */
	unsure?: string;
	/** Said when the request's deadline ended its retries (e.g. "Max Wait ends before the next retry."). */
	deadline?: string;
	/** Said instead of the general hint when a 200 answer cannot be read (not JSON, empty, too large, not the shape expected). */
	unreadable?: string;
	/** The hint for a 200 refusal that names no status and no known cause (default: "its own words are above"). */
	refused?: string;
}

function generalStatusHint(status: number): string {
	if (status === 400) return 'The API rejected the request: check the fields its message names.';
	if (status === 401) return 'Check the API key in the Sora2 API credential.';
	if (status === 403) return 'The key may not use this model or endpoint: check your plan with the provider.';
	if (status === 404 || status === 410) return 'Check the Base URL in the Sora2 API credential: it should end in /v1.';
	if (status === 413) return 'The request is too large: shorten the prompt or send fewer images.';
	if (status === 429) return 'Rate limited: set "Max Requests per Minute" to your plan\'s limit, or lower "Max Concurrent Requests".';
	if (status >= 500) return 'The provider failed: run again later.';
	return 'Check the request and the credential.';
}

function statusHint(status: number, hints: RequestHints | undefined): string {
	return hints?.status?.(status) ?? generalStatusHint(status);
}

/** A hint that fits what a refusal says (quota, key, content, rate). */
function refusalHint(refusal: Refusal, hints: RequestHints | undefined): string {
	const words = `${refusal.message} ${refusal.code ?? ''} ${refusal.type ?? ''}`.toLowerCase();
	if (/quota|balance|credit|insufficient|billing|payment|余额|额度/.test(words)) return 'Your provider account has no credit or quota left: top it up, then run again.';
	if (/api.?key|token|unauthori[sz]ed|auth|forbidden|令牌/.test(words)) return 'Check the API key in the Sora2 API credential.';
	if (/moderat|policy|safety|nsfw|sensitive|violat|prohibit|blocked|审核|违规/.test(words)) return 'The provider refused the content: change the prompt or the images.';
	if (/rate|too many|limit|频繁/.test(words)) return statusHint(429, hints);
	if (refusal.status !== undefined) return statusHint(refusal.status, hints);
	return hints?.refused ?? 'The provider refused the request; its own words are above.';
}

function attemptsNote(attempts: number): string {
	return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

export interface StatusFailure {
	status: number;
	/** The body as received (quoted in the message without the key). */
	body: string;
	attempts: number;
	hints?: RequestHints;
	/** Set when the answer was a 200 whose body is the API saying no. */
	refusal?: Refusal;
	extraHint?: string;
	/** Who answered, e.g. "the video download from cdn.example.com" (default: the API). */
	what?: string;
}

/** An answer other than 200, or a 200 that is a refusal. */
export function apiStatusError(ctx: ErrorContext, site: CallSite, failure: StatusFailure): NodeApiError {
	const api = failure.refusal ?? apiMessageOf(redact(failure.body, ctx.secrets));
	const who = failure.what ?? 'the API';
	const said = failure.refusal ? `${who} answered 200 but refused the request` : `${who} answered ${failure.status}`;
	const message = `${prefix(site)}: ${said}: ${api.message}${attemptsNote(failure.attempts)}`;
	const response: JsonObject = { httpCode: String(failure.status), message: api.message, attempts: failure.attempts };
	if (api.type) response.type = api.type;
	if (api.code) response.apiCode = api.code;
	const hint = failure.refusal ? refusalHint(failure.refusal, failure.hints) : statusHint(failure.status, failure.hints);
	return apiError(ctx, site, message, `${hint}${failure.extraHint ?? ''}`, response, String(failure.status));
}

const NOT_A_SORA2_API = 'The Base URL may point at something that is not a Sora2 API, or the provider changed its answer format.';

/** A 200 whose body is not what the API documents: quotes what arrived. */
export function unexpectedAnswerError(ctx: ErrorContext, site: CallSite, what: string, body: string, hint: string = NOT_A_SORA2_API): NodeApiError {
	const shown = body.trim() ? quote(redact(body, ctx.secrets)) : '(empty body)';
	const message = `${prefix(site)}: the API answered 200 but ${what}. Received: ${shown}`;
	return apiError(ctx, site, message, hint, { httpCode: '200', message: what }, '200');
}

/** A 200 stream that broke off or reported an error before its end; `received` says what had arrived. */
export function streamFailureError(ctx: ErrorContext, site: CallSite, what: string, received: string, hint: string): NodeApiError {
	return apiError(ctx, site, `${prefix(site)}: ${what}. ${received}`, hint, { message: redact(what, ctx.secrets) });
}

// ---------- no answer ----------

export interface NetworkFailure {
	code?: string;
	message: string;
}

/** Finds the network error code (ECONNREFUSED, ETIMEDOUT, ERR_CANCELED …) inside what n8n threw. */
export function failureOf(error: unknown): NetworkFailure {
	let message = error instanceof Error ? error.message : String(error);
	let current: unknown = error;
	for (let depth = 0; depth < 5 && isObject(current); depth++) {
		const code = current.code;
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) {
			if (typeof current.message === 'string') message = current.message;
			// axios reports a connection closed in the middle of the answer this way: it is a reset.
			if (code === 'ERR_BAD_RESPONSE' && message === 'stream has been aborted') return { code: 'ECONNRESET', message };
			return { code, message };
		}
		current = current.cause ?? current.errorResponse;
	}
	// A body that broke off while n8n's helper was reading it ("aborted") is a closed connection too.
	if (message === 'aborted') return { code: 'ECONNRESET', message };
	return { message };
}

/** 60000 → "60", 500 → "0.5", 1250 → "1.3": a short timeout must not read as "0 s". */
function seconds(ms: number): string {
	return String(Math.round(ms / 100) / 10);
}

function networkText(failure: NetworkFailure, host: string, timeoutMs: number): { message: string; hint: string } {
	switch (failure.code) {
		case 'ECONNREFUSED':
			return { message: `could not connect to ${host} (connection refused)`, hint: 'Check the Base URL in the credential and that the server is up.' };
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return { message: `could not resolve the host ${host}`, hint: 'Check the Base URL in the credential.' };
		case 'ECONNRESET':
		case 'EPIPE':
		case 'ERR_STREAM_PREMATURE_CLOSE':
			return { message: `the connection to ${host} was reset before the answer was complete`, hint: 'Run again; if it keeps happening, the provider is unstable.' };
		case 'EDEADLINE':
			return { message: `the request to ${host} got no turn before its deadline`, hint: 'The run was held back by the pace the API allowed: raise Max Wait, or lower the number of items per run.' };
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ERR_SOCKET_CONNECTION_TIMEOUT':
			return { message: `no complete answer from ${host} within ${seconds(timeoutMs)} s`, hint: 'Raise "Request Timeout" in the options, or run again later.' };
		default:
			return { message: `the request to ${host} failed: ${failure.message}`, hint: 'Check the Base URL and your network.' };
	}
}

export interface NetworkFailureAt {
	failure: NetworkFailure;
	host: string;
	timeoutMs: number;
	attempts: number;
	extraHint?: string;
	/** e.g. "the download of the video": what broke, when it is not the request as a whole. */
	what?: string;
}

export function networkError(ctx: ErrorContext, site: CallSite, at: NetworkFailureAt): NodeApiError {
	const text = networkText(at.failure, at.host, at.timeoutMs);
	const message = `${prefix(site)}: ${at.what ? `${at.what}: ` : ''}${text.message}${attemptsNote(at.attempts)}`;
	// The code goes in as `errorCode`: under `code`, n8n would swap our message for its generic one.
	const response: JsonObject = { message: redact(at.failure.message, ctx.secrets), attempts: at.attempts };
	if (at.failure.code) response.errorCode = at.failure.code;
	return apiError(ctx, site, message, `${text.hint}${at.extraHint ?? ''}`, response);
}
