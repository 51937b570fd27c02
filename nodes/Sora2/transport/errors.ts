import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { bareErrorSchema, openAiErrorSchema } from '../helpers/schemas';
import type { RetryMode } from './retry';

/** Where a request was made from: shown in every error so the user knows which row failed. */
export interface CallSite {
	itemIndex: number;
	/** e.g. "Video → Create". */
	operation: string;
}

const QUOTE_LIMIT = 500;

/** Removes every occurrence of each secret from a text that is about to be shown. */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}

/**
 * NodeApiError replaces a message that mentions a common network code (ETIMEDOUT …) with a
 * generic sentence of its own; ours names the item, the operation and the cause, so it stays.
 */
function keepMessage(error: NodeApiError, message: string): NodeApiError {
	error.message = message;
	return error;
}

export function quote(text: string): string {
	const clean = text.replace(/\s+/g, ' ').trim();
	return clean.length > QUOTE_LIMIT ? `${clean.slice(0, QUOTE_LIMIT)}… (${clean.length} characters)` : clean;
}

interface ApiMessage {
	message: string;
	type?: string;
	code?: string;
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
	const wrapped = openAiErrorSchema.safeParse(parsed);
	if (wrapped.success) {
		const { error } = wrapped.data;
		if (typeof error === 'string') return { message: error };
		const { message, type, code } = error;
		return { message, type: type ?? undefined, code: code === undefined || code === null ? undefined : String(code) };
	}
	const bare = bareErrorSchema.safeParse(parsed);
	return { message: bare.success ? bare.data.message : quote(body) };
}

function statusHint(status: number, operation: string, mode: RetryMode): string {
	if (status === 400) return 'The API rejected the request: check the fields its message names.';
	if (status === 401) return 'Check the API key in the Sora2 API credential.';
	if (status === 403) return 'The key may not use this model or endpoint: check your plan with the provider.';
	if (status === 404)
		return operation.includes('Task')
			? 'No task with this id: check the Task ID (it looks like sora-2:task_…).'
			: 'Check the Base URL in the Sora2 API credential: it should end in /v1.';
	if (status === 413) return 'The request is too large: shorten the prompt or send fewer images.';
	if (status === 429) return 'Rate limited: lower "Max Concurrent Requests", or run again later.';
	// Only a create that failed may have made a task anyway; a failed status check or download did not.
	if (status >= 500)
		return mode === 'create'
			? 'The provider failed. The task may exist anyway: look for it in your provider dashboard before running again.'
			: 'The provider failed: run again later.';
	return 'Check the request and the credential.';
}

function attemptsNote(attempts: number): string {
	return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

export function apiStatusError(
	node: INode,
	site: CallSite,
	status: number,
	body: string,
	attempts: number,
	secrets: readonly string[],
	extraHint = '',
	mode: RetryMode = 'idempotent',
): NodeApiError {
	const api = apiMessageOf(redact(body, secrets));
	const message = `${site.operation}, item ${site.itemIndex}: the API answered ${status}: ${api.message}${attemptsNote(attempts)}`;
	const errorResponse: JsonObject = { httpCode: String(status), message: api.message, attempts };
	if (api.type) errorResponse.type = api.type;
	if (api.code) errorResponse.apiCode = api.code;
	return keepMessage(
		new NodeApiError(node, errorResponse, {
			message,
			description: `${statusHint(status, site.operation, mode)}${extraHint}`,
			httpCode: String(status),
			itemIndex: site.itemIndex,
		}),
		message,
	);
}

/** A 200 whose body is not what the API documents: quotes what arrived. */
export function unexpectedAnswerError(
	node: INode,
	site: CallSite,
	what: string,
	body: string,
	secrets: readonly string[],
): NodeApiError {
	const shown = body.trim() ? quote(redact(body, secrets)) : '(empty body)';
	const message = `${site.operation}, item ${site.itemIndex}: the API answered 200 but ${what}. Received: ${shown}`;
	return keepMessage(
		new NodeApiError(
			node,
			{ httpCode: '200', message: what },
			{
				message,
				description: 'The Base URL may point at something that is not a Sora2 API, or the provider changed its answer format.',
				httpCode: '200',
				itemIndex: site.itemIndex,
			},
		),
		message,
	);
}

/**
 * A 200 stream that broke off or reported an error before its end: says what had arrived, so the
 * user can tell how far the answer got (and whether the video link came).
 */
export function streamFailureError(
	node: INode,
	site: CallSite,
	what: string,
	received: string,
	hint: string,
	secrets: readonly string[],
): NodeApiError {
	const message = redact(`${site.operation}, item ${site.itemIndex}: ${what}. ${received}`, secrets);
	return keepMessage(new NodeApiError(node, { message: redact(what, secrets) }, { message, description: hint, itemIndex: site.itemIndex }), message);
}

/** 60000 → "60", 500 → "0.5", 1250 → "1.3": a short timeout must not read as "0 s". */
function seconds(ms: number): string {
	return String(Math.round(ms / 100) / 10);
}

export interface NetworkFailure {
	code?: string;
	message: string;
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
			return { message: `the connection to ${host} was reset before the answer was complete`, hint: 'Run again; if it keeps happening, the provider is unstable.' };
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ERR_SOCKET_CONNECTION_TIMEOUT':
			return {
				message: `no complete answer from ${host} within ${seconds(timeoutMs)} s`,
				hint: 'Raise "Request Timeout" in the options, or run again later.',
			};
		default:
			return { message: `the request to ${host} failed: ${failure.message}`, hint: 'Check the Base URL and your network.' };
	}
}

export function networkError(
	node: INode,
	site: CallSite,
	failure: NetworkFailure,
	host: string,
	timeoutMs: number,
	attempts: number,
	secrets: readonly string[],
	extraHint = '',
): NodeApiError {
	const text = networkText(failure, host, timeoutMs);
	const message = redact(`${site.operation}, item ${site.itemIndex}: ${text.message}${attemptsNote(attempts)}`, secrets);
	// The code goes in as `errorCode`: under `code`, n8n would swap our message for its generic one.
	const errorResponse: JsonObject = { message: redact(failure.message, secrets), attempts };
	if (failure.code) errorResponse.errorCode = failure.code;
	return keepMessage(
		new NodeApiError(node, errorResponse, { message, description: `${text.hint}${extraHint}`, itemIndex: site.itemIndex }),
		message,
	);
}

export function cancelledError(node: INode, site: CallSite): NodeOperationError {
	return new NodeOperationError(node, `${site.operation}, item ${site.itemIndex}: stopped because the execution was cancelled`, {
		itemIndex: site.itemIndex,
	});
}
