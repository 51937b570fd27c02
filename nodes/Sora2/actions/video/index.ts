import type { INodeProperties } from 'n8n-workflow';

import { OPERATION_NAMES } from '../../config/labels';
import * as create from './create.operation';
import * as getTask from './getTask.operation';

export { create, getTask };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: OPERATION_NAMES.video.create,
				value: 'create',
				action: 'Create a video',
				description: 'Start generating a video from a prompt (and optional images), and by default wait until it is ready',
			},
			{
				name: OPERATION_NAMES.video.getTask,
				value: 'getTask',
				action: 'Get a video task',
				description: 'Read the status of a video task by its ID, optionally waiting until it is ready',
			},
		],
		default: 'create',
		description: 'What to do with a video',
	},
	...create.description,
	...getTask.description,
];
