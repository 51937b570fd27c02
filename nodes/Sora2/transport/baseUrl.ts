import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { redact } from './redact';

/** Checks the credential's Base URL and returns it without trailing slashes. */
export function normalizeBaseUrl(node: INode, raw: unknown, secrets: readonly string[] = []): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	const fail = (why: string) =>
		new NodeOperationError(node, `The Base URL in the Sora2 API credential ${why}`, {
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
