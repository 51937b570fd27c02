import type { IDataObject } from 'n8n-workflow';

import { disposeBody, guardedChunks, readTextBounded } from './body';
import type { BoundedText, GuardOptions } from './body';
import { refusalOf } from './errorBody';
import { cancelledError, unexpectedAnswerError } from './errors';
import type { CallSite } from './errors';
import { exchange, withDeadline } from './exchange';
import type { Channel, Opened, Outgoing, RequestRole } from './exchange';
import { retrying } from './retrying';
import type { Attempt, RetryTarget, StatusAnswer } from './retrying';
import type { RequestKind } from './retry';

/** One call to the API; it is also the request's role in the gate (kind, site, when it was due). */
export interface ApiCall extends RequestRole {
	method: 'GET' | 'POST';
	/** Path below the Base URL, starting with "/" (e.g. "/video/create"). */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
}

/** A whole answer: the parsed JSON body and the raw text (quoted when the body has an unexpected shape). */
export interface Whole {
	body: unknown;
	text: string;
}

/** A whole 200 answer, and the HTTP attempts it took. */
export interface ApiAnswer extends Whole {
	attempts: number;
}

/**
 * The largest 200 answer accepted (characters). A task or chat answer is a few kilobytes; megabytes
 * mean the Base URL points at something else, and would end up in every output item (and n8n's database).
 */
export const MAX_ANSWER_CHARS = 4 * 1024 * 1024;

/** How much of an answer that is not a success is read (the rest is dropped). */
const ERROR_BODY_LIMIT = 64 * 1024;

function tooLarge(): string {
	return `the body is larger than an API answer can be (more than ${MAX_ANSWER_CHARS / (1024 * 1024)} MB; reading stopped there)`;
}

/** How a body is guarded while read: a create's answer is read to its end even when the run stops. */
export function guardFor(channel: Channel, kind: RequestKind, site: CallSite): GuardOptions {
	const scope = kind === 'create' ? undefined : channel.scope;
	return { scope, idleMs: channel.settings.timeoutMs, stopped: () => cancelledError(channel.errors, site, channel.scope.cause) };
}

/** What a whole 200 body is: the answer, the API's refusal (a status to report, maybe retry), or a fault. */
export function judgeWhole(channel: Channel, site: CallSite, read: BoundedText, headers: Record<string, unknown>): Attempt<Whole> {
	const { text, over } = read;
	const fail = (what: string): Attempt<Whole> => ({ kind: 'failed', error: unexpectedAnswerError(channel.errors, site, what, text) });
	if (over) return fail(tooLarge());
	if (!text.trim()) return fail('the body is empty');
	let body: unknown;
	try {
		body = JSON.parse(text) as unknown;
	} catch {
		return fail('the body is not JSON');
	}
	const refusal = refusalOf(body);
	if (refusal) return { kind: 'status', status: 200, headers, text, refusal };
	return { kind: 'ok', value: { body, text } };
}

/** An answer other than 200, read (bounded) for the error that quotes it; `what` names who answered, when not the API. */
export async function statusAnswer(channel: Channel, role: RequestRole, response: Opened, what?: string): Promise<StatusAnswer> {
	const { text } = await readTextBounded(guardedChunks(response.body, guardFor(channel, role.kind, role.site)), ERROR_BODY_LIMIT);
	return { kind: 'status', status: response.statusCode, headers: response.headers, text, what };
}

/** Reads one whole answer (bounded, within what is left of Request Timeout) and judges it. */
async function readWhole(channel: Channel, call: ApiCall, response: Opened): Promise<Attempt<Whole>> {
	const left = Math.max(1, channel.settings.timeoutMs - (Date.now() - response.sentAt));
	const dispose = () => disposeBody(response.rawBody);
	if (response.statusCode !== 200) return await withDeadline(statusAnswer(channel, call, response), left, dispose);
	const read = readTextBounded(guardedChunks(response.body, guardFor(channel, call.kind, call.site)), MAX_ANSWER_CHARS);
	return judgeWhole(channel, call.site, await withDeadline(read, left, dispose), response.headers);
}

/** The request an API call sends (the key goes with it), and what its failures name. */
export function apiRequest(channel: Channel, call: ApiCall, accept: string): { out: Outgoing; target: RetryTarget } {
	return {
		out: { method: call.method, url: `${channel.baseUrl}${call.path}`, accept, qs: call.qs, body: call.body, withKey: true },
		target: { kind: call.kind, site: call.site, host: new URL(channel.baseUrl).host },
	};
}

/** A JSON request to the API, retried per its kind; the whole 200 answer, parsed. */
export async function callApi(channel: Channel, call: ApiCall): Promise<ApiAnswer> {
	const { out, target } = apiRequest(channel, call, 'application/json');
	const { value, attempts } = await retrying(channel, target, async () => await exchange(channel, call, out, async (response) => await readWhole(channel, call, response)));
	return { ...value, attempts };
}
