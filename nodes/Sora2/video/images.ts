import { describeValue, fail, isHttpUrl, ok } from '../shared/values';
import type { Result } from '../shared/values';

/*
 * Image URLs as users map them: an array (from an expression), a JSON array in a string
 * (a spreadsheet cell), or a comma/newline separated string. Empty input means no images.
 */

/** The image list, or what is wrong with it. */
type ImagesResult = Result<string[], string>;

function fromList(values: unknown[]): ImagesResult {
	const images: string[] = [];
	for (const [position, value] of values.entries()) {
		if (typeof value !== 'string') return fail(`entry ${position + 1} is ${describeValue(value)}, not a URL`);
		const url = value.trim();
		if (url === '') continue;
		if (!isHttpUrl(url)) return fail(`"${url.slice(0, 200)}" is not an http(s) URL`);
		images.push(url);
	}
	return ok(images);
}

export function parseImages(value: unknown): ImagesResult {
	if (value === undefined || value === null || value === '') return ok([]);
	if (Array.isArray(value)) return fromList(value);
	if (typeof value !== 'string') return fail(`it is ${describeValue(value)}; give a URL, a list of URLs, or a comma-separated text`);
	const text = value.trim();
	if (text === '') return ok([]);
	if (text.startsWith('[')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return fail('it starts with "[" but is not a valid JSON array');
		}
		if (!Array.isArray(parsed)) return fail('it is JSON but not an array');
		return fromList(parsed);
	}
	return fromList(text.split(/[\n,]+/));
}
