import type { INode } from 'n8n-workflow';

import { callApi, downloadFile, streamApi } from './call';
import type { ApiAnswer, ApiRequest, ApiStream, FileBody, FileHead, FileRequest } from './call';
import { configError } from './errors';
import type { ErrorContext } from './errors';
import type { Channel, ClientContext, ClientSettings } from './exchange';
import { RequestGate } from './gate';
import { RetryStreak } from './retry';
import { redact, secretForms } from './secrets';
import { StopScope } from './stopScope';

const CREDENTIAL_TYPE = 'sora2Api';

/** The Sora2 API credential as stored. */
interface Sora2Credentials {
	apiKey: string;
	baseUrl: string;
}

/**
 * One node run's access to the API: it reads the credential once, sends every request of the run
 * through one gate (concurrency, pace, due times, order), retries what its terms allow, and turns
 * every failure into an error that names the item and never contains the key.
 */
export interface ApiClient {
	readonly baseUrl: string;
	/** The node and the key's forms, for building errors and scrubbing what leaves the node. */
	readonly errors: ErrorContext;
	call(request: ApiRequest): Promise<ApiAnswer>;
	stream<T>(request: ApiRequest, consume: (answer: ApiStream) => Promise<T>): Promise<T>;
	download<T>(file: FileRequest, consume: (body: FileBody, head: FileHead) => Promise<T>): Promise<T>;
	/** Ends the run's waits and requests (an item failed); requests that name something paid are still read. */
	stop(reason?: unknown): void;
}

const BASE_URL_FIX = 'Open the credential and enter the API root, for example https://api.6ai.chat/v1';

/** Checks the credential's Base URL and returns it without trailing slashes. */
function normalizeBaseUrl(node: INode, raw: unknown, secrets: readonly string[] = []): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	const fail = (why: string) => configError(node, `The Base URL in the Sora2 API credential ${why}`, BASE_URL_FIX);
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

const KEY_FIX =
	'Open the credential, clear the API Key field and paste the key again as one line, copied straight from your provider\'s dashboard (only the key: no line breaks, quotes or other text inside it).';

/**
 * What is wrong with a character of the key for an HTTP header, or undefined when nothing is. n8n's
 * HTTP code drops line breaks, NUL, DEL and characters beyond Latin-1 from a header without a word
 * (`Bearer sk-ab\ncd` goes out as `Bearer sk-abcd`), so such a key would be sent altered; a tab or
 * another control character goes out as it is, but never belongs in a key.
 */
function keyCharacterProblem(code: number): string | undefined {
	if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) return 'a line break';
	if (code === 0x00) return 'a NUL character';
	if (code === 0x09) return 'a tab';
	if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'a control character';
	if (code > 0xff) return 'a character that cannot be sent in an HTTP header (beyond Latin-1, e.g. a typographic quote, a dash or an emoji)';
	return undefined;
}

/**
 * The key as it goes into the header (trimmed), checked: a key that cannot go into a header as it is
 * stops the run before any request, naming the problem and where it is, never the key or its characters.
 */
function checkedKey(node: INode, stored: string): string {
	const key = stored.trim();
	const lead = stored.length - stored.trimStart().length;
	let position = [...stored.slice(0, lead)].length;
	for (const character of key) {
		position++;
		const problem = keyCharacterProblem(character.codePointAt(0) ?? 0);
		if (problem) throw configError(node, `The API key in the Sora2 API credential contains ${problem} (character ${position})`, KEY_FIX);
	}
	return key;
}

/** Reads the credential: the Base URL (checked), the header that carries the key (exactly as sent), the key's forms. */
async function readAccess(fn: ClientContext): Promise<{ baseUrl: string; authorization: string; secrets: string[] }> {
	const credentials = await fn.getCredentials<Sora2Credentials>(CREDENTIAL_TYPE);
	const stored = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
	// the key as stored and as sent (trimmed, in the header) are both among its forms
	const secrets = secretForms(stored);
	const baseUrl = normalizeBaseUrl(fn.getNode(), credentials.baseUrl, secrets);
	return { baseUrl, authorization: `Bearer ${checkedKey(fn.getNode(), stored)}`, secrets };
}

export async function openClient(fn: ClientContext, settings: ClientSettings): Promise<ApiClient> {
	const { baseUrl, authorization, secrets } = await readAccess(fn);
	const scope = new StopScope(fn.getExecutionCancelSignal?.());
	const gate = new RequestGate({ maxConcurrent: settings.maxConcurrency, maxPerMinute: settings.maxRequestsPerMinute }, scope);
	const retries = new RetryStreak(settings.retry.maxRetries * settings.retry.maxDelayMs);
	const channel: Channel = { fn, gate, scope, settings, errors: { node: fn.getNode(), secrets }, baseUrl, authorization, retries };
	return {
		baseUrl,
		errors: channel.errors,
		call: async (request) => await callApi(channel, request),
		stream: async (request, consume) => await streamApi(channel, request, consume),
		download: async (file, consume) => await downloadFile(channel, file, consume),
		stop: (reason) => scope.stop(reason, 'failed'),
	};
}
