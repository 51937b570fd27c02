import type { INodeProperties } from 'n8n-workflow';

import { OPERATION_NAMES } from '../../config/labels';
import * as completion from './completion.operation';

export { completion };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: OPERATION_NAMES.chat.completion,
				value: 'completion',
				action: 'Chat completion',
				description: 'Send messages to the chat model and get its answer (video links and progress included), streamed or whole',
			},
		],
		default: 'completion',
		description: 'What to do in the chat',
	},
	...completion.description,
];
