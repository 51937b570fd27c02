import type { INodeProperties } from 'n8n-workflow';

import { MAX_CONCURRENCY, MAX_REQUESTS_PER_MINUTE, MAX_RETRIES, REQUEST_TIMEOUT_SECONDS, TASK_MEMORY_HOURS } from '../config/defaults';
import { BODY_FIELDS_LABEL } from '../shared/bodyFields';

/** The run-wide request settings (read from the first item), shared by every operation. */
export function requestSettings(timeoutSeconds: number, timeoutDescription: string): INodeProperties[] {
	return [
		{
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: MAX_CONCURRENCY,
			description:
				'The most requests this node has open at once, across all items (creates, status checks, downloads). Lower it if the API answers 429.',
		},
		{
			displayName: 'Max Requests per Minute',
			name: 'maxRequestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: MAX_REQUESTS_PER_MINUTE,
			description:
				"The most requests this node starts in any minute, across all items and kinds (0 = no limit). Set it to your plan's RPM. When it is the limit, creates go first and status checks are shared fairly between tasks.",
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: MAX_RETRIES,
			description:
				'How often a rate-limited (429) or briefly failing (500/502/503/504) status check or download is tried again, with growing pauses. A create is retried only when the API certainly did not take it, so no video is paid for twice.',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'requestTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: timeoutSeconds,
			description: timeoutDescription,
		},
	];
}

/** The Options collection of the video operations. */
export const videoRequestOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description: 'Request settings of this run (read from the first item)',
	options: requestSettings(REQUEST_TIMEOUT_SECONDS, 'How long one request may take before it counts as failed'),
};

/** Create's Options: the request settings, and the Unique Key, read for each item (video/uniqueKey.ts). */
/** Create's Unique Key: per item, so that a later run picks up the video instead of paying again (task/memory.ts). */
export const uniqueKeyOption: INodeProperties = {
	displayName: 'Unique Key',
	name: 'uniqueKey',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.row_number }}',
	description: `A value unique to this item, such as the sheet row's ID. If a run in the last ${TASK_MEMORY_HOURS} hours already made a video for this key from the same prompt and settings, and it did not fail, that video is picked up instead of paying for a new one. Empty: every run makes a new video.`,
	hint: 'Remembered between production runs (trigger, webhook, schedule, retry), not between manual runs in the editor',
};

/** Additional Body Fields, an option of Create and Chat: what a gateway takes beyond the documented body. */
export function bodyFieldsOption(examples: string): INodeProperties {
	return {
		displayName: BODY_FIELDS_LABEL,
		name: 'bodyFields',
		type: 'json',
		default: '{}',
		description: `A JSON object added to the request body of each item (an expression may give it per item): the options your gateway takes beyond the documented ones, e.g. ${examples}. What a gateway accepts is its own; a field the node sets (Model, Prompt …) cannot be set here.`,
	};
}
