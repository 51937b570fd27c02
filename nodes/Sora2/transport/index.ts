import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { createLimiter } from '../helpers/limiter';
import { settle } from '../helpers/settle';
import { StopScope } from '../helpers/stopScope';
import type { Limiter } from '../helpers/limiter';
import { apiStatusError, cancelledError, networkError, redact, streamFailureError, unexpectedAnswerError } from './errors';
import type { CallSite, NetworkFailure } from './errors';
import { destroyBody, guardedChunks, isAsyncIterable, readTextBounded } from './stream';
import { backoffDelayMs, certainlyNotSent, isRetriableNetworkError, isRetriableStatus, parseRetryAfter } from './retry';
import type { RetryMode, RetrySettings } from './retry';

export type { CallSite } from './errors';
export type { RetryMode, RetrySettings } from './retry';

export const CREDENTIAL_TYPE = 'sora2Api';

interface Sora2Credentials {
	apiKey: string;
	baseUrl: string;
}

export interface ClientSettings {
	maxConcurrency: number;
	timeoutMs: number;
	retry: RetrySettings;
}

export interface ApiCall {
	method: 'GET' | 'POST';
	/** Path below the Base URL, starting with "/" (e.g. "/video/create"). */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	mode: RetryMode;
	site: CallSite;
}

export interface ApiAnswer {
	/** The parsed JSON body of a 200 answer. */
	body: unknown;
	/** The raw text, to quote when the body has an unexpected shape. */
	text: string;
	attempts: number;
}

export type BinaryBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** A 200 answer whose body is read as it arrives (`client.stream`). */
export interface ApiStream {
	/** The body's chunks (bytes) as they arrive; stops at once on cancel, and after Request Timeout of silence. */
	body: AsyncIterable<unknown>;
	/** The Content-Type header ('' when absent). */
	contentType: string;
	attempts: number;
}

/**
 * The largest 200 answer `call` accepts (characters). A task or chat answer is a few kilobytes; megabytes
 * mean the Base URL points at something else, and would end up in every output item (and n8n's database).
 */
export const MAX_ANSWER_CHARS = 4 * 1024 * 1024;

function tooLarge(chars: number): string {
	const mb = (n: number) => Math.round((n / (1024 * 1024)) * 10) / 10;
	return `the body is ${mb(chars).toFixed(1)} MB, more than an API answer can be (at most ${mb(MAX_ANSWER_CHARS)} MB)`;
}

/** How much of an error answer to a streamed request is read (the rest is dropped). */
const STREAM_ERROR_BODY_LIMIT = 64 * 1024;

/** What one attempt came to: a 200 (its value), a failure to hand on as is, or another status (maybe retried). */
type Attempt<T> =
	| { kind: 'ok'; value: T }
	| { kind: 'failed'; error: unknown }
	| { kind: 'status'; statusCode: number; headers: Record<string, unknown>; text: string };

const NOT_RETRIED =
	' The create was not sent again, because the API may have accepted it: look for the task in your provider dashboard before running again, or you may pay for two videos.';

interface FullResponse<B> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: B;
}

/**
 * The only module that talks HTTP. One client serves one node run: it reads the credential once,
 * shares one concurrency limiter between every request of the run, retries what is safe to retry,
 * and turns every failure into an error that names the item and never contains the key.
 */
export interface Sora2Client {
	readonly baseUrl: string;
	/** Stops when the user cancels the execution or `stop()` is called; waits sleep on it. */
	readonly scope: StopScope;
	readonly limiter: Limiter;
	stop(reason?: unknown): void;
	call(call: ApiCall): Promise<ApiAnswer>;
	/**
	 * Sends a request whose 200 answer arrives over time (server-sent events) and hands the body to
	 * `consume` as it comes, holding one limiter slot until `consume` returns. Other answers are read
	 * (bounded) and fail like `call`; retries follow `call.mode` like `call`. A 200 is never retried.
	 */
	stream<T>(call: ApiCall, consume: (answer: ApiStream) => Promise<T>): Promise<T>;
	/** GETs a file as a stream (the key is sent only to the API's own origin). */
	download(url: string, site: CallSite): Promise<BinaryBody>;
	/** An error for a 200 answer whose body is not what was expected; quotes the body without the key. */
	unexpected(site: CallSite, what: string, text: string): Error;
	cancelled(site: CallSite): Error;
	/** An error for a 200 stream that broke off or reported an error; `received` says what had arrived. */
	streamFailed(site: CallSite, what: string, received: string, hint: string): Error;
}

/** Checks the credential's Base URL and returns it without trailing slashes. */
export function normalizeBaseUrl(fn: IExecuteFunctions, raw: unknown, secrets: readonly string[] = []): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	const fail = (why: string) =>
		new NodeOperationError(fn.getNode(), `The Base URL in the Sora2 API credential ${why}`, {
			description: 'Open the credential and enter the API root, for example https://api.6ai.chat/v1',
		});
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		// redacted: a key pasted into Base URL (the two fields swapped) must not show up in the error
		throw fail(`is not a URL: "${redact(text, secrets)}"`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`must start with http:// or https:// (got ${url.protocol})`);
	if (url.username || url.password) throw fail('must not contain a user name or password: put the key in the API Key field');
	if (url.search || url.hash) throw fail('must not contain a query (?…) or a fragment (#…)');
	return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
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
	return { message };
}

function headerValue(headers: Record<string, unknown>, name: string): unknown {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

function asFullResponse<B>(value: unknown, isBody: (body: unknown) => body is B): FullResponse<B> {
	if (isObject(value) && typeof value.statusCode === 'number') {
		const headers = isObject(value.headers) ? value.headers : {};
		const body = value.body ?? '';
		if (isBody(body)) return { statusCode: value.statusCode, headers, body };
	}
	throw new Error('the HTTP helper returned no full response');
}

const isText = (body: unknown): body is string => typeof body === 'string';
const isStream = (body: unknown): body is BinaryBody => isObject(body) || Buffer.isBuffer(body);

/** Rejects with a timeout error when `work` has not settled within `ms` (the request itself runs on). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
	work.catch(() => undefined);
	const deadline = AbortSignal.timeout(ms);
	let onTimeout = () => {};
	const timedOut = new Promise<never>((_, reject) => {
		onTimeout = () => reject(Object.assign(new Error(`no complete answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
		deadline.addEventListener('abort', onTimeout, { once: true });
	});
	try {
		return await Promise.race([work, timedOut]);
	} finally {
		deadline.removeEventListener('abort', onTimeout);
	}
}

export async function createSora2Client(fn: IExecuteFunctions, settings: ClientSettings): Promise<Sora2Client> {
	const credentials = await fn.getCredentials<Sora2Credentials>(CREDENTIAL_TYPE);
	const baseUrl = normalizeBaseUrl(fn, credentials.baseUrl, [String(credentials.apiKey ?? '')]);
	const origin = new URL(baseUrl).origin;
	const host = new URL(baseUrl).host;
	const secrets = [String(credentials.apiKey ?? '')];
	const node = fn.getNode();
	const scope = new StopScope(fn.getExecutionCancelSignal());
	const limiter = createLimiter(settings.maxConcurrency, scope);

	/** One attempt, within the limiter, with a total deadline (a slow drip cannot hold it forever). */
	async function sendOnce<B>(options: IHttpRequestOptions, withKey: boolean, isBody: (b: unknown) => b is B, deadlineMs?: number) {
		return await limiter.run(async () => {
			const request: Promise<unknown> = withKey
				? fn.helpers.httpRequestWithAuthentication.call(fn, CREDENTIAL_TYPE, options)
				: fn.helpers.httpRequest(options);
			const response = await scope.race(deadlineMs === undefined ? request : withDeadline(request, deadlineMs));
			return asFullResponse(response, isBody);
		});
	}

	/**
	 * Runs attempts until one gives a 200 or a failure that is not worth retrying. Network errors
	 * thrown by an attempt and non-200 answers are retried per `retry.ts` (a create only when the API
	 * certainly did not take it), then turned into the item-scoped errors of `errors.ts`.
	 */
	async function retrying<T>(call: ApiCall, attemptOnce: (attempt: number) => Promise<Attempt<T>>): Promise<{ value: T; attempts: number }> {
		const { maxRetries, maxRetryAfterMs } = settings.retry;
		for (let attempt = 1; ; attempt++) {
			if (scope.stopped) throw cancelledError(node, call.site);
			const sent = await settle(attemptOnce(attempt));
			if (!sent.ok) {
				if (scope.stopped) throw cancelledError(node, call.site);
				const failure = failureOf(sent.error);
				if (failure.code === 'ERR_CANCELED') throw cancelledError(node, call.site);
				if (attempt <= maxRetries && isRetriableNetworkError(failure.code, call.mode)) {
					await scope.sleep(backoffDelayMs(attempt, settings.retry)).catch(() => undefined);
					continue;
				}
				const notRetried = call.mode === 'create' && !certainlyNotSent(failure.code) ? NOT_RETRIED : '';
				throw networkError(node, call.site, failure, host, settings.timeoutMs, attempt, secrets, notRetried);
			}
			const outcome = sent.value;
			if (outcome.kind === 'ok') return { value: outcome.value, attempts: attempt };
			if (outcome.kind === 'failed') throw outcome.error;
			if (attempt <= maxRetries && isRetriableStatus(outcome.statusCode, call.mode)) {
				const asked = parseRetryAfter(headerValue(outcome.headers, 'retry-after'));
				if (asked !== undefined && asked > maxRetryAfterMs) {
					throw apiStatusError(node, call.site, outcome.statusCode, outcome.text, attempt, secrets,
						` The API asked to wait ${Math.round(asked / 1000)} s before retrying, longer than the node waits.`, call.mode);
				}
				await scope.sleep(asked ?? backoffDelayMs(attempt, settings.retry)).catch(() => undefined);
				continue;
			}
			throw apiStatusError(node, call.site, outcome.statusCode, outcome.text, attempt, secrets, '', call.mode);
		}
	}

	/** The request options every API call shares. */
	function apiOptions(call: ApiCall, accept: string, encoding: 'text' | 'stream'): IHttpRequestOptions {
		const options: IHttpRequestOptions = {
			method: call.method,
			url: `${baseUrl}${call.path}`,
			headers: call.body ? { Accept: accept, 'Content-Type': 'application/json' } : { Accept: accept },
			encoding,
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: settings.timeoutMs,
			sendCredentialsOnCrossOriginRedirect: false,
		};
		if (call.qs) options.qs = call.qs;
		if (call.body) options.body = call.body;
		return options;
	}

	const client: Sora2Client = {
		baseUrl,
		scope,
		limiter,
		stop: (reason?: unknown) => scope.stop(reason),
		unexpected: (site, what, text) => unexpectedAnswerError(node, site, what, text, secrets),
		cancelled: (site) => cancelledError(node, site),
		streamFailed: (site, what, received, hint) => streamFailureError(node, site, what, received, hint, secrets),

		async call(call: ApiCall): Promise<ApiAnswer> {
			const options = apiOptions(call, 'application/json', 'text');
			const { value: text, attempts } = await retrying(call, async (): Promise<Attempt<string>> => {
				const response = await sendOnce(options, true, isText, settings.timeoutMs);
				if (response.statusCode === 200) return { kind: 'ok', value: response.body };
				return { kind: 'status', statusCode: response.statusCode, headers: response.headers, text: response.body };
			});
			if (!text.trim()) throw unexpectedAnswerError(node, call.site, 'the body is empty', text, secrets);
			if (text.length > MAX_ANSWER_CHARS) throw unexpectedAnswerError(node, call.site, tooLarge(text.length), text, secrets);
			try {
				return { body: JSON.parse(text) as unknown, text, attempts };
			} catch {
				throw unexpectedAnswerError(node, call.site, 'the body is not JSON', text, secrets);
			}
		},

		async stream<T>(call: ApiCall, consume: (answer: ApiStream) => Promise<T>): Promise<T> {
			const options = apiOptions(call, 'text/event-stream, application/json', 'stream');
			const guard = { scope, idleMs: settings.timeoutMs, stopped: () => cancelledError(node, call.site) };

			/** One attempt. The slot stays taken while the stream is read: an open stream is a request in flight. */
			const attemptOnce = async (attempt: number): Promise<Attempt<T>> =>
				await limiter.run(async () => {
					const request: Promise<unknown> = fn.helpers.httpRequestWithAuthentication.call(fn, CREDENTIAL_TYPE, options);
					const opened = await settle(scope.race(withDeadline(request, settings.timeoutMs)));
					if (!opened.ok) {
						// Gave up before the headers came: close the stream if they come later.
						void request.then((late) => destroyBody(isObject(late) ? late.body : undefined), () => undefined);
						throw opened.error;
					}
					const response = asFullResponse(opened.value, isAsyncIterable);
					const body = guardedChunks(response.body, guard);
					try {
						if (response.statusCode !== 200) {
							const text = await readTextBounded(body, STREAM_ERROR_BODY_LIMIT);
							return { kind: 'status', statusCode: response.statusCode, headers: response.headers, text };
						}
						const contentType = String(headerValue(response.headers, 'content-type') ?? '');
						const consumed = await settle(consume({ body, contentType, attempts: attempt }));
						return consumed.ok ? { kind: 'ok', value: consumed.value } : { kind: 'failed', error: consumed.error };
					} finally {
						destroyBody(response.body);
					}
				});
			return (await retrying(call, attemptOnce)).value;
		},

		async download(url: string, site: CallSite): Promise<BinaryBody> {
			const sameOrigin = new URL(url).origin === origin;
			const options: IHttpRequestOptions = {
				method: 'GET',
				url,
				encoding: 'stream',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: settings.timeoutMs,
				sendCredentialsOnCrossOriginRedirect: false,
			};
			let response: FullResponse<BinaryBody>;
			try {
				response = await sendOnce(options, sameOrigin, isStream);
			} catch (error) {
				if (scope.stopped) throw cancelledError(node, site);
				throw networkError(node, site, failureOf(error), new URL(url).host, settings.timeoutMs, 1, secrets);
			}
			if (response.statusCode !== 200) {
				const body = response.body;
				if (isObject(body) && typeof body.destroy === 'function') body.destroy();
				throw apiStatusError(node, site, response.statusCode, `the video download from ${new URL(url).host} failed`, 1, secrets,
					' The video link may have expired: run Get Task again for a fresh one.');
			}
			return response.body;
		},
	};
	return client;
}
