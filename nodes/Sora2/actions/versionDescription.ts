import type { INodeProperties } from 'n8n-workflow';

import * as chat from './chat';
import * as video from './video';

/** The fields of version 1 of the node: the resource picker, then each resource's operations. */
export const versionProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Chat', value: 'chat' },
			{ name: 'Video', value: 'video' },
		],
		default: 'video',
	},
	...chat.description,
	...video.description,
];
