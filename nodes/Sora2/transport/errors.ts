import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { apiMessageOf, quote } from './errorBody';
import type { Refusal } from './errorBody';
import { redact } from './redact';
import { mayCreate } from './retry';
import type { RequestKind } from './retry';
import type { StopCause } from './stopScope';

/** Where a request was made from: shown in every error so the user knows which row (and task) failed. */
export interface CallSite {
	itemIndex: number;
	/** e.g. "Video → Create". */
	operation: string;
	/** The task the request is about, once it exists: every error of this site names it. */
	taskId?: string;
	/** Said after every error of this site: how to pick the task up (written by the caller, who knows how). */
	taskNote?: string;
}

/** What every error builder needs: the node, and the secrets to keep out of the text. */
export interface ErrorContext {
	node: INode;
	secrets: readonly string[];
}

export interface NetworkFailure {
	code?: string;
	message: string;
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

/** The hint, with the site's task note after it. */
function hintFor(site: CallSite, hint: string): string {
	return site.taskNote ? `${hint} ${site.taskNote}` : hint;
}

/** Puts the task id (when there is one) where error items and the error output read it. */
function withTask<E extends NodeApiError | NodeOperationError>(error: E, site: CallSite): E {
	if (site.taskId) error.context.taskId = site.taskId;
	return error;
}

function apiError(ctx: ErrorContext, site: CallSite, message: string, hint: string, response: JsonObject, httpCode?: string): NodeApiError {
	const text = redact(message, ctx.secrets);
	const error = new NodeApiError(ctx.node, response, {
		message: text,
		description: redact(hintFor(site, hint), ctx.secrets),
		httpCode,
		itemIndex: site.itemIndex,
	});
	return withTask(keepMessage(error, text), site);
}

const DEAD_LINK = 'The video link may have expired.';

function statusHint(status: number, kind: RequestKind): string {
	if (status === 400) return 'The API rejected the request: check the fields its message names.';
	if (status === 401) return 'Check the API key in the Sora2 API credential.';
	if (status === 403) return kind === 'download' ? DEAD_LINK : 'The key may not use this model or endpoint: check your plan with the provider.';
	if (status === 404 || status === 410) {
		if (kind === 'taskRead') return 'No task with this id: check the Task ID (it looks like sora-2:task_…).';
		if (kind === 'download') return DEAD_LINK;
		return 'Check the Base URL in the Sora2 API credential: it should end in /v1.';
	}
	if (status === 413) return 'The request is too large: shorten the prompt or send fewer images.';
	if (status === 429) return 'Rate limited: set "Max Requests per Minute" to your plan\'s limit, or lower "Max Concurrent Requests".';
	// Only a request that may start a video can have made one anyway; a failed read did not.
	if (status >= 500) {
		return mayCreate(kind)
			? 'The provider failed. The task may exist anyway: look for it in your provider dashboard before running again.'
			: 'The provider failed: run again later.';
	}
	return 'Check the request and the credential.';
}

/** A hint that fits what a refusal says (quota, key, content, rate). */
function refusalHint(refusal: Refusal, kind: RequestKind): string {
	const words = `${refusal.message} ${refusal.code ?? ''} ${refusal.type ?? ''}`.toLowerCase();
	if (/quota|balance|credit|insufficient|billing|payment|余额|额度/.test(words)) return 'Your provider account has no credit or quota left: top it up, then run again.';
	if (/api.?key|token|unauthori[sz]ed|auth|forbidden|令牌/.test(words)) return 'Check the API key in the Sora2 API credential.';
	if (/moderat|policy|safety|nsfw|sensitive|violat|prohibit|blocked|审核|违规/.test(words)) return 'The provider refused the content: change the prompt or the images.';
	if (/rate|too many|limit|频繁/.test(words)) return statusHint(429, kind);
	if (refusal.status !== undefined) return statusHint(refusal.status, kind);
	return 'The provider refused the request; its own words are above.';
}

function attemptsNote(attempts: number): string {
	return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

export interface StatusFailure {
	status: number;
	/** The body as received (quoted in the message without the key). */
	body: string;
	attempts: number;
	kind: RequestKind;
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
	const hint = failure.refusal ? refusalHint(failure.refusal, failure.kind) : statusHint(failure.status, failure.kind);
	return apiError(ctx, site, message, `${hint}${failure.extraHint ?? ''}`, response, String(failure.status));
}

/** A 200 whose body is not what the API documents: quotes what arrived. */
export function unexpectedAnswerError(ctx: ErrorContext, site: CallSite, what: string, body: string): NodeApiError {
	const shown = body.trim() ? quote(redact(body, ctx.secrets)) : '(empty body)';
	const message = `${prefix(site)}: the API answered 200 but ${what}. Received: ${shown}`;
	const hint = 'The Base URL may point at something that is not a Sora2 API, or the provider changed its answer format.';
	return apiError(ctx, site, message, hint, { httpCode: '200', message: what }, '200');
}

/** A 200 stream that broke off or reported an error before its end; `received` says what had arrived. */
export function streamFailureError(ctx: ErrorContext, site: CallSite, what: string, received: string, hint: string): NodeApiError {
	return apiError(ctx, site, `${prefix(site)}: ${what}. ${received}`, hint, { message: redact(what, ctx.secrets) });
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

const STOPPED: Record<StopCause, string> = {
	cancelled: 'stopped because the execution was cancelled',
	failed: 'stopped because another item failed',
};

export function cancelledError(ctx: ErrorContext, site: CallSite, cause: StopCause = 'cancelled'): NodeOperationError {
	const error = new NodeOperationError(ctx.node, `${prefix(site)}: ${STOPPED[cause]}`, {
		itemIndex: site.itemIndex,
		description: site.taskNote,
	});
	return withTask(error, site);
}
