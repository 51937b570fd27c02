import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { describeValue } from '../shared/values';
import { inputError } from '../transport';

/*
 * Create's Unique Key (Options): a value the user names per item, e.g. the sheet row's id, so a
 * second run picks up the task the first one made for that item instead of paying again. Only its
 * hash is kept (task/memory.ts).
 */

/** The item's Unique Key, trimmed; undefined when it is not set or empty. */
export function readUniqueKey(fn: IExecuteFunctions, itemIndex: number): string | undefined {
	const raw = fn.getNodeParameter('options.uniqueKey', itemIndex, '') as unknown;
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		throw inputError(fn.getNode(), itemIndex, `Unique Key must be text or a number, but the expression gave ${describeValue(raw)}`, "Map one field that is unique to the row (e.g. {{ $json.row_number }} from Google Sheets) into Options → Unique Key, or leave it empty.");
	}
	const key = String(raw).trim();
	return key === '' ? undefined : key;
}

/**
 * Refuses a Unique Key given to two items of one run: a key names one video, and the second item
 * would otherwise take the first one's video (or pay for it again on every run).
 */
export function oneItemPerKey(node: INode): (key: string | undefined, itemIndex: number) => void {
	const seen = new Map<string, number>();
	return (key, itemIndex) => {
		if (key === undefined) return;
		const first = seen.get(key);
		if (first !== undefined) {
			throw inputError(node, itemIndex, `Unique Key "${key}" is also item ${first}'s key`, 'Give each item its own key (e.g. the row\'s id), or leave Unique Key empty for items that should always make a new video.');
		}
		seen.set(key, itemIndex);
	};
}
