import type { INodeProperties } from 'n8n-workflow';

import { DURATION_DESCRIPTIONS, MODEL_IDS, ORIENTATIONS, SIZES, VIDEO_MODELS } from '../config/models';
import type { ModelId, VideoSize } from '../config/models';

/*
 * The Model field and the fields that depend on it, generated from the model table
 * (`helpers/models.ts`): each model shows only the sizes and durations it takes.
 */

const forModel = (model: ModelId) => ({ show: { model: [model] } });

const firstModel = MODEL_IDS[0];

export const modelField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: MODEL_IDS.map((id) => ({ name: VIDEO_MODELS[id].name, value: id, description: VIDEO_MODELS[id].description })),
	default: firstModel,
	description: 'The video model to generate with',
};

/** A notice per model that has one (e.g. Sora 2 Pro: only 1080p, 15 s, costs more). */
export const modelNotices: INodeProperties[] = MODEL_IDS.flatMap((id): INodeProperties[] => {
	const model = VIDEO_MODELS[id];
	if (!('notice' in model)) return [];
	return [{ displayName: model.notice, name: `${id.replace(/[^a-z0-9]+/gi, '')}Notice`, type: 'notice', default: '', displayOptions: forModel(id) }];
});

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
