import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';

import { isObject, ok, settle } from '../shared/values';
import { chunksOf, disposeBody } from './body';
import type { CallSite, ErrorContext, RequestHints } from './errors';
import type { RequestGate } from './gate';
import type { Attempt, RetrySettings, RetryStreak } from './retry';
import type { StopScope } from './stopScope';

export interface ClientSettings {
	maxConcurrency: number;
	/** Max Requests per Minute; undefined = no limit. */
	maxRequestsPerMinute?: number;
	timeoutMs: number;
	retry: RetrySettings;
}

/**
 * What the client needs of n8n's context: the credential, the node, the HTTP helper and (when there
 * is an execution) its cancel signal. n8n's execute context offers it, and so does the editor's
 * load-options context (the model list), which has no execution to cancel.
 */
export interface ClientContext {
	getCredentials: IExecuteFunctions['getCredentials'];
	getNode(): INode;
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>;
	getExecutionCancelSignal?(): AbortSignal | undefined;
}

/** Everything one run's requests share: the n8n context, the gate, the stop switch, the settings, the key. */
export interface Channel {
	fn: ClientContext;
	gate: RequestGate;
	scope: StopScope;
	settings: ClientSettings;
	errors: ErrorContext;
	/** The Base URL without trailing slashes. */
	baseUrl: string;
	/** The Authorization header, sent only to the Base URL's origin. */
	authorization: string;
	/** The run's bound on retrying. */
	retries: RetryStreak;
}

/**
 * What a request is, as the caller sees it: how it may be retried, when and in which order it goes,
 * what its failures should say. The transport knows nothing else of what the request is about.
 */
export interface RequestTerms {
	site: CallSite;
	/** Safe to send again (a read). False: it may start something paid, so it is sent again only when the API certainly did not take it. */
	repeatable: boolean;
	/** Its answer is read to its end even when the run stops for another item's failure (it names something paid); only a cancel ends it. */
	finishOnStop?: boolean;
	/** Lower goes first when requests compete for a start. */
	priority: number;
	/** Not started before this time (ms since epoch); the gate may start it early, from `notBefore`, when a budget has starts to spare. */
	dueAt?: number;
	notBefore?: number;
	/** Order among due requests of one priority: lower first (default: when it became due). */
	rank?: number;
	/** Asked again just before the request starts: the caller may move it later (it has learned more meanwhile). */
	replan?: () => Pick<RequestTerms, 'dueAt' | 'notBefore' | 'rank'>;
	/** Requests about the same thing share a key (fair turns between them). */
	key?: string;
	/** It gives up when it cannot start (or be retried) by this time, e.g. a status read at Max Wait. */
	deadline?: number;
	hints?: RequestHints;
}

/**
 * A request body (sent as JSON), or how to build it: a builder runs when the request starts (in its
 * gate slot, again for a retry), so a large body (images as data URLs) exists only while it is sent.
 * A builder's error is the request's outcome as it is (it is not a network failure).
 */
export type RequestBody = IDataObject | (() => Promise<IDataObject>);

/** One request to make. */
export interface Outgoing {
	method: 'GET' | 'POST';
	url: string;
	accept: string;
	qs?: IDataObject;
	body?: RequestBody;
	/** Send the key: only to the API's own origin. */
	withKey: boolean;
}

/** A response whose head has arrived; its body is read (or handed on) by the caller. */
export interface Opened {
	statusCode: number;
	headers: Record<string, unknown>;
	body: AsyncIterable<unknown>;
	/** The body exactly as n8n's helper gave it (a Node stream), for handing to n8n's binary helpers. */
	rawBody: unknown;
	/** When the request was sent (the whole answer is due within Request Timeout of it). */
	sentAt: number;
	/** When the head of the answer arrived: the server had the request before this. */
	answeredAt: number;
}

export function headerValue(headers: Record<string, unknown>, name: string): unknown {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

/**
 * The options of every request: the answer as a stream, any status handed back, no key on redirects
 * elsewhere, and an abort signal of its own (linked to the run's stop switch without a listener on a
 * shared signal, so a thousand requests add no thousand listeners).
 */
function requestOptions(channel: Channel, out: Outgoing, body: IDataObject | undefined, signal: AbortSignal): IHttpRequestOptions {
	const headers: IDataObject = { Accept: out.accept };
	if (body) headers['Content-Type'] = 'application/json';
	if (out.withKey) headers.Authorization = channel.authorization;
	const options: IHttpRequestOptions = {
		method: out.method,
		url: out.url,
		headers,
		encoding: 'stream',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: channel.settings.timeoutMs,
		sendCredentialsOnCrossOriginRedirect: false,
		abortSignal: signal,
	};
	if (out.qs) options.qs = out.qs;
	if (body) options.body = body;
	return options;
}

function opened(value: unknown, sentAt: number): Opened {
	if (isObject(value) && typeof value.statusCode === 'number') {
		const headers = isObject(value.headers) ? value.headers : {};
		return { statusCode: value.statusCode, headers, body: chunksOf(value.body), rawBody: value.body, sentAt, answeredAt: Date.now() };
	}
	throw new Error('the HTTP helper returned no full response');
}

/** Rejects with a timeout error when `work` has not settled within `ms`; `onTimeout` cleans up. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void = () => undefined): Promise<T> {
	work.catch(() => undefined);
	const deadline = AbortSignal.timeout(ms);
	let fire = () => {};
	const timedOut = new Promise<never>((_, reject) => {
		fire = () => {
			onTimeout();
			reject(Object.assign(new Error(`no complete answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
		};
		deadline.addEventListener('abort', fire, { once: true });
	});
	try {
		return await Promise.race([work, timedOut]);
	} finally {
		deadline.removeEventListener('abort', fire);
	}
}

/**
 * One request through the gate (given up when it gets no turn by `admitBy`): sent, its head awaited (within Request Timeout), then handed to
 * `handle` while the gate slot is still held (an answer being read is a request in flight). The body
 * is disposed of afterwards, read or not.
 */
export async function exchange<T>(channel: Channel, terms: RequestTerms, out: Outgoing, handle: (response: Opened) => Promise<Attempt<T>>, admitBy?: number): Promise<Attempt<T>> {
	const { fn, gate, scope, settings } = channel;
	const ticket = { priority: terms.priority, dueAt: terms.dueAt, notBefore: terms.notBefore, rank: terms.rank, key: terms.key, deadline: admitBy, replan: terms.replan };
	return await gate.run(ticket, async (sentAt) => {
		const built = typeof out.body === 'function' ? await settle(out.body()) : ok(out.body);
		if (!built.ok) return { kind: 'failed', error: built.error };
		// admitted in the tick the run stopped (or stopped while the body was built): nothing more goes out
		scope.signal.throwIfAborted();
		const controller = new AbortController();
		// A request that names something paid is read to its end when the run stops for another item; only a cancel ends it.
		const unlink = terms.finishOnStop ? scope.onCancel(() => controller.abort()) : scope.onStop(() => controller.abort());
		try {
			const request: Promise<unknown> = fn.helpers.httpRequest(requestOptions(channel, out, built.value, controller.signal));
			// Given up before the head came: close the body if it comes later.
			const late = () => void request.then((value) => disposeBody(isObject(value) ? value.body : undefined), () => undefined);
			const head = withDeadline(request, settings.timeoutMs, late);
			const raced = terms.finishOnStop ? head : scope.race(head);
			const response = opened(
				await raced.catch((error: unknown) => {
					late();
					throw error;
				}),
				sentAt,
			);
			try {
				return await handle(response);
			} finally {
				disposeBody(response.rawBody);
			}
		} finally {
			unlink();
		}
	});
}
