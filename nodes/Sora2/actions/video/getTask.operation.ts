import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { videoRequestOptions } from '../../descriptions/requestOptions';
import { getTaskWaitFields } from '../../descriptions/waitFields';
import { LABELS } from '../../config/labels';
import { runBatch } from '../../run/batch';
import { getTask, readGetTaskInput } from '../../video/getTask';

const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. sora-2:task_01k6x15vhrff09dkkqjrzwhm60',
		description: `The full ID that ${LABELS.create} answered (the "taskId" field of its output)`,
	},
	...getTaskWaitFields,
	videoRequestOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['getTask'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runBatch(this, items, {
		prepare: (itemIndex) => readGetTaskInput(this, itemIndex),
		run: async (run, input, itemIndex) => await getTask(run, input, itemIndex),
	});
}
