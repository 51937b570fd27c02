import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { settle } from '../shared/values';
import { disposeBody, guardedChunks, readTextBounded } from './body';
import type { BoundedText, GuardOptions } from './body';
import { failureOf, isNodeError, networkError, refusalOf, stoppedError, unexpectedAnswerError } from './errors';
import { exchange, headerValue, withDeadline } from './exchange';
import type { Channel, Opened, Outgoing, RequestBody, RequestTerms } from './exchange';
import { retrying, statusError } from './retry';
import type { Attempt, RetryTarget, StatusAnswer } from './retry';

/*
 * The three ways an answer is read: whole JSON (`callApi`), as it arrives (`streamApi`, server-sent
 * events), and a file handed on as a stream (`downloadFile`). Each goes through `exchange` (the gate,
 * the deadline, the body's disposal) and `retrying` (the request's retry rules).
 */

/** One call to the API: its terms, and what to send. */
export interface ApiRequest extends RequestTerms {
	method: 'GET' | 'POST';
	/** Path below the Base URL, starting with "/" (e.g. "/video/create"). */
	path: string;
	qs?: IDataObject;
	body?: RequestBody;
}

/** A whole answer: the parsed JSON body and the raw text (quoted when the body has an unexpected shape). */
export interface Whole {
	body: unknown;
	text: string;
}

/** A whole 200 answer, the HTTP attempts it took, and when its head arrived. */
export interface ApiAnswer extends Whole {
	attempts: number;
	answeredAt: number;
}

/** A 200 answer whose body is read as it arrives. */
export interface ApiStream {
	/** The body's chunks (bytes) as they arrive; stops at once on cancel, and after Request Timeout of silence. */
	body: AsyncIterable<unknown>;
	/** The Content-Type header ('' when absent). */
	contentType: string;
	attempts: number;
	/**
	 * Reads `chunks` (the body, or what is left of it after a look at its start) as one whole JSON
	 * answer, for a server that ignored `stream: true`: judged as `callApi` judges a whole answer
	 * (bounded; a refusal is reported as the API's refusal), but never retried, being a 200.
	 */
	readWhole(chunks: AsyncIterable<unknown>): Promise<Whole>;
}

/** A file to fetch: its link, its terms, and what it is called in errors (e.g. "the video download"). */
export interface FileRequest {
	url: string;
	terms: RequestTerms;
	what: string;
}

/** A file body as n8n's binary helpers take it. */
export type FileBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** What the head of a file's 200 answer says about the body. */
export interface FileHead {
	/** The Content-Type header ('' when absent). */
	contentType: string;
}

/**
 * The largest 200 answer accepted (bytes). A task or chat answer is a few kilobytes; megabytes
 * mean the Base URL points at something else, and would end up in every output item (and n8n's database).
 */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** How much of an answer that is not a success is read (bytes; the rest is dropped). */
const ERROR_BODY_LIMIT = 64 * 1024;

function tooLarge(): string {
	return `the body is larger than an API answer can be (more than ${MAX_ANSWER_BYTES / (1024 * 1024)} MB; reading stopped there)`;
}

/** How a body is guarded while read: an answer that names something paid is read to its end even when the run stops. */
function guardFor(channel: Channel, terms: RequestTerms): GuardOptions {
	const scope = terms.finishOnStop ? undefined : channel.scope;
	return { scope, idleMs: channel.settings.timeoutMs, stopped: () => stoppedError(channel.errors.node, terms.site, channel.scope.cause) };
}

/** What a whole 200 body is: the answer, the API's refusal (a status to report, maybe retry), or a fault. */
function judgeWhole(channel: Channel, terms: RequestTerms, read: BoundedText, headers: Record<string, unknown>): Attempt<Whole> {
	const { text, over } = read;
	const failed = (what: string): Attempt<Whole> => ({ kind: 'failed', error: unexpectedAnswerError(channel.errors, terms.site, what, text, terms.hints?.unreadable) });
	if (over) return failed(tooLarge());
	if (!text.trim()) return failed('the body is empty');
	let body: unknown;
	try {
		body = JSON.parse(text) as unknown;
	} catch {
		return failed('the body is not JSON');
	}
	const refusal = refusalOf(body);
	if (refusal) return { kind: 'status', status: 200, headers, text, refusal };
	return { kind: 'ok', value: { body, text } };
}

/** An answer other than 200, read (bounded) for the error that quotes it; `what` names who answered, when not the API. */
async function statusAnswer(channel: Channel, terms: RequestTerms, response: Opened, what?: string): Promise<StatusAnswer> {
	const { text } = await readTextBounded(guardedChunks(response.body, guardFor(channel, terms)), ERROR_BODY_LIMIT);
	return { kind: 'status', status: response.statusCode, headers: response.headers, text, what };
}

/** Reads one whole answer (bounded, within what is left of Request Timeout) and judges it. */
async function readWhole(channel: Channel, request: ApiRequest, response: Opened): Promise<Attempt<Whole & { answeredAt: number }>> {
	const left = Math.max(1, channel.settings.timeoutMs - (Date.now() - response.sentAt));
	const dispose = () => disposeBody(response.rawBody);
	if (response.statusCode !== 200) return await withDeadline(statusAnswer(channel, request, response), left, dispose);
	const read = readTextBounded(guardedChunks(response.body, guardFor(channel, request)), MAX_ANSWER_BYTES);
	const judged = judgeWhole(channel, request, await withDeadline(read, left, dispose), response.headers);
	return judged.kind === 'ok' ? { kind: 'ok', value: { ...judged.value, answeredAt: response.answeredAt } } : judged;
}

/** The request an API call sends (the key goes with it), and what its failures name. */
function apiRequest(channel: Channel, request: ApiRequest, accept: string): { out: Outgoing; target: RetryTarget } {
	return {
		out: { method: request.method, url: `${channel.baseUrl}${request.path}`, accept, qs: request.qs, body: request.body, withKey: true },
		target: { terms: request, host: new URL(channel.baseUrl).host },
	};
}

/** A JSON request to the API, retried per its terms; the whole 200 answer, parsed. */
export async function callApi(channel: Channel, request: ApiRequest): Promise<ApiAnswer> {
	const { out, target } = apiRequest(channel, request, 'application/json');
	const { value, attempts } = await retrying(channel, target, async (_attempt, admitBy) => await exchange(channel, request, out, async (response) => await readWhole(channel, request, response), admitBy));
	return { ...value, attempts };
}

/**
 * Sends a request whose 200 answer arrives over time (server-sent events) and hands the body to
 * `consume` as it comes, holding its gate slot until `consume` returns. Other answers are read
 * (bounded) and fail like `callApi`, with the same retries. A 200 is never retried.
 */
export async function streamApi<T>(channel: Channel, request: ApiRequest, consume: (answer: ApiStream) => Promise<T>): Promise<T> {
	const { out, target } = apiRequest(channel, request, 'text/event-stream, application/json');
	const attemptOnce = async (attempt: number, admitBy: number | undefined): Promise<Attempt<T>> =>
		await exchange(channel, request, out, async (response) => {
			if (response.statusCode !== 200) return await statusAnswer(channel, request, response);
			const body = guardedChunks(response.body, guardFor(channel, request));
			const contentType = String(headerValue(response.headers, 'content-type') ?? '');
			const readWholeBody = async (chunks: AsyncIterable<unknown>): Promise<Whole> => {
				const judged = judgeWhole(channel, request, await readTextBounded(chunks, MAX_ANSWER_BYTES), response.headers);
				if (judged.kind === 'ok') return judged.value;
				throw judged.kind === 'failed' ? judged.error : statusError(channel, request, judged, attempt);
			};
			const consumed = await settle(consume({ body, contentType, attempts: attempt, readWhole: readWholeBody }));
			return consumed.ok ? { kind: 'ok', value: consumed.value } : { kind: 'failed', error: consumed.error };
		}, admitBy);
	return (await retrying(channel, target, attemptOnce)).value;
}

/**
 * GETs a file and hands its body to `consume` as it arrives (e.g. into n8n's binary data), with
 * what the answer's head says of it (its Content-Type), holding the gate slot meanwhile. The key goes only to the API's own origin. Refused or unreachable links
 * are retried like any read; a body that breaks off is not (part of it is consumed already). The
 * body ends at once when the run stops, whichever host serves it.
 */
export async function downloadFile<T>(channel: Channel, file: FileRequest, consume: (body: FileBody, head: FileHead) => Promise<T>): Promise<T> {
	const { url, terms } = file;
	const { host, origin } = new URL(url);
	const out = { method: 'GET' as const, url, accept: '*/*', withKey: origin === new URL(channel.baseUrl).origin };
	const what = `${file.what} from ${host}`;
	const attemptOnce = async (_attempt: number, admitBy: number | undefined): Promise<Attempt<T>> =>
		await exchange(channel, terms, out, async (response) => {
			if (response.statusCode !== 200) return await statusAnswer(channel, terms, response, what);
			const raw = response.rawBody as FileBody;
			const stopped = () => stoppedError(channel.errors.node, terms.site, channel.scope.cause);
			const unregister = channel.scope.onStop(() => disposeBody(raw, stopped()));
			const consumed = await settle(consume(raw, { contentType: String(headerValue(response.headers, 'content-type') ?? '') }));
			unregister();
			if (consumed.ok) return { kind: 'ok', value: consumed.value };
			if (channel.scope.stopped) return { kind: 'failed', error: stopped() };
			// the consumer refused the body (an error it built, naming the item): as it is, not a broken connection
			if (isNodeError(consumed.error)) return { kind: 'failed', error: consumed.error };
			const failure = failureOf(consumed.error);
			const at = { failure, host, timeoutMs: channel.settings.timeoutMs, attempts: 1, what: `${what} broke off` };
			return { kind: 'failed', error: networkError(channel.errors, terms.site, at) };
		}, admitBy);
	return (await retrying(channel, { terms, host }, attemptOnce)).value;
}
