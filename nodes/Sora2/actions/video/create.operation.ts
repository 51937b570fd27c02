import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { durationFields, modelField, modelNotices, orientationField, sizeFields } from '../../descriptions/modelFields';
import { createRequestOptions } from '../../descriptions/requestOptions';
import { createWaitFields } from '../../descriptions/waitFields';
import { runBatch } from '../../run/batch';
import { readCreateInput } from '../../video/createInput';
import { createVideo } from '../../video/createVideo';
import { oneItemPerKey } from '../../video/uniqueKey';

const properties: INodeProperties[] = [
	modelField,
	...modelNotices,
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. A golden retriever astronaut floats through a space station, cinematic light',
		description: 'What the video should show. Describe the scene, the motion and the style.',
	},
	orientationField,
	...sizeFields,
	...durationFields,
	{
		displayName: 'Image URLs',
		name: 'images',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/first-frame.png',
		description:
			'Optional images to animate, as public http(s) URLs: one URL, several separated by commas or new lines, a JSON array, or an expression that gives a list',
	},
	...createWaitFields,
	createRequestOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const checkKey = oneItemPerKey(this.getNode());
	return await runBatch(this, items, {
		prepare: (itemIndex) => {
			const input = readCreateInput(this, itemIndex);
			checkKey(input.key, itemIndex);
			return input;
		},
		run: async (run, input, itemIndex) => await createVideo(run, input, itemIndex),
	});
}
