/**
 * Image URLs as users map them: an array (from an expression), a JSON array in a string
 * (a spreadsheet cell), or a comma/newline separated string. Empty input means no images.
 */
import { describe, isHttpUrl } from './values';

export type ImagesResult = { ok: true; images: string[] } | { ok: false; problem: string };

function fromList(values: unknown[]): ImagesResult {
	const images: string[] = [];
	for (const [position, value] of values.entries()) {
		if (typeof value !== 'string') return { ok: false, problem: `entry ${position + 1} is ${describe(value)}, not a URL` };
		const url = value.trim();
		if (url === '') continue;
		if (!isHttpUrl(url)) return { ok: false, problem: `"${url.slice(0, 200)}" is not an http(s) URL` };
		images.push(url);
	}
	return { ok: true, images };
}

export function parseImages(value: unknown): ImagesResult {
	if (value === undefined || value === null || value === '') return { ok: true, images: [] };
	if (Array.isArray(value)) return fromList(value);
	if (typeof value !== 'string') return { ok: false, problem: `it is ${describe(value)}; give a URL, a list of URLs, or a comma-separated text` };
	const text = value.trim();
	if (text === '') return { ok: true, images: [] };
	if (text.startsWith('[')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return { ok: false, problem: 'it starts with "[" but is not a valid JSON array' };
		}
		if (!Array.isArray(parsed)) return { ok: false, problem: 'it is JSON but not an array' };
		return fromList(parsed);
	}
	return fromList(text.split(/[\n,]+/));
}
