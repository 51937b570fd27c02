import type { IExecuteFunctions } from 'n8n-workflow';

import { streamApi } from './apiStream';
import type { ApiStream } from './apiStream';
import { normalizeBaseUrl } from './baseUrl';
import { callApi } from './call';
import type { ApiAnswer, ApiCall } from './call';
import { downloadFile } from './download';
import type { BinaryBody } from './download';
import type { CallSite, ErrorContext } from './errors';
import { CREDENTIAL_TYPE } from './exchange';
import type { Channel, ClientSettings } from './exchange';
import { RequestGate } from './gate';
import { secretsOf } from './redact';
import { StopScope } from './stopScope';

interface Sora2Credentials {
	apiKey: string;
	baseUrl: string;
}

/**
 * One node run's access to the API: it reads the credential once, sends every request of the run
 * through one gate (concurrency, pace, order), retries what is safe to retry, and turns every
 * failure into an error that names the item (and task) and never contains the key.
 */
export interface Sora2Client {
	readonly baseUrl: string;
	/** Stops when the user cancels the execution or `stop()` is called; waits sleep on it. */
	readonly scope: StopScope;
	/** The node and the key's forms, for building errors and scrubbing what leaves the node. */
	readonly errors: ErrorContext;
	readonly gate: RequestGate;
	call(call: ApiCall): Promise<ApiAnswer>;
	stream<T>(call: ApiCall, consume: (answer: ApiStream) => Promise<T>): Promise<T>;
	download<T>(url: string, site: CallSite, consume: (body: BinaryBody) => Promise<T>): Promise<T>;
	/** Ends the run's waits and requests (an item failed); creates already sent are still read. */
	stop(reason?: unknown): void;
}

export async function createSora2Client(fn: IExecuteFunctions, settings: ClientSettings): Promise<Sora2Client> {
	const credentials = await fn.getCredentials<Sora2Credentials>(CREDENTIAL_TYPE);
	const secrets = secretsOf(credentials.apiKey);
	const node = fn.getNode();
	const baseUrl = normalizeBaseUrl(node, credentials.baseUrl, secrets);
	const scope = new StopScope(fn.getExecutionCancelSignal());
	const gate = new RequestGate({ maxConcurrent: settings.maxConcurrency, maxPerMinute: settings.maxRequestsPerMinute }, scope);
	const channel: Channel = { fn, gate, scope, settings, errors: { node, secrets }, baseUrl };
	return {
		baseUrl,
		scope,
		gate,
		errors: channel.errors,
		call: async (call) => await callApi(channel, call),
		stream: async (call, consume) => await streamApi(channel, call, consume),
		download: async (url, site, consume) => await downloadFile(channel, url, site, consume),
		stop: (reason) => scope.stop(reason, 'failed'),
	};
}
