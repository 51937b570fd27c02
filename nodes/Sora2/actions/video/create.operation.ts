import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { MAX_IMAGE_MB, REQUEST_TIMEOUT_SECONDS } from '../../config/defaults';
import { IMAGE_FIELDS } from '../../config/labels';
import { durationFields, modelFields, modelNotices, orientationField, otherModelFields, sizeFields } from '../../descriptions/modelFields';
import { bodyFieldsOption, requestSettings, uniqueKeyOption } from '../../descriptions/requestOptions';
import { createWaitFields } from '../../descriptions/waitFields';
import { runBatch } from '../../run/batch';
import { readAllImageFiles, readCreateInput } from '../../video/createInput';
import { createVideo } from '../../video/createVideo';
import { oneItemPerKey } from '../../video/uniqueKey';

const createOptions: INodeProperties[] = [
	bodyFieldsOption('{"remove_watermark": true}, {"hd": true} or {"callback_url": "https://…"}'),
	{
		displayName: IMAGE_FIELDS.maxSize,
		name: 'maxImageSize',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: MAX_IMAGE_MB,
		description: `The largest image this item may send as data (${IMAGE_FIELDS.files}, data URLs): larger ones are refused before anything is sent. Raise it only if your gateway takes larger requests.`,
	},
	uniqueKeyOption,
	...requestSettings(REQUEST_TIMEOUT_SECONDS, 'How long one request may take before it counts as failed'),
];

const properties: INodeProperties[] = [
	...modelFields,
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
	...otherModelFields,
	{
		displayName: IMAGE_FIELDS.urls,
		name: 'images',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/first-frame.png',
		description:
			'Optional images to animate, as public http(s) URLs: one URL, several separated by commas or new lines, a JSON array, or an expression that gives a list. A data URL or base64 text is taken too.',
	},
	{
		displayName: IMAGE_FIELDS.files,
		name: 'imageFiles',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, or data, image_1',
		description:
			"Optional images to animate from this item's files: the names of its binary fields, separated by commas. Sent after the Image URLs, in this order, as data URLs (PNG, JPEG, WebP or GIF). An expression may give a data URL or base64 text instead.",
		hint: 'The API documents only image links: a gateway that refuses data URLs needs the image at a public link',
	},
	...createWaitFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'More fields of each item (Unique Key, Additional Body Fields, Max Image Size), and the request settings of this run (read from the first item)',
		options: createOptions.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const checkKey = oneItemPerKey(this.getNode());
	// reading binary data is asynchronous: every item's Image Files are checked first, then each item is prepared
	const files = await readAllImageFiles(this, items.length);
	return await runBatch(this, items, {
		prepare: (itemIndex) => {
			const input = readCreateInput(this, itemIndex, files[itemIndex]);
			checkKey(input.key, itemIndex);
			return input;
		},
		run: async (run, input, itemIndex) => await createVideo(run, input, itemIndex),
	});
}
