import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MODEL_IDS, ORIENTATIONS, VIDEO_MODELS, isModelId } from '../config/models';
import type { ModelId, Orientation, VideoSize } from '../config/models';
import { readWaitSettings } from '../run/settings';
import { describeValue, numberOf } from '../shared/values';
import type { WaitSettings } from '../task/wait';
import { inputError } from '../transport';
import { parseImages } from './images';
import { readUniqueKey } from './uniqueKey';

/** The documented body of `POST /video/create`. */
export interface CreateBody extends IDataObject {
	images: string[];
	model: ModelId;
	orientation: Orientation;
	prompt: string;
	size: VideoSize;
	duration: number;
}

export interface CreateInput {
	body: CreateBody;
	wait: WaitSettings;
	/** Options → Unique Key (see uniqueKey.ts). */
	key?: string;
}

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
	return typeof value === 'string' && (list as readonly string[]).includes(value);
}

const quoted = (list: readonly string[]) => list.map((entry) => `"${entry}"`).join(' or ');

function readPrompt(fn: IExecuteFunctions, itemIndex: number): string {
	const prompt = fn.getNodeParameter('prompt', itemIndex, '') as unknown;
	if (typeof prompt !== 'string') {
		throw inputError(fn.getNode(), itemIndex, `Prompt must be text, but the expression gave ${describeValue(prompt)}`, 'Map a text column into Prompt, or wrap the expression in String(…).');
	}
	if (prompt.trim() === '') throw inputError(fn.getNode(), itemIndex, 'Prompt is empty', 'Describe the video in Prompt, or map a column that is never empty.');
	return prompt;
}

/** Reads one item's Video → Create fields and checks them the way the API would, before anything is sent. */
export function readCreateInput(fn: IExecuteFunctions, itemIndex: number): CreateInput {
	const model = fn.getNodeParameter('model', itemIndex) as unknown;
	if (!isModelId(model)) {
		throw inputError(fn.getNode(), itemIndex, `Model "${String(model)}" is not a Sora2 video model`, `Choose ${quoted(MODEL_IDS)} in Model.`);
	}
	const rules = VIDEO_MODELS[model];
	const prompt = readPrompt(fn, itemIndex);

	const orientations = Object.keys(ORIENTATIONS) as Orientation[];
	const orientation = fn.getNodeParameter('orientation', itemIndex, 'portrait') as unknown;
	if (!isOneOf(orientations, orientation)) {
		throw inputError(fn.getNode(), itemIndex, `Orientation "${String(orientation)}" is not known`, `Choose ${quoted(orientations)} in Orientation.`);
	}

	const size = fn.getNodeParameter('size', itemIndex, rules.sizes[0]) as unknown;
	if (!isOneOf(rules.sizes, size)) throw inputError(fn.getNode(), itemIndex, `${model} does not take size "${String(size)}"`, rules.sizeFix);

	const rawDuration = fn.getNodeParameter('duration', itemIndex, rules.durations[0]) as unknown;
	const duration = numberOf(rawDuration);
	if (typeof duration !== 'number' || !(rules.durations as readonly number[]).includes(duration)) {
		const note = 'durationNote' in rules ? rules.durationNote : '';
		throw inputError(fn.getNode(), itemIndex, `${model} does not take a duration of ${JSON.stringify(rawDuration)} seconds`, `Choose ${rules.durations.join(' or ')} seconds in Duration${note}.`);
	}

	const images = parseImages(fn.getNodeParameter('images', itemIndex, '') as unknown);
	if (!images.ok) {
		throw inputError(fn.getNode(), itemIndex, `Image URLs: ${images.error}`, 'Give public http(s) image URLs separated by commas or new lines, a JSON array of them, or leave the field empty.');
	}

	const wait = readWaitSettings(fn, itemIndex);
	return { body: { images: images.value, model, orientation, prompt, size, duration }, wait, key: readUniqueKey(fn, itemIndex) };
}
