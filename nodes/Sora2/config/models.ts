/*
 * The video models and what each accepts (the seed: sora-2-pro renders only large, 15 s). The
 * Model, Size and Duration fields are generated from this table, and input is checked against it.
 */

export type VideoSize = 'small' | 'large';

export interface VideoModel {
	name: string;
	description: string;
	sizes: readonly VideoSize[];
	durations: readonly number[];
	/** Shown above the fields when the model is chosen. */
	notice?: string;
	/** Shown when a size or duration the model does not take is given. */
	sizeFix: string;
	durationNote?: string;
}

export const VIDEO_MODELS = {
	'sora-2': {
		name: 'Sora 2',
		description: '720p or 1080p, 10 or 15 seconds',
		sizes: ['small', 'large'],
		durations: [10, 15],
		sizeFix: 'Choose "small" (720p) or "large" (1080p) in Size.',
	},
	'sora-2-pro': {
		name: 'Sora 2 Pro',
		description: 'Higher quality, 1080p and 15 seconds only; costs more',
		sizes: ['large'],
		durations: [15],
		notice: 'Sora 2 Pro renders only 1080p (large) videos of 15 seconds, and costs more per video than Sora 2.',
		sizeFix: 'Sora 2 Pro renders only "large" (1080p): set Size to large, or use the sora-2 model for 720p.',
		durationNote: ' (Sora 2 Pro makes 15-second videos only)',
	},
} as const satisfies Record<string, VideoModel>;

export type ModelId = keyof typeof VIDEO_MODELS;

export const MODEL_IDS = Object.keys(VIDEO_MODELS) as ModelId[];

export const SIZES: Record<VideoSize, { name: string; description: string }> = {
	large: { name: 'Large (1080p)', description: 'Full HD' },
	small: { name: 'Small (720p)', description: 'HD, faster and cheaper' },
};

export const DURATION_DESCRIPTIONS: Record<number, string> = {
	10: 'Shorter, costs less',
	15: 'Longer, costs more',
};

export const ORIENTATIONS = {
	landscape: { name: 'Landscape (16:9)', description: 'Wide, for YouTube and websites' },
	portrait: { name: 'Portrait (9:16)', description: 'Tall, for Reels, Shorts and TikTok' },
} as const;

export type Orientation = keyof typeof ORIENTATIONS;

/**
 * What version 2 offers for a model id it does not know (a gateway's own, e.g. sora-2-hd): the
 * documented sizes, and any whole number of seconds (10 by default); the gateway decides what it takes.
 */
export const OTHER_MODEL = {
	sizes: ['small', 'large'] as const satisfies readonly VideoSize[],
};

/** The list search the node registers for version 2's Model (`methods.listSearch`). */
export const MODEL_LIST_METHOD = 'searchModels';

/** Words that mark a model id as a video model: the model list shows those first. */
export const VIDEO_MODEL_WORDS = /sora|veo|kling|video|vidu|hailuo|seedance|runway|luma|pika|pixverse|hunyuan|cogvideo|wan-?\d|ltx/i;

export function isModelId(value: unknown): value is ModelId {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(VIDEO_MODELS, value);
}
