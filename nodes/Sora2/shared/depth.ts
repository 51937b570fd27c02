/*
 * Output items are bounded in depth. An API answer may nest a field a hundred thousand levels deep
 * (JSON.parse reads it without trouble), but n8n copies items with a recursive deepCopy and saves them
 * with JSON.stringify: such an item would overflow the stack in the next node, or when the execution is
 * saved. Real answers nest a few levels; whatever lies deeper than the bound is replaced by a marker
 * that says what was cut.
 */

/** Values nested deeper than this in an output item are cut. */
export const MAX_ITEM_DEPTH = 32;

/** What stands in an output item where a deeper value was cut. */
export const CUT_MARKER = `[cut by the Sora2 node: nested more than ${MAX_ITEM_DEPTH} levels deep]`;

/** A copy of a JSON-like value with everything nested deeper than `MAX_ITEM_DEPTH` replaced by `CUT_MARKER`. */
export function depthBounded<T>(value: T): T {
	const walk = (current: unknown, depth: number): unknown => {
		if (typeof current !== 'object' || current === null || current instanceof Date || ArrayBuffer.isView(current)) return current;
		if (depth >= MAX_ITEM_DEPTH) return CUT_MARKER;
		if (Array.isArray(current)) return current.map((entry) => walk(entry, depth + 1));
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(current)) copy[key] = walk(entry, depth + 1);
		return copy;
	};
	return walk(value, 0) as T;
}
