import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { chunksOf, disposeBody } from './body';
import type { CallSite, ErrorContext } from './errors';
import type { RequestGate } from './gate';
import { priorityOf } from './retry';
import type { RequestKind, RetrySettings } from './retry';
import type { StopScope } from './stopScope';

export const CREDENTIAL_TYPE = 'sora2Api';

export interface ClientSettings {
	maxConcurrency: number;
	/** Max Requests per Minute; undefined = no limit. */
	maxRequestsPerMinute?: number;
	timeoutMs: number;
	retry: RetrySettings;
}

/** Everything one run's requests share: the n8n context, the gate, the stop switch, the settings. */
export interface Channel {
	fn: IExecuteFunctions;
	gate: RequestGate;
	scope: StopScope;
	settings: ClientSettings;
	errors: ErrorContext;
	/** The Base URL without trailing slashes. */
	baseUrl: string;
}

/** One request to make (the body is sent as JSON). */
export interface Outgoing {
	method: 'GET' | 'POST';
	url: string;
	accept: string;
	qs?: IDataObject;
	body?: IDataObject;
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
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

export function headerValue(headers: Record<string, unknown>, name: string): unknown {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

/** The options of every request: the answer as a stream, any status handed back, no key on redirects elsewhere. */
function requestOptions(channel: Channel, out: Outgoing): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method: out.method,
		url: out.url,
		headers: out.body ? { Accept: out.accept, 'Content-Type': 'application/json' } : { Accept: out.accept },
		encoding: 'stream',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: channel.settings.timeoutMs,
		sendCredentialsOnCrossOriginRedirect: false,
	};
	if (out.qs) options.qs = out.qs;
	if (out.body) options.body = out.body;
	// n8n ends keyed requests on cancel itself; other hosts' (a CDN's) end when the run stops.
	if (!out.withKey) options.abortSignal = channel.scope.signal;
	return options;
}

function opened(value: unknown, sentAt: number): Opened {
	if (isObject(value) && typeof value.statusCode === 'number') {
		const headers = isObject(value.headers) ? value.headers : {};
		return { statusCode: value.statusCode, headers, body: chunksOf(value.body), rawBody: value.body, sentAt };
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

/** What a request is, for the gate and the stop rules. */
export interface RequestRole {
	kind: RequestKind;
	site: CallSite;
	/** When the request was due (a status read's scheduled time), for the gate's order. */
	dueAt?: number;
}

/**
 * One request through the gate: sent, its head awaited (within Request Timeout), then handed to
 * `handle` while the gate slot is still held (an answer being read is a request in flight). The body
 * is disposed of afterwards, read or not.
 */
export async function exchange<T>(channel: Channel, role: RequestRole, out: Outgoing, handle: (response: Opened) => Promise<T>): Promise<T> {
	const { fn, gate, scope, settings } = channel;
	const { kind, site } = role;
	return await gate.run({ priority: priorityOf(kind), key: site.taskId, dueAt: role.dueAt }, async () => {
		const sentAt = Date.now();
		const request: Promise<unknown> = out.withKey
			? fn.helpers.httpRequestWithAuthentication.call(fn, CREDENTIAL_TYPE, requestOptions(channel, out))
			: fn.helpers.httpRequest(requestOptions(channel, out));
		// Given up before the head came: close the body if it comes later.
		const late = () => void request.then((value) => disposeBody(isObject(value) ? value.body : undefined), () => undefined);
		const head = withDeadline(request, settings.timeoutMs, late);
		// A create is awaited even when the run stops for another item's failure: its answer names a paid task.
		// (A chat, whose whole answer takes minutes, is given up.) On cancel, n8n aborts it itself.
		const raced = kind === 'create' ? head : scope.race(head);
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
	});
}
