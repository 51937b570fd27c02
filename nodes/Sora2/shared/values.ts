/*
 * Small checks on values of unknown shape, and the one result shape, each written once for the
 * whole node. Every layer may use this file; it imports nothing.
 */

/** What an operation came to: a value, or why not. The one result shape of the node. */
export type Result<T, E = unknown> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
	return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
	return { ok: false, error };
}

/** A promise's outcome as a value, so a caller can decide what to throw outside a catch block. */
export async function settle<T>(work: Promise<T>): Promise<Result<T>> {
	try {
		return ok(await work);
	} catch (error) {
		return fail(error);
	}
}

/** Any object (arrays too). */
export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** A plain record: an object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return isObject(value) && !Array.isArray(value);
}

/** What a value is, for a message: "null", "a list", "an object", or `number 42`. */
export function describeValue(value: unknown): string {
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
