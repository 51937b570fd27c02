/*
 * The node's resources and operations, typed once, and every name the user reads for them: the
 * operation pickers take their names from here, and errors and hints say "Video → Get Task" from here.
 */

export interface Sora2Operations {
	chat: 'completion';
	video: 'create' | 'getTask';
}

export type Sora2Resource = keyof Sora2Operations;

export const RESOURCE_NAMES: Record<Sora2Resource, string> = {
	chat: 'Chat',
	video: 'Video',
};

export const OPERATION_NAMES: { [R in Sora2Resource]: Record<Sora2Operations[R], string> } = {
	chat: { completion: 'Completion' },
	video: { create: 'Create', getTask: 'Get Task' },
};

/** "Video → Get Task": how errors and hints name an operation. */
function operationLabel<R extends Sora2Resource>(resource: R, operation: Sora2Operations[R]): string {
	const names: Record<Sora2Operations[R], string> = OPERATION_NAMES[resource];
	return `${RESOURCE_NAMES[resource]} → ${names[operation]}`;
}

export const LABELS = {
	create: operationLabel('video', 'create'),
	getTask: operationLabel('video', 'getTask'),
	completion: operationLabel('chat', 'completion'),
} as const;

/** The image fields of Video → Create, as errors and hints name them. */
export const IMAGE_FIELDS = {
	urls: 'Image URLs',
	files: 'Image Files',
	maxSize: 'Max Image Size (MB)',
} as const;
