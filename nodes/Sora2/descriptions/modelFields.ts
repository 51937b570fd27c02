import type { INodeProperties } from 'n8n-workflow';

import { DURATION_DESCRIPTIONS, MODEL_IDS, MODEL_LIST_METHOD, ORIENTATIONS, OTHER_MODEL, SIZES, VIDEO_MODELS } from '../config/models';
import type { ModelId, VideoSize } from '../config/models';

/*
 * The Model field and the fields that depend on it, generated from the model table
 * (`config/models.ts`): each model the node knows shows only the sizes and durations it takes.
 * Version 1's Model is a list of the two documented models (its saved value is the id); version 2's
 * is a resource locator (the gateway's model list, or any id), so its saved value is an object.
 */

const forModel = (model: ModelId) => ({ show: { model: [model] } });

const firstModel = MODEL_IDS[0];

/** The node version whose Model is a resource locator (and that takes any model id). */
const FIRST_ANY_MODEL_VERSION = 2;

/** Version 1: the two documented models. */
const modelOptionsField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: MODEL_IDS.map((id) => ({ name: VIDEO_MODELS[id].name, value: id, description: VIDEO_MODELS[id].description })),
	default: firstModel,
	description: 'The video model to generate with',
	displayOptions: { show: { '@version': [{ _cnd: { lt: FIRST_ANY_MODEL_VERSION } }] } },
};

/** Version 2: the gateway's models (GET /models), or any id typed or mapped. */
const modelLocatorField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: firstModel },
	required: true,
	description: "The video model to generate with: one of the gateway's models, or any model ID it sells",
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a model...',
			typeOptions: { searchListMethod: MODEL_LIST_METHOD, searchable: true },
		},
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. sora-2-hd' },
	],
	displayOptions: { show: { '@version': [{ _cnd: { gte: FIRST_ANY_MODEL_VERSION } }] } },
};

export const modelFields: INodeProperties[] = [modelOptionsField, modelLocatorField];

/** Shown (version 2) for a model id the node does not know; an expression is not one of them until it runs. */
const forOtherModel = {
	show: { '@version': [{ _cnd: { gte: FIRST_ANY_MODEL_VERSION } }] },
	hide: { model: [...MODEL_IDS, { _cnd: { startsWith: '=' } }] },
};

/** A notice per model that has one (e.g. Sora 2 Pro: only 1080p, 15 s, costs more). */
export const modelNotices: INodeProperties[] = MODEL_IDS.flatMap((id): INodeProperties[] => {
	const model = VIDEO_MODELS[id];
	if (!('notice' in model)) return [];
	return [{ displayName: model.notice, name: `${id.replace(/[^a-z0-9]+/gi, '')}Notice`, type: 'notice', default: '', displayOptions: forModel(id) }];
});

/** Version 2, a model the node does not know: what is sent is what is chosen. */
export const otherModelFields: INodeProperties[] = [
	{
		displayName: 'The node does not know this model: Size and Duration are sent as chosen, and the gateway decides what it takes (its refusal is shown if it takes something else)',
		name: 'otherModelNotice',
		type: 'notice',
		default: '',
		displayOptions: forOtherModel,
	},
	{
		displayName: 'Size',
		name: 'size',
		type: 'options',
		options: [...OTHER_MODEL.sizes].sort().map((size) => ({ name: SIZES[size].name, value: size, description: SIZES[size].description })),
		default: 'small',
		description: 'The resolution to ask for (the documented values; an expression may give another)',
		displayOptions: forOtherModel,
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 10,
		description: 'The length of the video to ask for, in seconds',
		displayOptions: forOtherModel,
	},
];

export const orientationField: INodeProperties = {
	displayName: 'Orientation',
	name: 'orientation',
	type: 'options',
	options: (Object.keys(ORIENTATIONS) as Array<keyof typeof ORIENTATIONS>).map((value) => ({ ...ORIENTATIONS[value], value })),
	default: 'portrait',
	description: 'The shape of the video',
};

/** One Size field per model, offering only the sizes that model renders. */
export const sizeFields: INodeProperties[] = MODEL_IDS.map((id): INodeProperties => {
	const { name } = VIDEO_MODELS[id];
	const sizes: readonly VideoSize[] = VIDEO_MODELS[id].sizes;
	const only = sizes.length === 1 ? ` (${name}: ${SIZES[sizes[0]].name} only)` : '';
	// the cheaper size where there is a choice
	const defaultSize = sizes.includes('small') ? 'small' : sizes[0];
	return {
		displayName: 'Size',
		name: 'size',
		type: 'options',
		options: [...sizes].sort().map((size) => ({ name: SIZES[size].name, value: size, description: only ? `${name} renders only this size` : SIZES[size].description })),
		default: defaultSize,
		description: `The resolution of the video${only}`,
		displayOptions: forModel(id),
	};
});

/** One Duration field per model, offering only the lengths that model makes. */
export const durationFields: INodeProperties[] = MODEL_IDS.map((id): INodeProperties => {
	const { name } = VIDEO_MODELS[id];
	const durations: readonly number[] = VIDEO_MODELS[id].durations;
	const only = durations.length === 1 ? ` (${name}: ${durations[0]} seconds only)` : '';
	const shortest = Math.min(...durations);
	return {
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: durations.map((seconds) => ({ name: `${seconds} Seconds`, value: seconds, description: only ? `${name} makes ${seconds}-second videos only` : DURATION_DESCRIPTIONS[seconds] })),
		default: shortest,
		description: `The length of the video${only}`,
		displayOptions: forModel(id),
	};
});
