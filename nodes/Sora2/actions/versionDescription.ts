import type { INodeProperties } from 'n8n-workflow';

import { RESOURCE_NAMES } from '../config/labels';
import * as chat from './chat';
import * as video from './video';

/** The fields of the node (both versions; a field of one version only says so in its displayOptions): the resource picker, then each resource's operations. */
export const versionProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: RESOURCE_NAMES.chat, value: 'chat', description: 'Send messages to the Sora2 chat endpoint, which can make a video too' },
			{ name: RESOURCE_NAMES.video, value: 'video', description: 'Create a video from a prompt, or read a video task' },
		],
		default: 'video',
		description: 'What to work with: videos, or the chat endpoint of the Sora2 API',
	},
	...chat.description,
	...video.description,
];
