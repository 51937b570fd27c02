import type { INodeProperties } from 'n8n-workflow';

import { BINARY_PROPERTY_NAME, MAX_POLL_INTERVALS_BETWEEN_READS, MAX_WAIT_SECONDS, POLL_INTERVAL_SECONDS } from '../config/defaults';

const WAIT_DESCRIPTION =
	'Whether to keep polling the task until the video is ready (or failed) before passing the item on. All items of a run are waited for together.';
const WAIT_HINT = 'Generating a video takes minutes. While waiting, the node holds the execution; with many items, they are all polled at once.';

/** "Wait for Completion" as Video → Create has it: on by default. */
const waitOn: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: true,
	description: WAIT_DESCRIPTION,
	hint: WAIT_HINT,
};

/** "Wait for Completion" as Video → Get Task has it: off by default (one read). */
const waitOff: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: false,
	description: WAIT_DESCRIPTION,
	hint: WAIT_HINT,
};

const whileWaiting = { show: { waitForCompletion: [true] } };

/** What belongs to "Wait for Completion"; each operation applies its own displayOptions to the list. */
const waitSettings: INodeProperties[] = [
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: POLL_INTERVAL_SECONDS,
		description: `The shortest time between two status checks of one task. Early in a long generation whose progress the API reports, checks are spaced wider (up to ${MAX_POLL_INTERVALS_BETWEEN_READS} intervals) and aimed at the expected end.`,
		displayOptions: whileWaiting,
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWait',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: MAX_WAIT_SECONDS,
		description: "Give up waiting after this long (counted from the task's creation). The error names the task ID, so a later Get Task can pick it up.",
		displayOptions: whileWaiting,
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: false,
		description: 'Whether to download the finished video into the item as binary data (video/mp4)',
		displayOptions: whileWaiting,
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: BINARY_PROPERTY_NAME,
		required: true,
		description: 'The name of the binary field the video is stored in',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { waitForCompletion: [true], downloadVideo: [true] } },
	},
];

export const createWaitFields: INodeProperties[] = [waitOn, ...waitSettings];

export const getTaskWaitFields: INodeProperties[] = [waitOff, ...waitSettings];
