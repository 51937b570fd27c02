import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { MODEL_LIST_TIMEOUT_SECONDS, REQUEST_PRIORITY } from '../config/defaults';
import { MODEL_IDS, VIDEO_MODELS, VIDEO_MODEL_WORDS, isModelId } from '../config/models';
import { errorMessage, isRecord, settle } from '../shared/values';
import { RETRY_PAUSES, openClient } from '../transport';

/*
 * Version 2's Model list in the editor: the gateway's `GET /models`, video models first, searchable.
 * The two documented models are always offered; when the list cannot be loaded, a line that cannot
 * be picked says why (a boolean value: the editor ignores a click on it), and By ID takes any id.
 */

const SITE = 'Model list';

/** The ids of the answer: OpenAI's `{data: [{id}]}`, a bare array, or `{models: […]}`; entries as `{id}`, `{name}` or text. */
function idsOf(body: unknown): string[] | undefined {
	const list = Array.isArray(body) ? body : isRecord(body) ? (Array.isArray(body.data) ? body.data : body.models) : undefined;
	if (!Array.isArray(list)) return undefined;
	const ids = list.map((entry: unknown) => (typeof entry === 'string' ? entry : isRecord(entry) ? (entry.id ?? entry.name) : undefined));
	return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.trim() !== '').map((id) => id.trim()))];
}

async function loadModelIds(fn: ILoadOptionsFunctions): Promise<string[]> {
	const settings = { maxConcurrency: 1, timeoutMs: MODEL_LIST_TIMEOUT_SECONDS * 1000, retry: { ...RETRY_PAUSES, maxRetries: 1 } };
	const client = await openClient(fn, settings);
	const answer = await client.call({ site: { itemIndex: 0, operation: SITE }, repeatable: true, priority: REQUEST_PRIORITY.statusRead, method: 'GET', path: '/models' });
	const ids = idsOf(answer.body);
	if (!ids) throw new Error('the answer of GET /models lists no models (expected {"data": [{"id": …}]})');
	return ids;
}

function itemOf(id: string): INodeListSearchItems {
	return { name: isModelId(id) ? `${VIDEO_MODELS[id].name} (${id})` : id, value: id };
}

/** The documented models first, then the other video models, then the rest (each alphabetical). */
function modelItems(ids: readonly string[]): INodeListSearchItems[] {
	const others = ids.filter((id) => !isModelId(id)).sort((a, b) => a.localeCompare(b));
	const video = others.filter((id) => VIDEO_MODEL_WORDS.test(id));
	const rest = others.filter((id) => !VIDEO_MODEL_WORDS.test(id));
	return [...MODEL_IDS, ...video, ...rest].map(itemOf);
}

/** Why the list is not there, as a line of the list that cannot be picked. */
function notice(error: unknown): INodeListSearchItems {
	const why = errorMessage(error).replace(`${SITE}, item 0: `, '');
	return { name: `Could not load the gateway's models (${why}). The documented ones follow; any other: By ID.`, value: false };
}

export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const listed = await settle(loadModelIds(this));
	const items = listed.ok ? modelItems(listed.value) : [notice(listed.error), ...MODEL_IDS.map(itemOf)];
	const wanted = filter?.trim().toLowerCase();
	if (!wanted) return { results: items };
	return { results: items.filter((item) => typeof item.value !== 'string' || `${item.name} ${item.value}`.toLowerCase().includes(wanted)) };
}
