/** Calling a webhook of a running n8n with a JSON body, as a caller would. (part of the e2e harness: see ../harness.ts) */

export interface WebhookAnswer {
	status: number;
	/** The answer parsed as JSON (undefined when it is not JSON). */
	json: unknown;
	text: string;
	headers: Headers;
	/** From sending the request to the whole answer read. */
	ms: number;
}

/** POSTs `body` as JSON to `url` and reads the whole answer. */
export async function postJson(url: string, body: unknown): Promise<WebhookAnswer> {
	const started = Date.now();
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = JSON.parse(text) as unknown;
	} catch {
		json = undefined;
	}
	return { status: response.status, json, text, headers: response.headers, ms: Date.now() - started };
}
