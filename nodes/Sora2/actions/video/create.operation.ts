import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions, waitFields, waitOnByDefault } from '../../descriptions/waitFields';
import { runBatch } from '../../helpers/batch';
import { parseImages } from '../../helpers/images';
import { inputError, readClientSettings, readWaitSettings } from '../../helpers/params';
import type { WaitSettings } from '../../helpers/params';
import { chatCompletionAnswerSchema, createTaskAnswerSchema } from '../../helpers/schemas';
import { normalizeStatus } from '../../helpers/taskStatus';
import type { TaskSnapshot } from '../../helpers/taskStatus';
import { TaskReader, finishedItem, newAttempts, videoJson, waitUntilFinal } from '../../helpers/videoTask';
import { createSora2Client } from '../../transport';
import type { CallSite, Sora2Client } from '../../transport';

export const MODELS = ['sora-2', 'sora-2-pro'] as const;
export type Model = (typeof MODELS)[number];

/** What each model accepts (the seed: sora-2-pro renders only large, 15 s). */
export const MODEL_RULES: Record<Model, { sizes: readonly string[]; durations: readonly number[] }> = {
	'sora-2': { sizes: ['small', 'large'], durations: [10, 15] },
	'sora-2-pro': { sizes: ['large'], durations: [15] },
};

const ORIENTATIONS = ['portrait', 'landscape'] as const;

const forModel = (model: Model) => ({ show: { model: [model] } });

const properties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: [
			{ name: 'Sora 2', value: 'sora-2', description: '720p or 1080p, 10 or 15 seconds' },
			{ name: 'Sora 2 Pro', value: 'sora-2-pro', description: 'Higher quality, 1080p and 15 seconds only; costs more' },
		],
		default: 'sora-2',
		description: 'The video model to generate with',
	},
	{
		displayName: 'Sora 2 Pro renders only 1080p (large) videos of 15 seconds, and costs more per video than Sora 2.',
		name: 'proNotice',
		type: 'notice',
		default: '',
		displayOptions: forModel('sora-2-pro'),
	},
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
	{
		displayName: 'Orientation',
		name: 'orientation',
		type: 'options',
		options: [
			{ name: 'Landscape (16:9)', value: 'landscape', description: 'Wide, for YouTube and websites' },
			{ name: 'Portrait (9:16)', value: 'portrait', description: 'Tall, for Reels, Shorts and TikTok' },
		],
		default: 'portrait',
		description: 'The shape of the video',
	},
	{
		displayName: 'Size',
		name: 'size',
		type: 'options',
		options: [
			{ name: 'Large (1080p)', value: 'large', description: 'Full HD' },
			{ name: 'Small (720p)', value: 'small', description: 'HD, faster and cheaper' },
		],
		default: 'small',
		description: 'The resolution of the video',
		displayOptions: forModel('sora-2'),
	},
	{
		displayName: 'Size',
		name: 'size',
		type: 'options',
		options: [{ name: 'Large (1080p)', value: 'large', description: 'Sora 2 Pro renders only 1080p' }],
		default: 'large',
		description: 'The resolution of the video (Sora 2 Pro: 1080p only)',
		displayOptions: forModel('sora-2-pro'),
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: [
			{ name: '10 Seconds', value: 10, description: 'Shorter, costs less' },
			{ name: '15 Seconds', value: 15, description: 'Longer, costs more' },
		],
		default: 10,
		description: 'The length of the video',
		displayOptions: forModel('sora-2'),
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: [{ name: '15 Seconds', value: 15, description: 'Sora 2 Pro makes 15-second videos only' }],
		default: 15,
		description: 'The length of the video (Sora 2 Pro: 15 seconds only)',
		displayOptions: forModel('sora-2-pro'),
	},
	{
		displayName: 'Image URLs',
		name: 'images',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/first-frame.png',
		description:
			'Optional images to animate, as public http(s) URLs: one URL, several separated by commas or new lines, a JSON array, or an expression that gives a list',
	},
	...waitFields(waitOnByDefault),
	requestOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['create'] } }, properties);

export interface CreateBody extends IDataObject {
	images: string[];
	model: Model;
	orientation: (typeof ORIENTATIONS)[number];
	prompt: string;
	size: string;
	duration: number;
}

interface CreateInput {
	body: CreateBody;
	wait: WaitSettings;
}

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
	return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** Reads one item's fields and checks them the way the API would, before anything is sent. */
export function readCreateInput(fn: IExecuteFunctions, itemIndex: number): CreateInput {
	const model = fn.getNodeParameter('model', itemIndex) as unknown;
	if (!isOneOf(MODELS, model)) {
		throw inputError(fn, itemIndex, `Model "${String(model)}" is not a Sora2 video model`, 'Choose "sora-2" or "sora-2-pro" in Model.');
	}
	const rules = MODEL_RULES[model];

	const prompt = fn.getNodeParameter('prompt', itemIndex, '') as unknown;
	if (typeof prompt !== 'string') {
		throw inputError(fn, itemIndex, `Prompt must be text, but the expression gave ${prompt === null ? 'null' : typeof prompt}`, 'Map a text column into Prompt, or wrap the expression in String(…).');
	}
	if (prompt.trim() === '') {
		throw inputError(fn, itemIndex, 'Prompt is empty', 'Describe the video in Prompt, or map a column that is never empty.');
	}

	const orientation = fn.getNodeParameter('orientation', itemIndex, 'portrait') as unknown;
	if (!isOneOf(ORIENTATIONS, orientation)) {
		throw inputError(fn, itemIndex, `Orientation "${String(orientation)}" is not known`, 'Choose "portrait" or "landscape" in Orientation.');
	}

	const size = fn.getNodeParameter('size', itemIndex, rules.sizes[0]) as unknown;
	if (!isOneOf(rules.sizes, size)) {
		throw inputError(fn, itemIndex, `${model} does not take size "${String(size)}"`,
			model === 'sora-2-pro' ? 'Sora 2 Pro renders only "large" (1080p): set Size to large, or use the sora-2 model for 720p.' : 'Choose "small" (720p) or "large" (1080p) in Size.');
	}

	const rawDuration = fn.getNodeParameter('duration', itemIndex, rules.durations[0]) as unknown;
	const duration = typeof rawDuration === 'string' && rawDuration.trim() !== '' ? Number(rawDuration) : rawDuration;
	if (typeof duration !== 'number' || !rules.durations.includes(duration)) {
		throw inputError(fn, itemIndex, `${model} does not take a duration of ${JSON.stringify(rawDuration)} seconds`,
			`Choose ${rules.durations.join(' or ')} seconds in Duration${model === 'sora-2-pro' ? ' (Sora 2 Pro makes 15-second videos only)' : ''}.`);
	}

	const images = parseImages(fn.getNodeParameter('images', itemIndex, '') as unknown);
	if (!images.ok) {
		throw inputError(fn, itemIndex, `Image URLs: ${images.problem}`, 'Give public http(s) image URLs separated by commas or new lines, a JSON array of them, or leave the field empty.');
	}

	const wait = readWaitSettings(fn, itemIndex, true);
	return { body: { images: images.images, model, orientation, prompt, size, duration }, wait };
}

const TASK_ID_IN_TEXT = /\b((?:sora-2(?:-pro)?:)?task_[A-Za-z0-9]+)\b/;

/**
 * The task from either documented create answer: task shaped `{id, status}`, or chat-completion
 * shaped, whose id is the task id or whose message names it.
 */
function taskOfCreateAnswer(body: unknown): TaskSnapshot | undefined {
	const task = createTaskAnswerSchema.safeParse(body);
	if (task.success) {
		return { taskId: task.data.id, status: normalizeStatus(task.data.status), rawStatus: task.data.status, raw: task.data as IDataObject };
	}
	const chat = chatCompletionAnswerSchema.safeParse(body);
	if (!chat.success) return undefined;
	const texts = [chat.data.id, ...chat.data.choices.map((choice) => choice.message?.content ?? '')];
	for (const text of texts) {
		const found = TASK_ID_IN_TEXT.exec(text);
		if (found) return { taskId: found[1], status: 'pending', rawStatus: 'pending', raw: chat.data as IDataObject };
	}
	return undefined;
}

async function createOne(fn: IExecuteFunctions, client: Sora2Client, reader: TaskReader, input: CreateInput, itemIndex: number): Promise<INodeExecutionData> {
	const site: CallSite = { itemIndex, operation: 'Video → Create' };
	const startedAt = Date.now();
	const answer = await client.call({ method: 'POST', path: '/video/create', body: input.body, mode: 'create', site });
	const attempts = newAttempts(answer.attempts);
	const created = taskOfCreateAnswer(answer.body);
	if (!created) throw client.unexpected(site, 'the create answer names no task id (expected {"id": "sora-2:task_…", "status": …})', answer.text);
	const taskId = created.taskId;
	// Paid from here on: the id goes to n8n's log at once, so it can be found even if this process dies.
	fn.logger.info(
		`Sora2 task created: ${taskId} (execution ${fn.getExecutionId()}, workflow ${fn.getWorkflow().id ?? ''}, node "${fn.getNode().name}", item ${itemIndex})`,
		{ taskId, executionId: fn.getExecutionId(), itemIndex },
	);
	if (!input.wait.wait) return { json: videoJson(created, attempts) };
	const final = await waitUntilFinal(fn, reader, client, taskId, startedAt, input.wait, site, attempts, false);
	return await finishedItem(fn, client, final, input.wait, site, attempts);
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const client = await createSora2Client(this, readClientSettings(this));
	const reader = new TaskReader(client);
	return await runBatch(this, items, {
		prepare: (itemIndex) => readCreateInput(this, itemIndex),
		run: async (input, itemIndex) => await createOne(this, client, reader, input, itemIndex),
		stopAll: (reason) => client.stop(reason),
	});
}
