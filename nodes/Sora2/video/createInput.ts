import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { IMAGE_FIELDS } from '../config/labels';
import { MODEL_IDS, ORIENTATIONS, VIDEO_MODELS, isModelId } from '../config/models';
import type { ModelId, Orientation } from '../config/models';
import { readWaitSettings } from '../run/settings';
import { parseBodyFields } from '../shared/bodyFields';
import type { ReservedKeys } from '../shared/bodyFields';
import { describeValue, numberOf } from '../shared/values';
import type { Result } from '../shared/values';
import type { WaitSettings } from '../task/wait';
import { inputError } from '../transport';
import { imageIdentity, imageUrls, maxImageBytes, parseImageUrls, readImageFiles } from './images';
import type { ImageSource } from './images';
import { readUniqueKey } from './uniqueKey';

/** The documented body of `POST /video/create`, then any Additional Body Fields. */
export interface CreateBody extends IDataObject {
	images: string[];
	model: string;
	orientation: Orientation;
	prompt: string;
	size: string;
	duration: number;
}

export interface CreateInput {
	/** The body, built when the create starts (image files are read and encoded then, not before). */
	body: () => Promise<CreateBody>;
	/**
	 * What the request is, without building it: the body with each image as its link or the sha256 of
	 * its bytes. Two items (or two executions) with the same identity ask for the same video.
	 */
	identity: CreateBody;
	/** The images, in the order sent: the Image URLs, then the Image Files. */
	images: ImageSource[];
	wait: WaitSettings;
	/** Options → Unique Key (see uniqueKey.ts). */
	key?: string;
}

/** The body keys Create sends from its own fields, and those fields. */
const CREATE_KEYS: ReservedKeys = {
	images: `${IMAGE_FIELDS.urls} or ${IMAGE_FIELDS.files}`,
	model: 'Model',
	orientation: 'Orientation',
	prompt: 'Prompt',
	size: 'Size',
	duration: 'Duration',
};

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
	return typeof value === 'string' && (list as readonly string[]).includes(value);
}

const quoted = (list: readonly string[]) => list.map((entry) => `"${entry}"`).join(' or ');

/**
 * The model: version 1 takes the two documented ones (its Model field is a list of them); version
 * 2 takes any id from its resource locator (list or typed), the gateway deciding what it sells.
 */
function readModel(fn: IExecuteFunctions, itemIndex: number): string {
	const value = fn.getNodeParameter('model', itemIndex, '', { extractValue: true }) as unknown;
	const node = fn.getNode();
	if (node.typeVersion < 2) {
		if (!isModelId(value)) throw inputError(node, itemIndex, `Model "${String(value)}" is not a Sora2 video model`, `Choose ${quoted(MODEL_IDS)} in Model.`);
		return value;
	}
	const model = typeof value === 'string' ? value.trim() : '';
	if (model === '') {
		const what = typeof value === 'string' ? 'Model is empty' : `Model must be a model id, but the expression gave ${describeValue(value)}`;
		throw inputError(node, itemIndex, what, `Pick a model From List, or type its id By ID (e.g. ${MODEL_IDS[0]}).`);
	}
	return model;
}

function readPrompt(fn: IExecuteFunctions, itemIndex: number): string {
	const prompt = fn.getNodeParameter('prompt', itemIndex, '') as unknown;
	if (typeof prompt !== 'string') {
		throw inputError(fn.getNode(), itemIndex, `Prompt must be text, but the expression gave ${describeValue(prompt)}`, 'Map a text column into Prompt, or wrap the expression in String(…).');
	}
	if (prompt.trim() === '') throw inputError(fn.getNode(), itemIndex, 'Prompt is empty', 'Describe the video in Prompt, or map a column that is never empty.');
	return prompt;
}

/** Size and Duration of a model the table knows, checked against what it takes (also when an expression gave them). */
function knownModelFormat(fn: IExecuteFunctions, itemIndex: number, model: ModelId): { size: string; duration: number } {
	const rules = VIDEO_MODELS[model];
	const size = fn.getNodeParameter('size', itemIndex, rules.sizes[0]) as unknown;
	if (!isOneOf(rules.sizes, size)) throw inputError(fn.getNode(), itemIndex, `${model} does not take size "${String(size)}"`, rules.sizeFix);
	const rawDuration = fn.getNodeParameter('duration', itemIndex, rules.durations[0]) as unknown;
	const duration = numberOf(rawDuration);
	if (typeof duration !== 'number' || !(rules.durations as readonly number[]).includes(duration)) {
		const note = 'durationNote' in rules ? rules.durationNote : '';
		throw inputError(fn.getNode(), itemIndex, `${model} does not take a duration of ${JSON.stringify(rawDuration)} seconds`, `Choose ${rules.durations.join(' or ')} seconds in Duration${note}.`);
	}
	return { size, duration };
}

/** Size and Duration of a model the node does not know: sent as chosen (text, and a number of seconds). */
function otherModelFormat(fn: IExecuteFunctions, itemIndex: number, model: string): { size: string; duration: number } {
	const size = fn.getNodeParameter('size', itemIndex, '') as unknown;
	if (typeof size !== 'string' || size.trim() === '') {
		throw inputError(fn.getNode(), itemIndex, `Size must be text such as "small" or "large", got ${describeValue(size)}`, `Choose a Size for ${model}.`);
	}
	const rawDuration = fn.getNodeParameter('duration', itemIndex, 0) as unknown;
	const duration = numberOf(rawDuration);
	if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
		throw inputError(fn.getNode(), itemIndex, `Duration must be a number of seconds above 0, got ${JSON.stringify(rawDuration)}`, `Enter the length ${model} should make, in seconds.`);
	}
	return { size: size.trim(), duration };
}

function readOrientation(fn: IExecuteFunctions, itemIndex: number): Orientation {
	const orientations = Object.keys(ORIENTATIONS) as Orientation[];
	const orientation = fn.getNodeParameter('orientation', itemIndex, 'portrait') as unknown;
	if (!isOneOf(orientations, orientation)) {
		throw inputError(fn.getNode(), itemIndex, `Orientation "${String(orientation)}" is not known`, `Choose ${quoted(orientations)} in Orientation.`);
	}
	return orientation;
}

/** Image URLs, then Image Files (checked beforehand: `files`), in the order sent. */
function readImages(fn: IExecuteFunctions, itemIndex: number, files: Result<ImageSource[]>): ImageSource[] {
	const urls = parseImageUrls(fn.getNodeParameter('images', itemIndex, '') as unknown, maxImageBytes(fn, itemIndex));
	if (!urls.ok) throw inputError(fn.getNode(), itemIndex, `${IMAGE_FIELDS.urls}: ${urls.error.problem}`, urls.error.fix);
	if (!files.ok) throw files.error;
	return [...urls.value, ...files.value];
}

function readBodyFields(fn: IExecuteFunctions, itemIndex: number): IDataObject {
	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const fields = parseBodyFields(options.bodyFields, CREATE_KEYS);
	if (!fields.ok) throw inputError(fn.getNode(), itemIndex, fields.error.problem, fields.error.fix);
	return fields.value as IDataObject;
}

/**
 * Checks every item's Image Files before any item is prepared (reading binary data is
 * asynchronous): each item's images, or its error, for `readCreateInput`.
 */
export async function readAllImageFiles(fn: IExecuteFunctions, count: number): Promise<Array<Result<ImageSource[]>>> {
	const results: Array<Result<ImageSource[]>> = [];
	// one item after the other: only one file's bytes are in memory at a time
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			results.push({ ok: true, value: await readImageFiles(fn, itemIndex, maxImageBytes(fn, itemIndex)) });
		} catch (error) {
			results.push({ ok: false, error });
		}
	}
	return results;
}

/** Reads one item's Video → Create fields and checks them the way the API would, before anything is sent. */
export function readCreateInput(fn: IExecuteFunctions, itemIndex: number, files: Result<ImageSource[]>): CreateInput {
	const model = readModel(fn, itemIndex);
	const prompt = readPrompt(fn, itemIndex);
	const orientation = readOrientation(fn, itemIndex);
	const { size, duration } = isModelId(model) ? knownModelFormat(fn, itemIndex, model) : otherModelFormat(fn, itemIndex, model);
	const images = readImages(fn, itemIndex, files);
	const extra = readBodyFields(fn, itemIndex);
	const wait = readWaitSettings(fn, itemIndex);
	const body = async (): Promise<CreateBody> => ({ images: await imageUrls(fn, itemIndex, images), model, orientation, prompt, size, duration, ...extra });
	const identity = { images: images.map(imageIdentity), model, orientation, prompt, size, duration, ...extra };
	return { body, identity, images, wait, key: readUniqueKey(fn, itemIndex) };
}
