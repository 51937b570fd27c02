import type { INodeProperties } from 'n8n-workflow';

const waitDescription =
	'Whether to keep polling the task until the video is ready (or failed) before passing the item on. All items of a run are waited for together.';
const waitHint =
	'Generating a video takes minutes. While waiting, the node holds the execution; with many items, they are all polled at once.';

/** "Wait for Completion", on by default (Video → Create). */
export const waitOnByDefault: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: true,
	description: waitDescription,
	hint: waitHint,
};

/** "Wait for Completion", off by default (Video → Get Task). */
export const waitOffByDefault: INodeProperties = { ...waitOnByDefault, default: false };

/**
 * What belongs to "Wait for Completion", shared by Video → Create and Video → Get Task.
 * Each operation applies its own displayOptions to the list.
 */
export function waitFields(waitField: INodeProperties): INodeProperties[] {
	return [
		waitField,
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 10,
			description: 'How long to wait between two status checks of one task',
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWait',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1200,
			description:
				'Give up waiting after this long (counted from the task\'s creation). The error names the task ID, so a later Get Task can pick it up.',
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		{
			displayName: 'Download Video',
			name: 'downloadVideo',
			type: 'boolean',
			default: false,
			description: 'Whether to download the finished video into the item as binary data (video/mp4)',
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			description: 'The name of the binary field the video is stored in',
			hint: 'The name of the output binary field to put the file in',
			displayOptions: { show: { waitForCompletion: [true], downloadVideo: [true] } },
		},
	];
}

/** Run-wide request settings (read from the first item), shared by every operation. */
export const requestOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description: 'Request settings of this run (read from the first item)',
	options: [
		{
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 5,
			description:
				'The most requests this node has open at once, across all items (creates, status checks, downloads). Lower it if the API answers 429.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 3,
			description:
				'How often a rate-limited (429) or briefly unavailable (502/503/504) request is tried again, with growing pauses. A create is only retried when the API certainly did not take it, so no video is paid for twice.',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'requestTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description: 'How long one request may take before it counts as failed',
		},
	],
};
