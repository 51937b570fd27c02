/* Small checks on values of unknown shape, each written once for the whole node. */

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, for a message: "null", "a list", "an object", or `number 42`. */
export function describe(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'undefined';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** An absolute http(s) URL with a host and no whitespace. */
export function isHttpUrl(text: unknown): boolean {
	if (typeof text !== 'string' || /\s/.test(text)) return false;
	try {
		const url = new URL(text);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

/** A number given as a number or as numeric text (an expression often gives text); anything else as it is. */
export function numberOf(value: unknown): unknown {
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
}

export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** An error n8n made or we made for n8n (it knows its node): it already names what went wrong. */
export function isNodeError(error: unknown): error is Error & { context: Record<string, unknown>; description?: string | null } {
	return error instanceof Error && 'node' in error && 'context' in error;
}
